"""Formpipe Meetings+ (Billund, Norddjurs): pure parsers from the overview, committee and meeting
pages, with the items' text read from the minutes PDF.

Facts about the platform (from public scrapers, not copied): `/overview` lists recent and coming
meetings of every committee, one `.meeting-list-item` each with `data-content-id`, a link whose
text starts with the day (YYYY-MM-DD) and the committee in `.url-text`; a committee's page
`/committees/<slug>` lists its meetings as `#committeesRecentContent a.accessible-table-cell`
(the day in the text or `aria-label`). A meeting page (`/committees/<c>/<c>-YYYY-MM-DD`) lists its
items in `#agendaTabContent` or, once the minutes are out, `#protocolTabContent`: one
`li.meeting-item-row` each, number in `.list-item-number`, title in `p.item-title`, anchor
`name="id_<n>"`; Billund prefixes titles "D - "/"O - ". The item text is only in the PDFs: the
minutes at `a#openProtocol` (`downloadMode=open`, asked for as `download`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urljoin, urlparse, urlunparse

from retskilde.scrapers.agenda import (
    AgendaResult,
    Item,
    Meeting,
    ParseError,
    collect,
    is_closed,
    items_from_paragraphs,
)
from retskilde.scrapers.htmltext import inline_text, soup_of, squash
from retskilde.scrapers.kommuner import Kommune

if TYPE_CHECKING:
    from bs4 import Tag

PLATFORM = "meetingsplus"
_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})")
_DECISION_PREFIX = re.compile(r"^[A-ZÆØÅ]\s+-\s+")  # "D - ", "O - ": beslutning, orientering
_ANCHOR = re.compile(r"^id_(\d+)$")


def overview_url(base_url: str) -> str:
    """Recent and coming meetings of every committee."""
    return f"{base_url.rstrip('/')}/overview"


def committee_url(base_url: str, slug: str) -> str:
    """One committee's meetings."""
    return f"{base_url.rstrip('/')}/committees/{slug}"


@dataclass(frozen=True)
class MeetingLink:
    """A meeting as a list shows it: its page, committee and day."""

    url: str
    committee: str
    date: str
    id: str = ""  # data-content-id, where the list gives it


def _day_of(tag: Tag) -> str | None:
    for text in (inline_text(tag), tag.get("aria-label") or "", tag.get("href") or ""):
        match = _DAY.search(text)
        if match:
            return match.group(1)
    return None


def parse_overview(content: bytes, url: str) -> list[MeetingLink]:
    """The meetings on the overview page, once each, in page order."""
    soup = soup_of(content)
    found: list[MeetingLink] = []
    for row in soup.select(".meeting-list-item"):
        committee_tag = row.select_one(".url-text")
        committee = inline_text(committee_tag) if committee_tag is not None else ""
        for link in row.select("a[href]"):
            day = _day_of(link)
            if day and committee:
                target = urljoin(url, link["href"].strip())
                meeting_id = str(row.get("data-content-id") or "")
                if all(m.url != target for m in found):
                    found.append(MeetingLink(target, committee, day, meeting_id))
                break
    if not found and soup.select_one(".meeting-list-item") is None:
        raise ParseError(url, "ingen møder på oversigten (.meeting-list-item)")
    return found


def parse_committee_page(content: bytes, url: str) -> list[MeetingLink]:
    """The meetings on a committee's page."""
    soup = soup_of(content)
    holder = soup.select_one("#committeesRecentContent")
    if holder is None:
        raise ParseError(url, "siden har ingen mødeliste (#committeesRecentContent)")
    heading = soup.select_one("h1")
    committee = inline_text(heading) if heading is not None else ""
    if not committee:
        slug = urlparse(url).path.rstrip("/").rsplit("/", 1)[-1]
        committee = slug.replace("-", " ").capitalize()
    found: list[MeetingLink] = []
    for link in holder.select("a.accessible-table-cell[href]"):
        day = _day_of(link)
        target = urljoin(url, link["href"].strip())
        if day and all(m.url != target for m in found):
            found.append(MeetingLink(target, committee, day))
    return found


