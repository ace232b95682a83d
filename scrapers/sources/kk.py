"""København (kk.dk) on the runner: the Drupal JSON:API list of agenda items
(`/jsonapi/node/agenda_element`, paged by `links.next`), then each item's page; one record per
item page, the minutes' page where both the agenda's and the minutes' are listed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from retskilde.scrapers import kkdk
from retskilde.scrapers.fetcher import FetchResult
from retskilde.scrapers.kommuner import Kommune
from retskilde.scrapers.runner import Parsed
from retskilde.scrapers.sources.agenda_platform import AgendaPlatformSource, Listed, from_agenda


class KkSource(AgendaPlatformSource):
    name = "kk"
    platform = "kk"
    kind = "punkt"
    noun = "punkter"
    help = """Hent dagsordenspunkter fra kk.dk (Københavns Kommune): JSON:API-listen over
    punkter, side for side, derefter hvert punkts side, og skriv ét dokument pr. åbent punkt i
    <corpus>/kommune/ (referatets udgave, når både dagsorden og referat findes).

    Uden --since søges to år tilbage (og 90 dage frem). Et punkt, der allerede er læst i samme
    udgave (dagsorden/referat), hentes ikke igen. Afslutter med kode 1, hvis noget fejlede.
    """

    def start_url(self, kommune: Kommune, since: date, until: date) -> str:
        return kkdk.agenda_elements_url(kommune.base_url, since, until)

    def listed(
        self, get: Callable[[str], bytes], kommune: Kommune, since: date, until: date
    ) -> list[Listed]:
        return [
            Listed(
                kkdk.item_url(kommune.base_url, element),
                element.committee,
                element.start,
                element.kind,  # an item page read as agenda or minutes stays as it was
                {
                    "id": element.id,
                    "titel": element.title,
                    "sti": element.path,
                    "nummer": element.number,
                    "slags": element.kind,
                },
            )
            for element in kkdk.discover_elements(get, kommune.base_url, since, until)
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
        element = kkdk.ElementRef(
            id=listed.data["id"],
            title=listed.data["titel"],
            path=listed.data["sti"],
            committee=listed.committee,
            start=listed.start,
            number=listed.data["nummer"],
            kind=listed.data["slags"],
        )
        agenda = kkdk.parse_item_page(
            result.content, result.final_url, kommune, element, fetched_at=fetched_at
        )
        return from_agenda(agenda)


source = KkSource()
