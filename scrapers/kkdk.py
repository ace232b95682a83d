"""København (kk.dk, Drupal): pure parsers from the JSON:API item list and the item pages.

Facts about the site (from public scrapers, not copied): `GET /jsonapi/node/agenda_element`
with filters on `agenda_meeting_date` lists every committee's agenda items, 50 a page, the next
page at `links.next.href`; each item's `attributes` hold `title`, `path.alias`
(`/dagsordener-og-referater/<Udvalg>/møde-DDMMYYYY/{dagsorden|referat}/punkt-N`: the committee is
the alias's second part), `agenda_meeting_date` and `agenda_element_serial_no`. The same item is
listed under both the agenda and the minutes; the minutes win. Every item has its own static
page, its text in `div.node__content`, its attachments in `#agenda-element-appendices`
(`div.agenda-element-appendix`, files under `/sites/default/files/agenda/…`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlencode, urljoin, urlparse

from retskilde.scrapers.agenda import (
    DATE_TIME,
    AgendaResult,
    Item,
    Meeting,
    ParseError,
    collect,
    is_closed,
    promote_headings,
    sections_of,
)
from retskilde.scrapers.htmltext import inline_text, link_title, soup_of, squash
from retskilde.scrapers.kommuner import Kommune

if TYPE_CHECKING:
    from bs4 import Tag

PLATFORM = "kk"
PAGE_LIMIT = 50
_KIND = re.compile(r"/(dagsorden|referat)(?:/|$)", re.I)
_MEETING_SEGMENT = re.compile(r"^m(?:ø|oe|%C3%B8)de-(\d{2})(\d{2})(\d{4})$", re.I)
_HEADINGS = ["h2", "h3", "h4"]
_NUMBERED = re.compile(r"^(?:punkt\s+)?\d{1,3}\s*[.:\-–]\s*", re.I)


def agenda_elements_url(base_url: str, since: date, until: date) -> str:
    """The first page of the agenda items of meetings from `since` up to (not incl.) `until`."""
    query = {
        "filter[fra][condition][path]": "agenda_meeting_date",
        "filter[fra][condition][operator]": ">=",
        "filter[fra][condition][value]": since.isoformat(),
        "filter[til][condition][path]": "agenda_meeting_date",
        "filter[til][condition][operator]": "<",
        "filter[til][condition][value]": until.isoformat(),
        "fields[node--agenda_element]": ("title,path,agenda_meeting_date,agenda_element_serial_no"),
        "sort": "agenda_meeting_date",
        "page[limit]": str(PAGE_LIMIT),
    }
    return f"{base_url.rstrip('/')}/jsonapi/node/agenda_element?{urlencode(query)}"


@dataclass(frozen=True)
class ElementRef:
    """One agenda item as the JSON:API lists it."""

    id: str
    title: str
    path: str  # the item page's path (path.alias), decoded
    committee: str
    start: str
    number: str
    kind: str  # "dagsorden" or "referat"

    @property
    def date(self) -> str:
        """The meeting day."""
        return self.start[:10]

    @property
    def meeting_key(self) -> tuple[str, str]:
        """Committee and day: what the item's meeting is known by."""
        return (self.committee.casefold(), self.date)


@dataclass(frozen=True)
class ElementsPage:
    """One page of the item list and the address of the next."""

    elements: list[ElementRef]
    next_url: str | None


def _committee_of(path: str) -> str:
    parts = [unquote(p) for p in path.strip("/").split("/")]
    return squash(parts[1]) if len(parts) > 1 else ""


def _start_of(value: object, path: str) -> str:
    if isinstance(value, str) and DATE_TIME.match(value):
        return value
    for part in path.strip("/").split("/"):
        match = _MEETING_SEGMENT.match(part)
        if match:
            return f"{match.group(3)}-{match.group(2)}-{match.group(1)}"
    return ""


