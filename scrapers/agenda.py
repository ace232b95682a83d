"""The agenda model every municipal platform shares: meeting, item, sections, records.

A platform module (FirstAgenda, Åben Dagsorden, kk.dk, Meetings+ …) only reads its own answers
into `Meeting` and `Item`; what a record holds, how an item is split into sections, which item is
closed and how ids are built is decided here, once, so one item gives the same record whichever
platform served it.

No function here touches the network.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from retskilde.scrapers.errors import SourceError
from retskilde.scrapers.htmltext import BLOCK_TAGS, clean_html, inline_text, paragraphs, squash
from retskilde.scrapers.ids import MAX_ID_LENGTH, bounded_id, slug  # noqa: F401 (MAX_ID_LENGTH: public)
from retskilde.scrapers.kommuner import Kommune

if TYPE_CHECKING:
    from bs4 import BeautifulSoup, Tag

SOURCE = "kommune"
DOC_TYPE = "dagsordenpunkt"
# The committees caseworkers and journalists follow; --udvalg replaces it. Names differ per
# municipality ("Job- og Velfærdsudvalget", "Arbejdsmarkedsudvalget", "Beskæftigelses-,
# Integrations- og Erhvervsudvalget"), so words, never whole names.
DEFAULT_UDVALG = r"beskæftigelse|social|arbejdsmarked|integration|handicap|familie|\bjob|velfærd"
SUMMARY_HEADINGS = ("resume", "resumé", "beslutningstema", "sammenfatning")
# "Beslutning", "Beslutninger", "Beslutning i Økonomiudvalget den 19-11-2025"; never
# "Beslutningstema", "Beslutningspunkter" or "Beslutningskompetence".
_DECISION_HEADING = re.compile(r"^beslutning(?:er)?(?=$|[\s:.,])", re.I)
# Markup a word processor leaves inside the sections: never text, never part of a record.
_NOISE_TAGS = ["script", "style", "title", "meta", "link", "head", "noscript", "template"]
# Embedded images a word processor writes as text: data URIs and bare base64 runs.
_BASE64_RUN = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+|[A-Za-z0-9+/]{120,}={0,2}")
_CLOSED_TITLE = re.compile(r"^\s*lukket\b", re.I)
_CLOSED_MARK = re.compile(
    r"^\s*lukket(\s+punkt)?\s*[:\-–]", re.I
)  # "Lukket: …", "Lukket punkt - …"
# "4. Orientering fra borgmesteren - (FOR LUKKEDE DØRE)", "… (lukket punkt)"
_CLOSED_SUFFIX = re.compile(r"\(\s*(for\s+lukkede\s+d(ø|oe)re|lukket(\s+punkt)?)\s*\)\s*$", re.I)
DATE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2}))?")


class ParseError(SourceError):
    """An answer that does not hold what its URL promised; the message names the URL."""


def committee_matches(committee: str, udvalg: str = DEFAULT_UDVALG) -> bool:
    """Whether the committee is one the pattern (default: the social and employment ones) picks."""
    return re.search(udvalg, committee, re.I) is not None


# -- sections ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One section of an item: its heading ("" when untitled), text and safe HTML."""

    heading: str
    paragraphs: tuple[str, ...]
    html: str

    @property
    def is_decision(self) -> bool:
        """A decision ("Beslutning i … den …"), not the proposal or the decision's subject."""
        return bool(_DECISION_HEADING.match(self.heading))


