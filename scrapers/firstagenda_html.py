"""FirstAgenda Publication's HTML meeting page (`/vis?…&id=<mødeId>`), parsed to the same records.

Facts about the page (learned from rendered public pages, not copied): a `table.dagsordeninfo`
with `span.udvalg` and `span.dato` ("onsdag den 1. oktober 2025 kl. 15.45"); one `tr.punktrow`
per item with the number in `span.label`, the title in `h2.overskrift`, `span.sagsnummer`, the
sections in `div#sagsfremstillingContainer` (the same `<h3>` + `<span>` markup the API's
`Felter[].Html` holds) and `a.bilag-link` links to `/vis/pdf/bilag/<id>/…`.

The live pages are filled in by JavaScript from the JSON API, so the crawler reads the API; this
parser serves saved or server-rendered pages, and a test holds both paths to the same records.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urljoin, urlparse

from retskilde.scrapers.agenda import (
    AgendaResult,
    Item,
    Meeting,
    ParseError,
    collect,
    is_closed,
    sections_of,
)
from retskilde.scrapers.dates import parse_date
from retskilde.scrapers.firstagenda import bilag_url, is_guid, meeting_page_url, origin
from retskilde.scrapers.htmltext import inline_text, link_title, soup_of
from retskilde.scrapers.kommuner import Kommune

if TYPE_CHECKING:
    from bs4 import Tag

_TIME = re.compile(r"\bkl\.?\s*(\d{1,2})[.:](\d{2})\b")
_BILAG_PATH = re.compile(r"/vis/pdf/bilag/([0-9a-f-]{36})", re.I)
_SUPPLEMENTARY_SLUG = re.compile(r"^till(æ|ae)g", re.I)


def meeting_id_of(url: str) -> str | None:
    """The meeting GUID in a meeting page address (`…/vis?Referat-…&id=<guid>`)."""
    for key, value in parse_qsl(urlparse(url).query, keep_blank_values=True):
        if key.lower() == "id" and is_guid(value):
            return value
    return None


def _info(soup: Tag, url: str) -> tuple[str, str]:
    table = soup.select_one("table.dagsordeninfo")
    committee = table.select_one("span.udvalg") if table is not None else None
    when = table.select_one("span.dato") if table is not None else None
    if committee is None or when is None or not inline_text(committee):
        raise ParseError(url, "ingen mødeoplysninger på siden (table.dagsordeninfo)")
    text = inline_text(when)
    day = parse_date(text)
    if day is None:
        raise ParseError(url, f"mødedatoen kan ikke læses ({text!r})")
    match = _TIME.search(text)
    start = f"{day}T{int(match.group(1)):02d}:{match.group(2)}:00" if match else day
    return inline_text(committee), start


def _attachments(row: Tag, url: str) -> tuple[dict, ...]:
    found: list[dict] = []
    for link in row.select("a.bilag-link[href]"):
        target = urljoin(url, link["href"].strip())
        match = _BILAG_PATH.search(urlparse(target).path)
        # The viewer address the API gives, so both paths name an attachment the same way.
        target = bilag_url(origin(url), match.group(1)) if match else target
        if urlparse(target).scheme in ("http", "https") and all(a["url"] != target for a in found):
            found.append({"title": link_title(link), "url": target})
    return tuple(found)


def _item(row: Tag, position: int, url: str) -> Item:
    first_cell = row.find("td")
    label = first_cell.select_one("span.label") if first_cell is not None else None
    number = inline_text(label) if label is not None else ""
    heading = row.select_one("h2.overskrift") or row.find("h2")
    title = inline_text(heading) if heading is not None else ""
    case = row.select_one("span.sagsnummer")
    container = row.find(id="sagsfremstillingContainer")
    number = number or str(position)
    return Item(
        number=number,
        title=title or f"Punkt {number}",
        case_number=(inline_text(case) or None) if case is not None else None,
        sections=tuple(sections_of(container, origin(url))) if container is not None else (),
        attachments=_attachments(row, url),
        is_open=not is_closed(title),
    )


def parse_meeting_page(
    content: bytes,
    url: str,
    kommune: Kommune,
    *,
    same_day: bool = False,
    fetched_at: str | None = None,
) -> AgendaResult:
    """The records of one rendered meeting page; ParseError when it is not one."""
    meeting_id = meeting_id_of(url)
    if meeting_id is None:
        raise ParseError(url, "adressen har intet møde-id (…&id=<guid>)")
    soup = soup_of(content)
    committee, start = _info(soup, url)
    rows = soup.select("tr.punktrow")
    if not rows:
        raise ParseError(url, "ingen dagsordenspunkter på siden (tr.punktrow)")
    first_key = next(iter(parse_qsl(urlparse(url).query, keep_blank_values=True)), ("", ""))[0]
    meeting = Meeting(
        kommune=kommune,
        meeting_id=meeting_id,
        committee=committee,
        start=start,
        supplementary=bool(_SUPPLEMENTARY_SLUG.match(first_key)),
        same_day=same_day,
        url=meeting_page_url(kommune.base_url, meeting_id),
    )
    items = [_item(row, position, url) for position, row in enumerate(rows, start=1)]
    return collect(meeting, items, content, fetched_at)
