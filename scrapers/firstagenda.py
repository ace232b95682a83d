"""FirstAgenda Publication (kommunale dagsordener): pure parsers from the JSON API to records.

Facts about the platform (learned from public scrapers and recorded answers, not copied): a
municipality's site answers `GET /api/agenda/udvalgsliste` with every committee per valgperiode
and its meetings inlined (`{"Udvalg": {"Udvalg 2022-2025": [{Id, Navn, Moeder: [...]}]}}`), and
`GET /api/agenda/dagsorden/{mødeId}` with the meeting's `Dagsordenpunkter` (Navn/Caption,
Punktnummer, SagsNummer, IsOpen, `Felter[].Html` holding `<h3>` sections each followed by a
`<span>`, Indstilling and the decisions often inside an extra `<div>`, and `Bilag[]` whose PDFs
are at `/Vis/Pdf/bilag/{Id}`). In the agenda answer the meeting's own id is the top-level `Id`;
`Moede.Id` is a zero GUID. The public meeting page is `/vis?id={mødeId}`. Some sites answer the
API only after the front page has set an anonymous cookie; without it the API redirects to an
HTML page.

The HTML meeting page (a rendering of the same data) is parsed in `scrapers.firstagenda_html`;
both read into the platform-neutral model of `scrapers.agenda`, so one item gives one record
whichever way it came.

No function here touches the network: they take the bytes the fetcher got.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlparse

from retskilde.scrapers.agenda import (  # noqa: F401 (the model, re-exported for the platform's users)
    DATE_TIME,
    DEFAULT_UDVALG,
    DOC_TYPE,
    MAX_ID_LENGTH,
    SOURCE,
    AgendaResult,
    Item,
    Meeting,
    ParseError,
    Section,
    collect,
    committee_matches,
    fragment,
    is_closed,
    item_record,
    sections_of,
    slug,
    text_section,
)
from retskilde.scrapers.htmltext import squash
from retskilde.scrapers.kommuner import Kommune, UnknownKommune  # noqa: F401
from retskilde.scrapers.kommuner import kommune_for as _kommune_for
from retskilde.scrapers.kommuner import load_kommuner as _load_kommuner

PLATFORM = "firstagenda"
ZERO_GUID = "00000000-0000-0000-0000-000000000000"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_CLOSED_TITLE = re.compile(r"^\s*lukket\b", re.I)
_SUPPLEMENTARY = re.compile(r"^\s*till(æ|ae)g", re.I)


# -- municipalities ---------------------------------------------------------------------------


def load_kommuner() -> dict[str, Kommune]:
    """The municipalities on FirstAgenda Publication, from the registry."""
    return _load_kommuner(PLATFORM)


def kommune_for(key: str, base_url: str | None = None) -> Kommune:
    """The FirstAgenda municipality `key`, its site replaced by `base_url` when given."""
    return _kommune_for(key, base_url, PLATFORM)


# -- URLs -------------------------------------------------------------------------------------


def udvalgsliste_url(base_url: str) -> str:
    """Every committee with its meetings."""
    return f"{base_url.rstrip('/')}/api/agenda/udvalgsliste"


def dagsorden_url(base_url: str, meeting_id: str) -> str:
    """One meeting's agenda items."""
    return f"{base_url.rstrip('/')}/api/agenda/dagsorden/{meeting_id}"


def bilag_url(base_url: str, document_id: str) -> str:
    """An attachment's PDF (a viewer page that leads to the file)."""
    return f"{base_url.rstrip('/')}/Vis/Pdf/bilag/{document_id}"


def meeting_page_url(base_url: str, meeting_id: str) -> str:
    """The public page of a meeting: what a reader opens (never with a #fragment: the platform
    reads it as the meeting id)."""
    return f"{base_url.rstrip('/')}/vis?id={meeting_id}"


def front_page_url(base_url: str) -> str:
    """The front page: fetched first, it sets the anonymous cookie some sites want for the API."""
    return f"{base_url.rstrip('/')}/"


def origin(url: str) -> str:
    """Scheme and host of `url` (a site's base URL)."""
    parts = urlparse(url)
    return f"{parts.scheme}://{parts.netloc}"