def fragment(markup: str) -> Tag:
    """`markup` parsed as the body of a page (a word processor's <title> stays where it is)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(f"<html><head></head><body>{markup}</body></html>", "lxml")
    return soup.body


def without_base64(text: str) -> str:
    """`text` without embedded image data."""
    return _BASE64_RUN.sub("", text)


def _drop_noise(root: Tag) -> None:
    for tag in root.find_all(_NOISE_TAGS):
        tag.decompose()
    for string in root.find_all(string=_BASE64_RUN):
        string.replace_with(without_base64(str(string)))


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


def section_of(heading: str, nodes: list, base_url: str) -> Section | None:
    """The section `heading` made of `nodes` (moved out of their tree); None when it has no text."""
    from bs4 import BeautifulSoup, NavigableString, Tag

    soup = BeautifulSoup("", "lxml")
    holder = soup.new_tag("div")
    for node in nodes:
        holder.append(node.extract() if isinstance(node, Tag | NavigableString) else node)
    # A <div> holding only text is a paragraph; kept as <p> so the cleaned HTML keeps the breaks.
    for div in holder.find_all("div"):
        if not any(isinstance(d, Tag) and d.name in BLOCK_TAGS for d in div.descendants):
            div.name = "p"
    # Headings inside a section are its sub-headings: one level below the section's own.
    for sub in holder.find_all(["h2", "h3"]):
        sub.name = "h4"
    markup = clean_html(holder, base_url)  # before the lists below become text
    texts = _texts(soup, holder)
    if not texts:
        return None
    return Section(heading, texts, markup)


def promote_headings(holder: Tag, names: list[str]) -> None:
    """Make a platform's own item headings (`names`, e.g. h4) the sections' bare-text <h3>."""
    for tag in holder.find_all(names):
        tag.string = inline_text(tag)  # bold or span inside would read as a word-processor heading
        tag.name = "h3"


def _is_sub_heading(tag: Tag) -> bool:
    # The platforms write their section headings as bare text (<h3>Sagsfremstilling</h3>); a
    # heading the case writer made in Word comes wrapped (<h3><span>Om Grenhusene</span></h3>).
    from bs4 import NavigableString, Tag

    return any(isinstance(c, Tag) for c in tag.children) and all(
        isinstance(c, Tag)
        and c.name in ("span", "b", "strong", "em", "i", "u")
        or (isinstance(c, NavigableString) and not c.strip())
        for c in tag.children
    )


def _heading_level(container: Tag) -> Tag:
    # Down through lone wrappers (<div><div>…<h3>) to where the section headings stand.
    from bs4 import NavigableString, Tag

    level = container
    while level.find("h3", recursive=False) is None:
        elements = [c for c in level.children if isinstance(c, Tag)]
        loose_text = any(isinstance(c, NavigableString) and c.strip() for c in level.children)
        if len(elements) != 1 or loose_text or elements[0].find("h3") is None:
            break
        level = elements[0]
    return level


def _flat_children(level: Tag) -> list:
    # Real items wrap "Indstilling" and "Beslutning i … den …" in an extra <div> among the
    # sections; such a wrapper's own headings are sections like the others.
    from bs4 import NavigableString, Tag

    out: list = []
    for child in list(level.children):
        if (
            isinstance(child, Tag)
            and child.name in ("div", "section")
            and child.find("h3", recursive=False) is not None
        ):
            out.extend(_flat_children(child))
        elif isinstance(child, Tag | NavigableString):
            out.append(child)
    return out


def sections_of(root: Tag, base_url: str, default_heading: str = "") -> list[Section]:
    """The `<h3>` sections under `root` in order, untitled text (a subtitle) first."""
    from bs4 import Tag

    container = root.find(id="sagsfremstillingContainer") or root
    _drop_noise(container)
    found: list[Section] = []
    heading = default_heading
    nodes: list = []
    for child in _flat_children(_heading_level(container)):
        if isinstance(child, Tag) and child.name == "h3" and not (nodes and _is_sub_heading(child)):
            section = section_of(heading, nodes, base_url)
            if section:
                found.append(section)
            heading, nodes = inline_text(child).rstrip(":").strip(), []
        else:
            nodes.append(child)
    section = section_of(heading, nodes, base_url)
    if section:
        found.append(section)
    # Text under an empty <h3> is the item's long title (a subtitle): it leads, rather than
    # reading as part of whichever section happens to come before it.
    return [s for s in found if not s.heading] + [s for s in found if s.heading]


def text_section(heading: str, text: str) -> Section | None:
    """A section from plain text, paragraphs separated by blank lines."""
    texts = tuple(squash(p) for p in re.split(r"\n\s*\n", without_base64(text)) if squash(p))
    if not texts:
        return None
    return Section(heading, texts, "".join(f"<p>{html.escape(t)}</p>" for t in texts))


def sections_from_paragraphs(
    lines: list[str], is_heading, default_heading: str = ""
) -> list[Section]:
    """Sections from a document's paragraphs (a PDF, a Word file): `is_heading(p)` starts one."""
    found: list[Section] = []
    heading, body = default_heading, []
    for line in [*lines, None]:
        if line is None or is_heading(line):
            if body:
                section = text_section(heading, "\n\n".join(body))
                if section:
                    found.append(section)
            if line is None:
                break
            heading, body = line.rstrip(":").strip(), []
        else:
            body.append(line)
    return found


