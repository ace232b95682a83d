"""What every crawl shares: the queue order, how progress is told, the tally of outcomes, the
run itself (resume an interrupted crawl or plan a new one, then work through its queue), and
the one way a queued page is fetched, parsed and stored (`PageCrawler`).

A source brings a plan (discover what the site lists, decide what to ask for) and its page
hooks (`PageHooks`: how to fetch, how to parse). Every queued page is finished in one state
transaction, so a crawl killed anywhere resumes at the page it was on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import ClassVar, Protocol, TypeVar

from retskilde.scrapers.corpus import CorpusWriter, InvalidRecord
from retskilde.scrapers.errors import SourceError
from retskilde.scrapers.fetcher import (
    Fetcher,
    FetchError,
    FetchResult,
    RobotsDisallowed,
    iso_seconds,
)
from retskilde.scrapers.reports import read_report
from retskilde.scrapers.runlog import KindRun, append_runs
from retskilde.scrapers.state import (
    WRITTEN_OUTCOMES,
    Crawl,
    CrawlState,
    ItemOutcome,
    KindTally,
    PageState,
    QueueItem,
)

log = logging.getLogger("retskilde.scrape")

# Queue order: what we have never had first, then what changed, then what we only revalidate.
PRIORITY_NEW, PRIORITY_CHANGED, PRIORITY_REVALIDATE = 0, 1, 2

Item = TypeVar("Item")


@dataclass(frozen=True)
class Finished:
    """A queued page done: its outcome, what to remember of the page (None: nothing), and the
    records it gave as (record id, outcome) (None: leave the per-record list alone)."""

    outcome: ItemOutcome
    page: PageState | None = None
    records: list[tuple[str, str]] | None = None


@dataclass(frozen=True)
class Queued:
    """One page for the queue: its URL, its kind, and the version the listing gave it (a
    sitemap <lastmod>, a release stamp, a listing date), compared on the next run."""

    url: str
    kind: str
    version: str | None = None


@dataclass(frozen=True)
class Plan:
    """A new crawl's queue and how many listed pages were left out as unchanged (in all, and
    per kind for the run log)."""

    queue: list[Queued]
    skipped: int = 0
    skipped_by_kind: dict[str, int] = field(default_factory=dict)


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


@dataclass(frozen=True)
class SummaryRow:
    """One line of a crawl's closing report: a Danish label, the Tally field it counts (a list
    counts its length), and a note in brackets."""

    label: str
    field: str
    note: str = ""


@dataclass
class Tally:
    """What one crawl did, for the closing report and the exit code (each source adds its own
    fields and the ROWS its report shows)."""

    ROWS: ClassVar[tuple[SummaryRow, ...]] = ()

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
        planned = plan()
        items = [(q.url, q.kind, q.version) for q in planned.queue]
        crawl = state.start(key, items, iso_seconds(now()), planned.skipped)
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
        done = process(crawl.id, item)
        state.finish_item(crawl.id, item, done.outcome, done.page, done.records)
        progress.advance(item.url, done.outcome)
    state.finish(crawl.id, iso_seconds(now()))
    progress.finish()
    return crawl, resumed


# -- the run log and silence ------------------------------------------------------------------


@dataclass(frozen=True)
class Discovery:
    """What discovery found per kind, and the URL it started from for each (None: a resumed
    crawl, which discovers nothing)."""

    found: dict[str, int] | None
    start_urls: dict[str, str]
    # Pages the plan left out as unchanged (no request): unchanged in the run log too.
    skipped: dict[str, int] = field(default_factory=dict)


def close_run(
    state: CrawlState,
    crawl: Crawl,
    discovery: Discovery,
    log_path: Path,
    source: str,
    finished_at: str,
    municipality: str | None = None,
    kind_of: Callable[[str], str] = lambda kind: kind,
) -> list[tuple[str, str]]:
    """Append the run to its log, one line per kind, and return the kinds that were silent as
    failures named by the URL they started from: a kind discovery found nothing of, or whose
    fetched pages gave not one record. A source that finds nothing is broken, never quiet."""
    tallies: dict[str, KindTally] = {}
    for queued, tally in state.by_kind(crawl.id).items():
        merged = tallies.setdefault(kind_of(queued), KindTally(tally.first_url))
        merged.fetched += tally.fetched
        merged.read += tally.read
        merged.failed += tally.failed
        for outcome, count in tally.records.items():
            merged.records[outcome] = merged.records.get(outcome, 0) + count
    silent: list[tuple[str, str]] = []
    runs = []
    for kind, start_url in discovery.start_urls.items():
        tally = tallies.get(kind, KindTally(start_url))
        found = discovery.found.get(kind, 0) if discovery.found is not None else None
        written = sum(tally.records.get(outcome, 0) for outcome in WRITTEN_OUTCOMES)
        problems = list(tally.failed)
        if found == 0:
            problems.append((start_url, f"fandt ingen adresser af slagsen {kind!r}"))
        elif tally.read and not written:
            reason = f"{tally.read} hentede sider af slagsen {kind!r} gav ingen poster"
            problems.append((start_url, reason))
        silent += problems[len(tally.failed) :]
        runs.append(
            KindRun(
                source=source,
                kind=kind,
                started=crawl.started_at,
                finished=finished_at,
                municipality=municipality,
                discovered=found,
                fetched=tally.fetched,
                new=tally.records.get("new", 0),
                changed=tally.records.get("changed", 0),
                unchanged=tally.records.get("unchanged", 0)
                + tally.records.get("not_modified", 0)
                + discovery.skipped.get(kind, 0),
                failed=[{"url": url, "reason": reason} for url, reason in problems],
            )
        )
    append_runs(log_path, runs)
    return silent


# -- one queued page --------------------------------------------------------------------------


@dataclass(frozen=True)
class Parsed:
    """What one page gave: its records, the items left out as (record id, why: 'closed' or
    'empty'), and the documents (reports) whose text joins the records once fetched."""

    records: list[dict]
    left_out: list[tuple[str, str]] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    # The records again with the documents' text (paragraphs of those that could be read).
    with_documents: Callable[[list[list[str]]], list[dict]] | None = None


class PageHooks(Protocol):
    """What a source tells the one per-page skeleton."""

    # When a document fails: what the stored record is left at, in words for the user.
    page_text_note: str

    def fetch(self, fetcher: Fetcher, url: str, conditional: bool) -> FetchResult:
        """GET one queued page."""

    def parse(self, result: FetchResult, item: QueueItem) -> Parsed:
        """The records of a fetched page; raises a SourceError for a page that is not one."""

    def keeps_stored(self, stored: dict, record: dict, written_before: bool) -> bool:
        """A document failed: keep the stored `record` (True) instead of writing `record`,
        which lacks the document's text? `written_before`: the last, failed, visit wrote it."""


