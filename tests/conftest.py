from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from retskilde import DEFAULT_CORPUS
from retskilde.db.build import build


def make_record(**overrides) -> dict:
    """A valid Document record; keyword arguments replace or (with None) remove fields."""
    text = overrides.pop("text", "Principmeddelelsen fastslår\n\nEn kort tekst om hjælpemidler.")
    record = {
        "id": "ast-principmeddelelse-1-99",
        "source": "ast",
        "doc_type": "principmeddelelse",
        "title": "Ankestyrelsens principmeddelelse 1-99 om hjælpemidler (eksempel)",
        "url": "https://eksempel.retskilde.dk/ast/principmeddelelser/1-99",
        "fetched_at": "2026-11-24T08:00:00+00:00",
        "sha256": hashlib.sha256((text or "").encode()).hexdigest(),
        "text": text,
        "number": "1-99",
        "date": "1999-05-01",
        "status": "gældende",
        "keywords": ["Hjælpemidler"],
        "example": True,
    }
    if text is None:
        del record["text"]
    for key, value in overrides.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def write_record(folder: Path, record: dict, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name or record['id']}.json"
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """The database built from the bundled sample corpus, named as the site expects."""
    db_path = tmp_path_factory.mktemp("site") / "retskilde.db"
    build(DEFAULT_CORPUS, db_path)
    return db_path


@pytest.fixture(scope="session")
def sample_records() -> list[dict]:
    """The sample corpus records, read straight from the files (not through the build)."""
    from retskilde.contract import record_files

    return [json.loads(p.read_text("utf-8")) for p in record_files(DEFAULT_CORPUS)]


@pytest.fixture(scope="session")
def search_db(tmp_path_factory) -> Path:
    """A database built from the small search test corpus in tests/search_corpus.py."""
    from tests.search_corpus import build_search_db

    return build_search_db(tmp_path_factory.mktemp("search"))