@dataclass(frozen=True)
class ItemRow:
    """An item as the meeting page lists it."""

    number: str
    title: str
    anchor: str


@dataclass(frozen=True)
class MeetingPage:
    """What a meeting page gives: its items and where its minutes are."""

    items: list[ItemRow]
    minutes_url: str | None
    minutes_out: bool  # items read from the minutes tab


def _download(url: str) -> str:
    # The link opens the PDF in the browser's viewer; the same address with "download" is the file.
    parts = urlparse(url)
    query = [(k, "download" if k == "downloadMode" else v) for k, v in parse_qsl(parts.query)]
    return urlunparse(parts._replace(query=urlencode(query)))


def parse_meeting_page(content: bytes, url: str) -> MeetingPage:
    """The items of a meeting page and the address of its minutes PDF."""
    soup = soup_of(content)
    protocol = soup.select_one("#protocolTabContent")
    holder = (
        protocol
        if protocol is not None and protocol.select_one("li.meeting-item-row")
        else soup.select_one("#agendaTabContent")
    )
    if holder is None:
        raise ParseError(url, "siden har ingen punktliste (#agendaTabContent)")
    rows: list[ItemRow] = []
    for position, row in enumerate(holder.select("li.meeting-item-row"), start=1):
        number_tag = row.select_one(".list-item-number")
        title_tag = row.select_one("p.item-title")
        number = inline_text(number_tag).rstrip(".") if number_tag is not None else ""
        title = inline_text(title_tag) if title_tag is not None else ""
        if not title:
            continue  # a "Bilag" heading between the items, not an item
        anchor_tag = row.select_one("a[name^='id_'], [id^='id_']")
        anchor = (anchor_tag.get("name") or anchor_tag.get("id")) if anchor_tag else ""
        match = _ANCHOR.match(anchor or "")
        number = number or (match.group(1) if match else str(position))
        rows.append(ItemRow(number, squash(_DECISION_PREFIX.sub("", title)), anchor or ""))
    if not rows:
        raise ParseError(url, "ingen dagsordenspunkter på siden (li.meeting-item-row)")
    link = soup.select_one("a#openProtocol[href]")
    minutes = _download(urljoin(url, link["href"].strip())) if link is not None else None
    return MeetingPage(rows, minutes, holder is protocol)


def parse_meeting(
    page: MeetingPage,
    url: str,
    kommune: Kommune,
    meeting: MeetingLink,
    minutes: list[str] | None,
    content: bytes,
    *,
    same_day: bool = False,
    fetched_at: str | None = None,
) -> AgendaResult:
    """The records of one meeting: items from its page, their text from the minutes' paragraphs
    (`minutes`, None while there are none). `content` is the PDF the text came from."""
    titles = {row.number: row.title for row in page.items}
    read = {item.number: item for item in items_from_paragraphs(minutes or [], titles)}
    agenda_meeting = Meeting(
        kommune=kommune,
        meeting_id=meeting.id or urlparse(url).path,
        committee=meeting.committee,
        start=meeting.date,
        same_day=same_day,
        url=url,
    )
    items = []
    for row in page.items:
        document = read.get(row.number)
        items.append(
            Item(
                number=row.number,
                title=row.title,
                case_number=document.case_number if document else None,
                sections=document.sections if document else (),
                attachments=(),
                is_open=not is_closed(row.title),
                url=f"{url}#{row.anchor}" if row.anchor else None,
            )
        )
    return collect(agenda_meeting, items, content, fetched_at)


def discover_meetings(
    get: Callable[[str], bytes], base_url: str, committees: tuple[str, ...] = ()
) -> list[MeetingLink]:
    """The overview's meetings, and every meeting on the committee pages named by slug."""
    url = overview_url(base_url)
    found = {m.url: m for m in parse_overview(get(url), url)}
    for slug in committees:
        url = committee_url(base_url, slug)
        for meeting in parse_committee_page(get(url), url):
            found.setdefault(meeting.url, meeting)
    return sorted(found.values(), key=lambda m: (m.date, m.url), reverse=True)
