"""Ankestyrelsen (ast.dk): which sitemap URLs are documents; pure parsers from bytes to records.

Facts about the site (learned from public pages and public scrapers of it, not copied): the
sitemap at /sitemap.xml lists every page with <lastmod>; principmeddelelser live under
/for-myndigheder/principmeddelelser/<år>/<slug> with the title "Ankestyrelsens principmeddelelse
<nr> om …"; a page's tags are `span.label-default` (law names, emneord, status Gældende/Historisk
and the area, e.g. Kommunal, Udbetaling Danmark or Arbejdsskade); the body is accordion sections
("Principmeddelelsen fastslår", "Den konkrete sag", "Love og bekendtgørelser", "Praksis") and a
metadata box with "Dato for underskrift", "Offentliggørelsesdato", "Paragraf" and "Journalnummer".

No function here touches the network: they take the bytes the fetcher got.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlparse

from retskilde.numbers import NUMBER, canonical_number
from retskilde.scrapers.dates import MONTH_NAMES, is_date_only, parse_date
from retskilde.scrapers.errors import SourceError
from retskilde.scrapers.htmltext import (
    BLOCK_TAGS,
    clean_html,
    inline_text,
    link_title,
    paragraphs,
    soup_of,
    squash,
)
from retskilde.scrapers.ids import MAX_ID_LENGTH, bounded_id, slug  # noqa: F401 (MAX_ID_LENGTH: public)

if TYPE_CHECKING:
    from bs4 import BeautifulSoup, Tag

SOURCE = "ast"
DEFAULT_BASE_URL = "https://www.ast.dk"
SITEMAP_PATH = "/sitemap.xml"
KINDS = ("principmeddelelse", "nyhed", "artikel", "praksisundersoegelse", "tilsynsudtalelse")

STATUS_TAGS = {"gældende": "gældende", "historisk": "historisk"}
AREA_TAGS = {
    "Kommunal",
    "Udbetaling Danmark",
    "Arbejdsskade",
    "Børn og unge",
    "Familieret",
    "Beskæftigelse",
    "Tilsyn",
}
# The contract's law_area is a fixed list; only laws that belong to one area are mapped.
LAW_AREAS = (
    ("arbejdsskade", "Arbejdsskade"),
    ("sygedagpenge", "Sygedagpenge"),
    ("social pension", "Pension"),
    ("pensionsloven", "Pension"),
    ("førtidspension", "Pension"),
    ("aktivloven", "Forsørgelse"),
    ("aktiv socialpolitik", "Forsørgelse"),
    ("beskæftigelsesindsats", "Beskæftigelse"),
    ("beskæftigelsesloven", "Beskæftigelse"),
    ("barnets lov", "Børn og unge"),
    ("hjælpemiddel", "Handicap og hjælpemidler"),
    ("forvaltningsloven", "Forvaltningsret"),
    ("retssikkerhedsloven", "Forvaltningsret"),
    ("offentlighedsloven", "Forvaltningsret"),
)
# Serviceloven spans several areas (hjælpemidler and handicap, adults' social services, and
# before barnets lov in 2024 also children), so its area comes from the page's emneord; a
# decision about e.g. forsorgshjem or krisecentre belongs to none of the contract's areas and
# gets no law_area rather than a wrong one.
SPANNING_LAWS = ("serviceloven", "lov om social service")
# Emneord that place a Serviceloven decision, matched at a word start ("Børn" but not "Tvungen").
SPANNING_LAW_KEYWORDS = tuple(
    (re.compile(rf"\b(?:{pattern})", re.I), area)
    for pattern, area in (
        (
            r"hjælpemid|forbrugsgode|merudgift|tabt arbejdsfortjeneste|handicap|funktionsevne"
            r"|borgerstyret personlig assistance|bpa\b|ledsage|boligindretning|bil\b|biler\b",
            "Handicap og hjælpemidler",
        ),
        (r"anbring|samvær|børn|barn|unge?\b|efterværn|forebyggende foranstaltning", "Børn og unge"),
    )
)
SECTION_HEADINGS = (
    "Principmeddelelsen fastslår",
    "Principafgørelsen fastslår",
    "Den konkrete sag",
    "De konkrete sager",
    "Baggrund for at offentliggøre principmeddelelsen",
    "Love og bekendtgørelser",
    "Reglerne",
    "Praksis",
    "Kasserede",
    "Kasserede principmeddelelser",
    "Den konkrete afgørelse",
    "Afgørelse",
    "Afgørelsen",
    "Ankestyrelsens afgørelse",
    "Begrundelse",
    "Begrundelsen",
    "Om reglerne",
    "Mødebehandling",
)
_HEADING_KEYS = {h.casefold(): h for h in SECTION_HEADINGS}
# Headings that name one case or one part of a decision: "Sag nr. 2, j.nr. 24-86142",
# "Begrundelsen for afgørelsen om fortsat anbringelse". Each is its own section, so the case
# text after "Praksis" is never counted as practice.
_HEADING_PATTERN = re.compile(
    r"^(sag nr\.\s*\d+\b.{0,40}|begrundelse(n)? for [^.]{3,80}|kasserede\s*:?)$", re.I
)
# "Kasserede" lists principmeddelelser the practice replaced: practice too.
PRAKSIS_SECTIONS = ("Praksis", "Kasserede", "Kasserede principmeddelelser")

_NUMBER_IN_TITLE = re.compile(
    rf"princip(?:meddelelse|afgørelse)\w*\s+(?:nr\.\s*)?({NUMBER})\b", re.I
)
_NUMBER_ANYWHERE = re.compile(rf"(?<![\w-])({NUMBER})(?![\w-])")
# Numbers that are really paragraph ranges or dates: "§§ 68-70", "stk. 2-3", "nr. 10-12".
_NOT_A_DECISION = re.compile(r"(§§?|stk\.|nr\.|kl\.|pkt\.)\s*$", re.I)
_LAW_TAG = re.compile(r"(lov(en)?|loven|lovens)$|^lov om|^bekendtgørelse|^barnets lov", re.I)
_PRAKSISUNDERSOEGELSE = re.compile(r"praksisunders(?:oe|o|ø)gelse")
_NEWS_FOLDERS = {"nyheder", "nyhedsarkiv"}
_MONTH_SEGMENT = re.compile(r"^(?:0?[1-9]|1[0-2])$")
_YEAR_SEGMENT = re.compile(r"^(?:[a-z-]*-)?((?:19|20)\d{2})$")
_LISTING_SEGMENTS = {
    "nyheder",
    "artikler",
    "principmeddelelser",
    "udtalelser",
    "tilsynsudtalelser",
    "praksisundersogelser",
    "praksisundersoegelser",
    "nyhedsarkiv",
    "tal-og-undersogelser",
    "tal-og-undersoegelser",
    "jan",
    "feb",
    "mar",
    "apr",
    "maj",
    "jun",
    "jul",
    "aug",
    "sep",
    "okt",
    "nov",
    "dec",
    *MONTH_NAMES,
}
_META_LABELS = (
    ("Dato for underskrift", "signed"),
    ("Underskriftsdato", "signed"),
    ("Offentliggørelsesdato", "published"),
    ("Offentliggjort", "published"),
    ("Udgivet", "published"),
    ("Dato", "date"),
    ("Paragraffer", "paragraph"),
    ("Paragraf", "paragraph"),
    ("Journalnummer", "journal_number"),
    ("J.nr.", "journal_number"),
    ("Sagsnummer", "case_number"),
    ("Kommune", "municipality"),
)
_LABELS = "|".join(re.escape(label) for label, _ in _META_LABELS)
_META_KEYS = dict(_META_LABELS)
# The box's real markup is unknown, so it is read as a stream of text pieces: a label is a piece
# of its own ("Paragraf", "Paragraf:") whose value is in the pieces after it, or a piece that
# starts with a label and goes on with a value ("Paragraf § 5"). Either way the value must look
# like what the label promises, so body text that merely starts with "Kommunen …" or "Dato …"
# is never taken for metadata.
_META_LABEL_ONLY = re.compile(rf"^\s*({_LABELS})\s*:?\s*$")
_META_LABEL_RE = re.compile(rf"^\s*({_LABELS})(?=\s|:|$)\s*:?\s*(.*)$", re.S)
_JOURNAL_VALUE = re.compile(r"^[\w./-]*\d[\w./-]*(?: [\w./-]*\d[\w./-]*)?$")
_MUNICIPALITY_VALUE = re.compile(r"^[A-ZÆØÅ][\wæøå]+(?:[- ][A-ZÆØÅ][\wæøå]+)*(?: Kommune)?$")
# A Paragraf value may come as several pieces: "§ 47", "§ 49", "§ 171 b", "stk. 2", "og § 18".
_PARAGRAPH_PIECE = re.compile(r"^(§|stk\.|nr\.|og\b|samt\b|,)", re.I)
# The site's footer, which the current site puts in the same rich-text blocks as the body.
_FOOTER = re.compile(
    r"Teglholmsgade\s+3|\bEAN:\s*\d|\bCVR:\s*\d|sikkermail@ast\.dk|Er du bekymret for et barn"
    r"|\bTelefontider\b|Receptionens åbningstider|7998 Statsservice|Tilgængelighedserklæring"
    r"|Se mere om at kontakte Ankestyrelsen"
    # The old site's footer lines, whole: body text may well mention the address or number.
    r"|^\s*(Ring|Telefon):\s*33 41 12 00|^\s*Mail:\s*ast@ast\.dk\s*$|^\s*Adresse:\s*Ankestyrelsen",
    re.I,
)
_FOOTER_LEAD = re.compile(r"^(Ankestyrelsen|Kontakt( os)?|Find os|\d{4} København \w+)$")
MAX_FOOTER_REST = 40  # characters of non-footer text a footer's wrapper may hold
_SITE_SUFFIX = re.compile(r"\s*[-|–]\s*Ankestyrelsen\s*$")
_UPDATED = re.compile(r"^Sidst opdateret\b", re.I)
_MUNICIPALITY = re.compile(r"\b([A-ZÆØÅ][a-zæøå]+(?:-[A-ZÆØÅ][a-zæøå]+)*)\s+Kommunes?\b")
ATTACHMENT_SUFFIXES = (".pdf", ".docx", ".doc", ".xlsx", ".odt")
# A praksisundersøgelse's page is a summary; the study itself is the attached report, whose
# text the record gets too. Appendices ("Bilag: skema til sagsgennemgang") are left out: review
# forms and tables would make every search word match them.
REPORT_KINDS = ("praksisundersoegelse",)
REPORT_SUFFIXES = (".pdf", ".docx")
MAX_REPORTS = 2


class ParseError(SourceError):
    """A page that does not hold the document its URL promised; the message names the URL."""


# -- URLs -------------------------------------------------------------------------------------


def sitemap_url(base_url: str) -> str:
    """The sitemap of the site at `base_url`."""
    return urljoin(base_url.rstrip("/") + "/", SITEMAP_PATH.lstrip("/"))


def _segments(url: str) -> list[str]:
    return [s for s in urlparse(url).path.lower().split("/") if s]


def _is_listing(segments: list[str]) -> bool:
    last = segments[-1]
    return (
        last in _LISTING_SEGMENTS
        or bool(_YEAR_SEGMENT.match(last))
        or (
            bool(_MONTH_SEGMENT.match(last))
            and len(segments) > 1
            and bool(_YEAR_SEGMENT.match(segments[-2]))
        )
        or (len(segments) > 1 and last == segments[-2])
    )


def classify(url: str) -> str | None:
    """The kind of document at `url` (one of KINDS), or None for pages that are not documents.

    Both sites' paths parse: the current one writes ø as "oe" (tal-og-undersoegelser,
    praksisundersoegelse) and keeps news under /nyhedsarkiv, the old one wrote "o" and /nyheder.
    """
    segments = _segments(url)
    if len(segments) < 2 or _is_listing(segments):
        return None
    folders = segments[:-1]
    if "principmeddelelser" in folders or "principafgorelser" in folders:
        return "principmeddelelse"
    if any(s.startswith("tilsyn") for s in folders) and any("udtalelse" in s for s in folders):
        return "tilsynsudtalelse"
    if any(_PRAKSISUNDERSOEGELSE.search(s) for s in folders):
        return "praksisundersoegelse"
    if any(s in _NEWS_FOLDERS or s.startswith("nyheder-") for s in folders):
        return "nyhed"
    if any(s == "artikler" or s.startswith("artikler-") for s in folders) or segments[
        -1
    ].startswith("artikel-"):
        return "artikel"
    return None


def title_number(title: str) -> str | None:
    """The decision number in a principmeddelelse's title ("… principmeddelelse 22-25 om …")."""
    match = _NUMBER_IN_TITLE.search(title)
    return match.group(1).upper() if match else None


