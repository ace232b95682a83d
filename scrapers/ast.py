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
from urllib.parse import urljoin, urlparse

from bs4 import BeautifulSoup, Tag

from retskilde.numbers import NUMBER, canonical_number
from scrapers.dates import parse_date
from scrapers.errors import SourceError
from scrapers.htmltext import clean_html, inline_text, link_title, paragraphs, soup_of, squash
from scrapers.ids import MAX_ID_LENGTH, bounded_id, slug  # noqa: F401 (MAX_ID_LENGTH: public)

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
    ("forvaltningsloven", "Forvaltningsret"),
    ("retssikkerhedsloven", "Forvaltningsret"),
    ("offentlighedsloven", "Forvaltningsret"),
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
    "Afgørelse",
    "Afgørelsen",
    "Ankestyrelsens afgørelse",
)
_HEADING_KEYS = {h.casefold(): h for h in SECTION_HEADINGS}

_NUMBER_IN_TITLE = re.compile(
    rf"princip(?:meddelelse|afgørelse)\w*\s+(?:nr\.\s*)?({NUMBER})\b", re.I
)
_NUMBER_ANYWHERE = re.compile(rf"(?<![\w-])({NUMBER})(?![\w-])")
# Numbers that are really paragraph ranges or dates: "§§ 68-70", "stk. 2-3", "nr. 10-12".
_NOT_A_DECISION = re.compile(r"(§§?|stk\.|nr\.|kl\.|pkt\.)\s*$", re.I)
_LAW_TAG = re.compile(r"(lov(en)?|loven|lovens)$|^lov om|^bekendtgørelse|^barnets lov", re.I)
_YEAR_SEGMENT = re.compile(r"^(?:[a-z-]*-)?((?:19|20)\d{2})$")
_LISTING_SEGMENTS = {
    "nyheder",
    "artikler",
    "principmeddelelser",
    "udtalelser",
    "tilsynsudtalelser",
    "praksisundersogelser",
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
# A label is its own element (<strong>Paragraf</strong>, <dt>Paragraf</dt>); body text that merely
# starts with "Kommunen …" or "Dato …" is never taken for one.
_META_LABEL_ONLY = re.compile(rf"^\s*({_LABELS})\s*:?\s*$")
_META_LABEL_RE = re.compile(rf"^\s*({_LABELS})(?=\s|:|$)\s*:?\s*(.*)$", re.S)
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
        or (len(segments) > 1 and last == segments[-2])
    )


def classify(url: str) -> str | None:
    """The kind of document at `url` (one of KINDS), or None for pages that are not documents."""
    segments = _segments(url)
    if len(segments) < 2 or _is_listing(segments):
        return None
    if "principmeddelelser" in segments[:-1] or "principafgorelser" in segments[:-1]:
        return "principmeddelelse"
    if segments[0] == "tilsynet" and any("udtalelse" in s for s in segments[1:-1]):
        return "tilsynsudtalelse"
    if segments[0] == "tal-og-undersogelser" and any(
        "praksisundersogelse" in s for s in segments[1:-1]
    ):
        return "praksisundersoegelse"
    if segments[0] == "nyheder":
        return "nyhed"
    if any(s == "artikler" or s.startswith("artikler-") for s in segments[:-1]) or segments[
        -1
    ].startswith("artikel-"):
        return "artikel"
    return None


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


def law_area(law_names: list[str]) -> str | None:
    """The contract's law_area for the first law that belongs to exactly one area."""
    for name in law_names:
        lowered = name.casefold()
        for needle, area in LAW_AREAS:
            if needle in lowered:
                return area
    return None


def sections(record: dict) -> dict[str, str]:
    """The record's text split at its section headings ("Praksis" → the paragraphs under it)."""
    found: dict[str, list[str]] = {}
    current: str | None = None
    for paragraph in record.get("text", "").split("\n\n"):
        heading = _HEADING_KEYS.get(paragraph.strip().casefold())
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
    """The decision numbers the record's "Praksis" section cites (its own number left out)."""
    own = record.get("number")
    return [n for n in decision_numbers(sections(record).get("Praksis", "")) if n != own]


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
    if meta is not None and squash(meta.get("content", "")):
        return squash(meta["content"])
    if soup.title is not None:
        return re.sub(r"\s*[-|–]\s*Ankestyrelsen\s*$", "", squash(soup.title.get_text())) or None
    return None


def _tags(root: Tag) -> list[str]:
    tags: list[str] = []
    for span in root.select("span.label-default"):
        text = inline_text(span)
        if text and text not in tags:
            tags.append(text)
        span.decompose()
    return tags


def _metadata(root: Tag) -> dict[str, str]:
    """Label/value pairs ("Journalnummer 23-12345"), removed from the page once read."""
    labelled = [
        s
        for s in root.find_all(string=True)
        if _META_LABEL_ONLY.match(str(s)) and s.parent is not None and s.parent.name != "[document]"
    ]
    if not labelled:
        return {}
    blocks: list[Tag] = []
    for string in labelled:
        block = string.parent
        while (
            block.name not in ("p", "li", "dt", "dd", "div", "tr", "dl")
            and block.parent is not root
        ):
            block = block.parent
        if block.name == "dt" and block.parent is not None and block.parent.name == "dl":
            block = block.parent
        if block not in blocks:
            blocks.append(block)
    lines: list[str] = []
    for block in blocks:
        lines.extend(paragraphs(block) if block.name in ("dl", "div") else [inline_text(block)])
    found: dict[str, str] = {}
    keys = dict(_META_LABELS)
    index = 0
    while index < len(lines):
        match = _META_LABEL_RE.match(lines[index])
        index += 1
        if not match:
            continue
        label, value = match.group(1), match.group(2).strip(" :")
        if not value and index < len(lines) and not _META_LABEL_RE.match(lines[index]):
            value = lines[index]
            index += 1
        if value:
            found.setdefault(keys[label], value)
    for block in blocks:
        block.decompose()
    # A box whose label blocks are now gone leaves an empty wrapper; drop it too.
    return found


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
        area = law_area(split["law_names"])
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
    match = _NUMBER_IN_TITLE.search(title or "")
    if not title or not match:
        raise ParseError(url, f"ingen principmeddelelse på siden (titel: {title!r})")
    number = canonical_number(match.group(1))
    tags = _tags(root)
    meta = _metadata(root)
    _drop_updated_lines(root)
    text_paragraphs = paragraphs(root)
    if (
        not any(p.casefold() in _HEADING_KEYS for p in text_paragraphs)
        and sum(map(len, text_paragraphs)) < 300
    ):
        raise ParseError(url, "ingen afgørelsestekst på siden (ingen kendte afsnit)")
    record = _common_fields("principmeddelelse", url, content, title, fetched_at)
    # The id keeps the number as the page writes it, so ids already in a corpus stay the same.
    record["id"] = record_id("principmeddelelse", url, match.group(1).upper())
    record["text"] = "\n\n".join(text_paragraphs)
    record["number"] = number
    signed = parse_date(meta.get("signed", ""))
    published = parse_date(meta.get("published", ""))
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
    meta = _metadata(root)
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
