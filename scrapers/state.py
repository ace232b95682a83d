"""Crawl state in SQLite: what each URL last gave us, and the queue of a crawl still under way.

Every finished page is one transaction (page row + queue row), so a crawl killed at any point
resumes from the first page it had not finished, and nothing it had finished is asked for again.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    lastmod TEXT,            -- the sitemap <lastmod> when the page was last processed
    record_id TEXT,
    sha256 TEXT,             -- of the raw snapshot the record came from
    outcome TEXT NOT NULL,   -- 'ok' or 'failed'
    error TEXT,
    checked_at TEXT NOT NULL,
    crawl_id INTEGER
);
CREATE INDEX IF NOT EXISTS pages_record_id ON pages(record_id);
CREATE TABLE IF NOT EXISTS crawls (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    options TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    skipped INTEGER NOT NULL DEFAULT 0,  -- pages left alone because their <lastmod> was unchanged
    abandoned INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS queue (
    crawl_id INTEGER NOT NULL REFERENCES crawls(id),
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    kind TEXT NOT NULL,
    lastmod TEXT,
    outcome TEXT,            -- NULL while pending
    error TEXT,
    fetched INTEGER NOT NULL DEFAULT 0,  -- 1 when a body was downloaded (200, not 304)
    PRIMARY KEY (crawl_id, position)
);
-- For sources where one page gives several records (an agenda gives one per item): which
-- records each finished queue item gave, and how ('new', 'changed', 'unchanged',
-- 'not_modified', or 'closed'/'empty' for items left out).
CREATE TABLE IF NOT EXISTS item_records (
    crawl_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    record_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    PRIMARY KEY (crawl_id, position, record_id)
);
CREATE INDEX IF NOT EXISTS item_records_url ON item_records(url, crawl_id);
CREATE INDEX IF NOT EXISTS item_records_record ON item_records(record_id, crawl_id);
"""
WRITTEN_OUTCOMES = ("new", "changed", "unchanged", "not_modified")


class StateLocked(Exception):
    """Another crawl holds the state of this source."""


@dataclass(frozen=True)
class PageState:
    url: str
    kind: str
    lastmod: str | None
    record_id: str | None
    sha256: str | None
    outcome: str
    error: str | None
    checked_at: str
    crawl_id: int | None = None


@dataclass(frozen=True)
class QueueItem:
    position: int
    url: str
    kind: str
    lastmod: str | None


@dataclass(frozen=True)
class Crawl:
    id: int
    started_at: str
    total: int
    done: int
    skipped: int = 0


@dataclass(frozen=True)
class ItemOutcome:
    url: str
    outcome: str
    error: str | None
    fetched: bool


@dataclass
class KindTally:
    """One kind's share of a crawl."""

    first_url: str
    fetched: int = 0
    read: int = 0  # fetched and not failed: pages whose records were parsed and stored
    failed: list[tuple[str, str]] = field(default_factory=list)
    records: dict[str, int] = field(default_factory=dict)  # outcome → how many