def record_id(kind: str, url: str, number: str | None = None) -> str:
    """The stable id: the decision number for principmeddelelser, else year and URL slug."""
    if kind == "principmeddelelse" and number:
        return f"ast-principmeddelelse-{number.lower()}"
    segments = _segments(url)
    year = next((m.group(1) for s in segments[:-1] if (m := _YEAR_SEGMENT.match(s))), None)
    name = slug(segments[-1]) if segments else "side"
    if year and not name.startswith(year):
        name = f"{year}-{name}"
    return bounded_id(f"ast-{kind}-{name}")


# -- small parsers ----------------------------------------------------------------------------


def split_tags(tags: list[str]) -> dict:
    """Sort a page's tag labels into law names, emneord, status and area (authority)."""
    out: dict = {"law_names": [], "keywords": []}
    after_status = False
    for tag in tags:
        status = STATUS_TAGS.get(tag.casefold())
        if status:
            out["status"] = status
            after_status = True
        elif tag in AREA_TAGS or (after_status and "authority" not in out):
            # The area tag follows the status tag on the site.
            out.setdefault("authority", tag)
        elif _LAW_TAG.search(tag):
            if tag not in out["law_names"]:
                out["law_names"].append(tag)
        elif tag not in out["keywords"]:
            out["keywords"].append(tag)
    return out


