"""Crawl Ankestyrelsen: sitemap → queue → fetch → parse → validate → write; resumable anywhere."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import click

from retskilde.scrapers import ast
from retskilde.scrapers.corpus import CorpusWriter
from retskilde.scrapers.fetcher import Fetcher, FetchError, FetchResult, iso_seconds, utc_now
from retskilde.scrapers.runlog import runs_path
from retskilde.scrapers.runner import (
    PRIORITY_CHANGED,
    PRIORITY_NEW,
    PRIORITY_REVALIDATE,
    CrawlError,
    Discovery,
    PageCrawler,
    PageHooks,
    Parsed,
    Plan,
    Progress,
    Queued,
    SilentProgress,
    SummaryRow,
    Tally,
    close_run,
    in_queue_order,
    run_queue,
    tally_pages,
)
from retskilde.scrapers.sitemap import SitemapEntry, SitemapError, parse_sitemap
from retskilde.scrapers.sources.base import Source
from retskilde.scrapers.state import Crawl, CrawlState, QueueItem, state_path

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

    ROWS = (
        SummaryRow("sider i køen", "total"),
        SummaryRow("hentet (200)", "fetched"),
        SummaryRow("ikke ændret (304)", "not_modified"),
        SummaryRow("sprunget over", "skipped", "uændret <lastmod> i sitemap"),
        SummaryRow("nye", "new"),
        SummaryRow("ændrede", "changed"),
        SummaryRow("uændrede", "unchanged"),
        SummaryRow("fejl", "failed"),
    )

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
    entries: list[SitemapEntry], options: CrawlOptions, state: CrawlState, crawler: PageCrawler
) -> Plan:
    """The queue for a new crawl and how many pages were skipped as unchanged."""
    candidates = []
    skipped: dict[str, int] = {}
    for index, entry in enumerate(entries):
        kind = ast.classify(entry.loc)
        if kind is None or kind not in options.kinds:
            continue
        # An entry without <lastmod> may have changed: kept, not dropped.
        if options.since and entry.lastmod and entry.lastmod[:10] < options.since:
            continue
        page = state.page(entry.loc)
        if page is None or not crawler.has_records(page):
            priority = PRIORITY_NEW
        elif entry.lastmod is None:
            priority = PRIORITY_REVALIDATE
        elif entry.lastmod == page.lastmod:
            # The sitemap says nothing changed since we last had it: no request.
            skipped[kind] = skipped.get(kind, 0) + 1
            continue
        else:
            priority = PRIORITY_CHANGED
        candidates.append((priority, index, Queued(entry.loc, kind, entry.lastmod)))
    return Plan(in_queue_order(candidates, options.limit), sum(skipped.values()), skipped)


class AstPages:
    """The page hooks of Ankestyrelsen: a page is one record, plus its reports' text."""

    page_text_note = "posten er gemt uden rapportens tekst"

    def fetch(self, fetcher: Fetcher, url: str, conditional: bool) -> FetchResult:
        # Always conditional: a page that failed is read again from the stored copy a 304
        # hands back, so a still-broken page costs no body (its reports are asked fresh).
        return fetcher.get(url)

    def parse(self, result: FetchResult, item: QueueItem) -> Parsed:
        record = ast.parse(
            result.content, result.final_url, item.kind, fetched_at=result.snapshot.fetched_at
        )
        return Parsed(
            records=[record],
            documents=[attachment["url"] for attachment in ast.report_attachments(record)],
            with_documents=lambda reports: [ast.with_reports(record, reports)],
        )

    def keeps_stored(self, stored: dict, record: dict, written_before: bool) -> bool:
        # The longer one has the report's text.
        return len(stored.get("text", "")) > len(record["text"])


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
        writer = CorpusWriter(options.corpus / ast.SOURCE)
        crawler = PageCrawler(AstPages(), fetcher, state, writer, now)
        sitemap_failures: list[tuple[str, str]] = []
        sitemap = ast.sitemap_url(options.base_url)
        discovery = Discovery(None, {kind: sitemap for kind in options.kinds})

        def plan() -> Plan:
            nonlocal discovery
            entries, failures = _discover(fetcher, options.base_url)
            sitemap_failures.extend(failures)
            kinds = [ast.classify(entry.loc) for entry in entries]
            found = {kind: kinds.count(kind) for kind in options.kinds}
            planned = _plan(entries, options, state, crawler)
            discovery = Discovery(found, discovery.start_urls, planned.skipped_by_kind)
            return planned

        crawl, resumed = run_queue(
            state, options.key(), plan, crawler.process, progress or SilentProgress(), now, "sider"
        )
        log = runs_path(options.corpus, ast.SOURCE)
        silent = close_run(state, crawl, discovery, log, ast.SOURCE, iso_seconds(now()))
        return _summarise(state, crawl, resumed, sitemap_failures + silent)


class AstSource(Source):
    name = "ast"
    folder = ast.SOURCE
    kinds = ast.KINDS
    default_base_url = ast.DEFAULT_BASE_URL
    summary = CrawlSummary
    noun = "sider"
    help = """Hent Ankestyrelsens principmeddelelser, nyheder, artikler, praksisundersøgelser og
    tilsynsudtalelser fra sitemap.xml og skriv dem i <corpus>/ast/.

    Høflig (User-Agent med kontakt, robots.txt, hastighedsgrænse, betingede forespørgsler) og
    genoptagelig: en afbrudt kørsel fortsætter, hvor den slap, når kommandoen køres igen.
    Afslutter med kode 1, hvis nogen side fejlede; fejlene nævnes med adresse.
    """
    since_help = (
        "sider, hvis <lastmod> i sitemap er denne dato eller senere, og sider uden <lastmod>"
    )
    base_url_help = (
        "Sitets adresse; sitemap.xml hentes herfra (et spejl eller en lokal testserver)."
    )

    def cli_options(self) -> list[Callable]:
        return [
            click.option(
                "--kind",
                "kinds",
                multiple=True,
                type=click.Choice(ast.KINDS),
                help="Kun denne slags dokumenter (kan gentages). Standard: alle.",
            )
        ]

    def crawl(
        self,
        fetcher: Fetcher,
        corpus: Path,
        *,
        base_url: str | None,
        since: str | None,
        limit: int | None,
        values: dict,
        progress: Progress,
    ) -> CrawlSummary:
        options = CrawlOptions(
            corpus=corpus,
            base_url=base_url or ast.DEFAULT_BASE_URL,
            kinds=tuple(values.get("kinds") or ()) or ast.KINDS,
            since=since,
            limit=limit,
        )
        return crawl_ast(options, fetcher, progress)

    def discover(
        self, fetcher: Fetcher, *, base_url: str | None, values: dict
    ) -> tuple[PageHooks, dict[str, list[Queued]], dict[str, str]]:
        base_url = base_url or ast.DEFAULT_BASE_URL
        kinds = tuple(values.get("kinds") or ()) or ast.KINDS
        entries, _ = _discover(fetcher, base_url)
        found: dict[str, list[Queued]] = {kind: [] for kind in kinds}
        for entry in entries:
            kind = ast.classify(entry.loc)
            if kind in found:
                found[kind].append(Queued(entry.loc, kind, entry.lastmod))
        return AstPages(), found, {kind: ast.sitemap_url(base_url) for kind in kinds}


source = AstSource()
