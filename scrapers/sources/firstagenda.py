"""Crawl one municipality's FirstAgenda site: committee list → meetings → one record per item.

The same guarantees as the Ankestyrelsen crawl, on the same fetcher, raw store, state and corpus
writer: polite, conditional requests, resumable after a kill at any point, atomic writes, and a
failed meeting never touches the records it gave before. A meeting whose entry in the committee
list (release time, agenda/minutes) is unchanged since it was last read costs no request at all.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import click

from retskilde.scrapers import firstagenda as fa
from retskilde.scrapers.agenda import attachment_urls, with_attachment_texts
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
    close_run,
    in_queue_order,
    run_queue,
)
from retskilde.scrapers.sources.agenda_platform import AgendaSummary, summarise_agenda
from retskilde.scrapers.sources.base import Source
from retskilde.scrapers.state import CrawlState, QueueItem, state_path

log = logging.getLogger("retskilde.scrape")

KIND_MEETING = "moede"
KIND_MEETING_SAME_DAY = "moede-samme-dag"  # another meeting of the committee that day: id has kl.
# A meeting read with its attachments' text (--bilag) is another kind of visit: one stored
# without them is read once more when --bilag is first given.
WITH_BILAG = "+bilag"


def meeting_kind(same_day: bool, bilag: bool) -> str:
    """The queue kind of a meeting."""
    return (KIND_MEETING_SAME_DAY if same_day else KIND_MEETING) + (WITH_BILAG if bilag else "")


@dataclass(frozen=True)
class AgendaOptions:
    """Which municipality and committees to crawl, and where to put the records."""

    corpus: Path
    kommune: fa.Kommune
    udvalg: str = fa.DEFAULT_UDVALG
    since: str | None = None  # YYYY-MM-DD: only meetings on or after this day
    limit: int | None = None  # at most this many meetings in the queue
    bilag: bool = False  # read the attachments' PDFs into the items' text

    def key(self) -> dict:
        """The options a resumed crawl must share with the interrupted one."""
        return {
            "bilag": self.bilag,
            "kommune": self.kommune.key,
            "base_url": self.kommune.base_url,
            "udvalg": self.udvalg,
            "since": self.since,
            "limit": self.limit,
        }

    @property
    def source(self) -> str:
        """The crawl-state name: one per municipality, so two can run side by side."""
        return f"firstagenda-{self.kommune.key}"


def _looks_like_json(content: bytes) -> bool:
    return content.lstrip()[:1] in (b"{", b"[")


def fetch_api(fetcher: Fetcher, url: str, conditional: bool = True) -> FetchResult:
    """GET an API address; once more when the site sent us to a page to set its cookie first."""
    result = fetcher.get(url, conditional=conditional)
    if not _looks_like_json(result.content) and result.final_url != url:
        # Some sites redirect the API to a page until an anonymous cookie is set. A full (not
        # 304) answer from the front page sets it, and httpx keeps it for every later request.
        log.info("%s omdirigerede til %s; henter forsiden og spørger igen", url, result.final_url)
        fetcher.get(fa.origin(url) + "/", conditional=False)
        result = fetcher.get(url, conditional=False)
    return result


def _discover(fetcher: Fetcher, options: AgendaOptions) -> tuple[list[fa.MeetingRef], set[str]]:
    url = fa.udvalgsliste_url(options.kommune.base_url)
    try:
        meetings = fa.parse_udvalgsliste(fetch_api(fetcher, url).content, url)
    except (FetchError, fa.ParseError) as exc:
        raise CrawlError(f"udvalgslisten kunne ikke hentes: {exc}") from exc
    # Same-day meetings are judged on every open meeting of the committee, not only the
    # selected ones, so --since or --limit never change an id.
    open_meetings = [m for m in meetings if not m.closed]
    selected = fa.select_meetings(meetings, options.udvalg, options.since)
    return selected, fa.same_day_meetings(open_meetings)


def plan(
    meetings: list[fa.MeetingRef],
    same_day: set[str],
    options: AgendaOptions,
    state: CrawlState,
    crawler: PageCrawler,
) -> Plan:
    """The queue, newest meeting first, and how many meetings were unchanged in the list."""
    candidates = []
    skipped = 0
    # Newest first, so --limit takes the meetings a reader is most likely to look for.
    ordered = sorted(meetings, key=lambda m: (m.start, m.id), reverse=True)
    for index, meeting in enumerate(ordered):
        url = fa.dagsorden_url(options.kommune.base_url, meeting.id)
        kind = meeting_kind(meeting.id in same_day, options.bilag)
        page = state.page(url)
        if page is None or page.kind != kind or not crawler.has_records(page):
            priority = PRIORITY_NEW
        elif meeting.version is None:
            priority = PRIORITY_REVALIDATE
        elif meeting.version == page.lastmod:
            skipped += 1  # the list says nothing changed since we read it: no request
            continue
        else:
            priority = PRIORITY_CHANGED
        candidates.append((priority, index, Queued(url, kind, meeting.version)))
    return Plan(in_queue_order(candidates, options.limit), skipped)


@dataclass(frozen=True)
class AgendaPages:
    """The page hooks of FirstAgenda: a meeting gives one record per open item with content."""

    kommune: fa.Kommune
    bilag: bool = False  # --bilag: read the attachments' PDFs into the items' text
    page_text_note = "punkterne er gemt uden bilagets tekst"

    def fetch(self, fetcher: Fetcher, url: str, conditional: bool) -> FetchResult:
        return fetch_api(fetcher, url, conditional)

    def parse(self, result: FetchResult, item: QueueItem) -> Parsed:
        agenda = fa.parse_dagsorden(
            result.content,
            item.url,
            self.kommune,
            same_day=item.kind.startswith(KIND_MEETING_SAME_DAY),
            fetched_at=result.snapshot.fetched_at,
        )
        left_out = [(record_id, "closed") for record_id in agenda.closed]
        left_out += [(record_id, "empty") for record_id in agenda.empty]
        if not self.bilag:
            return Parsed(records=agenda.records, left_out=left_out)
        urls = attachment_urls(agenda.records)
        return Parsed(
            records=agenda.records,
            left_out=left_out,
            documents=urls,
            with_documents=lambda texts: with_attachment_texts(agenda.records, urls, texts),
            # The viewer page holds a signed link that expires in minutes: neither is kept.
            keep_documents=False,
            documents_are="bilaget",
        )

    def keeps_stored(self, stored: dict, record: dict, written_before: bool) -> bool:
        # An attachment failed: a stored item (with its attachments' text, from a run that
        # read them) stays; the meeting is tried again next time.
        return True


def crawl_firstagenda(
    options: AgendaOptions,
    fetcher: Fetcher,
    progress: Progress | None = None,
    now: Callable[[], datetime] = utc_now,
) -> AgendaSummary:
    """Bring `<corpus>/kommune/` up to date with one municipality's committees; resumes first."""
    re.compile(options.udvalg)  # a bad pattern fails here, before any request
    writer = CorpusWriter(options.corpus / fa.SOURCE)
    with CrawlState(state_path(options.corpus, options.source), options.source) as state:
        hooks = AgendaPages(options.kommune, options.bilag)
        crawler = PageCrawler(hooks, fetcher, state, writer, now)

        start = {KIND_MEETING: fa.udvalgsliste_url(options.kommune.base_url)}
        discovery = Discovery(None, start)

        def plan_crawl() -> Plan:
            nonlocal discovery
            meetings, same_day = _discover(fetcher, options)
            planned = plan(meetings, same_day, options, state, crawler)
            discovery = Discovery(
                {KIND_MEETING: len(meetings)}, start, {KIND_MEETING: planned.skipped}
            )
            return planned

        crawl, resumed = run_queue(
            state,
            options.key(),
            plan_crawl,
            crawler.process,
            progress or SilentProgress(),
            now,
            "møder",
        )
        silent = close_run(
            state,
            crawl,
            discovery,
            runs_path(options.corpus, options.source),
            fa.SOURCE,
            iso_seconds(now()),
            municipality=options.kommune.key,
            kind_of=lambda kind: KIND_MEETING,
        )
        summary = summarise_agenda(state, crawl, resumed)
        summary.failed.extend(silent)
        return summary