def law_area(law_names: list[str], keywords: list[str] = ()) -> str | None:
    """The contract's law_area for the first law that belongs to one area.

    A law that spans several areas (Serviceloven) is placed by the page's emneord, and left
    out when they do not tell.
    """
    for name in law_names:
        lowered = name.casefold()
        for needle, area in LAW_AREAS:
            if needle in lowered:
                return area
    if any(law in name.casefold() for name in law_names for law in SPANNING_LAWS):
        for keyword in keywords:
            for pattern, area in SPANNING_LAW_KEYWORDS:
                if pattern.search(keyword):
                    return area
    return None


def _heading(paragraph: str) -> str | None:
    stripped = paragraph.strip()
    known = _HEADING_KEYS.get(stripped.casefold().rstrip(" :"))
    if known:
        return known
    return stripped.rstrip(" :") if _HEADING_PATTERN.match(stripped) else None


def sections(record: dict) -> dict[str, str]:
    """The record's text split at its section headings ("Praksis" → the paragraphs under it)."""
    found: dict[str, list[str]] = {}
    current: str | None = None
    for paragraph in record.get("text", "").split("\n\n"):
        heading = _heading(paragraph)
        if heading:
            current = heading
            found.setdefault(current, [])
        elif current is not None:
            found[current].append(paragraph.strip())
    return {heading: "\n\n".join(body) for heading, body in found.items()}


