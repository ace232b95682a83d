"""Read-only work on a database in threads of its own, each with its own connection.

A search counts its facets here while the calling thread ranks the matches: the two are
independent passes over the same matches, and on this 2-core machine doing them side by side
takes the time of the slower one instead of the sum (bench/bench_search.py). This relies on
SQLite running statements of different connections in parallel, which it does only with its
memory statistics off (db/sqlite.py): with them on, every allocation took one process-wide
mutex, and two threads often took as long as one after the other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from retskilde.db.sqlite import sqlite3

Result = TypeVar("Result")
# Datasette answers with three threads by default; one helper for each keeps a busy site
# from queueing behind a single helper.
DEFAULT_THREADS = 3


class ParallelReader:
    """Runs functions of a read-only connection to `path` in helper threads."""

    def __init__(
        self, path: str | Path, *, immutable: bool = False, threads: int = DEFAULT_THREADS
    ) -> None:
        mode = "immutable=1" if immutable else "mode=ro"
        self.path = Path(path)
        self._uri = f"file:{quote(str(self.path.resolve()))}?{mode}"
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="retskilde-reader")
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # Only this thread uses it; close() may run elsewhere once the threads are done.
            conn = sqlite3.connect(self._uri, uri=True, check_same_thread=False)
            self._local.conn = conn
            with self._lock:
                self._opened.append(conn)
        return conn

    def submit(self, work: Callable[[sqlite3.Connection], Result]) -> Future[Result]:
        """Start `work(connection)` in a helper thread."""
        return self._executor.submit(lambda: work(self._connection()))

    def close(self) -> None:
        """Wait for running work, then close the connections."""
        self._executor.shutdown(wait=True)
        with self._lock:
            for conn in self._opened:
                conn.close()
            self._opened.clear()

    def __enter__(self) -> ParallelReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
