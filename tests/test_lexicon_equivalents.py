"""Every entry of the lexicon's equivalent expressions (db/lexicon.yml, `equivalents`) is used
by the search: its example query finds its example text with the entry, and not without it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from retskilde.db.analysis.analyzer import LEXICON_PATH, Analyzer, LexiconError, load_lexicon
from retskilde.db.search import search
from retskilde.db.sqlite import sqlite3
from tests.conftest import make_record, write_record

ENTRIES = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))["equivalents"]
NOTE = "\n\nEksempel: en tekst skrevet til Retskildes tests."


def _doc_id(index: int) -> str:
    return f"ast-artikel-ensbetydende-{index}"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    from retskilde.db.build import build

    folder = tmp_path_factory.mktemp("equivalents")
    for index, entry in enumerate(ENTRIES):
        record = make_record(
            id=_doc_id(index),
            doc_type="artikel",
            title=f"Eksempeltekst {index}",
            url=f"https://eksempel.retskilde.dk/ensbetydende/{index}",
            text=entry["text"] + NOTE,
            number=None,
            status=None,
            keywords=None,
        )
        write_record(folder / "corpus" / "ast", record)
    build(folder / "corpus", folder / "retskilde.db")
    return folder / "retskilde.db"


@pytest.fixture(scope="module")
def without_equivalents(tmp_path_factory) -> Analyzer:
    text = LEXICON_PATH.read_text(encoding="utf-8")
    bare = tmp_path_factory.mktemp("lexicon") / "lexicon.yml"
    bare.write_text(text[: text.index("\nequivalents:")], encoding="utf-8")
    return Analyzer(load_lexicon(bare))


def _exact_ids(conn, query: str, analyzer: Analyzer | None = None) -> set[str]:
    result = search(conn, query, limit=200, facets=False, analyzer=analyzer)
    return {hit.id for hit in result.hits if not hit.partial and not result.relaxed}


@pytest.mark.parametrize(
    ("index", "entry"), list(enumerate(ENTRIES)), ids=[e["terms"][0] for e in ENTRIES]
)
def test_each_equivalent_finds_its_example_and_is_needed_for_it(
    db_path, without_equivalents, index, entry
):
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        assert _doc_id(index) in _exact_ids(conn, entry["query"])
        assert _doc_id(index) not in _exact_ids(conn, entry["query"], without_equivalents)
    finally:
        conn.close()


@pytest.mark.parametrize(("index", "entry"), list(enumerate(ENTRIES)))
def test_each_example_says_it_in_another_expression_of_the_entry(index, entry):
    typed = [t for t in entry["terms"] if re.search(rf"(?i)\b{re.escape(t)}\b", entry["query"])]
    written = [t for t in entry["terms"] if re.search(rf"(?i)\b{re.escape(t)}", entry["text"])]
    assert typed and written and not set(typed) & set(written)


def test_an_entry_without_two_expressions_is_refused(tmp_path):
    path = tmp_path / "lexicon.yml"
    path.write_text("equivalents:\n  - terms: [lægeerklæring]\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="equivalents"):
        load_lexicon(path)
