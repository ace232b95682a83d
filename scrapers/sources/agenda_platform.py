"""What every committee-agenda platform shares on the runner: one municipality per crawl, the
committee filter, same-day meetings, the queue from a listing, and the report.

A platform is a subclass of `AgendaPlatformSource` with its name, its kind of page, its help
text and two functions: `listed` (discovery: the pages to read, each a `Listed` with what the
parser needs besides the page) and `parsed` (one fetched page → records). Everything else —
resumable state per municipality, the run log, never-silent, --check, robots, 304s — is the
runner's. A listing entry's data travels in the queue item's version (JSON), so a resumed crawl
parses a page without listing again; where the listing gives a change stamp, an entry whose
stamp is unchanged costs no request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import click

from retskilde.scrapers.agenda import DEFAULT_UDVALG, SOURCE, AgendaResult, committee_matches
from retskilde.scrapers.corpus import CorpusWriter
from retskilde.scrapers.errors import SourceError
from retskilde.scrapers.fetcher import Fetcher, FetchError, FetchResult, iso_seconds, utc_now
from retskilde.scrapers.kommuner import Kommune, UnknownKommune, kommune_for
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
    tally_records,
)
from retskilde.scrapers.sources.base import Source
from retskilde.scrapers.state import Crawl, CrawlState, QueueItem, state_path

# How far back a platform searched by date looks without --since, and how far ahead (agendas
# are published before the meeting).
DEFAULT_DAYS_BACK = 730
DAYS_AHEAD = 90


@dataclass
class AgendaSummary(Tally):
    """What one municipality's crawl did: pages asked for, records written, items left out."""

    ROWS = (
        SummaryRow("møder i køen", "meetings"),
        SummaryRow("hentet (200)", "fetched"),
        SummaryRow("ikke ændret (304)", "not_modified"),
        SummaryRow("sprunget over", "skipped", "uændret i oversigten over møder"),
        SummaryRow("nye punkter", "new"),
        SummaryRow("ændrede punkter", "changed"),
        SummaryRow("uændrede punkter", "unchanged"),
        SummaryRow("lukkede punkter", "closed", "ikke offentlige, ikke gemt"),
        SummaryRow("tomme punkter", "empty", "uden tekst og bilag, ikke gemt"),
        SummaryRow("fejl", "failed"),
    )

    meetings: int = 0
    skipped: int = 0
    closed: int = 0
    empty: int = 0