class FirstAgendaSource(Source):
    name = "firstagenda"
    folder = fa.SOURCE
    kinds = (KIND_MEETING,)
    default_base_url = None  # the municipality's site, from --kommune
    summary = AgendaSummary
    noun = "møder"
    help = """Hent dagsordenspunkter fra en kommunes FirstAgenda-site (JSON-API'et) og skriv ét
    dokument pr. åbent punkt i <corpus>/kommune/.

    Kun udvalg, hvis navn matcher --udvalg, og kun åbne punkter med tekst eller bilag. Høflig
    og genoptagelig som `scrape ast`; møder, der er uændrede i udvalgslisten, hentes ikke igen.
    Afslutter med kode 1, hvis noget møde fejlede; fejlene nævnes med adresse.
    """
    since_help = "møder på denne dato eller senere"
    base_url_help = (
        "Sitets adresse, hvis kommunen ikke er kendt, eller et spejl/en lokal testserver."
    )

    def cli_options(self) -> list[Callable]:
        return [
            click.option(
                "--kommune",
                required=True,
                help="Kommunen, fx hvidovre eller aarhus (kendte: "
                "scrapers/firstagenda_kommuner.json).",
            ),
            click.option(
                "--udvalg",
                default=None,
                help="Regulært udtryk for udvalgenes navne (uden forskel på store og små "
                f"bogstaver). Standard: {fa.DEFAULT_UDVALG}.",
            ),
            click.option(
                "--bilag",
                is_flag=True,
                help="Læs også bilagenes PDF'er og føj deres tekst til punktets tekst (under "
                "«Bilag: <titel>»), så søgningen finder dem. Bilagene vises gennem en side med "
                "et kortlivet, signeret link; det følges én gang og gemmes aldrig.",
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
    ) -> AgendaSummary:
        options = self.options(corpus, base_url, since, limit, values)
        click.echo(
            f"{options.kommune.name} Kommune ({options.kommune.base_url}), "
            f"udvalg: {options.udvalg}",
            err=True,
        )
        return crawl_firstagenda(options, fetcher, progress)

    def options(
        self,
        corpus: Path,
        base_url: str | None,
        since: str | None,
        limit: int | None,
        values: dict,
    ) -> AgendaOptions:
        try:
            municipality = fa.kommune_for(values["kommune"], base_url)
        except fa.UnknownKommune as exc:
            raise click.BadParameter(str(exc), param_hint="--kommune") from exc
        udvalg = values.get("udvalg") or fa.DEFAULT_UDVALG
        try:
            re.compile(udvalg)
        except re.error as exc:
            raise click.BadParameter(
                f"ugyldigt regulært udtryk ({exc})", param_hint="--udvalg"
            ) from exc
        return AgendaOptions(
            corpus=corpus,
            kommune=municipality,
            udvalg=udvalg,
            since=since,
            limit=limit,
            bilag=bool(values.get("bilag")),
        )

    def discover(
        self, fetcher: Fetcher, *, base_url: str | None, values: dict
    ) -> tuple[PageHooks, dict[str, list[Queued]], dict[str, str]]:
        options = self.options(Path("."), base_url, None, None, values)
        meetings, same_day = _discover(fetcher, options)
        ordered = sorted(meetings, key=lambda m: (m.start, m.id), reverse=True)
        found = [
            Queued(
                fa.dagsorden_url(options.kommune.base_url, meeting.id),
                meeting_kind(meeting.id in same_day, options.bilag),
                meeting.version,
            )
            for meeting in ordered
        ]
        start = fa.udvalgsliste_url(options.kommune.base_url)
        hooks = AgendaPages(options.kommune, options.bilag)
        return hooks, {KIND_MEETING: found}, {KIND_MEETING: start}


source = FirstAgendaSource()