class PageCrawler:
    """Fetch, parse and store one queued page, the same way for every source."""

    def __init__(
        self,
        hooks: PageHooks,
        fetcher: Fetcher,
        state: CrawlState,
        writer: CorpusWriter,
        now: Callable[[], datetime],
    ):
        self.hooks = hooks
        self.fetcher = fetcher
        self.state = state
        self.writer = writer
        self.now = now

    def has_records(self, page: PageState | None) -> bool:
        """The last visit went well and every record it wrote is still in the corpus."""
        if page is None or page.outcome != "ok":
            return False
        if page.record_id and not self.writer.path(page.record_id).exists():
            return False
        return all(
            self.writer.path(record_id).exists()
            for record_id, outcome in self.state.records_of(page.url)
            if outcome in WRITTEN_OUTCOMES
        )

    def process(self, crawl_id: int, item: QueueItem) -> Finished:
        """Fetch, parse and store one queued page; never raises for a bad page."""
        previous = self.state.page(item.url)
        checked_at = iso_seconds(self.now())
        # After a failure, fresh copies: a 304 would hand back the very bytes that failed.
        fresh = previous is not None and previous.outcome != "ok"

        def failed(reason: str, fetched: bool, records=None, record_id=None) -> Finished:
            page = PageState(
                url=item.url,
                kind=item.kind,
                lastmod=None,  # no version: a failed page is asked for again next time
                record_id=record_id or (previous.record_id if previous else None),
                sha256=previous.sha256 if previous else None,
                outcome="failed",
                error=reason,
                checked_at=checked_at,
            )
            return Finished(ItemOutcome(item.url, "failed", reason, fetched), page, records or [])

        try:
            result = self.hooks.fetch(self.fetcher, item.url, not fresh)
        except RobotsDisallowed as exc:
            return Finished(ItemOutcome(item.url, "blocked", exc.reason, False))
        except FetchError as exc:
            return failed(exc.reason, False)
        fetched = not result.not_modified
        if (
            result.not_modified
            and previous is not None
            and previous.sha256 == result.snapshot.sha256
            and previous.kind == item.kind
            and self.has_records(previous)
        ):
            # The page is as it was, and so are its document links: nothing more is asked for.
            replayed = [
                (record_id, "not_modified" if outcome in WRITTEN_OUTCOMES else outcome)
                for record_id, outcome in self.state.records_of(item.url)
            ]
            if previous.record_id and not replayed:
                replayed = [(previous.record_id, "not_modified")]
            page = replace(previous, lastmod=item.lastmod, checked_at=checked_at)
            return Finished(ItemOutcome(item.url, "not_modified", None, False), page, replayed)
        try:
            parsed = self.hooks.parse(result, item)
        except SourceError as exc:
            return failed(exc.reason, fetched)
        except Exception as exc:
            # A parser bug on one odd page must not stop (and on resume, block) the whole crawl.
            log.exception("uventet fejl ved fortolkning af %s", item.url)
            return failed(f"uventet fortolkningsfejl ({type(exc).__name__}: {exc})", fetched)
        for record in parsed.records:
            other = self.state.other_url_with_item_record(record["id"], item.url, crawl_id)
            if not other:
                continue
            stored = self.writer.read(record["id"])
            alias = stored is not None and stored.get("url") == record["url"]
            if alias and len(parsed.records) == 1:
                # An old address redirecting to a page we already have: an alias, not a clash.
                return Finished(ItemOutcome(item.url, "unchanged", None, fetched))
            return failed(f"giver samme id ({record['id']}) som {other}", fetched)
        records, problem, fetched = self._with_documents(parsed, fresh, fetched)
        if problem is not None:
            return self._without_documents(item, records, problem, previous, failed, fetched)
        written: list[tuple[str, str]] = []
        invalid: list[str] = []
        for record in records:
            try:
                written.append((record["id"], self.writer.write(record, item.url).value))
            except InvalidRecord as exc:
                reason = str(exc).split(": ", 1)[-1]
                invalid.append(reason if len(records) == 1 else f"{record['id']}: {reason}")
        if invalid:
            return failed("; ".join(invalid), fetched, written)
        written += parsed.left_out
        page = PageState(
            url=item.url,
            kind=item.kind,
            lastmod=item.lastmod,
            record_id=records[0]["id"] if len(records) == 1 and not parsed.left_out else None,
            sha256=result.snapshot.sha256,
            outcome="ok",
            error=None,
            checked_at=checked_at,
        )
        outcomes = {outcome for _, outcome in written}
        label = next((o for o in ("new", "changed") if o in outcomes), "unchanged")
        if label == "unchanged" and not fetched:
            label = "not_modified"
        return Finished(ItemOutcome(item.url, label, None, fetched), page, written)

    def _with_documents(
        self, parsed: Parsed, fresh: bool, fetched: bool
    ) -> tuple[list[dict], str | None, bool]:
        """The records with their documents' text, the problems naming their URLs, and
        whether any body came."""
        if not parsed.documents or parsed.with_documents is None:
            return parsed.records, None, fetched
        texts, problems = [], []
        for url in parsed.documents:
            report = read_report(self.fetcher, url, fresh)
            fetched = fetched or report.fetched
            if report.problem is not None:
                problems.append(report.problem)
            else:
                texts.append(report.paragraphs or [])
        return parsed.with_documents(texts), "; ".join(problems) or None, fetched

    def _without_documents(
        self,
        item: QueueItem,
        records: list[dict],
        problem: str,
        previous: PageState | None,
        failed: Callable[..., Finished],
        fetched: bool,
    ) -> Finished:
        """A document failed: keep a stored record the source prefers (it has the document's
        text), else store this one without it. Either way the page counts as failed and is
        tried again next time."""
        # Did the last, failed, visit already store these records without the document?
        written_before = {
            record_id
            for record_id, outcome in self.state.records_of(item.url)
            if outcome in WRITTEN_OUTCOMES and previous is not None and previous.outcome != "ok"
        }
        written: list[tuple[str, str]] = []
        kept = False
        for record in records:
            stored = self.writer.read(record["id"])
            if (
                stored is not None
                and not stored.get("example")
                and self.hooks.keeps_stored(stored, record, record["id"] in written_before)
            ):
                kept = True
                continue
            try:
                written.append((record["id"], self.writer.write(record, record["url"]).value))
            except InvalidRecord as exc:
                return failed(f"{problem}; {str(exc).split(': ', 1)[-1]}", fetched)
        if kept:
            return failed(f"{problem}; den gemte post er ikke ændret", fetched, written)
        record_id = records[0]["id"] if len(records) == 1 else None
        note = self.hooks.page_text_note
        return failed(f"{problem}; {note}", fetched, written, record_id)
