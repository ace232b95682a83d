"""Crawl Ankestyrelsen: sitemap → queue → fetch → parse → validate → write; resumable anywhere."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

from scrapers import ast
from scrapers.corpus import CorpusWriter, InvalidRecord
from scrapers.fetcher import Fetcher, FetchError, RobotsDisallowed, iso_seconds, utc_now
from scrapers.sitemap import SitemapEntry, SitemapError, parse_sitemap
from scrapers.state import CrawlState, ItemOutcome, PageState, QueueItem, state_path

log = logging.getLogger("retskilde.scrape")

# Queue order: what we have never had first, then what changed, then what we only revalidate.
PRIORITY_NEW, PRIORITY_CHANGED, PRIORITY_REVALIDATE = 0, 1, 2


class CrawlError(Exception):
    """The crawl could not start (no sitemap); nothing in the corpus was touched."""


class Progress(Protocol):
    """Told about the crawl as it goes: a bar, log lines, or nothing."""

    def start(self, total: int, done: int) -> None:
        """The queue holds `total` pages, `done` of them finished by an earlier run."""

    def advance(self, url: str, outcome: ItemOutcome) -> None:
        """One more page finished."""

    def finish(self) -> None:
        """The queue is empty."""


class _Silent:
    def start(self, total: int, done: int) -> None:
        pass

    def advance(self, url: str, outcome: ItemOutcome) -> None:
        pass

    def finish(self) -> None:
        pass


SilentProgress = _Silent  # for the other crawlers: a Progress that says nothing


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
class CrawlSummary:
    """What one crawl did, for the closing report and the exit code."""

    total: int = 0
    fetched: int = 0
    not_modified: int = 0
    skipped: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    resumed: bool = False

    @property
    def ok(self) -> bool:
        """True when no page failed (the exit code follows this)."""
        return not self.failed


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
    candidates.sort(key=lambda c: (c[0], c[1]))
    if options.limit is not None:
        candidates = candidates[: options.limit]
    return [item for _, _, item in candidates], skipped


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

    def process(self, crawl_id: int, item: QueueItem) -> tuple[ItemOutcome, PageState | None]:
        """Fetch, parse and store one queued page; never raises for a bad page."""
        previous = self.state.page(item.url)
        checked_at = iso_seconds(self.now())

        def failed(reason: str, fetched: bool = False) -> tuple[ItemOutcome, PageState]:
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
            return ItemOutcome(item.url, "failed", reason, fetched), page

        try:
            result = self.fetcher.get(item.url)
        except RobotsDisallowed as exc:
            return ItemOutcome(item.url, "blocked", exc.reason, False), None
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
            return ItemOutcome(item.url, "not_modified", None, False), page
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
                return ItemOutcome(item.url, "unchanged", None, fetched), None
            return failed(f"giver samme id ({record['id']}) som {other}", fetched)
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
        return ItemOutcome(item.url, label, None, fetched), page


def _summarise(
    state: CrawlState, crawl_id: int, skipped: int, extra_failures: list[tuple[str, str]]
) -> CrawlSummary:
    summary = CrawlSummary(skipped=skipped)
    for item in state.outcomes(crawl_id):
        summary.total += 1
        summary.fetched += item.fetched
        if item.outcome == "failed":
            summary.failed.append((item.url, item.error or "ukendt fejl"))
        elif item.outcome == "blocked":
            summary.blocked.append(item.url)
        elif item.outcome == "not_modified":
            summary.not_modified += 1
        else:
            setattr(summary, item.outcome, getattr(summary, item.outcome) + 1)
    summary.failed.extend(extra_failures)
    return summary


def crawl_ast(
    options: CrawlOptions,
    fetcher: Fetcher,
    progress: Progress | None = None,
    now: Callable[[], datetime] = utc_now,
) -> CrawlSummary:
    """Bring `<corpus>/ast/` up to date with the site; resumes an interrupted crawl first."""
    progress = progress or _Silent()
    with CrawlState(state_path(options.corpus, ast.SOURCE), ast.SOURCE) as state:
        crawler = _Crawler(options, fetcher, state, now)
        crawl = state.unfinished(options.key())
        sitemap_failures: list[tuple[str, str]] = []
        resumed = crawl is not None
        if crawl is None:
            entries, sitemap_failures = _discover(fetcher, options.base_url)
            items, skipped = _plan(entries, options, state, crawler.writer)
            crawl = state.start(options.key(), items, iso_seconds(now()), skipped)
        else:
            log.info(
                "Genoptager kørslen fra %s: %d af %d sider mangler",
                crawl.started_at,
                crawl.total - crawl.done,
                crawl.total,
            )
        progress.start(crawl.total, crawl.done)
        for item in state.pending(crawl.id):
            outcome, page = crawler.process(crawl.id, item)
            state.finish_item(crawl.id, item, outcome, page)
            progress.advance(item.url, outcome)
        state.finish(crawl.id, iso_seconds(now()))
        progress.finish()
        summary = _summarise(state, crawl.id, crawl.skipped, sitemap_failures)
        summary.resumed = resumed
        return summary
