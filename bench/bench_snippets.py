"""Snippet cost on one repetitive document: FTS5's snippet() (what the search used) against
db/snippets.marked (what it uses now), for a word repeated N times.

    .venv/bin/python bench/bench_snippets.py [--times 2000,5000,20000]

FTS5 scores every window of the whole document, so its time grows with the square of N; ours
reads at most db.snippets.MAX_SCAN_CHARS characters of the text.
"""

from __future__ import annotations

import argparse
import time

from retskilde.db.analysis.analyzer import default_analyzer
from retskilde.db.analysis.snippets import MAX_SCAN_CHARS, marked
from retskilde.db.build.index import create_index, fill_index
from retskilde.db.sqlite import sqlite3
from retskilde.db.tables import FTS_COLUMNS, FTS_TABLE

SENTENCE = "Sagen om fleksjob blev hjemvist til kommunen. "


def indexed(text: str) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "create table documents (id text primary key, title text, number text, summary text, "
        "keywords text, law_names text, municipality text, committee text, text text)"
    )
    conn.execute("insert into documents (id, title, text) values ('d', 'x', ?)", (text,))
    create_index(conn)
    fill_index(conn, default_analyzer())
    return conn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--times", default="2000,5000,20000")
    args = parser.parse_args()
    analyzer = default_analyzer()
    terms = {analyzer.term("fleksjob")}
    column = FTS_COLUMNS.index("text")
    print(f"{'N':>7} {'MB':>6} {'FTS5 snippet() s':>17} {'marked() ms':>12} {'ratio':>8}")
    for times in [int(t) for t in args.times.split(",")]:
        text = SENTENCE * times
        conn = indexed(text)
        started = time.perf_counter()
        conn.execute(
            f"select snippet({FTS_TABLE}, {column}, '<mark>', '</mark>', '…', 32) "
            f"from {FTS_TABLE} where {FTS_TABLE} match 'fleksjob'"
        ).fetchall()
        fts = time.perf_counter() - started
        started = time.perf_counter()
        for _ in range(10):
            marked(text[:MAX_SCAN_CHARS], analyzer, terms, set())
        ours = (time.perf_counter() - started) / 10
        megabytes = len(text) / 1e6
        print(f"{times:>7} {megabytes:>6.2f} {fts:>17.3f} {ours * 1000:>12.2f} {fts / ours:>8.0f}")


if __name__ == "__main__":
    main()