def decision_numbers(text: str) -> list[str]:
    """Decision numbers named in `text`, in order, once each; § ranges and the like left out."""
    numbers: list[str] = []
    for match in _NUMBER_ANYWHERE.finditer(text):
        if _NOT_A_DECISION.search(text[max(0, match.start() - 8) : match.start()]):
            continue
        if match.group(1) not in numbers:
            numbers.append(match.group(1))
    return numbers


def praksis_numbers(record: dict) -> list[str]:
    """The decision numbers the record's "Praksis" (and "Kasserede") cite, its own left out."""
    own = record.get("number")
    found = sections(record)
    text = "\n\n".join(found[name] for name in PRAKSIS_SECTIONS if name in found)
    return [n for n in decision_numbers(text) if n != own]


# -- page parsing -----------------------------------------------------------------------------


def _content_root(soup: BeautifulSoup) -> Tag:
    root = soup.find("main") or soup.find("article") or soup.body or soup
    for selector in (
        "nav",
        "header",
        "footer",
        "aside",
        "script",
        "style",
        "noscript",
        ".breadcrumb",
        ".skip-link",
        ".share",
        ".related",
    ):
        for tag in root.select(selector):
            tag.decompose()
    return root


def _title(soup: BeautifulSoup, root: Tag) -> str | None:
    h1 = root.find("h1")
    if h1 is not None:
        title = inline_text(h1)
        h1.decompose()
        if title:
            return title
    meta = soup.find("meta", attrs={"property": "og:title"})
    if meta is not None and _SITE_SUFFIX.sub("", squash(meta.get("content", ""))):
        return _SITE_SUFFIX.sub("", squash(meta["content"]))
    if soup.title is not None:
        return _SITE_SUFFIX.sub("", squash(soup.title.get_text())) or None
    return None


