"""Crawl Ankestyrelsen: sitemap → queue → fetch → parse → validate → write; resumable anywhere."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from scrapers import ast
from scrapers.corpus import CorpusWriter, InvalidRecord
from scrapers.crawlrun import (
    PRIORITY_CHANGED,
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
)
from scrapers.fetcher import Fetcher, FetchError, RobotsDisallowed, iso_seconds, utc_now
from scrapers.reports import read_report
from scrapers.sitemap import SitemapEntry, SitemapError, parse_sitemap
from scrapers.state import Crawl, CrawlState, ItemOutcome, PageState, QueueItem, state_path

log = logging.getLogger("retskilde.scrape")


@dataclass(frozen=True)
class CrawlOptions:
    """What to crawl and where to put it."""

    corpus: Path
    base_url: str = ast.DEFAULT_BASE_URL
    kinds: tuple[str, ...] = ast.KINDS
    since: str | None = None  # YYYY-MM-DD: only pages whose <lastmod> is on or after it
    limit: int | None = None  # at most this many pages in the queue

    def key(self) -> dict:
        """The options a resumed crawl must share with the interrupted one."""
        return {
            "base_url": self.base_url,
            "kinds": sorted(self.kinds),
            "since": self.since,
            "limit": self.limit,
        }


@dataclass
class CrawlSummary(Tally):
    """What one crawl did, for the closing report and the exit code."""

    total: int = 0
    skipped: int = 0


def _discover(fetcher: Fetcher, base_url: str) -> tuple[list[SitemapEntry], list[tuple[str, str]]]:
    """Every page the sitemap (and its child sitemaps) lists, plus child sitemaps that failed."""
    root_url = ast.sitemap_url(base_url)
    try:
        root = parse_sitemap(fetcher.get(root_url).content, root_url)
    except (FetchError, SitemapError) as exc:
        raise CrawlError(f"sitemap kunne ikke hentes: {exc}") from exc
    entries = list(root.entries)
    failures: list[tuple[str, str]] = []
    for child in root.children:
        try:
            entries.extend(parse_sitemap(fetcher.get(child.loc).content, child.loc).entries)
        except (FetchError, SitemapError) as exc:
            failures.append((child.loc, getattr(exc, "reason", str(exc))))
    seen: set[str] = set()
    unique = []
    for entry in entries:
        if entry.loc not in seen:
            seen.add(entry.loc)
            unique.append(entry)
    return unique, failures


def _plan(
    entries: list[SitemapEntry], options: CrawlOptions, state: CrawlState, writer: CorpusWriter
) -> tuple[list[tuple[str, str, str | None]], int]:
    """The queue for a new crawl and how many pages were skipped as unchanged."""
    candidates = []
    skipped = 0
    for index, entry in enumerate(entries):
        kind = ast.classify(entry.loc)
        if kind is None or kind not in options.kinds:
            continue
        if options.since and (entry.lastmod is None or entry.lastmod[:10] < options.since):
            continue
        page = state.page(entry.loc)
        has_record = bool(page and page.record_id and writer.path(page.record_id).exists())
        if page is None or page.outcome != "ok" or not has_record:
            priority = PRIORITY_NEW
        elif entry.lastmod is None:
            priority = PRIORITY_REVALIDATE
        elif entry.lastmod == page.lastmod:
            skipped += 1  # the sitemap says nothing changed since we last had it: no request
            continue
        else:
            priority = PRIORITY_CHANGED
        candidates.append((priority, index, (entry.loc, kind, entry.lastmod)))
    return in_queue_order(candidates, options.limit), skipped


class _Crawler:
    def __init__(
        self,
        options: CrawlOptions,
        fetcher: Fetcher,
        state: CrawlState,
        now: Callable[[], datetime],
    ):
        self.options = options
        self.fetcher = fetcher
        self.state = state
        self.writer = CorpusWriter(options.corpus / ast.SOURCE)
        self.now = now

    def process(self, crawl_id: int, item: QueueItem) -> Finished:
        """Fetch, parse and store one queued page; never raises for a bad page."""
        previous = self.state.page(item.url)
        previous_failed = previous is not None and previous.outcome != "ok"
        checked_at = iso_seconds(self.now())

        def failed(reason: str, fetched: bool = False) -> Finished:
            page = PageState(
                item.url,
                item.kind,
                None,  # no lastmod: a failed page is tried again next time
                previous.record_id if previous else None,
                previous.sha256 if previous else None,
                "failed",
                reason,
                checked_at,
            )
            return ItemOutcome(item.url, "failed", reason, fetched), page, None

        try:
            result = self.fetcher.get(item.url)
        except RobotsDisallowed as exc:
            return ItemOutcome(item.url, "blocked", exc.reason, False), None, None
        except FetchError as exc:
            return failed(exc.reason)
        fetched = not result.not_modified
        if (
            result.not_modified
            and previous is not None
            and previous.outcome == "ok"
            and previous.sha256 == result.snapshot.sha256
            and previous.record_id
            and self.writer.path(previous.record_id).exists()
        ):
            page = replace(previous, lastmod=item.lastmod, checked_at=checked_at)
            return ItemOutcome(item.url, "not_modified", None, False), page, None
        try:
            record = ast.parse(
                result.content, result.final_url, item.kind, fetched_at=result.snapshot.fetched_at
            )
        except ast.ParseError as exc:
            return failed(exc.reason, fetched)
        except Exception as exc:
            # A parser bug on one odd page must not stop (and on resume, block) the whole crawl.
            log.exception("uventet fejl ved fortolkning af %s", item.url)
            return failed(f"uventet fortolkningsfejl ({type(exc).__name__}: {exc})", fetched)
        other = self.state.other_url_with_record(record["id"], item.url, crawl_id)
        if other:
            stored = self.writer.read(record["id"])
            if stored is not None and stored.get("url") == record["url"]:
                # An old address redirecting to a page we already have: an alias, not a clash.
                return ItemOutcome(item.url, "unchanged", None, fetched), None, None
            return failed(f"giver samme id ({record['id']}) som {other}", fetched)
        reports, problems = [], []
        for attachment in ast.report_attachments(record):
            # After a failure, fresh copies: a 304 would hand back the very bytes that failed.
            report = read_report(self.fetcher, attachment["url"], fresh=previous_failed)
            fetched = fetched or report.fetched
            if report.problem is not None:
                problems.append(report.problem)
            else:
                reports.append(report.paragraphs or [])
        if problems:
            return self._without_reports(
                item, ast.with_reports(record, reports), "; ".join(problems), failed, fetched
            )
        record = ast.with_reports(record, reports)
        try:
            outcome = self.writer.write(record, item.url)
        except InvalidRecord as exc:
            return failed(str(exc).split(": ", 1)[-1], fetched)
        page = PageState(
            item.url,
            item.kind,
            item.lastmod,
            record["id"],
            result.snapshot.sha256,
            "ok",
            None,
            checked_at,
        )
        label = outcome.value if fetched or outcome.value != "unchanged" else "not_modified"
        return ItemOutcome(item.url, label, None, fetched), page, None

    def _without_reports(
        self,
        item: QueueItem,
        record: dict,
        problem: str,
        failed: Callable[..., Finished],
        fetched: bool,
    ) -> Finished:
        """A report failed: keep a stored record that is longer (it has the report's text), else
        store this one without it. Either way the page counts as failed and is tried again."""
        stored = self.writer.read(record["id"])
        if (
            stored is not None
            and not stored.get("example")
            and len(stored.get("text", "")) > len(record["text"])
        ):
            return failed(f"{problem}; den gemte post er ikke ændret", fetched)
        try:
            self.writer.write(record, item.url)
        except InvalidRecord as exc:
            return failed(f"{problem}; {str(exc).split(': ', 1)[-1]}", fetched)
        return failed(f"{problem}; posten er gemt uden rapportens tekst", fetched)


def _summarise(
    state: CrawlState, crawl: Crawl, resumed: bool, sitemap_failures: list[tuple[str, str]]
) -> CrawlSummary:
    summary = CrawlSummary(skipped=crawl.skipped, resumed=resumed)
    pages = tally_pages(summary, state, crawl.id)
    summary.total = len(pages)
    for item in pages:  # one record per page: the page's outcome is its record's
        if item.outcome in ("new", "changed", "unchanged"):
            setattr(summary, item.outcome, getattr(summary, item.outcome) + 1)
    summary.failed.extend(sitemap_failures)
    return summary


def crawl_ast(
    options: CrawlOptions,
    fetcher: Fetcher,
    progress: Progress | None = None,
    now: Callable[[], datetime] = utc_now,
) -> CrawlSummary:
    """Bring `<corpus>/ast/` up to date with the site; resumes an interrupted crawl first."""
    with CrawlState(state_path(options.corpus, ast.SOURCE), ast.SOURCE) as state:
        crawler = _Crawler(options, fetcher, state, now)
        sitemap_failures: list[tuple[str, str]] = []

        def plan() -> Plan:
            entries, failures = _discover(fetcher, options.base_url)
            sitemap_failures.extend(failures)
            return _plan(entries, options, state, crawler.writer)

        crawl, resumed = run_queue(
            state, options.key(), plan, crawler.process, progress or SilentProgress(), now, "sider"
        )
        return _summarise(state, crawl, resumed, sitemap_failures)
