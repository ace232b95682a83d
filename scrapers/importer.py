"""Import local files (PDF, DOCX, HTML, TXT, Markdown) into the corpus, one record per file.

A file becomes the record a scraper would write: validated against the contract, written
atomically into `<corpus>/<source>/<id>.json`, its bytes kept as a raw snapshot in
`<corpus>/<source>/raw/` (with the original file name as the Content-Disposition), and its
origin remembered in `<corpus>/.state/import.json` so the same file keeps its id when its
text or title changes. Metadata comes from, in rising precedence: what the document says
about itself (`scrapers/importmeta.py`), the folder's `metadata.yml` files, and the options
the user gave.

A record's `url` is the address the user gave, or `https://import.invalid/<source>/<id>`:
the reserved `.invalid` domain (RFC 2606) never resolves, so the placeholder can neither leak
a local path nor pretend to be a page somewhere; the document page shows "importeret fra fil"
in its place.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from retskilde.contract import load_schema
from retskilde.scrapers.corpus import CorpusWriter, InvalidRecord, WriteOutcome
from retskilde.scrapers.dates import parse_date
from retskilde.scrapers.extract import ExtractError
from retskilde.scrapers.files import atomic_write
from retskilde.scrapers.ids import bounded_id, slug
from retskilde.scrapers.importmeta import infer, infer_doc_type, infer_source, municipality_name
from retskilde.scrapers.importread import CONTENT_TYPES, format_of, read_file
from retskilde.scrapers.rawstore import RawStore

METADATA_FILE = "metadata.yml"
PLACEHOLDER_PREFIX = "https://import.invalid/"
STATE_FILE = Path(".state") / "import.json"
# Fields a metadata.yml or the command line may set; everything else is read from the file.
FIELDS = (
    "source",
    "doc_type",
    "title",
    "date",
    "municipality",
    "url",
    "issuer",
    "committee",
    "case_number",
    "keywords",
    "summary",
    "example",
)
ID_TITLE_LENGTH = 80
_SAVE_AS = " (gem den som DOCX eller PDF)"
OTHER_FORMATS = {".doc": _SAVE_AS, ".rtf": _SAVE_AS, ".odt": _SAVE_AS, ".pages": _SAVE_AS}


class ImportProblem(Exception):
    """A problem with what the user asked for (an option, a metadata.yml), naming where."""


@dataclass
class Imported:
    """One file's result: the record written (or why not)."""

    name: str
    outcome: WriteOutcome | None = None
    record: dict | None = None
    error: str | None = None


@dataclass
class ImportReport:
    results: list[Imported] = field(default_factory=list)

    def count(self, outcome: WriteOutcome) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def failures(self) -> list[Imported]:
        return [r for r in self.results if r.error]


def allowed(field_name: str) -> list[str]:
    """The contract's allowed values for an enum field (source, doc_type)."""
    return list(load_schema()["properties"][field_name]["enum"])


def placeholder_url(source: str, record_id: str) -> str:
    """The stable address of an imported document that has none of its own."""
    return f"{PLACEHOLDER_PREFIX}{source}/{record_id}"


# -- the user's metadata: options and metadata.yml ------------------------------------------


def clean_metadata(values: dict, where: str) -> dict:
    """`values` checked and put in record form; ImportProblem naming `where` when wrong."""
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise ImportProblem(
            f"{where}: ukendt felt {', '.join(unknown)} (tilladte: {', '.join(FIELDS)})"
        )
    out: dict = {}
    for key, value in values.items():
        if value is None:
            continue
        if key in ("source", "doc_type") and value not in allowed(key):
            raise ImportProblem(
                f"{where}: {key} {value!r} er ikke tilladt ({', '.join(allowed(key))})"
            )
        if key == "date":
            # YAML reads 2014-05-26 as a date, and a time after it as a datetime.
            iso = value.isoformat()[:10] if isinstance(value, date) else parse_date(str(value))
            if iso is None:
                raise ImportProblem(f"{where}: datoen {value!r} kan ikke læses (fx 26. maj 2014)")
            value = iso
        elif key == "municipality":
            name = municipality_name(str(value))
            if name is None:
                raise ImportProblem(f"{where}: {value!r} er ikke en af de 98 kommuner")
            value = name
        elif key == "url":
            if not str(value).startswith(("http://", "https://")) or " " in str(value):
                raise ImportProblem(f"{where}: url skal begynde med http:// eller https://")
        elif key == "keywords":
            value = [str(v) for v in (value if isinstance(value, list) else [value])]
        elif key == "example":
            value = bool(value)
        else:
            value = str(value).strip()
        out[key] = value
    return out


