"""The Document record contract: the JSON Schema in corpus/ and the checks built on it.

Scrapers call this before they write and the build before it loads, so neither stage has to
import the other to agree on what a record is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jsonschema

from retskilde import PROJECT_ROOT

SCHEMA_PATH = PROJECT_ROOT / "corpus" / "document.schema.json"
SCHEMA_FILE_SUFFIX = ".schema.json"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record: where it is, which field, and what."""

    location: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.field}: {self.message}"


@cache
def load_schema(path: Path = SCHEMA_PATH) -> dict:
    """The Document JSON Schema."""
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _field_name(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        # The missing property is only named in the message; pull it out so the field is exact.
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        return "/".join([*map(str, error.absolute_path), missing])
    if error.validator == "additionalProperties":
        return "/".join(map(str, error.absolute_path)) or "(record)"
    return "/".join(map(str, error.absolute_path)) or "(record)"


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        return "mangler (påkrævet felt)"
    if error.validator == "additionalProperties":
        return f"ukendt felt: {error.message}"
    if error.validator == "enum":
        allowed = ", ".join(map(repr, error.validator_value))
        return f"{error.instance!r} er ikke en tilladt værdi ({allowed})"
    if error.validator == "pattern":
        return f"{error.instance!r} har ikke den rigtige form (mønster {error.validator_value})"
    if error.validator == "format":
        return f"{error.instance!r} har ikke den rigtige form (gyldig {error.validator_value})"
    if error.validator == "type":
        return f"{error.instance!r} skal være af typen {error.validator_value}"
    return error.message


def validate_record(record: object, location: str = "<record>") -> list[Problem]:
    """Every way `record` breaks the contract, in a stable order."""
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


def record_files(path: Path) -> Iterator[Path]:
    """The record files under `path` (or `path` itself), sorted, schema files left out."""
    if path.is_file():
        yield path
        return
    for candidate in sorted(path.rglob("*.json")):
        if candidate.name.endswith(SCHEMA_FILE_SUFFIX):
            continue
        if any(part.startswith(".") or part == "raw" for part in candidate.relative_to(path).parts):
            continue
        yield candidate


def read_record(file: Path) -> tuple[dict | None, list[Problem]]:
    """Parse and validate one record file; the record is None when it cannot be used."""
    location = str(file)
    try:
        record = json.loads(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        return None, [Problem(location, "(fil)", f"ikke gyldig UTF-8: {exc}")]
    except json.JSONDecodeError as exc:
        return None, [Problem(location, "(fil)", f"ikke gyldig JSON: {exc}")]
    problems = validate_record(record, location)
    if isinstance(record, dict) and isinstance(record.get("id"), str) and record["id"] != file.stem:
        problems.append(
            Problem(location, "id", f"{record['id']!r} skal svare til filnavnet ({file.stem!r})")
        )
    return (None if problems else record), problems


def validate_path(path: Path) -> tuple[list[dict], list[Problem]]:
    """Read every record under `path`; good records and all problems, ids checked for clashes."""
    records: list[dict] = []
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    files = list(record_files(path))
    if not files:
        problems.append(Problem(str(path), "(mappe)", "ingen dokumenter (*.json) fundet"))
    for file in files:
        record, file_problems = read_record(file)
        problems.extend(file_problems)
        if record is None:
            continue
        if record["id"] in seen:
            problems.append(
                Problem(str(file), "id", f"{record['id']!r} findes også i {seen[record['id']]}")
            )
            continue
        seen[record["id"]] = file
        records.append(record)
    return records, problems
