"""The Document record contract: the JSON Schema in corpus/ and the checks built on it.

Scrapers call this before they write and the build before it loads, so neither stage has to
import the other to agree on what a record is.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from retskilde import SCHEMA_PATH

if TYPE_CHECKING:
    import jsonschema

SCHEMA_FILE_SUFFIX = ".schema.json"
# What a title, a text and a facet value must contain to be findable (the schema's pattern;
# Python's \w is Unicode-aware, so any script's letters and digits count).
LETTER_OR_DIGIT = "[^\\W_]"
# Deeper than any record the schema allows (record → attachments → attachment → field), far
# below what the JSON parser and the validator can recurse through.
MAX_DEPTH = 32
# SQLite stores integers in 64 bits; the schema's maxima say so, and a longer number is never
# converted at all (Python refuses beyond 4,300 digits, and would spend time on it before that).
MAX_INTEGER_DIGITS = 19


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record: where it is, which field, and what.

    `unreadable` marks a file or folder that could not be read at all (permissions, a dangling
    link, a folder where a record file should be), as opposed to a record that breaks the
    contract: the command line gives the two different exit codes.
    """

    location: str
    field: str
    message: str
    unreadable: bool = False

    def __str__(self) -> str:
        line = f"{self.location}: {self.field}: {self.message}"
        # A file name that is not valid UTF-8 must not stop the report from being printed.
        return line.encode("utf-8", "backslashreplace").decode("utf-8")


class _HugeNumber:
    """Stands in for a JSON number with more digits than any field allows, so the record is
    rejected field by field like any other wrong value instead of failing to parse."""

    def __init__(self, digits: str):
        self.digits = len(digits.lstrip("-"))

    def __repr__(self) -> str:
        return f"<et tal med {self.digits} cifre>"


def _parse_int(literal: str) -> int | _HugeNumber:
    if len(literal.lstrip("-")) > MAX_INTEGER_DIGITS:
        return _HugeNumber(literal)
    return int(literal)


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} er ikke et gyldigt JSON-tal")


@cache
def load_schema(path: Path = SCHEMA_PATH) -> dict:
    """The Document JSON Schema."""
    return json.loads(path.read_text(encoding="utf-8"))


def _format_checker() -> jsonschema.FormatChecker:
    """The standard format checks, plus "date-time", which jsonschema only checks with an extra
    package installed: `fetched_at` "2026-42-83T58:58:31+27:38" matches the pattern alone."""
    import jsonschema  # ~90 ms: only when a record is validated, not for `--help`

    checker = jsonschema.FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def is_date_time(value: object) -> bool:
        return not isinstance(value, str) or datetime.fromisoformat(value) is not None

    return checker


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = load_schema()
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=_format_checker())


def _field_name(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        # The missing property is only named in the message; pull it out so the field is exact.
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        return "/".join([*map(str, error.absolute_path), missing])
    if error.validator == "additionalProperties":
        return "/".join(map(str, error.absolute_path)) or "(record)"
    return "/".join(map(str, error.absolute_path)) or "(record)"


def _show(value: object, limit: int = 80) -> str:
    """`repr(value)`, cut short: a wrong 5 MB text must not fill the terminal."""
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 5] + " …" + shown[-3:]


def _message(error: jsonschema.ValidationError) -> str:
    if isinstance(error.instance, _HugeNumber):
        return (
            f"{error.instance!r}: for stort (højst {MAX_INTEGER_DIGITS} cifre; databasen gemmer "
            "64-bit-heltal)"
        )
    if error.validator == "required":
        return "mangler (påkrævet felt)"
    if error.validator == "additionalProperties":
        return f"ukendt felt: {error.message}"
    if error.validator == "enum":
        allowed = ", ".join(map(repr, error.validator_value))
        return f"{_show(error.instance)} er ikke en tilladt værdi ({allowed})"
    if error.validator == "pattern" and error.validator_value == LETTER_OR_DIGIT:
        return f"{_show(error.instance)} skal indeholde mindst ét bogstav eller ciffer"
    if error.validator == "pattern":
        return (
            f"{_show(error.instance)} har ikke den rigtige form (mønster {error.validator_value})"
        )
    if error.validator == "format":
        return f"{_show(error.instance)} har ikke den rigtige form (gyldig {error.validator_value})"
    if error.validator == "type":
        return f"{_show(error.instance)} skal være af typen {error.validator_value}"
    if error.validator in ("maximum", "minimum"):
        bound = "højst" if error.validator == "maximum" else "mindst"
        return f"{_show(error.instance)} er uden for grænsen ({bound} {error.validator_value})"
    if error.validator in ("minLength", "maxLength"):
        bound = "mindst" if error.validator == "minLength" else "højst"
        return f"{_show(error.instance)} skal være på {bound} {error.validator_value} tegn"
    return error.message


