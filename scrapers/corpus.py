"""Write Document records into corpus/: validated first, atomically, only when something changed."""

from __future__ import annotations

import json
import re
from enum import StrEnum
from pathlib import Path

from retskilde.contract import Problem, validate_record
from retskilde.scrapers.files import atomic_write

# Provenance that changes on every fetch; a record that differs only here is not a new version.
VOLATILE_FIELDS = ("fetched_at",)
# Earlier versions of a record are kept here, in the source's folder: <folder>/.history/<id>/
# <fetched_at>.json. Hidden folders are no records to the build or `retskilde validate`; the
# build reads them into the `versions` table (db/history.py).
HISTORY_FOLDER = ".history"
_UNSAFE = re.compile(r"[^0-9A-Za-z.+-]")


def history_name(fetched_at: str) -> str:
    """The file name of a version fetched at `fetched_at` (no ':' for other file systems)."""
    return _UNSAFE.sub("-", fetched_at) + ".json"


class InvalidRecord(Exception):
    """A scraped record that breaks the contract; it is not written."""

    def __init__(self, url: str, problems: list[Problem]):
        self.url = url
        self.problems = problems
        details = "; ".join(f"{p.field}: {p.message}" for p in problems)
        super().__init__(f"{url}: posten overholder ikke kontrakten ({details})")


class WriteOutcome(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


def record_json(record: dict) -> bytes:
    """The file form of a record: indented UTF-8 JSON with a final newline."""
    return (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _comparable(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in VOLATILE_FIELDS}


class CorpusWriter:
    """The records of one source folder, e.g. corpus/ast/<id>.json."""

    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, record_id: str) -> Path:
        """Where the record with this id lives."""
        return self.folder / f"{record_id}.json"

    def history(self, record_id: str) -> Path:
        """The folder with the earlier versions of the record with this id."""
        return self.folder / HISTORY_FOLDER / record_id

    def read(self, record_id: str) -> dict | None:
        """The stored record with this id, or None when missing or unreadable."""
        try:
            stored = json.loads(self.path(record_id).read_text(encoding="utf-8"))
        except (FileNotFoundError, UnicodeDecodeError, ValueError):
            return None
        return stored if isinstance(stored, dict) else None

    def write(self, record: dict, url: str) -> WriteOutcome:
        """Validate and store `record`; an identical stored record is left untouched."""
        problems = validate_record(record, url)
        if problems:
            raise InvalidRecord(url, problems)
        path = self.path(record["id"])
        existed = path.exists()
        stored = self.read(record["id"])
        # A fictional example with the same id is replaced by the real document.
        if (
            stored is not None
            and not stored.get("example")
            and _comparable(stored) == _comparable(record)
        ):
            return WriteOutcome.UNCHANGED
        if stored is not None and not stored.get("example"):
            self._keep(stored, path)
        atomic_write(path, record_json(record))
        return WriteOutcome.CHANGED if existed else WriteOutcome.NEW

    def _keep(self, stored: dict, path: Path) -> None:
        """Keep the stored version, as it was on disk, before a new one replaces it."""
        kept = self.history(stored["id"]) / history_name(str(stored.get("fetched_at", "")))
        if not kept.exists():
            atomic_write(kept, path.read_bytes())