@dataclass(frozen=True)
class Listed:
    """A page the platform's listing names: its address, committee and meeting start, the
    listing's change stamp (None: none given), and what else the parser needs."""

    url: str
    committee: str
    start: str  # YYYY-MM-DD or an ISO date-time
    stamp: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def day(self) -> str:
        return self.start[:10]

    def version(self) -> str:
        """The queue item's version: everything the parser needs, as stable JSON."""
        fields = {"udvalg": self.committee, "start": self.start, "stempel": self.stamp}
        return json.dumps({**fields, "data": self.data}, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_queue(cls, item: QueueItem) -> Listed:
        fields = json.loads(item.lastmod or "{}")
        return cls(item.url, fields["udvalg"], fields["start"], fields["stempel"], fields["data"])


@dataclass(frozen=True)
class PlatformOptions:
    """Which municipality and committees to crawl, from when, and where to put the records."""

    corpus: Path
    kommune: Kommune
    udvalg: str = DEFAULT_UDVALG
    since: str | None = None
    limit: int | None = None

    def key(self) -> dict:
        return {
            "kommune": self.kommune.key,
            "base_url": self.kommune.base_url,
            "udvalg": self.udvalg,
            "since": self.since,
            "limit": self.limit,
        }


def same_day(listed: list[Listed]) -> set[str]:
    """Pages of meetings that share committee and day with another: their ids carry the time."""
    meetings: dict[tuple[str, str], set[str]] = {}
    for entry in listed:
        meetings.setdefault((entry.committee.casefold(), entry.day), set()).add(entry.start)
    return {
        entry.url for entry in listed if len(meetings[(entry.committee.casefold(), entry.day)]) > 1
    }


@dataclass(frozen=True)
class PlatformPages:
    """The page hooks: a queued page is parsed with the listing data its version carries."""

    source: AgendaPlatformSource
    kommune: Kommune
    page_text_note: str = "punkterne er gemt uden dokumentets tekst"

    def fetch(self, fetcher: Fetcher, url: str, conditional: bool) -> FetchResult:
        return fetcher.get(url, conditional=conditional)

    def parse(self, result: FetchResult, item: QueueItem) -> Parsed:
        listed = Listed.from_queue(item)
        return self.source.parsed(
            result,
            self.kommune,
            listed,
            same_day=item.kind.endswith(SAME_DAY),
            fetched_at=result.snapshot.fetched_at,
        )

    def keeps_stored(self, stored: dict, record: dict, written_before: bool) -> bool:
        # A document (the minutes) failed: a stored item with its text stays.
        return not written_before


SAME_DAY = "-samme-dag"


def from_agenda(agenda: AgendaResult) -> Parsed:
    """A parsed agenda as the runner takes it: records, and the items left out."""
    left_out = [(record_id, "closed") for record_id in agenda.closed]
    left_out += [(record_id, "empty") for record_id in agenda.empty]
    return Parsed(records=agenda.records, left_out=left_out)


class AgendaPlatformSource(Source):
    """A committee-agenda platform: one municipality per crawl, chosen with --kommune."""

    folder = SOURCE
    default_base_url = None  # the municipality's site, from --kommune
    summary = AgendaSummary
    noun = "møder"
    platform: ClassVar[str]  # the registry's platform key (scrapers/kommuner.json)
    kind: ClassVar[str] = "moede"
    # Whether discovery searches by date (then --since, or DEFAULT_DAYS_BACK, sets the start).
    searches_by_date: ClassVar[bool] = False
    since_help = "møder på denne dato eller senere"
    base_url_help = (
        "Sitets adresse, hvis kommunen ikke er kendt, eller et spejl/en lokal testserver."
    )

    @property
    def kinds(self) -> tuple[str, ...]:  # type: ignore[override]
        return (self.kind,)

    # -- what a platform brings ----------------------------------------------------------------

    def listed(
        self, get: Callable[[str], bytes], kommune: Kommune, since: date, until: date
    ) -> list[Listed]:
        """The pages the platform lists for the municipality (the network behind `get`)."""
        raise NotImplementedError

    def start_url(self, kommune: Kommune, since: date, until: date) -> str:
        """Where discovery starts: named when it finds nothing."""
        raise NotImplementedError

    def parsed(
        self,
        result: FetchResult,
        kommune: Kommune,
        listed: Listed,
        *,
        same_day: bool,
        fetched_at: str | None,
    ) -> Parsed:
        """The records of one fetched page."""
        raise NotImplementedError

    # -- the shared part -----------------------------------------------------------------------

    def cli_options(self) -> list[Callable]:
        return [
            click.option(
                "--kommune",
                required=True,
                help=f"Kommunen (navn, nøgle eller kommunekode; se `retskilde kommuner "
                f"--platform {self.platform}`), eller et navn sammen med --base-url.",
            ),
            click.option(
                "--udvalg",
                default=None,
                help="Regulært udtryk for udvalgenes navne (uden forskel på store og små "
                f"bogstaver). Standard: {DEFAULT_UDVALG}.",
            ),
        ]

    def options(
        self, corpus: Path, base_url: str | None, since: str | None, limit: int | None, values
    ) -> PlatformOptions:
        try:
            kommune = kommune_for(values["kommune"], base_url, platform=self.platform)
        except UnknownKommune as exc:
            raise click.BadParameter(str(exc), param_hint="--kommune") from exc
        udvalg = values.get("udvalg") or DEFAULT_UDVALG
        try:
            re.compile(udvalg)
        except re.error as exc:
            raise click.BadParameter(
                f"ugyldigt regulært udtryk ({exc})", param_hint="--udvalg"
            ) from exc
        return PlatformOptions(corpus, kommune, udvalg, since, limit)

    def window(self, options: PlatformOptions, today: date) -> tuple[date, date]:
        since = (
            date.fromisoformat(options.since)
            if options.since
            else today - timedelta(days=DEFAULT_DAYS_BACK)
        )
        return since, today + timedelta(days=DAYS_AHEAD)

    def discover_pages(
        self, fetcher: Fetcher, options: PlatformOptions, today: date
    ) -> tuple[list[Listed], str]:
        """The selected committees' pages (newest meeting first) and the start URL."""
        since, until = self.window(options, today)
        start = self.start_url(options.kommune, since, until)

        def get(url: str) -> bytes:
            return fetcher.get(url).content

        try:
            found = self.listed(get, options.kommune, since, until)
        except (FetchError, SourceError) as exc:
            raise CrawlError(f"oversigten over møder kunne ikke læses: {exc}") from exc
        selected = [
            entry
            for entry in found
            if committee_matches(entry.committee, options.udvalg)
            and not (options.since and entry.day < options.since)
        ]
        selected.sort(key=lambda entry: (entry.start, entry.url), reverse=True)
        return selected, start

    def plan(
        self,
        listed: list[Listed],
        options: PlatformOptions,
        state: CrawlState,
        crawler: PageCrawler,
    ) -> Plan:
        twins = same_day(listed)
        candidates = []
        skipped = 0
        for index, entry in enumerate(listed):
            kind = self.kind + (SAME_DAY if entry.url in twins else "")
            version = entry.version()
            page = state.page(entry.url)
            if page is None or page.kind != kind or not crawler.has_records(page):
                priority = PRIORITY_NEW
            elif entry.stamp is None:
                priority = PRIORITY_REVALIDATE  # no stamp: ask, conditionally
            elif page.lastmod == version:
                skipped += 1  # the listing says nothing changed since we read it
                continue
            else:
                priority = PRIORITY_CHANGED
            candidates.append((priority, index, Queued(entry.url, kind, version)))
        return Plan(in_queue_order(candidates, options.limit), skipped, {self.kind: skipped})

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
    ) -> AgendaSummary:
        options = self.options(corpus, base_url, since, limit, values)
        click.echo(
            f"{options.kommune.name} Kommune ({options.kommune.base_url}), "
            f"udvalg: {options.udvalg}",
            err=True,
        )
        return self.crawl_municipality(options, fetcher, progress)

    def crawl_municipality(
        self,
        options: PlatformOptions,
        fetcher: Fetcher,
        progress: Progress | None = None,
        now: Callable[[], datetime] = utc_now,
    ) -> AgendaSummary:
        """Bring the municipality's items in `<corpus>/kommune/` up to date; resumes first."""
        name = f"{self.platform}-{options.kommune.key}"
        writer = CorpusWriter(options.corpus / SOURCE)
        with CrawlState(state_path(options.corpus, name), name) as state:
            crawler = PageCrawler(PlatformPages(self, options.kommune), fetcher, state, writer, now)
            discovery = Discovery(None, {self.kind: options.kommune.base_url})

            def plan_crawl() -> Plan:
                nonlocal discovery
                listed, start = self.discover_pages(fetcher, options, now().date())
                planned = self.plan(listed, options, state, crawler)
                discovery = Discovery(
                    {self.kind: len(listed)}, {self.kind: start}, planned.skipped_by_kind
                )
                return planned

            crawl, resumed = run_queue(
                state,
                options.key(),
                plan_crawl,
                crawler.process,
                progress or SilentProgress(),
                now,
                self.noun,
            )
            silent = close_run(
                state,
                crawl,
                discovery,
                runs_path(options.corpus, name),
                SOURCE,
                iso_seconds(now()),
                municipality=options.kommune.key,
                kind_of=lambda kind: self.kind,
            )
            summary = summarise_agenda(state, crawl, resumed)
            summary.failed.extend(silent)
            return summary

    def discover(
        self, fetcher: Fetcher, *, base_url: str | None, values: dict
    ) -> tuple[PageHooks, dict[str, list[Queued]], dict[str, str]]:
        options = self.options(Path("."), base_url, None, None, values)
        listed, start = self.discover_pages(fetcher, options, utc_now().date())
        twins = same_day(listed)
        found = [
            Queued(entry.url, self.kind + (SAME_DAY if entry.url in twins else ""), entry.version())
            for entry in listed
        ]
        return PlatformPages(self, options.kommune), {self.kind: found}, {self.kind: start}


def summarise_agenda(state: CrawlState, crawl: Crawl, resumed: bool) -> AgendaSummary:
    """The report of one municipality's crawl, on any agenda platform."""
    summary = AgendaSummary(skipped=crawl.skipped, resumed=resumed)
    summary.meetings = len(tally_pages(summary, state, crawl.id))
    counts = tally_records(summary, state, crawl.id)
    summary.closed = counts.get("closed", 0)
    summary.empty = counts.get("empty", 0)
    return summary