def _json_problems(value: object) -> Iterator[tuple[str, str]]:
    """(field, message) for what JSON can hold but no record may: nesting deeper than
    MAX_DEPTH and strings that are not Unicode text (a lone surrogate such as "\\ud800", which
    no UTF-8 file or database can store)."""
    pending: list[tuple[object, tuple[str, ...]]] = [(value, ())]
    while pending:
        item, path = pending.pop()
        field = "/".join(path) or "(record)"
        if len(path) > MAX_DEPTH:
            yield path[0], f"indlejret for dybt (mere end {MAX_DEPTH} niveauer)"
            continue
        if isinstance(item, dict):
            for key, child in item.items():
                pending.append((key, path))
                pending.append((child, (*path, _printable(key))))
        elif isinstance(item, list):
            pending.extend((child, (*path, str(i))) for i, child in enumerate(item))
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:
                character = f"U+{ord(item[exc.start]):04X}"
                yield (
                    field,
                    (
                        f"ugyldigt tegn {character} (en enlig surrogat, ikke Unicode-tekst) "
                        f"på plads {exc.start}"
                    ),
                )


def _printable(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def validate_record(record: object, location: str = "<record>") -> list[Problem]:
    """Every way `record` breaks the contract, in a stable order."""
    structural = sorted(set(_json_problems(record)))
    if structural:
        # The schema validator recurses through nesting and repeats bad strings in messages;
        # a record that is not storable text is reported as that alone.
        return [Problem(location, field, message) for field, message in structural]
    errors = sorted(
        _validator().iter_errors(record),
        key=lambda e: (list(map(str, e.absolute_path)), e.validator, e.message),
    )
    problems: dict[str, Problem] = {}
    for error in errors:
        # One message per field: a bad date breaks both its pattern and its format.
        name = _field_name(error)
        problems.setdefault(name, Problem(location, name, _message(error)))
    return list(problems.values())


def _unreadable(path: Path | str, what: str, reason: str) -> Problem:
    return Problem(str(path), what, reason, unreadable=True)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _skipped(name: str) -> bool:
    # Hidden files and folders (.state/) and raw snapshots (raw/) are the scrapers' bookkeeping.
    return name.startswith(".") or name == "raw"


def _is_record_name(name: str) -> bool:
    return name.endswith(".json") and not name.endswith(SCHEMA_FILE_SUFFIX) and not _skipped(name)


def record_files(path: Path, problems: list[Problem] | None = None) -> Iterator[Path]:
    """The record files under `path` (or `path` itself), sorted, schema files left out.

    A folder that cannot be listed, a folder named like a record file or a path that is neither
    file nor folder is appended to `problems` (raised when no list is given): a corpus that can
    only be read in part must never build as if it were whole.
    """
    if not path.is_dir():
        yield path
        return
    yield from sorted(Path(name) for name in record_file_names(path, problems))


def record_file_names(path: Path, problems: list[Problem] | None = None) -> list[str]:
    """`record_files` under the folder `path` as plain strings, unsorted: a million Path
    objects cost ten seconds where the incremental build only needs the names."""

    def report(problem: Problem) -> None:
        if problems is None:
            raise OSError(str(problem))
        problems.append(problem)

    found: list[str] = []
    visited: set[str] = set()

    def walk_error(exc: OSError) -> None:
        report(_unreadable(exc.filename or path, "(mappe)", f"kan ikke læses: {_reason(exc)}"))

    for folder, folders, files in os.walk(path, onerror=walk_error, followlinks=True):
        # Linked folders are followed, each real folder once, so a link loop ends.
        real = os.path.realpath(folder)
        if real in visited:
            folders.clear()
            continue
        visited.add(real)
        for name in list(folders):
            if _skipped(name):
                folders.remove(name)
            elif name.endswith(".json"):
                folders.remove(name)
                report(_unreadable(Path(folder, name), "(fil)", "er en mappe, ikke en postfil"))
        found.extend(os.path.join(folder, name) for name in files if _is_record_name(name))
    return found


def _read_json(file: Path) -> tuple[object, list[Problem]]:
    """The parsed JSON of `file`, or the one problem that kept it from being read."""
    location = str(file)
    try:
        mode = file.stat().st_mode
        if not stat.S_ISREG(mode):
            return None, [_unreadable(location, "(fil)", "er ikke en almindelig fil")]
        raw = file.read_bytes()
    except FileNotFoundError:
        reason = "findes ikke"
        if file.is_symlink():
            reason = f"henviser til {os.readlink(file)}, som ikke findes"
        return None, [_unreadable(location, "(fil)", f"kan ikke læses: {reason}")]
    except OSError as exc:
        return None, [_unreadable(location, "(fil)", f"kan ikke læses: {_reason(exc)}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(location, "(fil)", f"ikke gyldig UTF-8: {exc}")]
    try:
        return json.loads(text, parse_int=_parse_int, parse_constant=_no_constant), []
    except json.JSONDecodeError as exc:
        return None, [Problem(location, "(fil)", f"ikke gyldig JSON: {exc}")]
    except RecursionError:
        message = (
            f"ikke en gyldig post: indlejret for dybt (en post har højst {MAX_DEPTH} niveauer)"
        )
        return None, [Problem(location, "(fil)", message)]
    except ValueError as exc:
        return None, [Problem(location, "(fil)", f"ikke gyldig JSON: {exc}")]


def read_record(file: Path) -> tuple[dict | None, list[Problem]]:
    """Parse and validate one record file; the record is None when it cannot be used."""
    location = str(file)
    record, problems = _read_json(file)
    if problems:
        return None, problems
    problems = validate_record(record, location)
    if isinstance(record, dict) and isinstance(record.get("id"), str) and record["id"] != file.stem:
        problems.append(
            Problem(
                location, "id", f"{_show(record['id'])} skal svare til filnavnet ({file.stem!r})"
            )
        )
    return (None if problems else record), problems


def iter_records(path: Path, problems: list[Problem]) -> Iterator[dict]:
    """The good records under `path`, one at a time in id order; problems appended to `problems`.

    Only the file names are held, never more than one record: a million-document corpus
    streams through in the memory of one. A record's id is its file name, so files sorted by
    name come in id order, and a clash of ids is always with the record just before. Once the
    last record is out, the problems of the files stand in path order, as `validate_path` gives
    them.
    """
    files = list(record_files(path, problems))
    listed = len(problems)
    if not files and not problems:
        problems.append(Problem(str(path), "(mappe)", "ingen dokumenter (*.json) fundet"))
    files.sort(key=lambda file: (file.stem, file))
    previous: tuple[str, Path] | None = None
    for file in files:
        record, file_problems = read_record(file)
        problems.extend(file_problems)
        if record is None:
            continue
        if previous is not None and record["id"] == previous[0]:
            problems.append(
                Problem(str(file), "id", f"{record['id']!r} findes også i {previous[1]}")
            )
            continue
        previous = (record["id"], file)
        yield record
    problems[listed:] = sorted(problems[listed:], key=lambda problem: Path(problem.location))


def validate_path(path: Path) -> tuple[list[dict], list[Problem]]:
    """Read every record under `path`; good records (in id order) and all problems, ids checked
    for clashes."""
    problems: list[Problem] = []
    records = list(iter_records(path, problems))
    return records, problems
