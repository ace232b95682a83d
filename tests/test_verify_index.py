"""verify_index proves the index fits the text, reading a bounded window at each end of it."""

from __future__ import annotations

import re

import pytest
import sqlite_utils

from retskilde.db.analysis.analyzer import Analyzer, default_analyzer
from retskilde.db.build.index import VERIFY_WINDOW, IndexMismatch, index_documents, verify_index
from retskilde.db.build.normalise import document_row
from retskilde.db.build.schema import create_tables, insert_lookups
from tests.conftest import make_record

LONG = " ".join(f"Afsnit {i} om fleksjob, ledighedsydelse og hjælpemidler." for i in range(2000))


def indexed(texts: list[str], analyzer: Analyzer | None = None) -> sqlite_utils.Database:
    db = sqlite_utils.Database(memory=True)
    create_tables(db)
    insert_lookups(db)
    db["documents"].insert_all(
        document_row(make_record(id=f"ast-principmeddelelse-{i}-99", number=f"{i}-99", text=t))
        for i, t in enumerate(texts, start=1)
    )
    index_documents(db, analyzer)
    return db


def test_a_long_and_a_repetitive_text_verify():
    texts = [LONG, "fleksjob " * 50_000, "Kort tekst om en afgørelse om sygedagpenge."]
    assert len(LONG.encode()) > 4 * VERIFY_WINDOW
    assert verify_index(indexed(texts).conn) == 3


def test_texts_swapped_between_rowids_are_caught():
    db = indexed([LONG, "Kort tekst om en afgørelse om sygedagpenge og fleksjob."])
    db.conn.execute(
        "update documents set text = case rowid when 1 then "
        "(select text from documents where rowid = 2) else "
        "(select text from documents where rowid = 1) end"
    )
    with pytest.raises(IndexMismatch, match="passer ikke til teksten"):
        verify_index(db.conn)


def test_a_change_at_the_end_of_a_long_text_is_caught():
    db = indexed([LONG])
    db.conn.execute("update documents set text = text || ' Et nyt sidste afsnit om pension.'")
    with pytest.raises(IndexMismatch, match="sidste ord"):
        verify_index(db.conn)


def test_an_unanalysed_index_is_caught():
    db = indexed([LONG])
    unanalysed = " ".join(re.findall(r"\w+", LONG.lower()))
    db.conn.execute("insert into documents_fts(documents_fts) values ('delete-all')")
    db.conn.execute("insert into documents_fts(rowid, text) values (1, ?)", (unanalysed,))
    with pytest.raises(IndexMismatch, match="første ord"):
        verify_index(db.conn)


class SplitsOnØ(Analyzer):
    """An analyzer that disagrees with unicode61 about where words end."""

    def _split(self, text: str) -> str:
        return text.replace("ø", " ").replace("Ø", " ")

    def tokens(self, text):
        return super().tokens(self._split(text))

    def finditer(self, text):
        return super().finditer(self._split(text))

    def stream(self, text):
        return super().stream(self._split(text)) if text else ""

    def encoded_stream(self, text):
        return self.stream(text).encode()


def test_an_analyzer_that_splits_words_unlike_fts5_is_caught():
    broken = SplitsOnØ(default_analyzer().lexicon)
    # Consistent with itself, so the index holds its terms at its positions; but FTS5 reads
    # "ydelsesløs" as one word, so every mark after it lands one word off.
    text = LONG[:3000] + " Han var ydelsesløs i en periode og søgte om fleksjob til sidst."
    db = indexed([text], broken)
    with pytest.raises(IndexMismatch, match="de ord, FTS5 ser"):
        verify_index(db.conn, broken)
    assert verify_index(indexed([text]).conn) == 1
