"""Formpipe Meetings+ (Billund, Norddjurs) on the runner: the overview (and committee pages),
then each meeting page for its items, their text read from the minutes PDF it links."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from retskilde.scrapers import meetingsplus as mp
from retskilde.scrapers.fetcher import FetchResult
from retskilde.scrapers.kommuner import Kommune
from retskilde.scrapers.runner import Parsed
from retskilde.scrapers.sources.agenda_platform import AgendaPlatformSource, Listed


class MeetingsPlusSource(AgendaPlatformSource):
    name = "meetingsplus"
    platform = "meetingsplus"
    help = """Hent dagsordenspunkter fra en kommunes Formpipe Meetings+-site (Billund,
    Norddjurs): oversigten og udvalgssiderne, hvert mødes side for punkterne og referatets PDF
    for deres tekst, og skriv ét dokument pr. åbent punkt i <corpus>/kommune/.

    Et referat, der ikke kan læses, nævnes med adresse (kode 1); punkterne gemmes da med
    titlen alene, medmindre korpusset har dem med tekst.
    """

    def start_url(self, kommune: Kommune, since: date, until: date) -> str:
        return mp.overview_url(kommune.base_url)

    def listed(
        self, get: Callable[[str], bytes], kommune: Kommune, since: date, until: date
    ) -> list[Listed]:
        committees = tuple(kommune.settings.get("udvalg_slugs") or ())
        return [
            Listed(meeting.url, meeting.committee, meeting.date, None, {"id": meeting.id})
            for meeting in mp.discover_meetings(get, kommune.base_url, committees)
        ]

    def parsed(
        self,
        result: FetchResult,
        kommune: Kommune,
        listed: Listed,
        *,
        same_day: bool,
        fetched_at: str | None,
    ) -> Parsed:
        page = mp.parse_meeting_page(result.content, result.final_url)
        link = mp.MeetingLink(listed.url, listed.committee, listed.day, listed.data.get("id", ""))

        def agenda(minutes: list[str] | None):
            return mp.parse_meeting(
                page,
                result.final_url,
                kommune,
                link,
                minutes,
                result.content,
                same_day=same_day,
                fetched_at=fetched_at,
            )

        without = agenda(None)
        # Items are empty until the minutes give their text; only closed ones are left out.
        left_out = [(record_id, "closed") for record_id in without.closed]
        if not page.minutes_url:
            return Parsed(records=without.records, left_out=left_out)
        return Parsed(
            records=without.records,
            left_out=left_out,
            documents=[page.minutes_url],
            with_documents=lambda texts: agenda(texts[0]).records,
            documents_are="referatet",
        )


source = MeetingsPlusSource()
