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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin

import click

from scrapers import star
from scrapers.corpus import CorpusWriter
from scrapers.fetcher import Fetcher, FetchError, FetchResult, iso_seconds, utc_now
from scrapers.runlog import runs_path
from scrapers.runner import (
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
    tally_records,
)
from scrapers.sources.base import Source
from scrapers.state import Crawl, CrawlState, QueueItem, state_path

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

    ROWS = (
        SummaryRow("oversigtssider læst", "listing_pages"),
        SummaryRow("publikationer i køen", "total"),
        SummaryRow("hentet (200)", "fetched", "side og/eller rapport"),
        SummaryRow("ikke ændret (304)", "not_modified", "rapporten ikke spurgt igen"),
        SummaryRow("nye", "new"),
        SummaryRow("ændrede", "changed"),
        SummaryRow("uændrede", "unchanged"),
        SummaryRow("kun sidens tekst", "page_text_only", "rapporten kunne ikke læses"),
        SummaryRow("fejl", "failed"),
    )

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
    entries: list[star.ListingEntry], options: StarOptions, state: CrawlState, crawler: PageCrawler
) -> list[Queued]:
    """The queue: publications we lack first, then the rest to revalidate; (url, kind, date)."""
    candidates = []
    for index, entry in enumerate(entries):
        if options.since and entry.date and entry.date < options.since:
            continue
        known = crawler.has_records(state.page(entry.url))
        priority = PRIORITY_REVALIDATE if known else PRIORITY_NEW
        candidates.append((priority, index, Queued(entry.url, entry.kind or "", entry.date)))
    return in_queue_order(candidates, options.limit)


# -- one publication --------------------------------------------------------------------------


class StarPages:
    """The page hooks of STAR: a publication page is one record, plus its report's text."""

    page_text_note = "posten er gemt med sidens tekst alene"

    def fetch(self, fetcher: Fetcher, url: str, conditional: bool) -> FetchResult:
        return fetcher.get(url, conditional=conditional)

    def parse(self, result: FetchResult, item: QueueItem) -> Parsed:
        publication = star.parse(
            result.content,
            result.final_url,
            item.kind or None,
            fetched_at=result.snapshot.fetched_at,
            listed=item.lastmod,
        )
        document = publication.document
        return Parsed(
            records=[star.with_document(publication, None)],
            documents=[document["url"]] if document else [],
            with_documents=lambda texts: [
                star.with_document(publication, texts[0] if texts else None)
            ],
        )

    def keeps_stored(self, stored: dict, record: dict, written_before: bool) -> bool:
        # A stored record has its report's text, unless the last visit wrote it without.
        return not written_before


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
        crawler = PageCrawler(StarPages(), fetcher, state, writer, now)
        listing_failures: list[tuple[str, str]] = []
        listing_pages = 0
        starts: dict[str, str] = {}
        for url, kind in options.listing_urls():
            starts.setdefault(kind or "", url)
        discovery = Discovery(None, starts)

        def plan() -> Plan:
            nonlocal listing_pages, discovery
            entries, failures, listing_pages = discover(fetcher, options)
            listing_failures.extend(failures)
            kinds = [entry.kind or "" for entry in entries]
            discovery = Discovery({kind: kinds.count(kind) for kind in starts}, starts)
            return Plan(plan_queue(entries, options, state, crawler))

        crawl, resumed = run_queue(
            state,
            options.key(),
            plan,
            crawler.process,
            progress or SilentProgress(),
            now,
            "publikationer",
        )
        log = runs_path(options.corpus, star.SOURCE)
        silent = close_run(state, crawl, discovery, log, star.SOURCE, iso_seconds(now()))
        summary = _summarise(state, crawl, resumed, listing_failures + silent)
        summary.listing_pages = listing_pages
        return summary


class StarSource(Source):
    name = "star"
    folder = star.SOURCE
    kinds = star.KINDS
    default_base_url = star.DEFAULT_BASE_URL
    summary = StarSummary
    noun = "publikationer"
    help = """Hent STAR's fokusrevisioner og analyser: oversigtssiderne, hver publikations side og
    dens rapport (PDF eller DOCX), og skriv én post pr. publikation i <corpus>/star/.

    Postens tekst er sidens tekst efterfulgt af rapportens. Høflig og genoptagelig som
    `scrape ast`. En rapport, der ikke kan læses (mangler, intet tekstlag, beskadiget), nævnes
    med adresse; publikationen får da en post med sidens tekst, medmindre korpusset har en
    med rapportens.
    Afslutter med kode 1, hvis noget fejlede.
    """
    since_help = "publikationer, som oversigten daterer denne dag eller senere"
    base_url_help = "Sitets adresse (et spejl eller en lokal testserver)."
    timeout = 60.0
    timeout_help = "Sekunder pr. forespørgsel (rapporter kan være store), før den prøves igen."

    def cli_options(self) -> list[Callable]:
        return [
            click.option(
                "--kind",
                "kinds",
                multiple=True,
                type=click.Choice(star.KINDS),
                help="Kun oversigterne for denne slags (kan gentages). Standard: begge.",
            ),
            click.option(
                "--listing",
                "listings",
                multiple=True,
                metavar="[SLAGS=]STI",
                help="En oversigtsside at starte fra i stedet for de antagne (kan gentages), fx "
                "fokusrevision=/tilsyn-paa-beskaeftigelsesomraadet/tilsyn-med-kommuner/"
                "fokusrevisioner/.",
            ),
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
    ) -> StarSummary:
        return crawl_star(self.options(corpus, base_url, since, limit, values), fetcher, progress)

    def options(
        self,
        corpus: Path,
        base_url: str | None,
        since: str | None,
        limit: int | None,
        values: dict,
    ) -> StarOptions:
        pairs = []
        for value in values.get("listings") or ():
            kind, sep, path = value.partition("=")
            if not sep:
                kind, path = "", value
            if kind and kind not in star.KINDS:
                raise click.BadParameter(
                    f"ukendt slags {kind!r} (kendte: {', '.join(star.KINDS)})",
                    param_hint="--listing",
                )
            pairs.append((path, kind or None))
        return StarOptions(
            corpus=corpus,
            base_url=base_url or star.DEFAULT_BASE_URL,
            kinds=tuple(values.get("kinds") or ()) or star.KINDS,
            listings=tuple(pairs),
            since=since,
            limit=limit,
        )

    def discover(
        self, fetcher: Fetcher, *, base_url: str | None, values: dict
    ) -> tuple[PageHooks, dict[str, list[Queued]], dict[str, str]]:
        options = self.options(Path("."), base_url, None, None, values)
        entries, _, _ = discover(fetcher, options)
        starts: dict[str, str] = {}
        for url, kind in options.listing_urls():
            starts.setdefault(kind or "", url)
        found: dict[str, list[Queued]] = {kind: [] for kind in starts}
        for entry in entries:
            found.setdefault(entry.kind or "", []).append(
                Queued(entry.url, entry.kind or "", entry.date)
            )
        return StarPages(), found, starts


source = StarSource()
