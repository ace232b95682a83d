"""The SQLite the project runs on: pysqlite3's when it is installed, else Python's own.

Datasette and sqlite-utils both prefer pysqlite3 when it is importable, so the build, the site
and the CLI must use the same module: its exceptions are other classes than the standard
library's, and a connection opened by Datasette raises those. pysqlite3-binary brings a much
newer SQLite than most Pythons (3.51 against 3.40 here): FTS5 ranks broad queries ~35 % faster
(bench/bench_search.py).
"""

from __future__ import annotations

import ctypes
import functools
import os
import platform
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

try:
    from pysqlite3 import dbapi2 as sqlite3
except ImportError:  # platforms without a pysqlite3-binary wheel
    import sqlite3  # type: ignore[no-redef]

__all__ = ["sqlite3", "memory_statistics_off", "limit_value_size", "plain_rows"]

_SQLITE_OK = 0
_SQLITE_CONFIG_MEMSTATUS = 9


def _library() -> ctypes.CDLL | None:
    # sqlite3_config takes variable arguments, which ctypes passes correctly only where they
    # travel like fixed ones: x86-64 Linux, the platform pysqlite3-binary has wheels for.
    if sys.platform != "linux" or platform.machine() != "x86_64":
        return None
    module = sys.modules.get("pysqlite3._sqlite3") or sys.modules.get("_sqlite3")
    try:
        return ctypes.CDLL(module.__file__) if module and module.__file__ else None
    except OSError:
        return None


def _turn_off_memory_statistics() -> bool:
    """Stop SQLite counting its memory; True if it is off (now or already).

    The count takes one process-wide mutex on every allocation: a search that counts its facets
    in a second thread while the first ranks ran at the speed of one thread about half of the
    time, the two threads queueing for that mutex (56 against 27 ms for a broad word). SQLite
    takes this setting only while it is shut down, so it is changed only when no connection is
    open: when SQLite's count of memory in use is 0, since every connection holds some. Done at
    import, before Datasette or anything else here opens a database.
    """
    library = _library()
    if library is None:
        return False
    library.sqlite3_memory_used.restype = ctypes.c_int64
    probe = sqlite3.connect(":memory:")
    counting = library.sqlite3_memory_used() > 0
    probe.close()
    if not counting:
        return True
    if library.sqlite3_memory_used() != 0:
        return False  # connections are open; shutting SQLite down under them would break them
    if library.sqlite3_shutdown() != _SQLITE_OK:
        return False
    turned_off = library.sqlite3_config(_SQLITE_CONFIG_MEMSTATUS, ctypes.c_int(0)) == _SQLITE_OK
    library.sqlite3_initialize()
    return turned_off


memory_statistics_off = _turn_off_memory_statistics()


_SQLITE_LIMIT_LENGTH = 0


def _handle(conn: sqlite3.Connection) -> int | None:
    # The connection object starts with the object header, then its `sqlite3 *` (the layout of
    # CPython's and pysqlite3's pysqlite_Connection).
    return ctypes.c_void_p.from_address(id(conn) + object.__basicsize__).value


def _handle_is_readable() -> bool:
    """Whether `_handle` finds the database handle: a probe connection must name its own file."""
    library = _library()
    if library is None:
        return False
    library.sqlite3_db_filename.restype = ctypes.c_char_p
    library.sqlite3_db_filename.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.realpath(os.path.join(folder, "probe.db"))
        probe = sqlite3.connect(path)
        try:
            named = library.sqlite3_db_filename(_handle(probe), b"main")
        finally:
            probe.close()
    return named is not None and os.fsdecode(named) == path


@functools.cache
def _limit_function():
    if not _handle_is_readable():
        return None
    function = _library().sqlite3_limit
    function.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
    function.restype = ctypes.c_int
    return function


def limit_value_size(conn: sqlite3.Connection, max_bytes: int) -> bool:
    """Let no string or blob on `conn` grow past `max_bytes` (SQLite's SQLITE_LIMIT_LENGTH:
    `zeroblob`, `printf`, `group_concat` … then fail with "string or blob too big").

    Python's `Connection.setlimit` is missing from pysqlite3, so SQLite's own function is called.
    False where that cannot be done safely (no pysqlite3 library found, an unknown layout).
    """
    limit = _limit_function()
    if limit is None:
        return False
    limit(_handle(conn), _SQLITE_LIMIT_LENGTH, max_bytes)
    return limit(_handle(conn), _SQLITE_LIMIT_LENGTH, -1) == max_bytes


@contextmanager
def plain_rows(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """`conn` giving plain tuples for a while, whatever row factory it has, then as it was.
    The site's connections count the bytes of every row for user SQL (retskilde_limits): a
    microsecond per row the search reads for itself, and it reads thousands."""
    factory, conn.row_factory = conn.row_factory, None
    try:
        yield conn
    finally:
        conn.row_factory = factory