def _read_metadata_file(path: Path) -> tuple[dict, dict[str, dict]]:
    """A metadata.yml's folder defaults and its per-file values (keyed by relative path)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ImportProblem(f"{path}: kan ikke læses ({exc})") from exc
    if not isinstance(data, dict):
        raise ImportProblem(f"{path}: skal være en YAML-ordbog (felt: værdi)")
    files = data.pop("files", None) or {}
    if not isinstance(files, dict):
        raise ImportProblem(f"{path}: files skal være en ordbog (filnavn: felter)")
    defaults = clean_metadata(data, str(path))
    per_file = {}
    for name, values in files.items():
        if not isinstance(values, dict):
            raise ImportProblem(f"{path}: files.{name} skal være en ordbog")
        per_file[str(name)] = clean_metadata(values, f"{path}: files.{name}")
    return defaults, per_file


def folder_metadata(root: Path, file: Path) -> dict:
    """The metadata.yml values for `file`: each folder's defaults from `root` down to the
    file's own folder (nearer wins), then the per-file values that name it (nearer wins)."""
    folders = [root]
    for part in file.parent.relative_to(root).parts:
        folders.append(folders[-1] / part)
    merged: dict = {}
    per_file: dict = {}
    for folder in folders:
        path = folder / METADATA_FILE
        if path.is_file():
            defaults, files = _read_metadata_file(path)
            merged.update(defaults)
            per_file.update(files.get(file.relative_to(folder).as_posix(), {}))
    return {**merged, **per_file}


# -- which files ----------------------------------------------------------------------------


def files_to_import(paths: list[Path]) -> Iterator[tuple[Path, Path]]:
    """(file, root for its metadata.yml) for every file under `paths`, sorted, hidden skipped."""
    for path in paths:
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                relative = file.relative_to(path)
                if any(part.startswith((".", "~$")) for part in relative.parts):
                    continue  # hidden files, .DS_Store, Word's lock files
                if file.is_file() and file.name != METADATA_FILE:
                    yield file, path
        else:
            yield path, path.parent


# -- the corpus bookkeeping: which file became which record ---------------------------------


class Origins:
    """`<corpus>/.state/import.json`: each imported file's id, by its path and by its bytes.

    Paths are kept as a hash of the absolute path, so the bookkeeping names no local folder.
    """

    def __init__(self, corpus: Path):
        self.path = corpus / STATE_FILE
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            data = {}
        self.by_path: dict[str, dict] = data.get("by_path", {})
        self.by_sha256: dict[str, dict] = data.get("by_sha256", {})
        self.changed = False
        self._owners: dict[tuple[str, str], str] | None = None

    @staticmethod
    def key(file: Path) -> str:
        return hashlib.sha256(str(file.resolve()).encode("utf-8")).hexdigest()[:32]

    def find(self, file: Path, sha256: str) -> dict | None:
        """The record this file became before: same path (maybe new bytes), or same bytes."""
        return self.by_path.get(self.key(file)) or self.by_sha256.get(sha256)

    def owner(self, source: str, record_id: str) -> str | None:
        """The path key of the file that holds `record_id`, if any."""
        if self._owners is None:
            self._owners = {(e["source"], e["id"]): key for key, e in self.by_path.items()}
        return self._owners.get((source, record_id))

    def remember(self, file: Path, sha256: str, source: str, record_id: str) -> None:
        entry = {"source": source, "id": record_id}
        key = self.key(file)
        if self.by_path.get(key) != entry or self.by_sha256.get(sha256) != entry:
            self.by_path[key] = entry
            self.by_sha256[sha256] = entry
            self._owners = None
            self.changed = True

    def save(self) -> None:
        if self.changed:
            data = {"by_path": self.by_path, "by_sha256": self.by_sha256}
            atomic_write(self.path, json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))
            self.changed = False


# -- one file -------------------------------------------------------------------------------


def new_id(source: str, title: str, day: str | None) -> str:
    """A readable id from what the document is: source, date and title (not import order)."""
    words = slug(title)[:ID_TITLE_LENGTH].rstrip("-") or "dokument"
    return bounded_id(f"{source}-{day or 'udateret'}-{words}")


def _choose_id(origins: Origins, file: Path, sha256: str, record: dict) -> str:
    earlier = origins.find(file, sha256)
    if earlier is not None:
        return earlier["id"]
    candidate = new_id(record["source"], record["title"], record.get("date"))
    owner = origins.owner(record["source"], candidate)
    if owner is not None and owner != origins.key(file):
        # Another file has the same title and date: the bytes tell the two apart.
        candidate = bounded_id(f"{candidate}-{sha256[:8]}")
    return candidate