def _tags(root: Tag) -> list[str]:
    tags: list[str] = []
    for span in root.select("span.label-default"):
        text = inline_text(span)
        if text and text not in tags:
            tags.append(text)
        span.decompose()
    return tags


_SECTION_WORD = re.compile(
    r"^(§§?|\d+\s?[a-z]?|[a-z]|stk\.|nr\.|pkt\.|litra|og|samt|jf\.|,)$", re.I
)


def _bare_sections(value: str) -> bool:
    """True for a value that is only section references: "§ 14, stk. 1 og 2", "§ 171 b"."""
    return all(_SECTION_WORD.match(word) for word in re.findall(r"[^\s,]+|,", value))


def _meta_value(key: str, pieces: list[str], inline: bool = False) -> tuple[str | None, int]:
    """The value for `key` at the start of `pieces`, and how many pieces it took.

    After a label of its own a date may be dressed ("mandag den 5. januar 2026"); on the
    label's own line only a bare date counts, or body text such as "Dato for underskrift af
    aftalen var 1. maj" would be taken for metadata.
    """
    if not pieces:
        return None, 0
    first = pieces[0].strip(" :")
    if key in ("signed", "published", "date"):
        dated = is_date_only(first) or (not inline and len(first) <= 40 and parse_date(first))
        return (first, 1) if dated else (None, 0)
    if key == "paragraph":
        # On the label's own line the value must be nothing but sections, or a sentence
        # such as "Paragraf § 5 i loven handler om …" would be taken for one.
        if not first.startswith("§") or len(first) > 80 or (inline and not _bare_sections(first)):
            return None, 0
        taken = [first]
        for piece in pieces[1:]:
            piece = piece.strip()
            if _META_LABEL_RE.match(piece) or not _PARAGRAPH_PIECE.match(piece) or len(piece) > 60:
                break
            taken.append(piece)
        return re.sub(r"\s+,", ",", " ".join(taken)), len(taken)
    if key in ("journal_number", "case_number"):
        return (first, 1) if len(first) <= 40 and _JOURNAL_VALUE.match(first) else (None, 0)
    if key == "municipality":
        return (first, 1) if _MUNICIPALITY_VALUE.match(first) else (None, 0)
    return None, 0