def parse_agenda_elements(content: bytes, url: str) -> ElementsPage:
    """The items on one JSON:API page, and the next page's address (None on the last)."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except ValueError as exc:
        raise ParseError(url, f"svaret er ikke gyldig JSON ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise ParseError(url, "svaret har ikke feltet data (en JSON:API-liste)")
    elements: list[ElementRef] = []
    for entry in data["data"]:
        attributes = entry.get("attributes") if isinstance(entry, dict) else None
        if not isinstance(attributes, dict):
            continue
        path_field = attributes.get("path")
        alias = path_field.get("alias") if isinstance(path_field, dict) else None
        if not isinstance(alias, str) or not alias.startswith("/"):
            continue
        path = unquote(alias)
        kind = _KIND.search(path)
        serial = attributes.get("agenda_element_serial_no")
        number = str(serial) if isinstance(serial, int | str) and str(serial).strip() else ""
        committee = _committee_of(path)
        start = _start_of(attributes.get("agenda_meeting_date"), path)
        if not committee or not start or not number:
            continue
        elements.append(
            ElementRef(
                id=str(entry.get("id") or path),
                title=squash(attributes.get("title") or "") or f"Punkt {number}",
                path=path,
                committee=committee,
                start=start,
                number=number.strip(),
                kind=kind.group(1).lower() if kind else "dagsorden",
            )
        )
    links = data.get("links") if isinstance(data.get("links"), dict) else {}
    following = links.get("next")
    next_url = following.get("href") if isinstance(following, dict) else following
    next_url = next_url if isinstance(next_url, str) and next_url != url else None
    return ElementsPage(elements, next_url)


def prefer_minutes(elements: list[ElementRef]) -> list[ElementRef]:
    """One entry per item: the minutes' where both the agenda's and the minutes' are listed."""
    chosen: dict[tuple[str, str, str], ElementRef] = {}
    for element in elements:
        key = (*element.meeting_key, element.number)
        if key not in chosen or (element.kind == "referat" and chosen[key].kind != "referat"):
            chosen[key] = element
    return list(chosen.values())


def item_url(base_url: str, element: ElementRef) -> str:
    """The item's own page."""
    return f"{base_url.rstrip('/')}{quote(element.path)}"


def meeting_url(base_url: str, element: ElementRef) -> str:
    """The meeting's page (the item path without its last part)."""
    return f"{base_url.rstrip('/')}{quote(element.path.rsplit('/', 1)[0])}"


def _attachments(content: Tag, url: str) -> tuple[dict, ...]:
    found: list[dict] = []
    holders = content.select("#agenda-element-appendices, div.agenda-element-appendix")
    for holder in holders:
        for link in holder.select("a[href]"):
            target = urljoin(url, link["href"].strip())
            if urlparse(target).scheme in ("http", "https") and all(
                a["url"] != target for a in found
            ):
                found.append({"title": link_title(link), "url": target})
    for holder in holders:
        holder.decompose()
    for button in content.select("a.btn-appendices"):
        button.decompose()
    return tuple(found)


def parse_item_page(
    content: bytes,
    url: str,
    kommune: Kommune,
    element: ElementRef,
    *,
    fetched_at: str | None = None,
) -> AgendaResult:
    """The record of one item page; ParseError when the page has no item content."""
    soup = soup_of(content)
    body = soup.select_one("div.node__content")
    if body is None:
        raise ParseError(url, "siden har intet punktindhold (div.node__content)")
    attachments = _attachments(body, url)
    promote_headings(body, _HEADINGS)
    heading = soup.select_one("h1")
    title = inline_text(heading) if heading is not None else ""
    # The page heads the item "2. Titel"; the number is a field of its own.
    title = _NUMBERED.sub("", title) or element.title
    meeting = Meeting(
        kommune=kommune,
        meeting_id=f"{element.committee}/{element.date}",
        committee=element.committee,
        start=element.start,
        url=meeting_url(kommune.base_url, element),
    )
    item = Item(
        number=element.number,
        title=title,
        case_number=None,
        sections=tuple(sections_of(body, kommune.base_url)),
        attachments=attachments,
        is_open=not (is_closed(title) or is_closed(element.title)),
        url=url,
    )
    return collect(meeting, [item], content, fetched_at)


MAX_PAGES = 200  # a bound on links.next, should the site ever point back at itself


def discover_elements(
    get: Callable[[str], bytes], base_url: str, since: date, until: date
) -> list[ElementRef]:
    """Every item of the meetings from `since` to `until`, the minutes' where both are listed."""
    url: str | None = agenda_elements_url(base_url, since, until)
    seen: set[str] = set()
    elements: list[ElementRef] = []
    while url and url not in seen and len(seen) < MAX_PAGES:
        seen.add(url)
        page = parse_agenda_elements(get(url), url)
        elements.extend(page.elements)
        url = page.next_url
    return prefer_minutes(elements)
