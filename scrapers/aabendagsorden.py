"""Åben Dagsorden (Glostrup, Syddjurs): pure parsers from the meeting search and item HTML.

Facts about the platform (from public scrapers and a real meeting document, not copied):
`GET /rest/meeting/search?query=&fromDate=<d>&toDate=<d>` answers `{numberOfResults, meetings:
[{meetingId, date, committeeGroupName, committeeName, blocked, agendaItems}]}` with at most 50
meetings, so a period is asked for in windows (and a full window split in two). The date format
of the query differs per municipality: ISO on one site, dd/mm/yyyy on another (the registry's
`datoformat`). `GET /fragments/meeting/{id}/view` is the meeting's items as server-rendered HTML,
each item headed by `class="agenda-item-title"` ("Punkt N Titel") and followed by its sections;
the public page is `/meeting/{id}`; the meeting document (Word or PDF) is
`/meeting/files/{id}/{name}`, laid out "N. Titel", "Sagsnr. i ESDH: …", Beslutningskompetence,
Resumé, Sagsfremstilling, Indstilling, "Beslutning i <udvalg> den dd-mm-yyyy", Afbud. A closed
item is titled "… - (FOR LUKKEDE DØRE)" and carries only the decision.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode, urljoin, urlparse

from retskilde.scrapers.agenda import (
    DATE_TIME,
    AgendaResult,
    DocumentItem,
    Item,
    Meeting,
    ParseError,
    collect,
    is_closed,
    items_from_paragraphs,
    promote_headings,
    sections_of,
)
from retskilde.scrapers.extract import extract_paragraphs
from retskilde.scrapers.htmltext import inline_text, link_title, soup_of, squash
from retskilde.scrapers.kommuner import Kommune

if TYPE_CHECKING:
    from bs4 import Tag

PLATFORM = "aabendagsorden"
RESULT_CAP = 50  # the search never answers more than this many meetings
WINDOW_DAYS = 10
_ITEM_TITLE = re.compile(r"^(?:punkt\s+)?(\d{1,3})\.?\s+(.+)$", re.I)
_CASE = re.compile(r"^(?:sagsnr|sagsnummer)\.?(?:\s+i\s+\w+)?\s*:?\s*(\S.*)?$", re.I)
_HEADINGS = ["h2", "h3", "h4", "h5", "h6"]


# -- the meeting search -----------------------------------------------------------------------


def query_date(day: date, date_format: str) -> str:
    """A day as the site's search wants it: "iso" (2025-11-19) or "dmy" (19/11/2025)."""
    if date_format == "dmy":
        return day.strftime("%d/%m/%Y")
    if date_format == "iso":
        return day.isoformat()
    raise ValueError(f"ukendt datoformat {date_format!r} (iso eller dmy)")


def search_url(base_url: str, start: date, end: date, date_format: str = "iso") -> str:
    """The meetings from `start` to `end` (both included)."""
    query = {
        "query": "",
        "fromDate": query_date(start, date_format),
        "toDate": query_date(end, date_format),
    }
    return f"{base_url.rstrip('/')}/rest/meeting/search?{urlencode(query)}"


def windows(start: date, end: date, days: int = WINDOW_DAYS) -> list[tuple[date, date]]:
    """`start`…`end` cut into windows of `days` days, newest first."""
    found = []
    while end >= start:
        first = max(start, end - timedelta(days=days - 1))
        found.append((first, end))
        end = first - timedelta(days=1)
    return found


def halves(start: date, end: date) -> list[tuple[date, date]] | None:
    """A full window split in two; None when it is one day and cannot be split."""
    if start >= end:
        return None
    middle = start + (end - start) // 2
    return [(middle + timedelta(days=1), end), (start, middle)]


@dataclass(frozen=True)
class MeetingRef:
    """One meeting as the search shows it."""

    id: str
    committee: str
    start: str
    group: str = ""

    @property
    def date(self) -> str:
        """The meeting day."""
        return self.start[:10]


