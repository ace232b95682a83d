"""The run every crawl shares: queue order, resuming without planning again, the tallies."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from retskilde.scrapers.runner import (
    PRIORITY_CHANGED,
    PRIORITY_NEW,
    PRIORITY_REVALIDATE,
    Finished,
    Plan,
    Queued,
    Tally,
    in_queue_order,
    run_queue,
    tally_pages,
    tally_records,
)
from retskilde.scrapers.state import CrawlState, ItemOutcome, QueueItem

KEY = {"base_url": "https://eksempel.invalid", "limit": None}


def fixed_now() -> datetime:
    return datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def test_queue_order_is_priority_then_discovery_and_the_limit_cuts_the_tail():
    candidates = [
        (PRIORITY_REVALIDATE, 0, "gammel-a"),
        (PRIORITY_NEW, 3, "ny-d"),
        (PRIORITY_CHANGED, 1, "ændret-b"),
        (PRIORITY_NEW, 2, "ny-c"),
    ]
    assert in_queue_order(candidates, None) == ["ny-c", "ny-d", "ændret-b", "gammel-a"]
    assert in_queue_order(candidates, 3) == ["ny-c", "ny-d", "ændret-b"]


class Stop(Exception):
    pass


def _plan(n: int, skipped: int = 0) -> Plan:
    return Plan([Queued(f"https://eksempel.invalid/side-{i}", "side") for i in range(n)], skipped)


def test_an_interrupted_run_resumes_its_own_queue_without_planning_again(tmp_path):
    path = tmp_path / "state.sqlite"
    seen: list[str] = []

    def process(crawl_id: int, item: QueueItem):
        if item.position == 2 and not seen.count("stopped"):
            seen.append("stopped")
            raise Stop  # a kill half-way: pages 0 and 1 are done
        seen.append(item.url)
        records = [(f"post-{item.position}", "new" if item.position % 2 else "unchanged")]
        return Finished(ItemOutcome(item.url, "new", None, True), None, records)

    with CrawlState(path, "test") as state, pytest.raises(Stop):
        run_queue(state, KEY, lambda: _plan(4, 1), process, _Quiet(), fixed_now, "sider")
    assert seen == [f"https://eksempel.invalid/side-{i}" for i in (0, 1)] + ["stopped"]

    def must_not_plan():
        raise AssertionError("a resumed crawl plans nothing")

    with CrawlState(path, "test") as state:
        crawl, resumed = run_queue(state, KEY, must_not_plan, process, _Quiet(), fixed_now, "sider")
        assert resumed and crawl.skipped == 1 and crawl.total == 4
        assert seen[-2:] == [f"https://eksempel.invalid/side-{i}" for i in (2, 3)]
        tally = Tally()
        assert len(tally_pages(tally, state, crawl.id)) == 4
        assert tally.fetched == 4 and tally.ok
        counts = tally_records(tally, state, crawl.id)
        assert (tally.new, tally.unchanged) == (2, 2) and counts == {"new": 2, "unchanged": 2}
        # Finished: the next run with the same options plans a new crawl.
        again, resumed = run_queue(state, KEY, lambda: Plan([]), process, _Quiet(), fixed_now, "")
        assert not resumed and again.id != crawl.id and again.total == 0


def test_failures_and_refusals_are_tallied_by_url(tmp_path):
    outcomes = {0: ("failed", "HTTP 500"), 1: ("blocked", "robots.txt"), 2: ("not_modified", None)}

    def process(crawl_id: int, item: QueueItem):
        outcome, error = outcomes[item.position]
        return Finished(ItemOutcome(item.url, outcome, error, False))

    with CrawlState(tmp_path / "state.sqlite", "test") as state:
        crawl, _ = run_queue(state, KEY, lambda: _plan(3), process, _Quiet(), fixed_now, "")
        tally = Tally()
        tally_pages(tally, state, crawl.id)
    assert tally.failed == [("https://eksempel.invalid/side-0", "HTTP 500")]
    assert tally.blocked == ["https://eksempel.invalid/side-1"]
    assert tally.not_modified == 1 and not tally.ok


class _Quiet:
    def __init__(self) -> None:
        self.events: list[tuple] = []

    def start(self, total: int, done: int) -> None:
        self.events.append(("start", total, done))

    def advance(self, url: str, outcome: ItemOutcome) -> None:
        self.events.append(("advance", url))

    def finish(self) -> None:
        self.events.append(("finish",))
