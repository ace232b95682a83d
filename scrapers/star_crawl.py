"""Crawl STAR: overview pages → publication pages → their reports → one record per publication.

The same guarantees as the Ankestyrelsen crawl, on the same fetcher, raw store, state and
corpus writer: polite, conditional requests, resumable after a kill at any point, atomic
writes, failures named by URL with a non-zero exit, and nothing stored lost to a failed fetch.

The overviews give no <lastmod>, so every publication is asked for on every run, but
conditionally: an unchanged page costs a 304, and then its report is not asked for at all
(a new report is a new link on the page). A report that cannot be read (gone, no text layer,
damaged) is a failure named by its URL; the publication's record is then written from the
page's own text, unless the corpus holds a record that has its report's text: that one is left
as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin

from scrapers import star
from scrapers.corpus import CorpusWriter, InvalidRecord
from scrapers.crawlrun import (
    PRIORITY_NEW,
    PRIORITY_REVALIDATE,
    CrawlError,
    Finished,
    Plan,
    Progress,
    SilentProgress,
    Tally,
    in_queue_order,
    run_queue,
    tally_pages,
    tally_records,
)
from scrapers.fetcher import Fetcher, FetchError, RobotsDisallowed, iso_seconds, utc_now
from scrapers.reports import read_report
from scrapers.state import (
    WRITTEN_OUTCOMES,
    Crawl,
    CrawlState,
    ItemOutcome,
    PageState,
    QueueItem,
    state_path,
)

log = logging.getLogger("retskilde.scrape")


@dataclass(frozen=True)
class StarOptions:
    """What to crawl and where to put it."""

    corpus: Path
    base_url: str = star.DEFAULT_BASE_URL
    kinds: tuple[str, ...] = star.KINDS
    # Overview pages (path or URL, kind or None) instead of the assumed ones in star.LISTINGS.
    listings: tuple[tuple[str, str | None], ...] = ()
    since: str | None = None  # YYYY-MM-DD: only publications the overview dates on or after it
    limit: int | None = None  # at most this many publications in the queue

    def listing_urls(self) -> list[tuple[str, str | None]]:
        """(overview URL, kind) to start from."""
        if not self.listings:
            return list(star.listing_urls(self.base_url, self.kinds))
        base = self.base_url.rstrip("/") + "/"
        return [(urljoin(base, path), kind) for path, kind in self.listings]

    def key(self) -> dict:
        """The options a resumed crawl must share with the interrupted one."""
        return {
            "base_url": self.base_url,
            "kinds": sorted(self.kinds),
            "listings": [list(pair) for pair in self.listings],
            "since": self.since,
            "limit": self.limit,
        }


@dataclass
class StarSummary(Tally):
    """What one crawl did, for the closing report and the exit code."""

    listing_pages: int = 0
    total: int = 0
    page_text_only: int = 0  # records written without their report's text (it failed)


# -- discovery --------------------------------------------------------------------------------


def discover(
    fetcher: Fetcher, options: StarOptions
) -> tuple[list[star.ListingEntry], list[tuple[str, str]], int]:
    """Every publication the overviews list (all their pages), failures, overview pages read."""
    entries: list[star.ListingEntry] = []
    failures: list[tuple[str, str]] = []
    seen_entries: set[str] = set()
    roots_read = pages_read = 0
    for root_url, kind in options.listing_urls():
        queue, seen = [root_url], {star.first_page(root_url)}
        while queue:  # `seen` caps it: at most MAX_LISTING_PAGES pages per overview
            url = queue.pop(0)
            try:
                result = fetcher.get(url)
                listing = star.parse_listing(result.content, result.final_url, kind)
            except (FetchError, star.ParseError) as exc:
                failures.append((url, f"oversigtssiden: {exc.reason}"))
                continue
            pages_read += 1
            roots_read += url == root_url
            for entry in listing.entries:
                if entry.url not in seen_entries:
                    seen_entries.add(entry.url)
                    entries.append(entry)
            for page in listing.pages:
                if page not in seen and len(seen) < star.MAX_LISTING_PAGES:
                    seen.add(page)
                    queue.append(page)
    if roots_read == 0:
        reasons = "; ".join(f"{url}: {reason}" for url, reason in failures)
        raise CrawlError(f"ingen oversigtsside kunne læses ({reasons})")
    return entries, failures, pages_read


def plan_queue(
    entries: list[star.ListingEntry], options: StarOptions, state: CrawlState, writer: CorpusWriter
) -> list[tuple[str, str, str | None]]:
    """The queue: publications we lack first, then the rest to revalidate; (url, kind, date)."""
    candidates = []
    for index, entry in enumerate(entries):
        if options.since and entry.date and entry.date < options.since:
            continue
        page = state.page(entry.url)
        has_record = bool(page and page.record_id and writer.path(page.record_id).exists())
        known = page is not None and page.outcome == "ok" and has_record
        priority = PRIORITY_REVALIDATE if known else PRIORITY_NEW
        candidates.append((priority, index, (entry.url, entry.kind or "", entry.date)))
    return in_queue_order(candidates, options.limit)


# -- one publication --------------------------------------------------------------------------


class _Crawler:
    def __init__(
        self,
        fetcher: Fetcher,
        state: CrawlState,
        writer: CorpusWriter,
        now: Callable[[], datetime],
    ):
        self.fetcher = fetcher
        self.state = state
        self.writer = writer
        self.now = now

    def _has_record(self, page: PageState | None) -> bool:
        return bool(page and page.record_id and self.writer.path(page.record_id).exists())

    def process(self, crawl_id: int, item: QueueItem) -> Finished:
        """Fetch, parse and store one publication and its report; never raises for bad input."""
        previous = self.state.page(item.url)
        checked_at = iso_seconds(self.now())
        kind = item.kind or None
        # After a failure, fresh copies: a 304 would hand back the very bytes that failed.
        fresh = previous is not None and previous.outcome != "ok"

        def failed(reason: str, fetched: bool, record_id: str | None = None) -> Finished:
            page = PageState(
                item.url,
                item.kind,
                item.lastmod,
                record_id or (previous.record_id if previous else None),
                previous.sha256 if previous else None,
                "failed",
                reason,
                checked_at,
            )
            return ItemOutcome(item.url, "failed", reason, fetched), page, None

        try:
            landing = self.fetcher.get(item.url, conditional=not fresh)
        except RobotsDisallowed as exc:
            return ItemOutcome(item.url, "blocked", exc.reason, False), None, None
        except FetchError as exc:
            return failed(exc.reason, False)
        fetched = not landing.not_modified
        if (
            landing.not_modified
            and previous is not None
            and previous.outcome == "ok"
            and previous.sha256 == landing.snapshot.sha256
            and self._has_record(previous)
        ):
            # The page is as it was; so is its report link: the report is not asked for.
            page = replace(previous, lastmod=item.lastmod, checked_at=checked_at)
            outcome = ItemOutcome(item.url, "not_modified", None, False)
            return outcome, page, [(previous.record_id, "not_modified")]
        try:
            publication = star.parse(
                landing.content,
                landing.final_url,
                kind,
                fetched_at=landing.snapshot.fetched_at,
                listed=item.lastmod,
            )
        except star.ParseError as exc:
            return failed(exc.reason, fetched)
        except Exception as exc:
            # A parser bug on one odd page must not stop (and on resume, block) the whole crawl.
            log.exception("uventet fejl ved fortolkning af %s", item.url)
            return failed(f"uventet fortolkningsfejl ({type(exc).__name__}: {exc})", fetched)

        document, problem, document_fetched = self._document(publication, fresh)
        fetched = fetched or document_fetched
        record = star.with_document(publication, document)
        record_id = record["id"]
        other = self.state.other_url_with_item_record(record_id, item.url, crawl_id)
        if other:
            stored = self.writer.read(record_id)
            if stored is not None and stored.get("url") == record["url"]:
                # An old address redirecting to a page we already have: an alias, not a clash.
                return ItemOutcome(item.url, "unchanged", None, fetched), None, None
            return failed(f"giver samme id ({record_id}) som {other}", fetched)

        if problem is not None:
            # Did the last visit already store this record from the page's text alone?
            page_text_before = (
                previous is not None
                and previous.outcome == "failed"
                and any(
                    written_id == record_id and outcome in WRITTEN_OUTCOMES
                    for written_id, outcome in self.state.records_of(item.url)
                )
            )
            return self._without_document(record, problem, failed, fetched, page_text_before)
        try:
            outcome = self.writer.write(record, item.url).value
        except InvalidRecord as exc:
            return failed(str(exc).split(": ", 1)[-1], fetched, record_id)
        page = PageState(
            item.url,
            item.kind,
            item.lastmod,
            record_id,
            landing.snapshot.sha256,
            "ok",
            None,
            checked_at,
        )
        label = outcome if fetched or outcome != "unchanged" else "not_modified"
        return ItemOutcome(item.url, label, None, fetched), page, [(record_id, outcome)]

    def _document(
        self, publication: star.Publication, fresh: bool
    ) -> tuple[list[str] | None, str | None, bool]:
        """(the report's paragraphs, or the problem naming its URL), and if a body came."""
        if publication.document is None:
            return None, None, False
        report = read_report(self.fetcher, publication.document["url"], fresh)
        return report.paragraphs, report.problem, report.fetched

    def _without_document(
        self,
        record: dict,
        problem: str,
        failed: Callable[..., Finished],
        fetched: bool,
        page_text_before: bool,
    ) -> Finished:
        """The report failed: keep a record that has its report's text; else the page's text."""
        stored = self.writer.read(record["id"])
        if stored is not None and not stored.get("example") and not page_text_before:
            outcome, page, _ = failed(f"{problem}; den gemte post er ikke ændret", fetched)
            return outcome, page, []
        try:
            written = self.writer.write(record, record["url"]).value
        except InvalidRecord as exc:
            return failed(f"{problem}; {str(exc).split(': ', 1)[-1]}", fetched)
        outcome, page, _ = failed(
            f"{problem}; posten er gemt med sidens tekst alene", fetched, record["id"]
        )
        return outcome, page, [(record["id"], written)]


# -- the crawl --------------------------------------------------------------------------------


def _summarise(
    state: CrawlState, crawl: Crawl, resumed: bool, listing_failures: list[tuple[str, str]]
) -> StarSummary:
    summary = StarSummary(resumed=resumed)
    pages = tally_pages(summary, state, crawl.id)
    summary.total = len(pages)
    # A failed report whose publication still got a record (from the page's text).
    summary.page_text_only = sum(
        1 for item in pages if item.outcome == "failed" and state.records_of(item.url)
    )
    tally_records(summary, state, crawl.id)
    summary.failed.extend(listing_failures)
    return summary


def crawl_star(
    options: StarOptions,
    fetcher: Fetcher,
    progress: Progress | None = None,
    now: Callable[[], datetime] = utc_now,
) -> StarSummary:
    """Bring `<corpus>/star/` up to date with the site; resumes an interrupted crawl first."""
    writer = CorpusWriter(options.corpus / star.SOURCE)
    with CrawlState(state_path(options.corpus, star.SOURCE), star.SOURCE) as state:
        crawler = _Crawler(fetcher, state, writer, now)
        listing_failures: list[tuple[str, str]] = []
        listing_pages = 0

        def plan() -> Plan:
            nonlocal listing_pages
            entries, failures, listing_pages = discover(fetcher, options)
            listing_failures.extend(failures)
            return plan_queue(entries, options, state, writer), 0

        crawl, resumed = run_queue(
            state,
            options.key(),
            plan,
            crawler.process,
            progress or SilentProgress(),
            now,
            "publikationer",
        )
        summary = _summarise(state, crawl, resumed, listing_failures)
        summary.listing_pages = listing_pages
        return summary
