"""Crawl STAR: discovery → publication pages → their reports → one record per publication.

Publications are found from what star.dk really offers (`scrapers/star_discovery.py`): its
sitemap when it names any, else its search page window by window, and the news items that
announce a fokusrevision or an analysis with the report they link. `--listing` starts from
named overview pages instead (the old way, for a mirror or a site that has them); no path is
guessed.

The same guarantees as the Ankestyrelsen crawl, on the same fetcher, raw store, state and
corpus writer: polite, conditional requests, resumable after a kill at any point, atomic
writes, failures named by URL with a non-zero exit, and nothing stored lost to a failed fetch.

A sitemap entry whose <lastmod> is as last time costs no request; everything else is asked
for conditionally: an unchanged page costs a 304, and then its report is not asked for at all
(a new report is a new link on the page). A report that cannot be read (gone, no text layer,
damaged) is a failure named by its URL; the publication's record is then written from the
page's own text, unless the corpus holds a record that has its report's text: that one is left
as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urljoin

import click

from retskilde.scrapers import star, star_discovery
from retskilde.scrapers.corpus import CorpusWriter
from retskilde.scrapers.fetcher import Fetcher, FetchError, FetchResult, iso_seconds, utc_now
from retskilde.scrapers.runlog import runs_path
from retskilde.scrapers.runner import (
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
from retskilde.scrapers.sources.base import Source
from retskilde.scrapers.state import Crawl, CrawlState, QueueItem, state_path

log = logging.getLogger("retskilde.scrape")


@dataclass(frozen=True)
class StarOptions:
    """What to crawl and where to put it."""

    corpus: Path
    base_url: str = star.DEFAULT_BASE_URL
    kinds: tuple[str, ...] = star.KINDS
    # Overview pages (path or URL, kind or None) to start from instead of discovery.
    listings: tuple[tuple[str, str | None], ...] = ()
    since: str | None = None  # YYYY-MM-DD: only publications dated (or changed) on or after it
    limit: int | None = None  # at most this many publications in the queue

    def listing_urls(self) -> list[tuple[str, str | None]]:
        """(overview URL, kind) to start from, when overviews were named (of the chosen kinds,
        and those named without a kind)."""
        base = self.base_url.rstrip("/") + "/"
        return [
            (urljoin(base, path), kind)
            for path, kind in self.listings
            if kind is None or kind in self.kinds
        ]

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
        SummaryRow("opdagelsessider læst", "listing_pages", "sitemap, søgesider eller oversigter"),
        SummaryRow("publikationer i køen", "total"),
        SummaryRow("sprunget over", "skipped", "uændret <lastmod> i sitemap"),
        SummaryRow("hentet (200)", "fetched", "side og/eller rapport"),
        SummaryRow("ikke ændret (304)", "not_modified", "rapporten ikke spurgt igen"),
        SummaryRow("nye", "new"),
        SummaryRow("ændrede", "changed"),
        SummaryRow("uændrede", "unchanged"),
        SummaryRow("kun sidens tekst", "page_text_only", "rapporten kunne ikke læses"),
        SummaryRow("nyheder uden publikation", "not_announcing", "ikke gemt"),
        SummaryRow("fejl", "failed"),
    )

    listing_pages: int = 0
    total: int = 0
    page_text_only: int = 0  # records written without their report's text (it failed)
    not_announcing: int = 0  # news items read that announce no publication with a report
    skipped: int = 0  # sitemap entries unchanged since the last run: not asked for
    method: str = ""  # how the publications were found: sitemap, søgning or oversigter


# -- discovery --------------------------------------------------------------------------------

# A news item is queued under its own kind, so the page hooks read it as one; the run log
# counts it under the kind of publication it announces. One whose kind its slug does not tell
# is counted as an analysis: an announcing news item is most often one.
NEWS_PREFIX = "nyhed-"
SHOWN = 3  # failed discovery pages named in the error (a search may try dozens of windows)


def news_kind(announced: str | None) -> str:
    """The queue kind of a news item that may announce a publication of kind `announced`."""
    return NEWS_PREFIX + (announced or "analyse")


def log_kind(queue_kind: str) -> str:
    """The kind the run log and --check count a queued page under."""
    return queue_kind.removeprefix(NEWS_PREFIX)


@dataclass
class Found:
    """What discovery found: the queue's candidates in order, whether their versions are
    publication dates (overviews, search) or change dates (<lastmod>), the URL each kind was
    discovered from, failures, and the discovery pages read."""

    queued: list[Queued]
    versions_are_dates: bool
    start_urls: dict[str, str]
    failures: list[tuple[str, str]]
    pages_read: int
    method: str


def discover_overviews(
    fetcher: Fetcher, options: StarOptions
) -> tuple[list[star.ListingEntry], list[tuple[str, str]], int]:
    """Every publication the named overviews list (all their pages), failures, pages read."""
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


def _from_overviews(fetcher: Fetcher, options: StarOptions) -> Found:
    entries, failures, pages_read = discover_overviews(fetcher, options)
    starts: dict[str, str] = {}
    for url, kind in options.listing_urls():
        starts.setdefault(kind or "", url)
    queued = [Queued(entry.url, entry.kind or "", entry.date) for entry in entries]
    return Found(queued, True, starts, failures, pages_read, "oversigter")


def _wanted(candidate: star_discovery.Candidate, options: StarOptions) -> bool:
    if candidate.kind is not None and candidate.kind not in options.kinds:
        return False
    return not (options.since and candidate.date and candidate.date < options.since)


def _from_site(fetcher: Fetcher, options: StarOptions, until: date) -> Found:
    def fetch(url: str) -> bytes:
        return fetcher.get(url).content

    since = date.fromisoformat(options.since) if options.since else None
    found = star_discovery.discover(
        options.base_url,
        fetch,
        since=since,
        until=until,
        errors=(FetchError,),
        sitemaps=fetcher.sitemaps(options.base_url) or None,
    )
    if found.method == "sitemap":
        roots = fetcher.sitemaps(options.base_url) or [star_discovery.sitemap_url(options.base_url)]
        start_url = roots[0]
        failures = found.failures
    else:
        start_url = star_discovery.search_url(
            options.base_url, since or date(star_discovery.FIRST_YEAR, 1, 1), until
        )
        # No sitemap is how the site may well be: only the search's own failures count.
        failures = [f for f in found.failures if not f[1].startswith("sitemap:")]
    if not found.candidates:
        reasons = "; ".join(f"{url}: {reason}" for url, reason in found.failures[:SHOWN])
        if len(found.failures) > SHOWN:
            reasons += f"; og {len(found.failures) - SHOWN} adresser til"
        what = "fandt ingen fokusrevisioner eller analyser, hverken i sitemap eller søgning"
        raise CrawlError(f"{what} ({reasons})")
    # Publications' own pages before the news items about them, each group as discovered.
    ordered = sorted(found.candidates, key=lambda c: c.news)
    queued = [
        Queued(c.url, news_kind(c.kind) if c.news else (c.kind or "analyse"), c.lastmod or c.date)
        for c in ordered
        if _wanted(c, options)
    ]
    by_date = found.method != "sitemap"
    starts = {kind: start_url for kind in options.kinds}
    return Found(queued, by_date, starts, failures, found.pages_read, found.method)


def discover(fetcher: Fetcher, options: StarOptions, until: date) -> Found:
    """The publications to crawl: from the named overviews, else from the site's sitemap or
    search. Raises CrawlError when nothing could be read or nothing was found."""
    if options.listings:
        return _from_overviews(fetcher, options)
    return _from_site(fetcher, options, until)


def plan_queue(found: Found, options: StarOptions, state: CrawlState, crawler: PageCrawler) -> Plan:
    """The queue: publications we lack first, then the rest to revalidate. A sitemap entry
    whose <lastmod> is the one we last read it at is left out (no request)."""
    candidates = []
    skipped: dict[str, int] = {}
    for index, queued in enumerate(found.queued):
        dated = found.versions_are_dates and queued.version
        if dated and options.since and queued.version < options.since:
            continue
        previous = state.page(queued.url)
        known = crawler.has_records(previous)
        if (
            not found.versions_are_dates
            and known
            and queued.version is not None
            and previous.lastmod == queued.version
            and previous.kind == queued.kind
        ):
            kind = log_kind(queued.kind)
            skipped[kind] = skipped.get(kind, 0) + 1
            continue
        priority = PRIORITY_REVALIDATE if known else PRIORITY_NEW
        candidates.append((priority, index, queued))
    queue = in_queue_order(candidates, options.limit)
    return Plan(queue, sum(skipped.values()), skipped)


# -- one publication --------------------------------------------------------------------------


class StarPages:
    """The page hooks of STAR: a publication page is one record, plus its report's text; a
    news item is one when it announces a publication and links its report, else left out."""

    page_text_note = "posten er gemt med sidens tekst alene"

    def __init__(self, kinds: tuple[str, ...] = star.KINDS, versions_are_dates: bool = True):
        self.kinds = kinds
        # A queued version is the listing's publication date (overviews, search), usable as
        # the record's date when the page shows none; a <lastmod> is only when it changed.
        self.versions_are_dates = versions_are_dates

    def fetch(self, fetcher: Fetcher, url: str, conditional: bool) -> FetchResult:
        return fetcher.get(url, conditional=conditional)

    def parse(self, result: FetchResult, item: QueueItem) -> Parsed:
        listed = item.lastmod if self.versions_are_dates else None
        fetched_at = result.snapshot.fetched_at
        if item.kind.startswith(NEWS_PREFIX):
            publication = star_discovery.news_publication(
                result.content, result.final_url, fetched_at=fetched_at, listed=listed
            )
            if publication is None or publication.record["doc_type"] not in self.kinds:
                left_out = star.record_id("nyhed", result.final_url)
                return Parsed(records=[], left_out=[(left_out, NOT_ANNOUNCING)])
        else:
            publication = star.parse(
                result.content,
                result.final_url,
                item.kind or None,
                fetched_at=fetched_at,
                listed=listed,
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


NOT_ANNOUNCING = "not_announcing"  # a news item read that announces no publication


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
    counts = tally_records(summary, state, crawl.id)
    summary.not_announcing = counts.get(NOT_ANNOUNCING, 0)
    summary.skipped = crawl.skipped
    summary.failed.extend(listing_failures)
    return summary


def page_hooks(options: StarOptions) -> StarPages:
    # Only an overview's date is a publication date; discovery's versions are not always.
    return StarPages(options.kinds, versions_are_dates=bool(options.listings))


def crawl_star(
    options: StarOptions,
    fetcher: Fetcher,
    progress: Progress | None = None,
    now: Callable[[], datetime] = utc_now,
) -> StarSummary:
    """Bring `<corpus>/star/` up to date with the site; resumes an interrupted crawl first."""
    writer = CorpusWriter(options.corpus / star.SOURCE)
    with CrawlState(state_path(options.corpus, star.SOURCE), star.SOURCE) as state:
        crawler = PageCrawler(page_hooks(options), fetcher, state, writer, now)
        listing_failures: list[tuple[str, str]] = []
        listing_pages = 0
        method = ""
        discovery = Discovery(None, {})

        def plan() -> Plan:
            nonlocal listing_pages, discovery, method
            found = discover(fetcher, options, now().date())
            listing_failures.extend(found.failures)
            listing_pages, method = found.pages_read, found.method
            planned = plan_queue(found, options, state, crawler)
            kinds = [log_kind(queued.kind) for queued in found.queued]
            discovery = Discovery(
                {kind: kinds.count(kind) for kind in found.start_urls},
                found.start_urls,
                planned.skipped_by_kind,
            )
            return planned

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
        silent = close_run(
            state, crawl, discovery, log, star.SOURCE, iso_seconds(now()), kind_of=log_kind
        )
        summary = _summarise(state, crawl, resumed, listing_failures + silent)
        summary.listing_pages = listing_pages
        summary.method = method
        return summary


class StarSource(Source):
    name = "star"
    folder = star.SOURCE
    kinds = star.KINDS
    default_base_url = star.DEFAULT_BASE_URL
    summary = StarSummary
    noun = "publikationer"
    help = """Hent STAR's fokusrevisioner og analyser: find dem i sitets sitemap (eller, har det
    intet, i søgesiden kvartal for kvartal) og i nyheder, der offentliggør en publikation med
    rapport; hent hver publikations side og dens rapport (PDF eller DOCX), og skriv én post pr.
    publikation i <corpus>/star/. --listing starter i stedet fra navngivne oversigtssider.

    Postens tekst er sidens tekst efterfulgt af rapportens. Høflig og genoptagelig som
    `scrape ast`. En rapport, der ikke kan læses (mangler, intet tekstlag, beskadiget), nævnes
    med adresse; publikationen får da en post med sidens tekst, medmindre korpusset har en
    med rapportens.
    Afslutter med kode 1, hvis noget fejlede.
    """
    since_help = (
        "publikationer, som søgningen eller oversigten daterer denne dag eller senere, og "
        "sider, hvis <lastmod> i sitemap er denne dato eller senere (og sider uden)"
    )
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
                help="En oversigtsside at starte fra i stedet for sitemap og søgning (kan "
                "gentages), fx fokusrevision=/tilsyn-paa-beskaeftigelsesomraadet/"
                "tilsyn-med-kommuner/fokusrevisioner/.",
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
        found = discover(fetcher, options, utc_now().date())
        by_kind: dict[str, list[Queued]] = {kind: [] for kind in found.start_urls}
        for queued in found.queued:
            by_kind.setdefault(log_kind(queued.kind), []).append(queued)
        return page_hooks(options), by_kind, found.start_urls


source = StarSource()
