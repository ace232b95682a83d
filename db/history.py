"""The `versions` table: what changed between the kept versions of each document.

The scrapers keep a record's earlier versions in <corpus>/<source>/.history/<id>/ when a new
one replaces it (scrapers/corpus.py). Each change is a row: when it was seen (the newer
version's `fetched_at`, never the build's clock), the status before and after, whether the
title changed, and the text's length before and after. The table is made anew by every build,
full or incremental: the kept versions are few beside the records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from retskilde.db.normalise import normalise_text
from retskilde.scrapers.corpus import HISTORY_FOLDER

VERSIONS_TABLE = "versions"


class HistoryError(Exception):
    """A kept version cannot be read; the message names the file."""

    def __init__(self, path: Path, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True)
class Version:
    document_id: str
    fetched_at: str
    status: str | None
    title: str
    text_chars: int


def _version(document_id: str, record: dict) -> Version:
    return Version(
        document_id,
        str(record.get("fetched_at") or ""),
        record.get("status"),
        normalise_text(str(record.get("title") or "")),
        len(normalise_text(str(record.get("text") or ""))),
    )


def _history_folders(corpus: Path) -> list[Path]:
    folders = [corpus / HISTORY_FOLDER, *corpus.glob(f"*/{HISTORY_FOLDER}")]
    return sorted(folder for folder in folders if folder.is_dir())


def read_history(corpus: Path) -> list[Version]:
    """Every kept earlier version in the corpus, in (document id, fetched_at) order."""
    versions = []
    for history in _history_folders(corpus):
        for folder in sorted(p for p in history.iterdir() if p.is_dir()):
            for file in sorted(folder.glob("*.json")):
                try:
                    record = json.loads(file.read_text(encoding="utf-8"))
                except (OSError, UnicodeDecodeError, ValueError) as exc:
                    raise HistoryError(file, f"tidligere version kan ikke læses ({exc})") from exc
                if not isinstance(record, dict) or not isinstance(record.get("fetched_at"), str):
                    raise HistoryError(file, "tidligere version er ingen post med fetched_at")
                versions.append(_version(folder.name, record))
    return sorted(versions, key=lambda v: (v.document_id, v.fetched_at))


def fill_versions(db: sqlite_utils.Database, history: list[Version]) -> None:
    """(Re)make `versions` from the kept versions and the documents as they are now; versions of
    a document no longer in the corpus are left out."""
    db[VERSIONS_TABLE].drop(ignore=True)
    db[VERSIONS_TABLE].create(
        {
            "document_id": str,
            "fetched_at": str,
            "previous_fetched_at": str,
            "status_before": str,
            "status_after": str,
            "title_changed": int,
            "title_before": str,
            "text_chars_before": int,
            "text_chars_after": int,
        },
        pk=("document_id", "fetched_at"),
        foreign_keys=[("document_id", "documents", "id")],
    )
    by_document: dict[str, list[Version]] = {}
    for version in history:
        by_document.setdefault(version.document_id, []).append(version)
    rows = []
    for document_id, earlier in sorted(by_document.items()):
        current = db.execute(
            "select fetched_at, status, title, length(text) from documents where id = ?",
            (document_id,),
        ).fetchone()
        if current is None:
            continue
        fetched_at, status, title, chars = current
        chain = [v for v in earlier if v.fetched_at < fetched_at]
        chain.append(Version(document_id, fetched_at, status, title, chars))
        for before, after in zip(chain, chain[1:], strict=False):
            rows.append(
                {
                    "document_id": document_id,
                    "fetched_at": after.fetched_at,
                    "previous_fetched_at": before.fetched_at,
                    "status_before": before.status,
                    "status_after": after.status,
                    "title_changed": int(before.title != after.title),
                    "title_before": before.title if before.title != after.title else None,
                    "text_chars_before": before.text_chars,
                    "text_chars_after": after.text_chars,
                }
            )
    db[VERSIONS_TABLE].insert_all(rows)
    db[VERSIONS_TABLE].create_index(["fetched_at"])
