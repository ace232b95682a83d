"""The search's narrow tables beside the index: each document's filter, facet and ranking
columns (`search_attributes`, `search_rank`), the facet combinations (`search_facet_keys`) and
topic sets (`search_topic_sets`) they point at.

Every value here is a function of the document itself, or of the few documents with the same
date: a combination's key is a hash of its values, a document's recency is its date and its
place among that date's documents. So the incremental build changes the rows of the documents
that came, changed or went and nothing else, and still ends where a full build does.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator

from retskilde.db.sqlite import sqlite3
from retskilde.db.tables import (
    ATTRIBUTE_COLUMNS,
    ATTRIBUTES_TABLE,
    FACET_COLUMNS,
    FACET_KEYS_TABLE,
    RANK_TABLE,
    SETTINGS_TABLE,
    TOPIC_SETS_TABLE,
)

_BATCH = 10_000
_IN_BATCH = 500
# Newest first, then by id, as one integer: the date (YYYY-MM-DD, as the record contract has
# it) counted backwards, times room for the documents of one date, plus the document's place
# among them. Documents without a date come last.
_DAY_ROOM = 1 << 24
RECENCY_SQL = (
    f"(99999999 - coalesce(cast(replace(date, '-', '') as integer), 0)) * {_DAY_ROOM} "
    "+ row_number() over (partition by date order by id)"
)


def combination_key(values: Iterable) -> int:
    """The number standing for a combination of values (facet values, a set of topics): a hash,
    so it is the same in every build that meets the combination."""
    digest = hashlib.blake2b(repr(tuple(values)).encode("utf-8"), digest_size=8).digest()
    return (int.from_bytes(digest, "big") >> 1) or 1  # positive; 0 means "no topics"


def _marks(values: list) -> str:
    return ", ".join("?" for _ in values)


def _chunks(values: list, size: int = _IN_BATCH) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _store_fingerprint(conn: sqlite3.Connection, key: str, table: str) -> None:
    """Store a fingerprint of what the numbers in `table` stand for under `key`: the search
    caches its copy of them by it (db/search/__init__.py)."""
    digest = hashlib.sha256()
    for row in conn.execute(f"select * from {table} order by 1, 2"):
        digest.update(repr(row).encode("utf-8"))
    conn.execute(
        f"insert or replace into {SETTINGS_TABLE}(key, value) values (?, ?)",
        (key, digest.hexdigest()[:16]),
    )


def _documents(conn: sqlite3.Connection, rowids: list[int] | None) -> Iterator[list[tuple]]:
    """(rowid, *ATTRIBUTE_COLUMNS) of the documents `rowids` (None: all), a batch at a time."""
    columns = ", ".join(ATTRIBUTE_COLUMNS)
    if rowids is None:
        # From a cursor: the rows of a million documents are never in memory at once.
        read = conn.execute(f"select rowid, {columns} from documents order by rowid")
        yield from iter(lambda: read.fetchmany(_BATCH), [])
        return
    for chunk in _chunks(sorted(rowids)):
        yield conn.execute(
            f"select rowid, {columns} from documents where rowid in ({_marks(chunk)})", chunk
        ).fetchall()


def fill_attributes(conn: sqlite3.Connection, rowids: list[int] | None = None) -> set:
    """Copy the filter, ranking and facet columns of the documents `rowids` (None: every
    document) into the attribute and ranking tables, with their facet combinations. Returns
    the dates they have; their recency is set by `refresh_recency`."""
    at = [ATTRIBUTE_COLUMNS.index(c) + 1 for c in FACET_COLUMNS]
    date_at = ATTRIBUTE_COLUMNS.index("date") + 1
    status_at = ATTRIBUTE_COLUMNS.index("status") + 1
    marks = _marks(ATTRIBUTE_COLUMNS)
    combinations: dict[tuple, int] = {}
    dates = set()
    for rows in _documents(conn, rowids):
        keyed = []
        for row in rows:
            values = tuple(row[i] for i in at)
            key = combinations.get(values)
            if key is None:
                key = combinations[values] = combination_key(values)
            keyed.append((row, key))
            dates.add(row[date_at])
        conn.executemany(
            f"insert into {ATTRIBUTES_TABLE} values (?, {marks}, ?, 0, 0)",
            [(*row, key) for row, key in keyed],
        )
        conn.executemany(
            f"insert into {RANK_TABLE}(doc_rowid, facet_key, historisk, recency) "
            "values (?, ?, ?, 0)",
            [(row[0], key, row[status_at] == "historisk") for row, key in keyed],
        )
    conn.executemany(
        f"insert or ignore into {FACET_KEYS_TABLE} values (?, {_marks(FACET_COLUMNS)})",
        [(key, *values) for values, key in combinations.items()],
    )
    return dates


def refresh_recency(conn: sqlite3.Connection, dates: set | None = None) -> None:
    """Number the documents with the dates `dates` (None: all) newest first, then by id."""
    if dates is None:
        where, params = "", []
    else:
        known = sorted(d for d in dates if d is not None)
        if not known and None not in dates:
            return
        where = " where " + " or ".join(
            ([f"date in ({_marks(known)})"] if known else [])
            + (["date is null"] if None in dates else [])
        )
        params = known
    conn.execute("drop table if exists temp.recency")
    conn.execute(
        "create temp table recency as select doc_rowid, "
        f"{RECENCY_SQL} as recency from {ATTRIBUTES_TABLE}{where}",
        params,
    )
    for table in (ATTRIBUTES_TABLE, RANK_TABLE):
        conn.execute(
            f"update {table} set recency = r.recency from temp.recency r "
            f"where {table}.doc_rowid = r.doc_rowid"
        )
    conn.execute("drop table temp.recency")


def _topic_sets(
    conn: sqlite3.Connection, rowids: list[int] | None
) -> Iterator[tuple[int, tuple[str, ...]]]:
    """(rowid, its topics in order) of the documents `rowids` (None: all) that have topics."""
    tables = {name for (name,) in conn.execute("select name from sqlite_master")}
    if "document_topics" not in tables:
        return
    # Documents drive the join in rowid order, so no sort of every (document, topic) pair.
    join = (
        "select d.rowid, t.topic_id from documents d cross join document_topics t "
        "on t.document_id = d.id"
    )
    if rowids is None:
        batches: Iterable = [conn.execute(f"{join} order by d.rowid")]
    else:
        batches = (
            conn.execute(f"{join} where d.rowid in ({_marks(chunk)}) order by d.rowid", chunk)
            for chunk in _chunks(sorted(rowids))
        )
    for rows in batches:
        for rowid, pairs in itertools.groupby(rows, key=lambda row: row[0]):
            yield rowid, tuple(sorted({topic for _, topic in pairs}))


def fill_topics(conn: sqlite3.Connection, rowids: list[int] | None = None) -> None:
    """Give the documents `rowids` (None: all) the key of their set of topics (from the
    enrichment's document_topics) in the ranking and attribute tables, and add the sets."""
    sets: dict[tuple[str, ...], int] = {}
    batch: list[tuple[int, int]] = []

    def flush() -> None:
        for table in (RANK_TABLE, ATTRIBUTES_TABLE):
            conn.executemany(f"update {table} set topic_key = ? where doc_rowid = ?", batch)
        batch.clear()

    for rowid, topics in _topic_sets(conn, rowids):
        key = sets.get(topics)
        if key is None:
            key = sets[topics] = combination_key(topics)
        batch.append((key, rowid))
        if len(batch) >= _BATCH:
            flush()
    flush()
    conn.executemany(
        f"insert or ignore into {TOPIC_SETS_TABLE} values (?, ?)",
        [(key, topic) for topics, key in sets.items() for topic in topics],
    )


def forget_attributes(conn: sqlite3.Connection, rowids: list[int]) -> set:
    """Remove the documents `rowids` from the attribute and ranking tables; returns their
    dates (the documents left with those dates are numbered again)."""
    dates = set()
    for chunk in _chunks(sorted(rowids)):
        marks = _marks(chunk)
        dates.update(
            date
            for (date,) in conn.execute(
                f"select date from {ATTRIBUTES_TABLE} where doc_rowid in ({marks})", chunk
            )
        )
        for table in (ATTRIBUTES_TABLE, RANK_TABLE):
            conn.execute(f"delete from {table} where doc_rowid in ({marks})", chunk)
    return dates


def finish_keys(conn: sqlite3.Connection) -> None:
    """Drop the combinations and topic sets no document has any more, and store the
    fingerprints the search caches them by."""
    conn.execute(
        f"delete from {FACET_KEYS_TABLE} where facet_key not in "
        f"(select distinct facet_key from {RANK_TABLE})"
    )
    conn.execute(
        f"delete from {TOPIC_SETS_TABLE} where topic_key not in "
        f"(select distinct topic_key from {RANK_TABLE})"
    )
    _store_fingerprint(conn, "facet_keys", FACET_KEYS_TABLE)
    _store_fingerprint(conn, "topic_keys", TOPIC_SETS_TABLE)


def fill_all(conn: sqlite3.Connection) -> None:
    """Every document's rows, as the full build makes them."""
    fill_attributes(conn)
    refresh_recency(conn)
    fill_topics(conn)
    finish_keys(conn)
