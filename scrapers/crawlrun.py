"""What every crawl shares: the queue order, how progress is told, the tally of outcomes, and
the run itself: resume an interrupted crawl or plan a new one, then work through its queue.

A source brings two things: a plan (discover what the site lists, decide what to ask for) and a
`process` that fetches, parses and stores one queued page without ever raising for a bad one.
Every queued page is finished in one state transaction, so a crawl killed anywhere resumes at
the page it was on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from scrapers.fetcher import iso_seconds
from scrapers.state import Crawl, CrawlState, ItemOutcome, PageState, QueueItem

log = logging.getLogger("retskilde.scrape")

# Queue order: what we have never had first, then what changed, then what we only revalidate.
PRIORITY_NEW, PRIORITY_CHANGED, PRIORITY_REVALIDATE = 0, 1, 2

Item = TypeVar("Item")
# A queued page done: its outcome, what to remember of the page (None: nothing), and the
# records it gave as (record id, outcome) (None: the source keeps no per-record list).
Finished = tuple[ItemOutcome, PageState | None, list[tuple[str, str]] | None]
# (url, kind, lastmod or version) for the state's queue, and the pages left out as unchanged.
Plan = tuple[list[tuple[str, str, str | None]], int]


class CrawlError(Exception):
    """The crawl could not start (no sitemap or listing); nothing in the corpus was touched."""


class Progress(Protocol):
    """Told about the crawl as it goes: a bar, log lines, or nothing."""

    def start(self, total: int, done: int) -> None:
        """The queue holds `total` pages, `done` of them finished by an earlier run."""

    def advance(self, url: str, outcome: ItemOutcome) -> None:
        """One more page finished."""

    def finish(self) -> None:
        """The queue is empty."""


class SilentProgress:
    """A Progress that says nothing."""

    def start(self, total: int, done: int) -> None:
        pass

    def advance(self, url: str, outcome: ItemOutcome) -> None:
        pass

    def finish(self) -> None:
        pass


def in_queue_order(candidates: list[tuple[int, int, Item]], limit: int | None) -> list[Item]:
    """The items of (priority, discovery index, item) by priority, then as discovered; at most
    `limit` of them."""
    ordered = [item for _, _, item in sorted(candidates, key=lambda c: (c[0], c[1]))]
    return ordered if limit is None else ordered[:limit]


@dataclass
class Tally:
    """What one crawl did, for the closing report and the exit code (each source adds its own)."""

    fetched: int = 0
    not_modified: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    resumed: bool = False

    @property
    def ok(self) -> bool:
        """True when nothing failed (the exit code follows this)."""
        return not self.failed


def tally_pages(tally: Tally, state: CrawlState, crawl_id: int) -> list[ItemOutcome]:
    """Add the queued pages' requests, 304s, refusals and failures to `tally`; returns them."""
    outcomes = state.outcomes(crawl_id)
    for item in outcomes:
        tally.fetched += item.fetched
        if item.outcome == "failed":
            tally.failed.append((item.url, item.error or "ukendt fejl"))
        elif item.outcome == "blocked":
            tally.blocked.append(item.url)
        elif item.outcome == "not_modified":
            tally.not_modified += 1
    return outcomes


def tally_records(tally: Tally, state: CrawlState, crawl_id: int) -> dict[str, int]:
    """Set the new, changed and unchanged records from the per-record outcomes; returns them all."""
    counts = state.item_outcomes(crawl_id)
    tally.new = counts.get("new", 0)
    tally.changed = counts.get("changed", 0)
    tally.unchanged = counts.get("unchanged", 0) + counts.get("not_modified", 0)
    return counts


def run_queue(
    state: CrawlState,
    key: dict,
    plan: Callable[[], Plan],
    process: Callable[[int, QueueItem], Finished],
    progress: Progress,
    now: Callable[[], datetime],
    noun: str,
) -> tuple[Crawl, bool]:
    """Resume the unfinished crawl with these options, or plan and start a new one; then finish
    every queued page. Returns the crawl and whether it was resumed.

    `noun`: what the queue holds, in Danish plural ("sider", "møder"), for the log.
    """
    crawl = state.unfinished(key)
    resumed = crawl is not None
    if crawl is None:
        items, skipped = plan()
        crawl = state.start(key, items, iso_seconds(now()), skipped)
    else:
        log.info(
            "Genoptager kørslen fra %s: %d af %d %s mangler",
            crawl.started_at,
            crawl.total - crawl.done,
            crawl.total,
            noun,
        )
    progress.start(crawl.total, crawl.done)
    for item in state.pending(crawl.id):
        outcome, page, records = process(crawl.id, item)
        state.finish_item(crawl.id, item, outcome, page, records)
        progress.advance(item.url, outcome)
    state.finish(crawl.id, iso_seconds(now()))
    progress.finish()
    return crawl, resumed
