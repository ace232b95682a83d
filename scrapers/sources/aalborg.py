"""Aalborg on the runner: each known committee's meeting list, then every minutes page
(`/dagsordenreferat/visreferat?…`); a minutes page once read is not asked for again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from retskilde.scrapers import aalborg
from retskilde.scrapers.fetcher import FetchResult
from retskilde.scrapers.kommuner import Kommune
from retskilde.scrapers.runner import Parsed
from retskilde.scrapers.sources.agenda_platform import AgendaPlatformSource, Listed, from_agenda


class AalborgSource(AgendaPlatformSource):
    name = "aalborg"
    platform = "aalborg"
    help = """Hent referater fra Aalborg Kommunes egen dagsordensapp: hvert kendt udvalgs
    mødeliste (udvalgs-id'erne står i scrapers/kommuner.json), derefter hvert referat, og skriv
    ét dokument pr. åbent punkt i <corpus>/kommune/.

    Et referat, der allerede er læst, hentes ikke igen. Afslutter med kode 1, hvis noget fejlede.
    """

    def start_url(self, kommune: Kommune, since: date, until: date) -> str:
        ids = kommune.settings.get("udvalg_ids") or [""]
        return aalborg.meetings_url(kommune.base_url, ids[0])

    def listed(
        self, get: Callable[[str], bytes], kommune: Kommune, since: date, until: date
    ) -> list[Listed]:
        return [
            Listed(meeting.url, meeting.committee, meeting.date, meeting.kind)
            for meeting in aalborg.discover_meetings(get, kommune)
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
        link = aalborg.MeetingLink(listed.url, listed.committee, listed.day, listed.stamp or "")
        agenda = aalborg.parse_minutes_page(
            result.content, result.final_url, kommune, link, fetched_at=fetched_at
        )
        return from_agenda(agenda)


source = AalborgSource()
