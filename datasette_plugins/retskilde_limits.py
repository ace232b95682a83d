"""Bound what one SQL statement on the site can allocate and return.

Datasette limits a query's time (sql_time_limit_ms) and its rows (max_returned_rows), not its
size: one `zeroblob(60000000)` made the server send 360 MB and grow to 1.9 GB. Every
connection Datasette opens gets SQLite's length limit (no value over MAX_VALUE_BYTES can be
made or read) and a row factory that counts the bytes a statement has returned and stops it
past MAX_RESULT_BYTES. Both end in sqlite3.DataError, which retskilde_errors answers with a
400 and a Danish message.
"""

import weakref

from datasette import hookimpl

from retskilde.db.sqlite import limit_value_size, sqlite3
from retskilde.site import MAX_RESULT_BYTES, MAX_VALUE_BYTES

RESULT_TOO_BIG = (
    f"Resultatet er for stort (over {MAX_RESULT_BYTES // 2**20} MB). Vælg færre kolonner eller "
    "rækker (_col=, LIMIT), eller hent hele databasen som fil (/retskilde.db)."
)


# JSON writes each byte of a blob as up to six characters (\u0000).
_BLOB_WEIGHT = 6


def _size(value) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, bytes):
        return _BLOB_WEIGHT * len(value)
    return 8


def budgeted_rows(max_bytes: int):
    """A row factory giving sqlite3.Row, raising DataError once a cursor has returned more
    than `max_bytes`."""
    spent: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def row_factory(cursor, values):
        total = spent.get(cursor, 0) + sum(map(_size, values))
        if total > max_bytes:
            raise sqlite3.DataError(RESULT_TOO_BIG)
        spent[cursor] = total
        return sqlite3.Row(cursor, values)

    return row_factory


@hookimpl
def prepare_connection(conn):
    limit_value_size(conn, MAX_VALUE_BYTES)
    conn.row_factory = budgeted_rows(MAX_RESULT_BYTES)