# -- meetings, items and records --------------------------------------------------------------


@dataclass(frozen=True)
class Meeting:
    """What every item of one meeting shares."""

    kommune: Kommune
    meeting_id: str
    committee: str
    start: str  # ISO 8601 day, with the time (and the site's offset) when known
    supplementary: bool = False
    same_day: bool = False  # another meeting of the committee that day: ids carry the time
    url: str = ""  # the public meeting page

    @property
    def date(self) -> str:
        """The meeting day, YYYY-MM-DD."""
        return self.start[:10]

    @property
    def page_url(self) -> str:
        """The public meeting page."""
        return self.url

    def record_id(self, number: str) -> str:
        """`<kommune>-<udvalg>-<dato>[-kl<ttmm>][-tillaeg]-punkt-<nr>`: from the site's own data."""
        parts = [self.kommune.key, slug(self.committee), self.date]
        match = DATE_TIME.match(self.start)
        if self.same_day and match and match.group(2):
            parts.append(f"kl{match.group(2)}{match.group(3)}")
        if self.supplementary:
            parts.append("tillaeg")
        parts += ["punkt", slug(number) or "0"]
        return bounded_id("-".join(parts))


@dataclass(frozen=True)
class Item:
    """One agenda item, whichever platform it came from."""

    number: str
    title: str
    case_number: str | None
    sections: tuple[Section, ...]
    attachments: tuple[dict, ...]
    is_open: bool
    url: str | None = None  # the item's own page, when the platform has one


@dataclass
class AgendaResult:
    """What one meeting gave: records to write, and the ids of items left out and why."""

    meeting: Meeting
    records: list[dict] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)  # not public
    empty: list[str] = field(default_factory=list)  # no text and no attachments


def is_closed(title: str, is_open: object = None) -> bool:
    """Closed when the site says so, or the title marks it; unsure means closed."""
    if is_open is False or _CLOSED_MARK.match(title) or _CLOSED_SUFFIX.search(title):
        return True
    # Without an open flag, any title opening with "Lukket" is taken as closed: better one
    # public item missed than one closed item published.
    return is_open is not True and bool(_CLOSED_TITLE.match(title))


def open_title(title: str) -> str:
    """A title without a trailing closed/open marker the platform adds."""
    return squash(
        re.sub(r"\s*[-–]?\s*\(\s*(åbent|åben)(\s+punkt)?\s*\)\s*$", "", title, flags=re.I)
    )


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


def summary_of(item: Item) -> str | None:
    """The resumé, else the beslutningstema: what the item is about, never the decision."""
    by_heading = {s.heading.casefold(): s for s in item.sections if s.heading}
    for heading in SUMMARY_HEADINGS:
        if heading in by_heading:
            return "\n\n".join(by_heading[heading].paragraphs)
    return None


def decision_of(item: Item, meeting: Meeting) -> str | None:
    """What this meeting decided: the decision section that names its committee or day, else the
    item's last decision (an earlier committee's, on an agenda not yet decided)."""
    decisions = [s for s in item.sections if s.is_decision]
    if not decisions:
        return None
    day = meeting.date
    dmy = f"{day[8:10]}-{day[5:7]}-{day[:4]}"
    own = [
        s
        for s in decisions
        if meeting.committee.casefold() in s.heading.casefold()
        or dmy in s.heading
        or day in s.heading
    ]
    chosen = (own or decisions)[-1]
    return "\n\n".join(chosen.paragraphs)