def _remove_pieces(root: Tag, pieces: list) -> None:
    """Remove the read pieces with every element around them that holds nothing else."""
    from bs4 import Tag

    taken = {id(piece) for piece in pieces}

    def only_taken(tag: Tag) -> bool:
        return all(id(s) in taken for s in tag.find_all(string=True) if s.strip())

    for piece in pieces:
        if getattr(piece, "parent", None) is None:
            continue  # inside an element removed with an earlier piece
        node = piece
        while node.parent is not None and node.parent is not root and only_taken(node.parent):
            node = node.parent
        if isinstance(node, Tag):
            if not node.decomposed:
                node.decompose()
        elif node.parent is not None:
            node.extract()


def _metadata(root: Tag) -> dict[str, str]:
    """The metadata box's label/value pairs, whatever the markup; removed once read."""
    from bs4 import Comment

    pieces = [s for s in root.find_all(string=True) if s.strip() and not isinstance(s, Comment)]
    texts = [squash(str(s)) for s in pieces]
    found: dict[str, str] = {}
    used: list = []
    index = 0
    while index < len(pieces):
        text = texts[index]
        only = _META_LABEL_ONLY.match(text)
        inline = None if only else _META_LABEL_RE.match(text)
        if only:
            key = _META_KEYS[only.group(1)]
            value, count = _meta_value(key, texts[index + 1 :])
            # A value in a header cell is a column title, not a value.
            if value and pieces[index + 1].parent.name == "th":
                value = None
            if value:
                found.setdefault(key, value)
                used.extend(pieces[index : index + 1 + count])
                index += 1 + count
                continue
        elif inline and inline.group(2).strip():
            key = _META_KEYS[inline.group(1)]
            value, count = _meta_value(key, [inline.group(2), *texts[index + 1 :]], inline=True)
            if value:
                found.setdefault(key, value)
                used.extend(pieces[index : index + count])
                index += count
                continue
        index += 1
    _remove_pieces(root, used)
    return found


def _page_date(root: Tag) -> str | None:
    """The date line under the title ("09-01-2026"), removed from the page; None if none."""
    for tag in root.find_all(["p", "div", "span", "time", "small"]):
        if tag.decomposed or tag.find(["p", "div", "ul", "ol", "table", "h2", "h3"]):
            continue
        text = inline_text(tag)
        if is_date_only(text):
            day = parse_date(text)
            if tag.name == "time" and tag.get("datetime"):
                day = parse_date(tag["datetime"]) or day
            parent = tag.parent
            tag.decompose()
            if parent is not None and parent is not root and not parent.get_text(strip=True):
                parent.decompose()
            return day
    return None


def _footer_blocks(root: Tag) -> list[Tag]:
    """The blocks that hold a footer line, and the lone "Ankestyrelsen"/postcode lines by them."""
    marked: dict[int, Tag] = {}
    for string in root.find_all(string=_FOOTER):
        block = string.parent
        while (
            block.name not in BLOCK_TAGS and block.parent is not None and block.parent is not root
        ):
            block = block.parent
        if block is not root:
            marked.setdefault(id(block), block)
    for block in list(marked.values()):
        for sibling in (block.find_previous_sibling(), block.find_next_sibling()):
            if sibling is not None and _FOOTER_LEAD.match(inline_text(sibling)):
                marked.setdefault(id(sibling), sibling)
    return list(marked.values())