class CrawlState:
    """The state of one source's crawls, kept in `<corpus>/.state/<source>.sqlite`."""

    def __init__(self, path: Path, source: str):
        self.path = path
        self.source = source
        path.parent.mkdir(parents=True, exist_ok=True)
        from filelock import FileLock, Timeout

        self._lock = FileLock(path.with_suffix(".lock"), timeout=0)
        try:
            self._lock.acquire()
        except Timeout as exc:
            raise StateLocked(f"{path}: en anden kørsel for {source} er i gang") from exc
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        """Close the database and release the lock."""
        self.db.close()
        self._lock.release()

    def __enter__(self) -> CrawlState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- pages ----------------------------------------------------------------------------

    def page(self, url: str) -> PageState | None:
        """What the last visit to `url` gave."""
        row = self.db.execute(
            "SELECT url, kind, lastmod, record_id, sha256, outcome, error, checked_at, crawl_id "
            "FROM pages WHERE url = ?",
            (url,),
        ).fetchone()
        return PageState(*row) if row else None

    def other_url_with_record(self, record_id: str, url: str, crawl_id: int) -> str | None:
        """Another URL that produced `record_id` in this crawl (two pages, one id)."""
        row = self.db.execute(
            "SELECT url FROM pages "
            "WHERE record_id = ? AND url != ? AND crawl_id = ? AND outcome = 'ok'",
            (record_id, url, crawl_id),
        ).fetchone()
        return row[0] if row else None

    def records_of(self, url: str) -> list[tuple[str, str]]:
        """(record id, outcome) of every item the last visit to `url` gave, in id order."""
        rows = self.db.execute(
            "SELECT record_id, outcome FROM item_records "
            "WHERE url = ? AND crawl_id = (SELECT crawl_id FROM pages WHERE url = ?) "
            "ORDER BY record_id",
            (url, url),
        ).fetchall()
        return [(record_id, outcome) for record_id, outcome in rows]

    def other_url_with_item_record(self, record_id: str, url: str, crawl_id: int) -> str | None:
        """Another URL that wrote `record_id` in this crawl (two pages, one id)."""
        marks = ", ".join("?" for _ in WRITTEN_OUTCOMES)
        row = self.db.execute(
            "SELECT url FROM item_records WHERE record_id = ? AND url != ? AND crawl_id = ? "
            f"AND outcome IN ({marks})",
            (record_id, url, crawl_id, *WRITTEN_OUTCOMES),
        ).fetchone()
        return row[0] if row else None

    def item_outcomes(self, crawl_id: int) -> dict[str, int]:
        """How many records (or left-out items) of each outcome `crawl_id` gave."""
        rows = self.db.execute(
            "SELECT outcome, COUNT(*) FROM item_records WHERE crawl_id = ? GROUP BY outcome",
            (crawl_id,),
        ).fetchall()
        return dict(rows)

    # -- crawls ---------------------------------------------------------------------------

    def unfinished(self, options: dict) -> Crawl | None:
        """The interrupted crawl to resume, if it was started with the same options."""
        row = self.db.execute(
            "SELECT id, started_at, options, skipped FROM crawls "
            "WHERE source = ? AND finished_at IS NULL ORDER BY id DESC LIMIT 1",
            (self.source,),
        ).fetchone()
        if row is None:
            return None
        crawl_id, started_at, stored_options, skipped = row
        if json.loads(stored_options) != options:
            # Different question, different queue: drop it; finished pages stay finished.
            self.db.execute(
                "UPDATE crawls SET finished_at = ?, abandoned = 1 WHERE id = ?",
                (started_at, crawl_id),
            )
            return None
        total, done = self.db.execute(
            "SELECT COUNT(*), COUNT(outcome) FROM queue WHERE crawl_id = ?", (crawl_id,)
        ).fetchone()
        return Crawl(crawl_id, started_at, total, done, skipped)

    def start(
        self,
        options: dict,
        items: list[tuple[str, str, str | None]],
        started_at: str,
        skipped: int = 0,
    ) -> Crawl:
        """A new crawl with its queue of (url, kind, lastmod), stored before any page is fetched."""
        with self._transaction():
            cursor = self.db.execute(
                "INSERT INTO crawls (source, options, started_at, skipped) VALUES (?, ?, ?, ?)",
                (self.source, json.dumps(options, sort_keys=True), started_at, skipped),
            )
            crawl_id = cursor.lastrowid
            self.db.executemany(
                "INSERT INTO queue (crawl_id, position, url, kind, lastmod) VALUES (?, ?, ?, ?, ?)",
                [(crawl_id, i, url, kind, lastmod) for i, (url, kind, lastmod) in enumerate(items)],
            )
        return Crawl(crawl_id, started_at, len(items), 0, skipped)

    def pending(self, crawl_id: int) -> list[QueueItem]:
        """The queue items of `crawl_id` not yet done, in order."""
        rows = self.db.execute(
            "SELECT position, url, kind, lastmod FROM queue "
            "WHERE crawl_id = ? AND outcome IS NULL ORDER BY position",
            (crawl_id,),
        ).fetchall()
        return [QueueItem(*row) for row in rows]

    def finish_item(
        self,
        crawl_id: int,
        item: QueueItem,
        result: ItemOutcome,
        page: PageState | None,
        records: list[tuple[str, str]] | None = None,
    ) -> None:
        """Mark one queue item done and store what its page gave, in one transaction."""
        with self._transaction():
            if records is not None:
                self.db.execute(
                    "DELETE FROM item_records WHERE crawl_id = ? AND position = ?",
                    (crawl_id, item.position),
                )
                self.db.executemany(
                    "INSERT OR REPLACE INTO item_records "
                    "(crawl_id, position, url, record_id, outcome) VALUES (?, ?, ?, ?, ?)",
                    [
                        (crawl_id, item.position, item.url, record_id, outcome)
                        for record_id, outcome in records
                    ],
                )
            if page is not None:
                self.db.execute(
                    "INSERT OR REPLACE INTO pages "
                    "(url, kind, lastmod, record_id, sha256, outcome, error, checked_at, crawl_id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        page.url,
                        page.kind,
                        page.lastmod,
                        page.record_id,
                        page.sha256,
                        page.outcome,
                        page.error,
                        page.checked_at,
                        crawl_id,
                    ),
                )
            self.db.execute(
                "UPDATE queue SET outcome = ?, error = ?, fetched = ? "
                "WHERE crawl_id = ? AND position = ?",
                (result.outcome, result.error, int(result.fetched), crawl_id, item.position),
            )

    def finish(self, crawl_id: int, finished_at: str) -> None:
        """Mark the crawl done: the next run starts a new one."""
        self.db.execute("UPDATE crawls SET finished_at = ? WHERE id = ?", (finished_at, crawl_id))

    def outcomes(self, crawl_id: int) -> list[ItemOutcome]:
        """What every finished queue item of `crawl_id` gave, in queue order."""
        rows = self.db.execute(
            "SELECT url, outcome, error, fetched FROM queue "
            "WHERE crawl_id = ? AND outcome IS NOT NULL ORDER BY position",
            (crawl_id,),
        ).fetchall()
        return [
            ItemOutcome(url, outcome, error, bool(fetched)) for url, outcome, error, fetched in rows
        ]

    def by_kind(self, crawl_id: int) -> dict[str, KindTally]:
        """What `crawl_id` did per queued kind: bodies fetched, failures, record outcomes."""
        tallies: dict[str, KindTally] = {}
        for kind, url, outcome, error, fetched in self.db.execute(
            "SELECT kind, url, outcome, error, fetched FROM queue "
            "WHERE crawl_id = ? AND outcome IS NOT NULL ORDER BY position",
            (crawl_id,),
        ):
            tally = tallies.setdefault(kind, KindTally(first_url=url))
            tally.fetched += fetched
            tally.read += bool(fetched) and outcome != "failed"
            if outcome == "failed":
                tally.failed.append((url, error or "ukendt fejl"))
        for kind, outcome, count in self.db.execute(
            "SELECT q.kind, r.outcome, COUNT(*) FROM item_records r JOIN queue q "
            "ON q.crawl_id = r.crawl_id AND q.position = r.position "
            "WHERE r.crawl_id = ? GROUP BY q.kind, r.outcome",
            (crawl_id,),
        ):
            tallies[kind].records[outcome] = count
        return tallies

    def _transaction(self) -> _Transaction:
        return _Transaction(self.db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def state_path(corpus: Path, source: str) -> Path:
    """Where a source's crawl state lives: a dot-folder the corpus readers skip."""
    return corpus / ".state" / f"{source}.sqlite"
