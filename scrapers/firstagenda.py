"""FirstAgenda Publication (kommunale dagsordener): pure parsers from the JSON API to records.

Facts about the platform (learned from public scrapers and recorded answers, not copied): a
municipality's site answers `GET /api/agenda/udvalgsliste` with every committee per valgperiode
and its meetings inlined (`{"Udvalg": {"Udvalg 2022-2025": [{Id, Navn, Moeder: [...]}]}}`), and
`GET /api/agenda/dagsorden/{mødeId}` with the meeting's `Dagsordenpunkter` (Navn/Caption,
Punktnummer, SagsNummer, IsOpen, `Felter[].Html` holding `<h3>` sections each followed by a
`<span>`, and `Bilag[]` whose PDFs are at `/Vis/Pdf/bilag/{Id}`). In the agenda answer the
meeting's own id is the top-level `Id`; `Moede.Id` is a zero GUID. The public meeting page is
`/vis?id={mødeId}`. Some sites answer the API only after the front page has set an anonymous
cookie; without it the API redirects to an HTML page.

The HTML meeting page (a rendering of the same data) is parsed in `scrapers.firstagenda_html`;
both share the section and record code here, so one item gives one record whichever way it came.

No function here touches the network: they take the bytes the fetcher got.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlparse

from bs4 import BeautifulSoup, NavigableString, Tag

from scrapers.errors import SourceError
from scrapers.htmltext import BLOCK_TAGS, clean_html, inline_text, paragraphs, squash
from scrapers.ids import MAX_ID_LENGTH, slug  # noqa: F401 (MAX_ID_LENGTH: public)
from scrapers.ids import bounded_id as _bounded_id

SOURCE = "kommune"
DOC_TYPE = "dagsordenpunkt"
KOMMUNER_PATH = Path(__file__).with_name("firstagenda_kommuner.json")
# The committees caseworkers and journalists follow; --udvalg replaces it.
DEFAULT_UDVALG = r"beskæftigelse|social|arbejdsmarked|integration|handicap|familie"
ZERO_GUID = "00000000-0000-0000-0000-000000000000"
SUMMARY_HEADINGS = ("resume", "beslutningstema")
# Markup a word processor leaves inside the sections: never text, never part of a record.
_NOISE_TAGS = ["script", "style", "title", "meta", "link", "head", "noscript", "template"]
_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_CLOSED_TITLE = re.compile(r"^\s*lukket\b", re.I)
_CLOSED_MARK = re.compile(
    r"^\s*lukket(\s+punkt)?\s*[:\-–]", re.I
)  # "Lukket: …", "Lukket punkt - …"
_SUPPLEMENTARY = re.compile(r"^\s*till(æ|ae)g", re.I)
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2}))?")


class ParseError(SourceError):
    """An answer that does not hold what its URL promised; the message names the URL."""


class UnknownKommune(Exception):
    """A municipality that is not in the list and has no --base-url."""


# -- municipalities ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Kommune:
    """A municipality on FirstAgenda Publication: its key (in ids), name and site."""

    key: str
    name: str
    base_url: str


def load_kommuner(path: Path = KOMMUNER_PATH) -> dict[str, Kommune]:
    """The known municipalities, from the data file beside this module."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        key: Kommune(key, entry["navn"], entry["base_url"].rstrip("/"))
        for key, entry in sorted(data.items())
    }


def kommune_for(key: str, base_url: str | None = None) -> Kommune:
    """The municipality `key`, its site replaced by `base_url` when given."""
    given, key = key.strip(), slug(key)
    known = load_kommuner().get(key)
    if known is None and base_url is None:
        names = ", ".join(load_kommuner())
        raise UnknownKommune(f"ukendt kommune {key!r}; kendte: {names} (ellers brug --base-url)")
    name = known.name if known else "-".join(w.capitalize() for w in given.split("-"))
    return Kommune(key, name, (base_url or known.base_url).rstrip("/"))


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
    """The public page of a meeting: what a reader opens."""
    return f"{base_url.rstrip('/')}/vis?id={meeting_id}"


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
                if not is_guid(meeting_id) or not _DATE.match(start) or not committee_name:
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
    pattern = re.compile(udvalg, re.I)
    return [
        m
        for m in meetings
        if pattern.search(m.committee) and not m.closed and (since is None or m.date >= since)
    ]


def same_day_meetings(meetings: list[MeetingRef]) -> set[str]:
    """Meetings sharing committee, day and kind with another: their ids need the time of day."""
    groups: dict[tuple[str, str, bool], list[str]] = {}
    for m in meetings:
        groups.setdefault((m.committee.casefold(), m.date, m.supplementary), []).append(m.id)
    return {meeting_id for ids in groups.values() if len(ids) > 1 for meeting_id in ids}


