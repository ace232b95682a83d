"""The narrow ranking table (`search_rank`) held in memory as arrays indexed by rowid, for
ranking and counting a search's matches without a join per match.

At a million documents, joining every match to `search_rank` cost about 0.55 µs per match and
adding up facet and topic combinations in Python more than the search itself (111,000 distinct
topic sets: nearly one per match). Here the matches' rowids come from FTS5 alone and the counts
are a few vector operations: about 20 MB per process at a million documents, read once per
database file (the published file is immutable; a build publishes a new one).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import numpy as np

from retskilde.db.sqlite import plain_rows, sqlite3
from retskilde.db.tables import FACET_COLUMNS, FACET_KEYS_TABLE, RANK_TABLE, TOPIC_SETS_TABLE

Counts = dict[str, dict[object, int]]


@dataclass(frozen=True)
class RankColumns:
    """Per rowid: its facet combination (a dense index), historisk, recency, topics as bits."""

    facet: np.ndarray  # int32; -1 where no document has the rowid
    historisk: np.ndarray  # bool
    recency: np.ndarray  # int64
    topic_bits: np.ndarray  # uint64, shape (rowids, words): bit t of word w = topic 64·w + t
    topics: tuple[str, ...]
    # Per facet column: the value of each facet combination as an index into its values
    # (-1 for none), and the values.
    facet_values: tuple[tuple[np.ndarray, tuple[object, ...]], ...]

    def counts(self, rowids: np.ndarray, scale: float = 1.0) -> tuple[int, Counts]:
        """The number of `rowids` and the count of each facet value and topic among them,
        multiplied by `scale` (a sample standing for the whole) and rounded."""
        facets = self.facet[rowids]
        # Only the combinations present (a few hundred of the thousands there are).
        present, per_combination = np.unique(facets[facets >= 0], return_counts=True)
        found: Counts = {}
        for column, (value_index, values) in zip(FACET_COLUMNS, self.facet_values, strict=True):
            present_values = value_index[present]
            has_value = present_values >= 0
            per_value = np.bincount(
                present_values[has_value],
                weights=per_combination[has_value],
                minlength=len(values),
            )
            column_counts = {
                values[i]: round(float(per_value[i]) * scale) for i in np.flatnonzero(per_value)
            }
            if column_counts:
                found[column] = column_counts
        if self.topics:
            bits = self.topic_bits[rowids]
            topic_counts = {}
            for number, topic in enumerate(self.topics):
                word, bit = divmod(number, 64)
                having = np.count_nonzero(bits[:, word] & np.uint64(1 << bit))
                if having:
                    topic_counts[topic] = round(having * scale)
            if topic_counts:
                found["topic"] = topic_counts
        return round(len(rowids) * scale), found


_CHUNK = 100_000


def load(conn: sqlite3.Connection) -> RankColumns:
    """Read the ranking table, the facet combinations and the topic sets into arrays."""
    with plain_rows(conn):
        return _load(conn)


def last_rowid(conn: sqlite3.Connection) -> int:
    """The highest rowid of a document (0 for none)."""
    return conn.execute(f"select max(doc_rowid) from {RANK_TABLE}").fetchone()[0] or 0


def _load(conn: sqlite3.Connection) -> RankColumns:
    last = last_rowid(conn)
    parts = []
    for low in range(0, last + 1, _CHUNK):
        rows = conn.execute(
            f"select doc_rowid, facet_key, historisk, recency, topic_key from {RANK_TABLE} "
            "where doc_rowid between ? and ?",
            (low, low + _CHUNK - 1),
        ).fetchall()
        parts.append(np.array(rows, dtype=np.int64).reshape(-1, 5))
    table = np.concatenate(parts) if parts else np.zeros((0, 5), dtype=np.int64)
    size = last + 1
    rowid = table[:, 0]

    combinations = conn.execute(
        f"select facet_key, {', '.join(FACET_COLUMNS)} from {FACET_KEYS_TABLE}"
    ).fetchall()
    combination_index = {key: i for i, (key, *_) in enumerate(combinations)}
    facet = np.full(size, -1, dtype=np.int32)
    facet[rowid] = [combination_index.get(key, -1) for key in table[:, 1].tolist()]
    facet_values = []
    for number in range(len(FACET_COLUMNS)):
        values = sorted(
            {row[number + 1] for row in combinations if row[number + 1] is not None}, key=repr
        )
        position = {value: i for i, value in enumerate(values)}
        value_index = np.array(
            [position.get(row[number + 1], -1) for row in combinations], dtype=np.int64
        )
        facet_values.append((value_index, tuple(values)))

    historisk = np.zeros(size, dtype=bool)
    historisk[rowid] = table[:, 2] != 0
    recency = np.zeros(size, dtype=np.int64)
    recency[rowid] = table[:, 3]

    sets: dict[int, list[str]] = {}
    for key, topic in conn.execute(f"select topic_key, topic_id from {TOPIC_SETS_TABLE}"):
        sets.setdefault(key, []).append(topic)
    topics = tuple(sorted({t for members in sets.values() for t in members}))
    words = max(1, (len(topics) + 63) // 64)
    bit_of = {topic: i for i, topic in enumerate(topics)}
    keys, inverse = np.unique(table[:, 4], return_inverse=True)
    key_bits = np.zeros((len(keys), words), dtype=np.uint64)
    for i, key in enumerate(keys.tolist()):
        for topic in sets.get(key, ()):
            word, bit = divmod(bit_of[topic], 64)
            key_bits[i, word] |= np.uint64(1 << bit)
    topic_bits = np.zeros((size, words), dtype=np.uint64)
    topic_bits[rowid] = key_bits[inverse.reshape(-1)]
    return RankColumns(facet, historisk, recency, topic_bits, topics, tuple(facet_values))


_loaded: dict[tuple, RankColumns] = {}
_lock = threading.Lock()
_KEPT = 2  # the published generation and, while a new one is taken into use, the one before


def rank_columns(conn: sqlite3.Connection) -> RankColumns:
    """The arrays of this database, read once per database file and process."""
    identity = _identity(conn)
    if identity is None:
        return load(conn)
    with _lock:
        known = _loaded.get(identity)
        if known is None:
            if len(_loaded) >= _KEPT:
                _loaded.clear()
            known = _loaded[identity] = load(conn)
        return known


def _identity(conn: sqlite3.Connection) -> tuple | None:
    """What identifies the file's contents: its inode, size and modification time (a build
    publishes a new file; one changed in place has a new mtime), or None for a database in
    memory."""
    path = next((row[2] for row in conn.execute("pragma database_list") if row[1] == "main"), "")
    if not path:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (path, stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