# -- small helpers ----------------------------------------------------------------------------


def is_guid(value: object) -> bool:
    """A real GUID (not the platform's zero placeholder)."""
    return isinstance(value, str) and bool(_GUID.match(value)) and value != ZERO_GUID


def _text(value: object) -> str:
    return squash(value) if isinstance(value, str) else ""


def load_json(content: bytes, url: str) -> object:
    """The decoded JSON answer; ParseError when it is HTML or broken."""
    text = content.decode("utf-8-sig", errors="replace").strip()
    if text.startswith("<"):
        raise ParseError(url, "svaret er en HTML-side, ikke JSON (kræver sitet en anonym cookie?)")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ParseError(url, f"svaret er ikke gyldig JSON ({exc})") from exc


# -- the committee list -----------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingRef:
    """One meeting as the committee list shows it."""

    id: str
    committee: str
    start: str  # ISO 8601 with the site's offset, e.g. 2025-11-04T16:00:00+01:00
    name: str = ""  # "Dagsorden", "Referat", "Tillægsdagsorden", "Lukket referat" …
    released: str | None = None
    finished: bool | None = None
    supplementary: bool = False

    @property
    def date(self) -> str:
        """The meeting day (YYYY-MM-DD, local time as the site gives it)."""
        return self.start[:10]

    @property
    def closed(self) -> bool:
        """A closed meeting ("Lukket referat"): nothing in it is public."""
        return bool(_CLOSED_TITLE.match(self.name))

    @property
    def version(self) -> str | None:
        """What changes when the site republishes the meeting (agenda → minutes, corrections)."""
        # Without a release time nothing tells us it is unchanged: ask (conditionally) every run.
        if not self.released:
            return None
        return json.dumps([self.name, self.released, self.finished], ensure_ascii=False)


def parse_udvalgsliste(content: bytes, url: str) -> list[MeetingRef]:
    """Every meeting in the committee list, once each, in the list's order."""
    data = load_json(content, url)
    groups = data.get("Udvalg") if isinstance(data, dict) else None
    if not isinstance(groups, dict):
        raise ParseError(url, "svaret har ikke feltet Udvalg (en udvalgsliste)")
    meetings: list[MeetingRef] = []
    seen: set[str] = set()
    for committees in groups.values():
        for committee in committees if isinstance(committees, list) else []:
            if not isinstance(committee, dict):
                continue
            committee_name = _text(committee.get("Navn"))
            for meeting in committee.get("Moeder") or []:
                if not isinstance(meeting, dict):
                    continue
                meeting_id = meeting.get("Id")
                start = meeting.get("Dato") or meeting.get("MeetingBeginUtc")
                start = start if isinstance(start, str) else ""
                if not is_guid(meeting_id) or not DATE_TIME.match(start) or not committee_name:
                    continue
                if meeting_id in seen:
                    continue
                seen.add(meeting_id)
                name = _text(meeting.get("Navn"))
                meetings.append(
                    MeetingRef(
                        id=meeting_id,
                        committee=committee_name,
                        start=start,
                        name=name,
                        released=meeting.get("ReleasedDate"),
                        finished=meeting.get("Afsluttet"),
                        supplementary=bool(meeting.get("IsSupplementaryAgenda"))
                        or bool(_SUPPLEMENTARY.match(name)),
                    )
                )
    return meetings


def select_meetings(
    meetings: list[MeetingRef], udvalg: str = DEFAULT_UDVALG, since: str | None = None
) -> list[MeetingRef]:
    """The open meetings of the committees matching `udvalg`, on or after `since`."""
    re.compile(udvalg)  # a bad pattern fails here
    return [
        m
        for m in meetings
        if committee_matches(m.committee, udvalg)
        and not m.closed
        and (since is None or m.date >= since)
    ]


def same_day_meetings(meetings: list[MeetingRef]) -> set[str]:
    """Meetings sharing committee, day and kind with another: their ids need the time of day."""
    groups: dict[tuple[str, str, bool], list[str]] = {}
    for m in meetings:
        groups.setdefault((m.committee.casefold(), m.date, m.supplementary), []).append(m.id)
    return {meeting_id for ids in groups.values() if len(ids) > 1 for meeting_id in ids}


