"""Stop a search's SQL statements once its time is up, on every connection it uses.

A timer thread interrupts the statements, where a progress handler would call into Python every
few thousand SQLite steps: with the facets counted in a second thread, each of those calls waited
for the GIL, and both halves of a broad search ran at about half speed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from retskilde.db.sqlite import sqlite3


class TimeLimit:
    """Interrupts the watched connections' statements after `seconds`; `stop()` when done."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._lock = threading.Lock()
        self._watched: list[sqlite3.Connection] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for conn in self._watched:
                conn.interrupt()

    @contextmanager
    def watching(self, conn: sqlite3.Connection) -> Iterator[None]:
        """Interrupt `conn`'s statements if the time runs out while the block runs."""
        with self._lock:
            if self.expired:
                # An interrupt reaches only running statements; none has started yet.
                raise sqlite3.OperationalError("interrupted: the time limit had passed")
            self._watched.append(conn)
        try:
            yield
        finally:
            # Under the lock: an interrupt must never reach a connection that has moved on to
            # other work (Datasette reuses its connections).
            with self._lock:
                self._watched.remove(conn)

    def stop(self) -> None:
        self._timer.cancel()