def _drop_footer(root: Tag) -> None:
    """Remove the site's footer (address, contact, "Er du bekymret …") wherever it sits.

    Each footer block goes, and with it the largest wrapper around it that holds little else
    (at most MAX_FOOTER_REST characters besides footer blocks): the current site puts each
    footer line in a rich-text block of its own, sometimes with a link beside it.
    """
    marked = _footer_blocks(root)
    marked_ids = {id(block) for block in marked}

    def rest(tag: Tag) -> int:
        outside = [
            s for s in tag.find_all(string=True) if not any(id(p) in marked_ids for p in s.parents)
        ]
        return len(squash("".join(outside)))

    for block in marked:
        if block.decomposed:
            continue  # inside a wrapper already removed
        widest = block
        while (
            widest.parent is not None
            and widest.parent is not root
            and rest(widest.parent) <= MAX_FOOTER_REST
        ):
            widest = widest.parent
        widest.decompose()


def _drop_updated_lines(root: Tag) -> str | None:
    updated = None
    for string in root.find_all(string=_UPDATED):
        block = string.parent
        while block.name not in ("p", "div", "span") and block.parent is not None:
            block = block.parent
        updated = updated or parse_date(inline_text(block))
        block.decompose()
    return updated


def _attachments(root: Tag, url: str) -> list[dict]:
    found: list[dict] = []
    seen: set[str] = set()
    for link in root.find_all("a", href=True):
        target = urljoin(url, link["href"].strip())
        path = urlparse(target).path.lower()
        if urlparse(target).scheme not in ("http", "https") or not path.endswith(
            ATTACHMENT_SUFFIXES
        ):
            continue
        if target in seen:
            continue
        seen.add(target)
        found.append({"title": link_title(link), "url": target})
    return found


def _summary(soup: BeautifulSoup, root: Tag) -> str | None:
    lead = root.select_one(".manchet, .lead, .intro, .teaser")
    if lead is not None and inline_text(lead):
        return inline_text(lead)
    meta = soup.find("meta", attrs={"name": "description"})
    if meta is not None and squash(meta.get("content", "")):
        return squash(meta["content"])
    return None


def _common_fields(kind: str, url: str, content: bytes, title: str, fetched_at: str | None) -> dict:
    record = {
        "id": "",
        "source": SOURCE,
        "doc_type": kind,
        "title": title,
        "url": url,
    }
    if fetched_at is not None:
        record["fetched_at"] = fetched_at
    record["sha256"] = hashlib.sha256(content).hexdigest()
    return record


def _add_tag_fields(record: dict, tags: list[str]) -> None:
    split = split_tags(tags)
    if split["keywords"]:
        record["keywords"] = split["keywords"]
    if split["law_names"]:
        record["law_names"] = split["law_names"]
        area = law_area(split["law_names"], split["keywords"])
        if area:
            record["law_area"] = area
    if "status" in split:
        record["status"] = split["status"]
    if "authority" in split:
        record["authority"] = split["authority"]


def parse_principmeddelelse(content: bytes, url: str, fetched_at: str | None = None) -> dict:
    """The record of one principmeddelelse page; ParseError if the page holds no decision."""
    soup = soup_of(content)
    root = _content_root(soup)
    title = _title(soup, root)
    number = title_number(title or "")
    if not title or not number:
        raise ParseError(url, f"ingen principmeddelelse på siden (titel: {title!r})")
    written_number, number = number, canonical_number(number)
    tags = _tags(root)
    _drop_footer(root)
    meta = _metadata(root)
    page_date = _page_date(root)
    _drop_updated_lines(root)
    text_paragraphs = paragraphs(root)
    if (
        not any(p.casefold() in _HEADING_KEYS for p in text_paragraphs)
        and sum(map(len, text_paragraphs)) < 300
    ):
        raise ParseError(url, "ingen afgørelsestekst på siden (ingen kendte afsnit)")
    record = _common_fields("principmeddelelse", url, content, title, fetched_at)
    # The id keeps the number as the page writes it, so ids already in a corpus stay the same.
    record["id"] = record_id("principmeddelelse", url, written_number)
    record["text"] = "\n\n".join(text_paragraphs)
    record["number"] = number
    signed = parse_date(meta.get("signed", ""))
    # The date line under the title is the day the page was published.
    published = parse_date(meta.get("published", "")) or page_date
    if signed or published:
        record["date"] = signed or published
    if published and published != record["date"]:
        record["published"] = published
    summary = sections(record).get("Principmeddelelsen fastslår") or sections(record).get(
        "Principafgørelsen fastslår"
    )
    if summary:
        record["summary"] = summary.split("\n\n", 1)[0]
    _add_tag_fields(record, tags)
    for key in ("journal_number", "paragraph"):
        if meta.get(key):
            record[key] = meta[key]
    attachments = _attachments(root, url)
    if attachments:
        record["attachments"] = attachments
    record["html"] = clean_html(root, url)
    return record