# -- the agenda answer ------------------------------------------------------------------------


def _felter_sections(felter: object, base_url: str) -> list[Section]:
    found: list[Section] = []
    for felt in felter if isinstance(felter, list) else []:
        if not isinstance(felt, dict):
            continue
        heading = _text(felt.get("Navn"))
        markup = felt.get("Html")
        if isinstance(markup, str) and markup.strip():
            found.extend(sections_of(fragment(markup), base_url, heading))
        elif isinstance(felt.get("Tekst"), str):
            section = text_section(heading, felt["Tekst"])
            if section:
                found.append(section)
    return found


def _bilag(bilag: object, base_url: str) -> tuple[dict, ...]:
    entries = [b for b in (bilag if isinstance(bilag, list) else []) if isinstance(b, dict)]
    entries.sort(key=lambda b: b.get("Order") if isinstance(b.get("Order"), int) else 0)
    found: list[dict] = []
    for index, entry in enumerate(entries, start=1):
        document_id = entry.get("Id")
        if not is_guid(document_id):
            continue
        title = _text(entry.get("Navn")) or f"Bilag {index}"
        url = bilag_url(base_url, document_id)
        if all(a["url"] != url for a in found):
            found.append({"title": title, "url": url})
    return tuple(found)


def _api_item(entry: dict, position: int, base_url: str) -> Item:
    title = _text(entry.get("Navn")) or _text(entry.get("Caption"))
    number = _text(entry.get("Punktnummer")) or _text(entry.get("Number")) or str(position)
    return Item(
        number=number,
        title=title or f"Punkt {number}",
        case_number=_text(entry.get("SagsNummer")) or _text(entry.get("CaseNumber")) or None,
        sections=tuple(_felter_sections(entry.get("Felter"), base_url)),
        attachments=_bilag(entry.get("Bilag"), base_url),
        is_open=not is_closed(title, entry.get("IsOpen")),
    )


def parse_dagsorden(
    content: bytes,
    url: str,
    kommune: Kommune,
    *,
    same_day: bool = False,
    fetched_at: str | None = None,
) -> AgendaResult:
    """The records of one meeting's agenda answer (`/api/agenda/dagsorden/{id}`)."""
    data = load_json(content, url)
    if not isinstance(data, dict) or not isinstance(data.get("Dagsordenpunkter"), list):
        raise ParseError(url, "svaret har ikke feltet Dagsordenpunkter (en dagsorden)")
    committee = data.get("Udvalg") if isinstance(data.get("Udvalg"), dict) else {}
    moede = data.get("Moede") if isinstance(data.get("Moede"), dict) else {}
    committee_name = _text(committee.get("Navn"))
    start = moede.get("Dato") or moede.get("MeetingBeginUtc") or ""
    if not committee_name:
        raise ParseError(url, "dagsordenen nævner intet udvalg (Udvalg.Navn)")
    if not isinstance(start, str) or not DATE_TIME.match(start):
        raise ParseError(url, f"dagsordenen har ingen gyldig mødedato (Moede.Dato: {start!r})")
    # The top-level Id is the meeting; Moede.Id is a zero GUID in these answers.
    meeting_id = data.get("Id") if is_guid(data.get("Id")) else urlparse(url).path.rsplit("/")[-1]
    if not is_guid(meeting_id):
        raise ParseError(url, "dagsordenen har intet møde-id")
    meeting = Meeting(
        kommune=kommune,
        meeting_id=meeting_id,
        committee=committee_name,
        start=start,
        supplementary=bool(data.get("TillaegsDagsorden"))
        or bool(moede.get("IsSupplementaryAgenda"))
        or bool(_SUPPLEMENTARY.match(_text(moede.get("Navn")))),
        same_day=same_day,
        url=meeting_page_url(kommune.base_url, meeting_id),
    )
    items = [
        _api_item(entry, position, kommune.base_url)
        for position, entry in enumerate(data["Dagsordenpunkter"], start=1)
        if isinstance(entry, dict)
    ]
    return collect(meeting, items, content, fetched_at)