# -- sections ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One `<h3>` section of an item: its heading ("" when untitled), text and safe HTML."""

    heading: str
    paragraphs: tuple[str, ...]
    html: str


def fragment(markup: str) -> Tag:
    """`markup` parsed as the body of a page (a word processor's <title> stays where it is)."""
    soup = BeautifulSoup(f"<html><head></head><body>{markup}</body></html>", "lxml")
    return soup.body


def _drop_noise(root: Tag) -> None:
    for tag in root.find_all(_NOISE_TAGS):
        tag.decompose()


def _list_text(listing: Tag) -> str:
    ordered = listing.name == "ol"
    lines = []
    for number, entry in enumerate(listing.find_all("li", recursive=False), start=1):
        text = " ".join(paragraphs(entry))  # a nested list's items, spaced, on this line
        if text:
            lines.append(f"{number}. {text}" if ordered else f"– {text}")
    return "\n".join(lines)


def _texts(soup: BeautifulSoup, holder: Tag) -> tuple[str, ...]:
    # A list is one paragraph of "1. …"/"– …" lines, as the numbered points of an Indstilling
    # are one block to a reader; a token keeps its place among the other paragraphs.
    lists: dict[str, str] = {}
    for listing in holder.find_all(["ul", "ol"]):
        if listing.find_parent(["ul", "ol"]) is None:
            token = f"\x00liste{len(lists)}\x00"
            lists[token] = _list_text(listing)
            placeholder = soup.new_tag("p")
            placeholder.string = token
            listing.replace_with(placeholder)
    texts = (lists.get(text, text) for text in paragraphs(holder))
    return tuple(text for text in texts if text)


def _section(heading: str, nodes: list, base_url: str) -> Section | None:
    soup = BeautifulSoup("", "lxml")
    holder = soup.new_tag("div")
    for node in nodes:
        holder.append(node.extract())
    # A <div> holding only text is a paragraph; kept as <p> so the cleaned HTML keeps the breaks.
    for div in holder.find_all("div"):
        if not any(isinstance(d, Tag) and d.name in BLOCK_TAGS for d in div.descendants):
            div.name = "p"
    markup = clean_html(holder, base_url)  # before the lists below become text
    texts = _texts(soup, holder)
    if not texts:
        return None
    return Section(heading, texts, markup)


def sections_of(root: Tag, base_url: str, default_heading: str = "") -> list[Section]:
    """The `<h3>` sections under `root` in order, untitled text (a subtitle) first."""
    container = root.find(id="sagsfremstillingContainer") or root
    _drop_noise(container)
    first = container.find("h3")
    parent = first.parent if first is not None else container
    found: list[Section] = []
    heading = default_heading
    nodes: list = []
    for child in list(parent.children):
        if isinstance(child, Tag) and child.name == "h3":
            section = _section(heading, nodes, base_url)
            if section:
                found.append(section)
            heading, nodes = inline_text(child).rstrip(":").strip(), []
        elif isinstance(child, Tag | NavigableString):
            nodes.append(child)
    section = _section(heading, nodes, base_url)
    if section:
        found.append(section)
    # Text under an empty <h3> is the item's long title (a subtitle): it leads, rather than
    # reading as part of whichever section happens to come before it.
    return [s for s in found if not s.heading] + [s for s in found if s.heading]


# -- items and records ------------------------------------------------------------------------


@dataclass(frozen=True)
class Meeting:
    """What every item of one meeting shares."""

    kommune: Kommune
    meeting_id: str
    committee: str
    start: str
    supplementary: bool = False
    same_day: bool = False

    @property
    def date(self) -> str:
        """The meeting day, YYYY-MM-DD."""
        return self.start[:10]

    @property
    def page_url(self) -> str:
        """The public meeting page."""
        return meeting_page_url(self.kommune.base_url, self.meeting_id)

    def record_id(self, number: str) -> str:
        """`<kommune>-<udvalg>-<dato>[-kl<ttmm>][-tillaeg]-punkt-<nr>`: from the site's own data."""
        parts = [self.kommune.key, slug(self.committee), self.date]
        match = _DATE.match(self.start)
        if self.same_day and match and match.group(2):
            parts.append(f"kl{match.group(2)}{match.group(3)}")
        if self.supplementary:
            parts.append("tillaeg")
        parts += ["punkt", slug(number) or "0"]
        return _bounded_id("-".join(parts))