@dataclass(frozen=True)
class SearchResult:
    """The meetings of one search window and whether the cap cut it."""

    meetings: list[MeetingRef]
    total: int

    @property
    def capped(self) -> bool:
        """The answer may miss meetings: ask again in smaller windows."""
        return self.total >= RESULT_CAP or len(self.meetings) >= RESULT_CAP


def parse_search(content: bytes, url: str, excluded: tuple[str, ...] = ()) -> SearchResult:
    """The public meetings in a search answer (blocked ones and `excluded` groups left out)."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except ValueError as exc:
        raise ParseError(url, f"mødesøgningen er ikke gyldig JSON ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("meetings"), list):
        raise ParseError(url, "svaret har ikke feltet meetings (en mødesøgning)")
    leave_out = {name.casefold() for name in excluded}
    meetings: list[MeetingRef] = []
    for entry in data["meetings"]:
        if not isinstance(entry, dict) or entry.get("blocked"):
            continue
        meeting_id = entry.get("meetingId")
        start = entry.get("date") if isinstance(entry.get("date"), str) else ""
        committee = squash(entry.get("committeeName") or "")
        group = squash(entry.get("committeeGroupName") or "")
        if meeting_id in (None, "") or not DATE_TIME.match(start) or not committee:
            continue
        if group.casefold() in leave_out or committee.casefold() in leave_out:
            continue
        meetings.append(MeetingRef(str(meeting_id), committee, start, group))
    total = data.get("numberOfResults")
    return SearchResult(meetings, total if isinstance(total, int) else len(data["meetings"]))


# -- the meeting's items ----------------------------------------------------------------------


def fragment_url(base_url: str, meeting_id: str) -> str:
    """The meeting's items as an HTML fragment."""
    return f"{base_url.rstrip('/')}/fragments/meeting/{meeting_id}/view"


def meeting_url(base_url: str, meeting_id: str) -> str:
    """The public meeting page."""
    return f"{base_url.rstrip('/')}/meeting/{meeting_id}"


def _origin(url: str) -> str:
    parts = urlparse(url)
    return f"{parts.scheme}://{parts.netloc}"


def _item_block(title: Tag) -> list:
    # The item is what follows its title up to the next title: inside the largest ancestor
    # that holds no other title, or else among the title's siblings.
    from bs4 import Tag

    block = title
    while block.parent is not None and len(block.parent.select(".agenda-item-title")) == 1:
        block = block.parent
    if block is not title:
        title.extract()
        return list(block.children)
    nodes = []
    for sibling in title.next_siblings:
        if isinstance(sibling, Tag) and (
            "agenda-item-title" in (sibling.get("class") or [])
            or sibling.select_one(".agenda-item-title")
        ):
            break
        nodes.append(sibling)
    return nodes


def _attachments(holder: Tag, base_url: str) -> tuple[dict, ...]:
    found: list[dict] = []
    for link in holder.select("a[href]"):
        target = urljoin(base_url + "/", link["href"].strip())
        path = urlparse(target).path.lower()
        if "/files/" not in path and not path.endswith((".pdf", ".docx", ".doc")):
            continue
        link.extract()
        if all(a["url"] != target for a in found):
            found.append({"title": link_title(link), "url": target})
    return tuple(found)


def _item(title_tag: Tag, position: int, base_url: str) -> Item:
    heading = inline_text(title_tag)
    match = _ITEM_TITLE.match(heading)
    number, title = (match.group(1), squash(match.group(2))) if match else (str(position), heading)
    soup = soup_of(b"<div></div>")
    holder = soup.div
    for node in _item_block(title_tag):
        holder.append(node.extract())
    # The platform's headings are one level under the item title; make them the sections' <h3>.
    promote_headings(holder, _HEADINGS)
    case_number = None
    for tag in holder.find_all("h3"):
        case = _CASE.match(inline_text(tag).rstrip(":"))
        if case is None:
            continue
        value = case.group(1)
        following = tag.find_next_sibling()
        if not value and following is not None:
            value = inline_text(following)
            following.decompose()
        case_number = squash(value or "") or None
        tag.decompose()
        break
    attachments = _attachments(holder, base_url)
    return Item(
        number=number,
        title=title or f"Punkt {number}",
        case_number=case_number,
        sections=tuple(sections_of(holder, base_url)),
        attachments=attachments,
        is_open=not is_closed(title),
    )


