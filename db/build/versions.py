"""Document history: the earlier versions the scrapers kept (`<source>/.history/<id>/*.json`,
see scrapers/corpus.py) and the current record, compared version by version into the
`versions` table: when each change was seen (the newer version's fetched_at, never the clock),
the status before and after, whether the title changed, the text's size before and after, the
fields that changed, and a line in Danish saying it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from retskilde.db.tables import VERSIONS_TABLE

HISTORY_FOLDER = ".history"  # the scrapers' name for it (scrapers/corpus.py)
# Provenance that differs between any two fetches: never a change of its own.
IGNORED = {"fetched_at", "sha256", "html"}
FIELD_LABELS = {
    "title": "titel",
    "text": "tekst",
    "status": "status",
    "summary": "resumé",
    "decision": "beslutning",
    "doc_type": "type",
    "date": "dato",
    "paragraph": "paragraf",
    "attachments": "bilag",
    "keywords": "emneord",
}

COLUMNS = {
    "id": int,
    "document_id": str,
    "changed_at": str,
    "previous_fetched_at": str,
    "status_before": str,
    "status_after": str,
    "title_before": str,
    "title_changed": int,
    "text_chars_before": int,
    "text_chars_after": int,
    "changed_fields": str,
    "description": str,
}


class HistoryError(Exception):
    """A kept version that cannot be read; names the file."""

    def __init__(self, path: Path, reason: str):
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}")


def history_files(corpus: Path) -> dict[str, tuple[Path, list[Path]]]:
    """Document id → (its current record's file, its kept versions' files), for every source
    folder of the corpus (the scrapers keep a record at <source>/<id>.json)."""
    found: dict[str, tuple[Path, list[Path]]] = {}
    for folder in sorted(corpus.glob(f"*/{HISTORY_FOLDER}/*")):
        if folder.is_dir():
            current = folder.parent.parent / f"{folder.name}.json"
            found[folder.name] = (current, sorted(folder.glob("*.json")))
    return found


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise HistoryError(path, f"en gemt version kan ikke læses ({exc})") from exc
    if not isinstance(data, dict):
        raise HistoryError(path, "en gemt version er ikke et JSON-objekt")
    return data


@dataclass(frozen=True)
class Change:
    """What changed from one version to the next."""

    before: dict
    after: dict

    def fields(self) -> list[str]:
        names = (set(self.before) | set(self.after)) - IGNORED
        return sorted(n for n in names if self.before.get(n) != self.after.get(n))

    def description(self) -> str:
        parts = []
        status_before, status_after = self.before.get("status"), self.after.get("status")
        if status_before != status_after:
            parts.append(f"status {status_before or 'ingen'} → {status_after or 'ingen'}")
        fields = self.fields()
        if "title" in fields:
            parts.append("titel ændret")
        if "text" in fields:
            before = len(self.before.get("text") or "")
            after = len(self.after.get("text") or "")
            parts.append(f"tekst {before:,} → {after:,} tegn".replace(",", "."))
        others = [f for f in fields if f not in ("status", "title", "text")]
        if others:
            parts.append("ændret: " + ", ".join(FIELD_LABELS.get(f, f) for f in others))
        return "; ".join(parts) or "ingen indholdsmæssig ændring"


def _rows(document_id: str, chain: list[dict]) -> Iterator[dict]:
    for before, after in zip(chain, chain[1:], strict=False):
        change = Change(before, after)
        fields = change.fields()
        if not fields:
            continue
        yield {
            "document_id": document_id,
            "changed_at": after.get("fetched_at"),
            "previous_fetched_at": before.get("fetched_at"),
            "status_before": before.get("status"),
            "status_after": after.get("status"),
            "title_before": before.get("title") if "title" in fields else None,
            "title_changed": int("title" in fields),
            "text_chars_before": len(before.get("text") or ""),
            "text_chars_after": len(after.get("text") or ""),
            "changed_fields": json.dumps(fields),
            "description": change.description(),
        }


def load_versions(db: sqlite_utils.Database, history: dict[str, tuple[Path, list[Path]]]) -> int:
    """Create and fill the versions table for the documents with kept versions; returns its
    rows. A document no longer in the database (deleted, or its file gone) has no rows."""
    db[VERSIONS_TABLE].create(COLUMNS, pk="id")
    number = 0
    for document_id in sorted(history):
        current_path, kept_paths = history[document_id]
        in_db = db.conn.execute("select 1 from documents where id = ?", (document_id,)).fetchone()
        if in_db is None or not current_path.is_file():
            continue
        kept = sorted(
            (_read(path) for path in kept_paths), key=lambda r: str(r.get("fetched_at") or "")
        )
        rows = list(_rows(document_id, [*kept, _read(current_path)]))
        for item in rows:
            number += 1
            item["id"] = number
        db[VERSIONS_TABLE].insert_all(rows)
    db[VERSIONS_TABLE].create_index(["document_id"])
    db[VERSIONS_TABLE].create_index(["changed_at"])
    return number