@dataclass(frozen=True)
class Item:
    """One agenda item, whichever way it was read."""

    number: str
    title: str
    case_number: str | None
    sections: tuple[Section, ...]
    attachments: tuple[dict, ...]
    is_open: bool


@dataclass
class AgendaResult:
    """What one meeting gave: records to write, and the ids of items left out and why."""

    meeting: Meeting
    records: list[dict] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)  # not public
    empty: list[str] = field(default_factory=list)  # no text and no attachments


def _item_text(item: Item) -> str:
    out: list[str] = []
    if item.case_number:
        out.append(f"Sagsnr.: {item.case_number}")
    for section in item.sections:
        if section.heading:
            out.append(section.heading)
        out.extend(section.paragraphs)
    if item.attachments:
        out.append("Bilag")
        out.append("\n".join(a["title"] for a in item.attachments))
    return "\n\n".join(out)


def _item_html(item: Item, base_url: str) -> str:
    parts: list[str] = []
    if item.case_number:
        parts.append(f"<p>Sagsnr.: {html.escape(item.case_number)}</p>")
    for section in item.sections:
        if section.heading:
            parts.append(f"<h3>{html.escape(section.heading)}</h3>")
        parts.append(section.html)
    if item.attachments:
        links = "".join(
            f'<li><a href="{html.escape(a["url"])}">{html.escape(a["title"])}</a></li>'
            for a in item.attachments
        )
        parts.append(f"<h3>Bilag</h3><ul>{links}</ul>")
    return clean_html(fragment("".join(parts)), base_url)


def _summary(item: Item) -> str | None:
    by_heading = {s.heading.casefold(): s for s in item.sections if s.heading}
    for heading in SUMMARY_HEADINGS:
        if heading in by_heading:
            return "\n\n".join(by_heading[heading].paragraphs)
    return None


def item_record(
    meeting: Meeting, item: Item, content: bytes, fetched_at: str | None = None
) -> dict:
    """The Document record of one open item with text or attachments."""
    record: dict = {
        "id": meeting.record_id(item.number),
        "source": SOURCE,
        "doc_type": DOC_TYPE,
        "title": item.title,
        "url": meeting.page_url,
    }
    if fetched_at is not None:
        record["fetched_at"] = fetched_at
    record["sha256"] = hashlib.sha256(content).hexdigest()
    record["text"] = _item_text(item)
    record["date"] = meeting.date
    summary = _summary(item)
    if summary:
        record["summary"] = summary
    record["municipality"] = meeting.kommune.name
    record["committee"] = meeting.committee
    record["meeting_date"] = meeting.date
    if item.number.isdigit():
        record["item_number"] = int(item.number)
    if item.case_number:
        record["case_number"] = item.case_number
    if item.attachments:
        record["attachments"] = list(item.attachments)
    record["html"] = _item_html(item, meeting.kommune.base_url)
    return record


def collect(
    meeting: Meeting, items: list[Item], content: bytes, fetched_at: str | None
) -> AgendaResult:
    """Records for the open items with content; the others counted as closed or empty."""
    result = AgendaResult(meeting)
    used: dict[str, int] = {}
    for item in items:
        record_id = meeting.record_id(item.number)
        used[record_id] = used.get(record_id, 0) + 1
        if used[record_id] > 1:
            # Two items with one number: told apart by their order on the agenda, never by fetch.
            item = replace(item, number=f"{item.number}-{used[record_id]}")
            record_id = meeting.record_id(item.number)
        if not item.is_open:
            result.closed.append(record_id)
        elif not item.sections and not item.attachments:
            result.empty.append(record_id)
        else:
            result.records.append(item_record(meeting, item, content, fetched_at))
    return result


def is_closed(title: str, is_open: object = None) -> bool:
    """Closed when the site says so, or the title marks it ("Lukket: …"); unsure means closed."""
    if is_open is False or _CLOSED_MARK.match(title):
        return True
    # Without IsOpen, any title opening with "Lukket" is taken as closed: better one public
    # item missed than one closed item published.
    return is_open is not True and bool(_CLOSED_TITLE.match(title))


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
        elif isinstance(felt.get("Tekst"), str) and felt["Tekst"].strip():
            texts = tuple(squash(p) for p in re.split(r"\n\s*\n", felt["Tekst"]) if squash(p))
            body = "".join(f"<p>{html.escape(t)}</p>" for t in texts)
            found.append(Section(heading, texts, body))
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
    if not isinstance(start, str) or not _DATE.match(start):
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
    )
    items = [
        _api_item(entry, position, kommune.base_url)
        for position, entry in enumerate(data["Dagsordenpunkter"], start=1)
        if isinstance(entry, dict)
    ]
    return collect(meeting, items, content, fetched_at)
