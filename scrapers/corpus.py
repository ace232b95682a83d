"""Write Document records into corpus/: validated first, atomically, only when something changed.

When a stored record changes (gældende → historisk, a new text, a Referat replacing a Dagsorden),
the version it replaces is kept under `<source>/.history/<id>/<its fetched_at>.json`, so the
corpus holds every version the scrapers saw; the build turns them into the `versions` table.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from pathlib import Path

from retskilde.contract import Problem, validate_record
from retskilde.scrapers.files import atomic_write

# Provenance that changes on every fetch; a record that differs only here is not a new version.
VOLATILE_FIELDS = ("fetched_at",)
HISTORY_FOLDER = ".history"  # hidden: validate and build read it only as history


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

    def history_folder(self, record_id: str) -> Path:
        """Where the earlier versions of the record with this id are kept."""
        return self.folder / HISTORY_FOLDER / record_id

    def keep_version(self, stored: dict) -> Path:
        """Put `stored`, about to be replaced, in the record's history; returns its file."""
        stamp = re.sub(r"[^0-9A-Za-z]", "", str(stored.get("fetched_at") or "")) or "ukendt"
        folder = self.history_folder(stored["id"])
        data = record_json(stored)
        path = folder / f"{stamp}.json"
        number = 1
        while path.exists():
            if path.read_bytes() == data:
                return path
            number += 1
            path = folder / f"{stamp}-{number}.json"
        atomic_write(path, data)
        return path

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
        if stored is not None and not stored.get("example") and stored.get("id") == record["id"]:
            self.keep_version(stored)
        atomic_write(path, record_json(record))
        return WriteOutcome.CHANGED if existed else WriteOutcome.NEW