def item_record(
    meeting: Meeting, item: Item, content: bytes, fetched_at: str | None = None
) -> dict:
    """The Document record of one open item with text or attachments."""
    record: dict = {
        "id": meeting.record_id(item.number),
        "source": SOURCE,
        "doc_type": DOC_TYPE,
        "title": item.title,
        "url": item.url or meeting.page_url,
    }
    if fetched_at is not None:
        record["fetched_at"] = fetched_at
    record["sha256"] = hashlib.sha256(content).hexdigest()
    record["text"] = _item_text(item)
    record["date"] = meeting.date
    summary = summary_of(item)
    if summary:
        record["summary"] = summary
    decision = decision_of(item, meeting)
    if decision:
        record["decision"] = decision
    record["municipality"] = meeting.kommune.name
    if meeting.kommune.code:
        record["municipality_code"] = meeting.kommune.code
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


BILAG_HEADING = "Bilag"  # what introduces an attachment's text in the item's text


def attachment_urls(records: list[dict]) -> list[str]:
    """Every attachment of the records, each once, in the order the items list them."""
    seen: dict[str, None] = {}
    for record in records:
        for attachment in record.get("attachments", ()):
            seen.setdefault(attachment["url"], None)
    return list(seen)


def with_attachment_texts(
    records: list[dict], urls: list[str], texts: list[list[str] | None]
) -> list[dict]:
    """The records with each readable attachment's text after the item's own, under a line
    "Bilag: <title>", so a search finds what only the attachment says."""
    by_url = {url: text for url, text in zip(urls, texts, strict=True) if text}
    joined = []
    for record in records:
        parts = [record["text"]] if record["text"] else []
        for attachment in record.get("attachments", ()):
            paragraphs = by_url.get(attachment["url"])
            if paragraphs:
                parts += [f"{BILAG_HEADING}: {attachment['title']}", *paragraphs]
        joined.append({**record, "text": "\n\n".join(parts)} if len(parts) > 1 else record)
    return joined


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


# -- items from a meeting document (the minutes as Word or PDF) --------------------------------

# Headings of an item's sections as the case systems write them in the meeting documents.
DOCUMENT_HEADINGS = (
    "resumé",
    "resume",
    "sagsfremstilling",
    "supplerende sagsfremstilling",
    "indstilling",
    "administrationens indstilling",
    "administrationen indstiller",
    "beslutningstema",
    "beslutningskompetence",
    "beslutning",
    "beslutninger",
    "økonomi",
    "økonomiske konsekvenser",
    "retsgrundlag",
    "lovgrundlag",
    "høring",
    "kommunikation",
    "sagsforløb",
    "baggrund",
    "tidsplan",
    "bilag",
)
_DOCUMENT_ITEM = re.compile(r"^(?:punkt\s+)?(\d{1,3})\.?\s+(\S.{2,})$", re.I)
_TOC_LINE = re.compile(r"PAGEREF|\bTOC\b|(\.{3,}|…+|\t)\s*\d+\s*$")
_CASE_LABEL = re.compile(r"^(?:sagsnr|sagsnummer|sag nr)\.?(?:\s+i\s+\w+)?\s*:?\s*(.*)$", re.I)
_LABEL_VALUE = re.compile(r"^(afbud|fraværende|fravær|bemærkning)\s*:\s*(.+)$", re.I)
_SIGNATURES = re.compile(r"^underskrift(sside|er)\s*:?$", re.I)  # not "Underskriftsside 5"
_DECISION_LINE = re.compile(r"^beslutning(?:er)?\s+(i|på|fra)\s+.+\s+den\s+\S+$", re.I)