def parse_article(content: bytes, url: str, kind: str, fetched_at: str | None = None) -> dict:
    """The record of a news item, article, praksisundersøgelse or tilsynsudtalelse page."""
    soup = soup_of(content)
    root = _content_root(soup)
    title = _title(soup, root)
    if not title:
        raise ParseError(url, "siden har ingen titel")
    summary = _summary(soup, root)
    time_tag = root.find("time", attrs={"datetime": True})
    published = parse_date(time_tag["datetime"]) if time_tag is not None else None
    tags = _tags(root)
    _drop_footer(root)
    meta = _metadata(root)
    page_date = _page_date(root)
    updated = _drop_updated_lines(root)
    text_paragraphs = paragraphs(root)
    text = "\n\n".join(text_paragraphs)
    if len(text) < 20:
        raise ParseError(url, "ingen brødtekst på siden")
    record = _common_fields(kind, url, content, title, fetched_at)
    record["id"] = record_id(kind, url)
    record["text"] = text
    day = (
        parse_date(meta.get("date", ""))
        or parse_date(meta.get("published", ""))
        or published
        or page_date
        or updated
    )
    if day:
        record["date"] = day
    if summary:
        record["summary"] = summary
    _add_tag_fields(record, tags)
    municipality = meta.get("municipality")
    if not municipality and kind == "tilsynsudtalelse" and (m := _MUNICIPALITY.search(title)):
        municipality = m.group(1)
    if municipality:
        record["municipality"] = re.sub(r"\s+Kommunes?$", "", municipality).strip()
    for key in ("journal_number", "case_number", "paragraph"):
        if meta.get(key):
            record[key] = meta[key]
    attachments = _attachments(root, url)
    if attachments:
        record["attachments"] = attachments
    record["html"] = clean_html(root, url)
    return record


def parse(content: bytes, url: str, kind: str | None = None, fetched_at: str | None = None) -> dict:
    """The record of the ast.dk page at `url` (kind from the URL unless given)."""
    kind = kind or classify(url)
    if kind is None:
        raise ParseError(url, "adressen er ikke en dokumentside")
    if kind == "principmeddelelse":
        return parse_principmeddelelse(content, url, fetched_at)
    return parse_article(content, url, kind, fetched_at)


def report_attachments(record: dict) -> list[dict]:
    """The attachments whose text belongs in the record: the reports of a praksisundersøgelse."""
    if record.get("doc_type") not in REPORT_KINDS:
        return []
    reports = [
        attachment
        for attachment in record.get("attachments", [])
        if urlparse(attachment["url"]).path.lower().endswith(REPORT_SUFFIXES)
        and not attachment["title"].casefold().startswith("bilag")
    ]
    return reports[:MAX_REPORTS]


def with_reports(record: dict, reports: list[list[str]]) -> dict:
    """The record with its reports' paragraphs after the page's own text."""
    paragraphs = [paragraph for report in reports for paragraph in report]
    if not paragraphs:
        return record
    return {**record, "text": "\n\n".join([record["text"], *paragraphs])}