def build_record(file: Path, name: str, content: bytes, metadata: dict) -> dict:
    """The record for one file, without id and url (they depend on the corpus)."""
    read = read_file(file, name)
    inferred = infer(read.paragraphs, read.heading, read.date, read.headings)
    found = {k: v for k, v in vars(inferred).items() if v is not None}
    # A Markdown file's own header says what the file says about itself, above what is read
    # from the text and below what the user gives; keys it has for other tools are left alone.
    stated = {k: v for k, v in read.front_matter.items() if k in FIELDS}
    if "tags" in read.front_matter and "keywords" not in stated:
        stated["keywords"] = read.front_matter["tags"]
    metadata = {**clean_metadata(stated, f"{name}: YAML-hovedet"), **metadata}
    merged = {**found, **metadata}
    if not merged.get("title"):
        merged["title"] = file.stem.replace("_", " ")
    # What the user said decides what follows from it: a municipality makes a municipal
    # document, a source its usual kind of document, unless those were given too.
    if "source" not in metadata:
        merged["source"] = infer_source(merged.get("issuer"), merged.get("municipality"))
    if "doc_type" not in metadata:
        merged["doc_type"] = infer_doc_type(read.paragraphs, merged["title"], merged["source"])
    record = {
        "source": merged["source"],
        "doc_type": merged["doc_type"],
        "title": merged["title"][:500],
        "sha256": hashlib.sha256(content).hexdigest(),
        "text": "\n\n".join(read.paragraphs),
        "imported_file": file.name,
    }
    for key in ("date", "municipality", "issuer", "committee", "case_number", "keywords"):
        if merged.get(key):
            record[key] = merged[key]
    for key in ("summary", "url"):
        if merged.get(key):
            record[key] = merged[key]
    if merged.get("example"):
        record["example"] = True
    return record


def import_file(
    file: Path, root: Path, corpus: Path, options: dict, origins: Origins, now: str
) -> Imported:
    """Import one file; an unreadable file is an Imported with its error, nothing written."""
    name = str(file)
    if format_of(file) is None:
        hint = OTHER_FORMATS.get(file.suffix.lower(), "")
        return Imported(
            name, error=f"filtypen {file.suffix or '(ingen)'} kan ikke importeres{hint}"
        )
    try:
        content = file.read_bytes()
        metadata = {**folder_metadata(root, file), **options}
        record = build_record(file, name, content, metadata)
    except ExtractError as exc:
        return Imported(name, error=exc.reason)
    except ImportProblem as exc:
        return Imported(name, error=str(exc))
    except OSError as exc:
        return Imported(name, error=f"filen kan ikke læses ({exc.strerror})")
    source = record["source"]
    record_id = _choose_id(origins, file, record["sha256"], record)
    url = record.pop("url", None) or placeholder_url(source, record_id)
    raw = RawStore(corpus / source / "raw")
    latest = raw.latest(url)
    if latest is not None and latest.sha256 == record["sha256"]:
        fetched_at = latest.fetched_at  # the same bytes were imported then
    else:
        fetched_at = now
    record = {"id": record_id, **record, "url": url, "fetched_at": fetched_at}
    record = {key: record[key] for key in sorted(record, key=_FIELD_ORDER.get)}
    writer = CorpusWriter(corpus / source)
    try:
        if latest is None or latest.sha256 != record["sha256"]:
            headers = {
                "content-type": CONTENT_TYPES[format_of(file)],
                "content-disposition": f'attachment; filename="{file.name}"',
            }
            raw.save(url, url, 200, headers, fetched_at, content)
        # Compared here, not only in the writer: it rewrites a stored example every time.
        stored = writer.read(record_id)
        outcome = WriteOutcome.UNCHANGED if stored == record else writer.write(record, name)
    except InvalidRecord as exc:
        details = "; ".join(f"{p.field}: {p.message}" for p in exc.problems)
        return Imported(name, error=f"posten overholder ikke kontrakten ({details})")
    _drop_moved(corpus, origins, file, source, record_id)
    origins.remember(file, record["sha256"], source, record_id)
    return Imported(name, outcome, record)


_FIELD_ORDER = {
    key: n
    for n, key in enumerate(
        [
            "id",
            "source",
            "doc_type",
            "title",
            "date",
            "municipality",
            "committee",
            "case_number",
            "issuer",
            "keywords",
            "summary",
            "url",
            "fetched_at",
            "sha256",
            "imported_file",
            "example",
            "text",
        ]
    )
}


def _drop_moved(corpus: Path, origins: Origins, file: Path, source: str, record_id: str) -> None:
    # The file was imported before under another source: its record moved, so the old one goes
    # (it is the same document; the new record is already written).
    earlier = origins.by_path.get(origins.key(file))
    if earlier and earlier["source"] != source:
        old = CorpusWriter(corpus / earlier["source"]).path(earlier["id"])
        old.unlink(missing_ok=True)


def import_paths(paths: list[Path], corpus: Path, options: dict | None = None) -> ImportReport:
    """Import every file under `paths` into `corpus`; one result per file, in order."""
    options = clean_metadata(options or {}, "kommandolinjen")
    report = ImportReport()
    origins = Origins(corpus)
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    try:
        for file, root in files_to_import(paths):
            report.results.append(import_file(file, root, corpus, options, origins, now))
    finally:
        origins.save()
    return report