@dataclass(frozen=True)
class DocumentItem:
    """One item read from a meeting document: number, title, case number and sections."""

    number: str
    title: str
    case_number: str | None
    sections: tuple[Section, ...]


def is_document_heading(line: str) -> bool:
    """A section heading in a meeting document: a known name, or "Beslutning i … den …"."""
    text = line.rstrip(":").strip()
    return text.casefold() in DOCUMENT_HEADINGS or bool(_DECISION_LINE.match(text))


def items_from_paragraphs(
    lines: list[str], titles: dict[str, str] | None = None
) -> list[DocumentItem]:
    """The items of a meeting document's paragraphs, in order.

    An item starts at "N. Titel" (or "Punkt N Titel") with N the next number; when the meeting
    page gave the titles (`titles`: number → title), only a line naming that title starts it.
    The table of contents (page references) and what precedes the first item are left out.
    """
    lines = [_cells_joined(line) for line in lines if not _TOC_LINE.search(line)]
    lines = [line for line in lines if line]
    end = next((i for i, line in enumerate(lines) if _SIGNATURES.match(line)), len(lines))
    lines = lines[:end]
    starts: list[tuple[int, str, str]] = []
    for index, line in enumerate(lines):
        match = _DOCUMENT_ITEM.match(line)
        if not match or is_document_heading(line) or not _could_be_title(match.group(2)):
            continue
        number, title = match.group(1), match.group(2).strip()
        if titles is not None:
            known = titles.get(number)
            if known is None or not title.casefold().startswith(known.casefold()[:30]):
                continue
        else:
            # The item's own head follows within a few lines; a numbered point of an
            # Indstilling ("3. At …") is followed by more of its text.
            ahead = []
            for following in lines[index + 1 : index + 4]:
                if _DOCUMENT_ITEM.match(following) and not is_document_heading(following):
                    break  # the next title: this one was a line of the contents
                ahead.append(following)
            if not any(_CASE_LABEL.match(a) or is_document_heading(a) for a in ahead):
                continue
        if any(n == number and t[:30] == title[:30] for _, n, t in starts):
            # The same item again: what came before was a table of contents.
            starts = [s for s in starts if int(s[1]) < int(number)]
        expected = int(starts[-1][1]) + 1 if starts else int(number)
        if int(number) != expected:
            continue
        starts.append((index, number, title))
    items: list[DocumentItem] = []
    for position, (index, number, title) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(lines)
        items.append(_document_item(number, title, lines[index + 1 : end]))
    return items


def _could_be_title(text: str) -> bool:
    # The numbered points of an Indstilling read "1. At …," / "2. at …;": no item title does.
    first = text.split(maxsplit=1)[0].casefold()
    return text[0].isupper() and first != "at" and not text.rstrip().endswith((",", ";"))


def _cells_joined(line: str) -> str:
    # A table row read as "Label: | value" (Word layouts put the item head in a table).
    return squash(re.sub(r"\s*\|\s*", " ", re.sub(r"^\s*\|\s*", "", line)))


def _document_item(number: str, title: str, body: list[str]) -> DocumentItem:
    case_number = None
    kept: list[str] = []
    pending_case = False
    for line in body:
        case = _CASE_LABEL.match(line)
        if pending_case:
            case_number, pending_case = line, False
        elif case and case_number is None:
            case_number = case.group(1).strip() or None
            pending_case = case_number is None  # "Sagsnr. i ESDH:" with the value on the next line
        elif (label := _LABEL_VALUE.match(line)) is not None:
            kept += [label.group(1).capitalize(), label.group(2)]
        elif ":" in line and is_document_heading(line.split(":", 1)[0]) and line.split(":", 1)[1]:
            # "Beslutningskompetence: Økonomiudvalget": a heading and its value on one line.
            heading, value = line.split(":", 1)
            kept += [heading.strip(), value.strip()]
        else:
            kept.append(line)
    sections = sections_from_paragraphs(
        kept, lambda line: is_document_heading(line) or line in ("Afbud", "Fraværende")
    )
    return DocumentItem(number, title, case_number, tuple(sections))
