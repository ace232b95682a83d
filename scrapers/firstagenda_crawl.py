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
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from scrapers import firstagenda as fa
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
    tally_records,
)
from scrapers.fetcher import (
    Fetcher,
    FetchError,
    FetchResult,
    RobotsDisallowed,
    iso_seconds,
    utc_now,
)
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

KIND_MEETING = "moede"
KIND_MEETING_SAME_DAY = "moede-samme-dag"  # another meeting of the committee that day: id has kl.


@dataclass(frozen=True)
class AgendaOptions:
    """Which municipality and committees to crawl, and where to put the records."""

    corpus: Path
    kommune: fa.Kommune
    udvalg: str = fa.DEFAULT_UDVALG
    since: str | None = None  # YYYY-MM-DD: only meetings on or after this day
    limit: int | None = None  # at most this many meetings in the queue

    def key(self) -> dict:
        """The options a resumed crawl must share with the interrupted one."""
        return {
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


@dataclass
class AgendaSummary(Tally):
    """What one crawl did: meetings asked for, records written, items left out, failures."""

    meetings: int = 0
    skipped: int = 0
    closed: int = 0
    empty: int = 0


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


class _Planner:
    def __init__(self, state: CrawlState, writer: CorpusWriter):
        self.state = state
        self.writer = writer

    def has_records(self, url: str) -> bool:
        """Every record the last good visit wrote is still in the corpus."""
        return all(
            self.writer.path(record_id).exists()
            for record_id, outcome in self.state.records_of(url)
            if outcome in WRITTEN_OUTCOMES
        )

    def plan(
        self, meetings: list[fa.MeetingRef], same_day: set[str], options: AgendaOptions
    ) -> Plan:
        candidates = []
        skipped = 0
        # Newest first, so --limit takes the meetings a reader is most likely to look for.
        ordered = sorted(meetings, key=lambda m: (m.start, m.id), reverse=True)
        for index, meeting in enumerate(ordered):
            url = fa.dagsorden_url(options.kommune.base_url, meeting.id)
            kind = KIND_MEETING_SAME_DAY if meeting.id in same_day else KIND_MEETING
            page = self.state.page(url)
            known = page is not None and page.outcome == "ok" and page.kind == kind
            if not known or not self.has_records(url):
                priority = PRIORITY_NEW
            elif meeting.version is None:
                priority = PRIORITY_REVALIDATE
            elif meeting.version == page.lastmod:
                skipped += 1  # the list says nothing changed since we read it: no request
                continue
            else:
                priority = PRIORITY_CHANGED
            candidates.append((priority, index, (url, kind, meeting.version)))
        return in_queue_order(candidates, options.limit), skipped


class _Crawler:
    def __init__(
        self,
        options: AgendaOptions,
        fetcher: Fetcher,
        state: CrawlState,
        writer: CorpusWriter,
        now: Callable[[], datetime],
    ):
        self.options = options
        self.fetcher = fetcher
        self.state = state
        self.writer = writer
        self.now = now
        self.planner = _Planner(state, writer)

    def process(self, crawl_id: int, item: QueueItem) -> Finished:
        """Fetch, parse and store one meeting; never raises for a bad meeting."""
        previous = self.state.page(item.url)
        checked_at = iso_seconds(self.now())

        def failed(reason: str, fetched: bool = False) -> Finished:
            page = PageState(
                item.url,
                item.kind,
                None,  # no version: a failed meeting is asked for again next time
                None,
                previous.sha256 if previous else None,
                "failed",
                reason,
                checked_at,
            )
            return ItemOutcome(item.url, "failed", reason, fetched), page, []

        try:
            # After a failure, a fresh copy: a 304 would hand back the very bytes that failed.
            conditional = previous is None or previous.outcome == "ok"
            result = fetch_api(self.fetcher, item.url, conditional)
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
            and previous.kind == item.kind
            and self.planner.has_records(item.url)
        ):
            replayed = [
                (record_id, "not_modified" if outcome in WRITTEN_OUTCOMES else outcome)
                for record_id, outcome in self.state.records_of(item.url)
            ]
            page = replace(previous, lastmod=item.lastmod, checked_at=checked_at)
            return ItemOutcome(item.url, "not_modified", None, False), page, replayed
        try:
            agenda = fa.parse_dagsorden(
                result.content,
                item.url,
                self.options.kommune,
                same_day=item.kind == KIND_MEETING_SAME_DAY,
                fetched_at=result.snapshot.fetched_at,
            )
        except fa.ParseError as exc:
            return failed(exc.reason, fetched)
        except Exception as exc:
            # A parser bug on one odd meeting must not stop (and on resume, block) the crawl.
            log.exception("uventet fejl ved fortolkning af %s", item.url)
            return failed(f"uventet fortolkningsfejl ({type(exc).__name__}: {exc})", fetched)
        for record in agenda.records:
            other = self.state.other_url_with_item_record(record["id"], item.url, crawl_id)
            if other:
                return failed(f"giver samme id ({record['id']}) som {other}", fetched)
        written: list[tuple[str, str]] = []
        invalid: list[str] = []
        for record in agenda.records:
            try:
                written.append((record["id"], self.writer.write(record, item.url).value))
            except InvalidRecord as exc:
                invalid.append(f"{record['id']}: {str(exc).split(': ', 1)[-1]}")
        if invalid:
            outcome, page, _ = failed("; ".join(invalid), fetched)
            return outcome, page, written
        written += [(record_id, "closed") for record_id in agenda.closed]
        written += [(record_id, "empty") for record_id in agenda.empty]
        page = PageState(
            item.url,
            item.kind,
            item.lastmod,
            None,
            result.snapshot.sha256,
            "ok",
            None,
            checked_at,
        )
        outcomes = {outcome for _, outcome in written}
        label = next((o for o in ("new", "changed") if o in outcomes), "unchanged")
        if label == "unchanged" and not fetched:
            label = "not_modified"
        return ItemOutcome(item.url, label, None, fetched), page, written


def _summarise(state: CrawlState, crawl: Crawl, resumed: bool) -> AgendaSummary:
    summary = AgendaSummary(skipped=crawl.skipped, resumed=resumed)
    summary.meetings = len(tally_pages(summary, state, crawl.id))
    counts = tally_records(summary, state, crawl.id)
    summary.closed = counts.get("closed", 0)
    summary.empty = counts.get("empty", 0)
    return summary


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
        crawler = _Crawler(options, fetcher, state, writer, now)

        def plan() -> Plan:
            meetings, same_day = _discover(fetcher, options)
            return crawler.planner.plan(meetings, same_day, options)

        crawl, resumed = run_queue(
            state, options.key(), plan, crawler.process, progress or SilentProgress(), now, "møder"
        )
        return _summarise(state, crawl, resumed)
