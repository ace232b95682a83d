"""The baselines the search is measured against: plain FTS5 (unicode61, no analysis) and Whoosh
with its Danish analyzer. Benchmark code only; Whoosh is not a runtime dependency.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable
from pathlib import Path

from retskilde.db.search import COLUMN_WEIGHTS
from retskilde.db.sqlite import sqlite3
from retskilde.db.tables import FTS_COLUMNS

# The same fields, with the same weights, as the Danish index: only the analysis differs.
COLUMNS = FTS_COLUMNS
_WORD = re.compile(r"\w+")


def document_rows(db_path: Path) -> list[dict]:
    """The documents of a built database, as the baselines index them."""
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(f"select id, {', '.join(COLUMNS)} from documents")]
    finally:
        conn.close()


def _list_text(value: str | list | None) -> str:
    if not value:
        return ""
    if isinstance(value, list):
        return " ".join(value)
    try:
        return " ".join(json.loads(value))
    except ValueError:
        return value


class PlainFts5:
    """FTS5 with `unicode61 remove_diacritics 0` over the raw text; every word must match."""

    name = "FTS5 uden analyse"

    def __init__(self, path: Path | str = ":memory:"):
        self.conn = sqlite3.connect(path)
        self.conn.execute(
            f"create virtual table plain using fts5(id unindexed, {', '.join(COLUMNS)}, "
            "tokenize='unicode61 remove_diacritics 0')"
        )

    def add(self, rows: Iterable[dict]) -> None:
        marks = ", ".join("?" for _ in range(len(COLUMNS) + 1))
        self.conn.executemany(
            f"insert into plain values ({marks})",
            ([r["id"], *(r.get(c) or "" for c in COLUMNS)] for r in rows),
        )
        self.conn.commit()

    def search(self, query: str, k: int = 10, snippets: bool = False) -> list[str]:
        words = _WORD.findall(query.lower())
        if not words:
            return []
        expression = " AND ".join(f'"{w}"' for w in words)
        weights = ", ".join(["0"] + [str(COLUMN_WEIGHTS[c]) for c in COLUMNS])
        text_column = COLUMNS.index("text") + 1
        snippet = (
            f", snippet(plain, {text_column}, '<mark>', '</mark>', '…', 32)" if snippets else ""
        )
        rows = self.conn.execute(
            f"select id{snippet} from plain where plain match ? "
            f"order by bm25(plain, {weights}) limit ?",
            (expression, k),
        ).fetchall()
        return [row[0] for row in rows]


class WhooshDanish:
    """Whoosh 2.7 with LanguageAnalyzer('da') (Snowball Danish), BM25F, words ANDed."""

    name = "Whoosh (dansk analyse)"

    def __init__(self, folder: Path):
        warnings.filterwarnings("ignore", category=SyntaxWarning)
        from whoosh import fields, index
        from whoosh.analysis import LanguageAnalyzer

        analyzer = LanguageAnalyzer("da")
        schema = fields.Schema(
            id=fields.ID(stored=True, unique=True),
            **{
                c: fields.TEXT(
                    analyzer=analyzer, stored=(c == "text"), field_boost=COLUMN_WEIGHTS[c]
                )
                for c in COLUMNS
            },
        )
        folder.mkdir(parents=True, exist_ok=True)
        self.index = index.create_in(str(folder), schema)

    def add(self, rows: Iterable[dict], procs: int = 1) -> None:
        writer = self.index.writer(procs=procs, limitmb=256, multisegment=procs > 1)
        for r in rows:
            fields = {c: r.get(c) or "" for c in COLUMNS}
            fields["keywords"] = _list_text(r.get("keywords"))
            fields["law_names"] = _list_text(r.get("law_names"))
            writer.add_document(id=r["id"], **fields)
        writer.commit()

    def searcher(self):
        return self.index.searcher()

    def search(self, query: str, k: int = 10, snippets: bool = False, searcher=None) -> list[str]:
        from whoosh.qparser import AndGroup, MultifieldParser

        own = searcher is None
        searcher = searcher or self.index.searcher()
        try:
            parser = MultifieldParser(COLUMNS, self.index.schema, group=AndGroup)
            try:
                parsed = parser.parse(query)
            except Exception:  # Whoosh's parser raises on some inputs; count as no result.
                return []
            hits = searcher.search(parsed, limit=k)
            if snippets:
                for hit in hits:
                    hit.highlights("text")
            return [hit["id"] for hit in hits]
        finally:
            if own:
                searcher.close()
