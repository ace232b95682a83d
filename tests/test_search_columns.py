"""db/search/columns.py: the ranking table as arrays, counted as SQL would count it, and read
again when the database file changes."""

from __future__ import annotations

import shutil

import numpy as np

from retskilde.db.search.columns import rank_columns
from retskilde.db.sqlite import sqlite3
from retskilde.db.tables import FACET_COLUMNS


def _sql_counts(conn, rowids: list[int]) -> dict[str, dict[object, int]]:
    marks = ", ".join("?" for _ in rowids)
    found: dict[str, dict[object, int]] = {}
    for column in FACET_COLUMNS:
        rows = conn.execute(
            f"select k.{column}, count(*) from search_rank r join search_facet_keys k "
            f"using (facet_key) where r.doc_rowid in ({marks}) and k.{column} is not null "
            "group by 1",
            rowids,
        ).fetchall()
        if rows:
            found[column] = dict(rows)
    topics = conn.execute(
        f"select t.topic_id, count(*) from search_rank r join search_topic_sets t "
        f"using (topic_key) where r.doc_rowid in ({marks}) group by 1",
        rowids,
    ).fetchall()
    if topics:
        found["topic"] = dict(topics)
    return found


def test_counts_are_what_sql_counts(sample_db):
    conn = sqlite3.connect(f"file:{sample_db}?mode=ro", uri=True)
    every = [r for (r,) in conn.execute("select doc_rowid from search_rank order by 1")]
    columns = rank_columns(conn)
    for rowids in (every, every[::3], every[:1]):
        total, counts = columns.counts(np.array(rowids, dtype=np.int64))
        assert total == len(rowids)
        assert counts == _sql_counts(conn, rowids)
    assert "topic" in _sql_counts(conn, every)  # the sample corpus has topics to count
    # Scaled: each count multiplied and rounded.
    total, counts = columns.counts(np.array(every[::3], dtype=np.int64), scale=3.0)
    assert total == 3 * len(every[::3])
    truth = _sql_counts(conn, every[::3])
    assert counts == {c: {v: 3 * n for v, n in values.items()} for c, values in truth.items()}


def test_arrays_are_read_again_when_the_file_changes(sample_db, tmp_path):
    path = tmp_path / "kopi.db"
    shutil.copyfile(sample_db, path)
    conn = sqlite3.connect(path)
    rowid = conn.execute("select doc_rowid from search_rank where historisk = 0").fetchone()[0]
    before = rank_columns(conn)
    assert not before.historisk[rowid]
    assert rank_columns(conn) is before  # read once per file
    with sqlite3.connect(path) as other:
        other.execute("update search_rank set historisk = 1 where doc_rowid = ?", (rowid,))
    after = rank_columns(sqlite3.connect(path))
    assert after is not before and after.historisk[rowid]