def parse_meeting_fragment(
    content: bytes,
    url: str,
    kommune: Kommune,
    ref: MeetingRef,
    *,
    same_day: bool = False,
    fetched_at: str | None = None,
) -> AgendaResult:
    """The records of one meeting's item fragment (`/fragments/meeting/{id}/view`)."""
    soup = soup_of(content)
    titles = soup.select(".agenda-item-title")
    if not titles:
        raise ParseError(url, "ingen dagsordenspunkter i fragmentet (.agenda-item-title)")
    base_url = _origin(url)
    meeting = Meeting(
        kommune=kommune,
        meeting_id=ref.id,
        committee=ref.committee,
        start=ref.start,
        same_day=same_day,
        url=meeting_url(kommune.base_url, ref.id),
    )
    items = [_item(title, position, base_url) for position, title in enumerate(titles, start=1)]
    return collect(meeting, items, content, fetched_at)


def document_items(paragraphs: list[str]) -> list[DocumentItem]:
    """The items of the meeting document (`/meeting/files/{id}/{name}`), read as paragraphs."""
    return items_from_paragraphs(paragraphs)


def document_url(base_url: str, file_id: str, name: str) -> str:
    """A meeting document (Word or PDF) as the meeting page's download button names it."""
    return f"{base_url.rstrip('/')}/meeting/files/{file_id}/{quote(name)}"


def parse_meeting_document(
    content: bytes,
    url: str,
    kommune: Kommune,
    ref: MeetingRef,
    *,
    same_day: bool = False,
    fetched_at: str | None = None,
) -> AgendaResult:
    """The records of a meeting document (Word or PDF): the same items the fragment gives, for
    meetings whose fragment is gone or empty. ExtractError or ParseError name `url`."""
    items = document_items(extract_paragraphs(content, url))
    if not items:
        raise ParseError(url, "dokumentet har ingen punkter ('N. Titel' fulgt af Sagsnr./afsnit)")
    meeting = Meeting(
        kommune=kommune,
        meeting_id=ref.id,
        committee=ref.committee,
        start=ref.start,
        same_day=same_day,
        url=meeting_url(kommune.base_url, ref.id),
    )
    agenda_items = [
        Item(
            number=item.number,
            title=item.title,
            case_number=item.case_number,
            sections=item.sections,
            attachments=(),
            is_open=not is_closed(item.title),
        )
        for item in items
    ]
    return collect(meeting, agenda_items, content, fetched_at)


# -- discovery (the network behind `get`, the fetcher's call) ----------------------------------


def discover_meetings(
    get: Callable[[str], bytes], kommune: Kommune, start: date, end: date
) -> list[MeetingRef]:
    """Every public meeting from `start` to `end`: windows under the cap, a full one split."""
    date_format = kommune.settings.get("datoformat", "iso")
    excluded = tuple(kommune.settings.get("udelad_udvalg", ()))
    pending = windows(start, end)
    found: dict[str, MeetingRef] = {}
    while pending:
        first, last = pending.pop(0)
        url = search_url(kommune.base_url, first, last, date_format)
        result = parse_search(get(url), url, excluded)
        smaller = halves(first, last) if result.capped else None
        if smaller:
            pending[:0] = smaller
            continue
        for meeting in result.meetings:
            found.setdefault(meeting.id, meeting)
    return sorted(found.values(), key=lambda m: (m.start, m.id), reverse=True)
