"""Aalborg's own agenda app: pure parsers from a committee's meeting list and a minutes page.

Facts about the app (from public scrapers and stored pages, not copied): a committee's meetings
are listed at `/dagsordenreferat/?Id=<udvalgId>` as links `class="moede-link…"` titled
"Referat for <Udvalg> <d. måned åååå>"; the links point at a development host, so only their
query string is used, against `/dagsordenreferat/visreferat?<query>`. The query's `moedetitel`
starts with the day (YYYY-MM-DD). A minutes page heads each item `<h3>N. Titel</h3>` with its
text up to the next `<h3>`, items marked "Åben" or "Lukket". Only minutes are published, so
items appear after the meeting. The committee ids cannot be listed and change at each
constitution; the registry holds the known ones (`udvalg_ids`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlparse

from retskilde.scrapers.agenda import (
    AgendaResult,
    Item,
    Meeting,
    ParseError,
    collect,
    is_closed,
    is_document_heading,
    promote_headings,
    sections_of,
)
from retskilde.scrapers.dates import parse_date
from retskilde.scrapers.htmltext import inline_text, soup_of, squash
from retskilde.scrapers.kommuner import Kommune

if TYPE_CHECKING:
    from bs4 import Tag

PLATFORM = "aalborg"
_LINK_TITLE = re.compile(
    r"^(referat|dagsorden)\s+(?:for|fra)\s+(.+?)\s+(\d{1,2}\.\s*\S+\s+\d{4})", re.I
)
_ITEM_HEAD = re.compile(r"^(\d{1,3})\.\s*(.+)$")
_MARK = re.compile(r"^(åben|åbent|lukket)( punkt)?$", re.I)


def meetings_url(base_url: str, committee_id: int | str) -> str:
    """One committee's meetings."""
    return f"{base_url.rstrip('/')}/dagsordenreferat/?Id={committee_id}"


@dataclass(frozen=True)
class MeetingLink:
    """A meeting in a committee's list."""

    url: str  # our own address of the minutes page, built from the link's query
    committee: str
    date: str
    kind: str  # "referat" or "dagsorden"


def parse_meetings(content: bytes, url: str, base_url: str) -> list[MeetingLink]:
    """The meetings a committee's list links to, once each."""
    soup = soup_of(content)
    found: list[MeetingLink] = []
    for link in soup.select("a[class*='moede-link'][href]"):
        query = urlparse(link["href"].strip()).query
        params = dict(parse_qsl(query))
        title = squash(link.get("title") or inline_text(link))
        match = _LINK_TITLE.match(title)
        day = (params.get("moedetitel") or "")[:10]
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            day = parse_date(match.group(3)) if match else None
        if not query or not match or not day:
            continue
        target = f"{base_url.rstrip('/')}/dagsordenreferat/visreferat?{query}"
        if all(m.url != target for m in found):
            found.append(MeetingLink(target, squash(match.group(2)), day, match.group(1).lower()))
    if not found and not soup.select("a[class*='moede-link']"):
        raise ParseError(url, "ingen møder på listen (a.moede-link)")
    return found


def _as_sections(holder: Tag) -> None:
    # Headings inside an item are its sections; a paragraph that is only a bold known heading
    # ("Indstilling", "Beslutning") is one too.
    promote_headings(holder, ["h4", "h5", "h6"])
    for paragraph in holder.find_all("p"):
        strong = paragraph.find(["strong", "b"])
        text = inline_text(paragraph)
        if strong is not None and text == inline_text(strong) and is_document_heading(text):
            paragraph.string = text  # bare text: a section of its own, not a sub-heading
            paragraph.name = "h3"


def _marked_closed(holder: Tag) -> bool:
    from bs4 import NavigableString

    for string in holder.find_all(string=True):
        if isinstance(string, NavigableString) and _MARK.match(squash(str(string))):
            mark = squash(str(string)).casefold()
            string.extract()
            if mark.startswith("lukket"):
                return True
    return False


def parse_minutes_page(
    content: bytes,
    url: str,
    kommune: Kommune,
    link: MeetingLink,
    *,
    fetched_at: str | None = None,
) -> AgendaResult:
    """The records of one minutes page (`/dagsordenreferat/visreferat?…`)."""
    soup = soup_of(content)
    heads = [h for h in soup.find_all("h3") if _ITEM_HEAD.match(inline_text(h))]
    if not heads:
        raise ParseError(url, "ingen dagsordenspunkter på siden (<h3>N. Titel</h3>)")
    params = dict(parse_qsl(urlparse(url).query))
    meeting = Meeting(
        kommune=kommune,
        meeting_id=params.get("moedetitel") or url,
        committee=link.committee,
        start=link.date,
        url=url,
    )
    head_ids = {id(h) for h in heads}
    items: list[Item] = []
    for head in heads:
        number, title = _ITEM_HEAD.match(inline_text(head)).groups()
        holder = soup.new_tag("div")
        following = head.next_sibling
        while following is not None and id(following) not in head_ids:
            after = following.next_sibling
            holder.append(following.extract())
            following = after
        closed = _marked_closed(holder)
        _as_sections(holder)
        items.append(
            Item(
                number=number,
                title=squash(title),
                case_number=None,
                sections=tuple(sections_of(holder, kommune.base_url)),
                attachments=(),
                is_open=not (closed or is_closed(title)),
            )
        )
    return collect(meeting, items, content, fetched_at)


def discover_meetings(get: Callable[[str], bytes], kommune: Kommune) -> list[MeetingLink]:
    """The minutes of every committee the registry knows an id for."""
    ids = kommune.settings.get("udvalg_ids") or []
    if not ids:
        raise ParseError(kommune.base_url, "registret kender ingen udvalgs-id'er (udvalg_ids)")
    found: dict[str, MeetingLink] = {}
    for committee_id in ids:
        url = meetings_url(kommune.base_url, committee_id)
        for meeting in parse_meetings(get(url), url, kommune.base_url):
            if meeting.kind == "referat":
                found.setdefault(meeting.url, meeting)
    return sorted(found.values(), key=lambda m: (m.date, m.url), reverse=True)
