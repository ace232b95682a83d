"""Åben Dagsorden (Glostrup, Syddjurs) on the runner: the meeting search, window by window under
its 50-meeting cap, then each meeting's item fragment (`/fragments/meeting/{id}/view`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from retskilde.scrapers import aabendagsorden as ad
from retskilde.scrapers.fetcher import FetchResult
from retskilde.scrapers.kommuner import Kommune
from retskilde.scrapers.runner import Parsed
from retskilde.scrapers.sources.agenda_platform import AgendaPlatformSource, Listed, from_agenda


class AabenDagsordenSource(AgendaPlatformSource):
    name = "aabendagsorden"
    platform = ad.PLATFORM
    help = """Hent dagsordenspunkter fra en kommunes Åben Dagsorden-site (Glostrup, Syddjurs):
    mødesøgningen i vinduer under dens loft på 50 møder, derefter hvert mødes punkter, og skriv
    ét dokument pr. åbent punkt i <corpus>/kommune/.

    Uden --since søges to år tilbage (og 90 dage frem). Høflig og genoptagelig som `scrape
    ast`; afslutter med kode 1, hvis noget fejlede.
    """

    def start_url(self, kommune: Kommune, since: date, until: date) -> str:
        return ad.search_url(
            kommune.base_url, since, until, kommune.settings.get("datoformat", "iso")
        )

    def listed(
        self, get: Callable[[str], bytes], kommune: Kommune, since: date, until: date
    ) -> list[Listed]:
        return [
            Listed(
                ad.fragment_url(kommune.base_url, meeting.id),
                meeting.committee,
                meeting.start,
                None,  # the search gives no change stamp: asked for, conditionally
                {"id": meeting.id, "gruppe": meeting.group},
            )
            for meeting in ad.discover_meetings(get, kommune, since, until)
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
        ref = ad.MeetingRef(
            listed.data["id"], listed.committee, listed.start, listed.data.get("gruppe", "")
        )
        agenda = ad.parse_meeting_fragment(
            result.content,
            result.final_url,
            kommune,
            ref,
            same_day=same_day,
            fetched_at=fetched_at,
        )
        return from_agenda(agenda)


source = AabenDagsordenSource()
