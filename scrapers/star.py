"""STAR (star.dk): publication listings and publication pages to records; pure, no network.

What we know of the site (from stored copies of its public pages, not copied): pages are
server-rendered HTML with "Spring til hovedindhold"/"Spring over venstremenu" skip links, a left
menu and a breadcrumb; a page's date stands under its title as "12-12-2023" and its last
change at the bottom as "Sidst opdateret: 14-03-2024"; documents are links whose text ends in
"(pdf)". Sections live under /viden-og-tal/…, /tilsyn-paa-beskaeftigelsesomraadet/…
(with "tilsyn-med-kommuner") and /om-styrelsen/nyt/nyheder/<år>/<måned>/<slug>/.

Where publications are found is `star_discovery.py` (sitemap, search page, news items); an
overview page named with `--listing` is read here: it links to one page per publication
*below its own path*, may be split over numbered pages, and each publication page links to its
report as a PDF (or DOCX) attachment. The listing parser reads any such page; nothing here
depends on CSS class names, only on the HTML elements and the Danish labels a reader sees.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urljoin, urlparse, urlunparse

from retskilde.scrapers.dates import is_date_only, parse_date
from retskilde.scrapers.errors import SourceError
from retskilde.scrapers.htmltext import inline_text, link_title, paragraphs, soup_of, squash
from retskilde.scrapers.ids import bounded_id, slug

if TYPE_CHECKING:
    from bs4 import BeautifulSoup, Tag

SOURCE = "star"
DEFAULT_BASE_URL = "https://star.dk"
KINDS = ("fokusrevision", "analyse")
MAX_LISTING_PAGES = 100  # per overview: a runaway pagination stops here

DOCUMENT_SUFFIXES = (".pdf", ".docx")
ATTACHMENT_SUFFIXES = (".pdf", ".docx", ".doc", ".xlsx", ".xls", ".pptx", ".odt", ".csv", ".zip")
_FILE_MARK = re.compile(r"\((pdf|docx?|xlsx?|pptx)\b[^)]*\)\s*$", re.I)
# Attachments that go with a report but are not the report itself.
_SECONDARY = re.compile(
    r"kommunerapport|bilag|appendi|tabel|english|summary|resum[eé]|faktaark|pressemeddelelse"
    r"|præsentation|slides|spørgeskema|datagrundlag|metodenotat",
    re.I,
)
_FOKUSREVISION = re.compile(r"fokusrevision", re.I)
_ANALYSE = re.compile(
    r"\banalyse|\brapport|undersøgelse|evaluering|kortlægning|effektmåling|\bnotat\b", re.I
)
# The contract's law_area, from the first of these words in the title (then the keywords).
LAW_AREAS = (
    ("sygedagpenge", "Sygedagpenge"),
    ("sygemeld", "Sygedagpenge"),
    ("førtidspension", "Pension"),
    ("seniorpension", "Pension"),
    ("tidlig pension", "Pension"),
    ("kontanthjælp", "Forsørgelse"),
    ("uddannelseshjælp", "Forsørgelse"),
    ("selvforsørgelses", "Forsørgelse"),
    ("integrationsydelse", "Forsørgelse"),
    ("fleksjob", "Beskæftigelse"),
    ("ledighedsydelse", "Beskæftigelse"),
    ("ressourceforløb", "Beskæftigelse"),
    ("jobafklaring", "Beskæftigelse"),
    ("revalidering", "Beskæftigelse"),
    ("dagpenge", "Beskæftigelse"),
    ("beskæftigelse", "Beskæftigelse"),
    ("ledig", "Beskæftigelse"),
)

# News items: /om-styrelsen/nyt/nyheder/<år>/<måned>/<slug>/ until 2025, from 2026
# /om-styrelsen/nyt/nyheder-og-aktuelt-fra-styrelsen-for-arbejdsmarked-og-rekruttering/<år>/
# <måned>/<slug>; either may carry the /da/ prefix the site uses for some of its paths.
_NEWS_PATH = re.compile(
    r"^/(?:da/)?om-styrelsen/nyt/nyheder[a-z-]*/(?:19|20)\d{2}/(?:0?[1-9]|1[0-2])/[^/]+/?$", re.I
)
_LANGUAGE_PREFIX = re.compile(r"^/da(?=/|$)", re.I)
# A news item that announces a publication says so in its title: "Ny fokusrevision viser …",
# "Ny analyse: …", "Evalueringen af … viser". Words alone ("analyse" in passing) are not enough.
_ANNOUNCES_ANALYSE = re.compile(
    r"\bny(?:e|t)?\s+(?:analyse|rapport|undersøgelse|evaluering|kortlægning|effektmåling|notat)"
    r"|\b(?:analyse|rapport|undersøgelse|evaluering|kortlægning|effektmåling)(?:en|er|erne)?\b"
    r"(?:\s+[\wæøå-]+){0,5}?\s+(?:viser|peger|afdækker|konkluderer|dokumenterer|belyser)\b",
    re.I,
)
_DATE_LABEL = re.compile(
    r"^\s*(udgivet|offentliggjort|publiceret|udgivelsesdato|dato)\s*:?\s*(.*)$", re.I | re.S
)
_UPDATED = re.compile(r"^\s*(sidst|senest)\s+(opdateret|ændret)\b", re.I)
# "Emner" alone (a heading over a list) or "Emner: a, b" (a line): never "Emner som …".
_KEYWORD_LABEL = re.compile(r"^\s*(emner|emneord|tags|nøgleord)\s*(?::\s*(.*))?$", re.I | re.S)
_PAGE_KEYS = {"page", "side", "p", "pg", "pageindex", "pagenumber", "offset", "start", "skip"}
_NEXT_TEXTS = {"næste", "næste side", "›", "»", ">", "videre"}
_DOWNLOAD_HEADING = re.compile(
    r"^(hent|download|læs)\b|^(rapport(en)?|publikation(en)?|analysen|bilag|dokumenter|filer"
    r"|materiale)\s*:?$",
    re.I,
)
_SKIP_LINK = re.compile(r"^spring (til|over)\b", re.I)
_SITE_SUFFIX = re.compile(
    r"\s*[-|–]\s*(Styrelsen for Arbejdsmarked og Rekruttering|STAR|star\.dk)\s*$", re.I
)
_CHROME = (
    "nav",
    "header",
    "footer",
    "aside",
    "script",
    "style",
    "noscript",
    "form",
    "template",
    "iframe",
    ".breadcrumb",
    ".breadcrumbs",
    ".skip-link",
    ".share",
    ".related",
    ".pagination",
)


class ParseError(SourceError):
    """A page that does not hold what its URL promised; the message names the URL."""


# -- URLs -------------------------------------------------------------------------------------


def first_page(url: str) -> str:
    """`url` without paging parameters that point at the first page (?side=1, ?offset=0)."""
    parts = urlparse(url)
    kept = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not (key.casefold() in _PAGE_KEYS and value in ("0", "1"))
    ]
    return urlunparse(parts._replace(query=urlencode(kept), fragment=""))


def _clean_url(url: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(fragment=""))


def _dir_path(url: str) -> str:
    path = urlparse(url).path or "/"
    return path if path.endswith("/") else path + "/"


def _is_attachment(url: str, text: str = "") -> bool:
    return urlparse(url).path.lower().endswith(ATTACHMENT_SUFFIXES) or bool(_FILE_MARK.search(text))


def is_news_url(url: str) -> bool:
    """True for a news item's own page (either news path, with or without /da/)."""
    return bool(_NEWS_PATH.match(urlparse(url).path))


def page_key(url: str) -> str:
    """What identifies a page whatever its spelling: host and path, without /da/, case or "/"."""
    parts = urlparse(url)
    path = _LANGUAGE_PREFIX.sub("", parts.path).rstrip("/").lower() or "/"
    host = parts.netloc.lower().removeprefix("www.")
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


def announced_kind(title: str, lead: str = "") -> str | None:
    """The kind of publication a news item announces ("Ny fokusrevision viser …"), else None."""
    text = f"{title} {lead}"
    if _FOKUSREVISION.search(text):
        return "fokusrevision"
    if _ANNOUNCES_ANALYSE.search(text):
        return "analyse"
    return None


def record_id(doc_type: str, url: str) -> str:
    """The stable id: `star-<doc_type>-<the page's own slug>` (the last path segment)."""
    segments = [s for s in urlparse(url).path.split("/") if s]
    name = slug(segments[-1]) if segments else "forside"
    return bounded_id(f"star-{doc_type}-{name or 'side'}")


# -- small parsers ----------------------------------------------------------------------------


def classify(*texts: str, hint: str | None = None) -> str:
    """'fokusrevision' or 'analyse' from what the page says, else the overview's kind."""
    joined = " ".join(texts)
    if _FOKUSREVISION.search(joined):
        return "fokusrevision"
    if _ANALYSE.search(joined):
        return "analyse"
    return hint if hint in KINDS else "analyse"


def law_area(title: str, keywords: list[str]) -> str:
    """The contract's law_area: the earliest area word in the title, then in the keywords."""
    for text in (title, " ".join(keywords)):
        lowered = text.casefold()
        found = [(lowered.find(word), area) for word, area in LAW_AREAS if word in lowered]
        if found:
            return min(found)[1]
    return "Beskæftigelse"  # STAR is the employment agency: its reports are about that


def _content_root(soup: BeautifulSoup) -> Tag:
    root = (
        soup.find("main")
        or soup.find(attrs={"role": "main"})
        or soup.find(id=re.compile(r"^(main|content|maincontent|main-content)$", re.I))
        or soup.find("article")
        or soup.body
        or soup
    )
    for selector in _CHROME:
        for tag in root.select(selector):
            tag.decompose()
    for link in root.find_all("a", href=True):
        if link["href"].startswith("#") and _SKIP_LINK.match(inline_text(link)):
            link.decompose()
    return root


# -- overview pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ListingEntry:
    """A publication as an overview page shows it."""

    url: str
    title: str
    date: str | None = None
    kind: str | None = None


@dataclass
class Listing:
    entries: list[ListingEntry] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)  # further pages of the same overview


def _is_pagination(link: Tag, target: str, base_path: str) -> bool:
    text = inline_text(link).casefold()
    label = (link.get("aria-label") or "").casefold()
    rel = " ".join(link.get("rel") or []).casefold()
    parts = urlparse(target)
    if (
        _dir_path(target) == base_path
        and {key.casefold() for key, _ in parse_qsl(parts.query)} & _PAGE_KEYS
    ):
        return True  # ?side=2, ?page=3: the same overview, another page
    named = "next" in rel or text in _NEXT_TEXTS or "næste" in label or text.isdigit()
    return named and parts.path.startswith(base_path)  # …/side/2/ with a "2" or "Næste"


def _entry_block(link: Tag, target: str, targets: set[str], url: str) -> Tag:
    """The largest element around `link` that shows no other publication: its list item/card."""
    block = link
    for parent in link.parents:
        if parent.name in ("main", "body", "[document]"):
            break
        others = {
            _clean_url(urljoin(url, a["href"].strip())) for a in parent.find_all("a", href=True)
        }
        if (others & targets) - {target}:
            break
        block = parent
    return block


def parse_listing(content: bytes, url: str, kind: str | None = None) -> Listing:
    """The publications an overview page links to (pages below its path), and its other pages."""
    soup = soup_of(content)
    root = soup.find("main") or soup.find(attrs={"role": "main"}) or soup.body or soup
    host = urlparse(url).netloc
    base_path = _dir_path(url)
    listing = Listing()
    candidates: list[tuple[Tag, str]] = []
    for link in root.find_all("a", href=True):
        target = _clean_url(urljoin(url, link["href"].strip()))
        parts = urlparse(target)
        if parts.scheme not in ("http", "https") or parts.netloc != host:
            continue
        if _is_pagination(link, target, base_path):
            if link.get("aria-current"):
                continue  # the page we are on
            target = first_page(target)
            if target != first_page(url) and target not in listing.pages:
                listing.pages.append(target)
            continue
        # Menus list the section's pages too; only the overview's own content counts.
        if link.find_parent(["nav", "header", "footer", "aside"]) is not None:
            continue
        if not parts.path.startswith(base_path) or _dir_path(target) == base_path:
            continue
        if not _is_attachment(target, inline_text(link)):
            candidates.append((link, target))
    targets = {target for _, target in candidates}
    seen: set[str] = set()
    for link, target in candidates:
        if target in seen:
            continue
        seen.add(target)
        block = _entry_block(link, target, targets, url)
        heading = block.find(["h2", "h3", "h4"]) if block is not link else None
        title = inline_text(heading) if heading is not None else link_title(link)
        time_tag = block.find("time", attrs={"datetime": True})
        day = parse_date(time_tag["datetime"]) if time_tag is not None else None
        if day is None:
            day = parse_date(inline_text(block).replace(title, " "))
        listing.entries.append(ListingEntry(target, title or target, day, kind))
    if not listing.entries and not listing.pages:
        raise ParseError(url, "oversigtssiden linker ikke til nogen publikationer")
    return listing


# -- publication pages ------------------------------------------------------------------------


@dataclass
class Publication:
    """A publication page read: its record without the report's text, and the report to fetch."""

    record: dict
    paragraphs: list[str]
    document: dict | None  # {"title", "url"} of the main PDF/DOCX, if the page has one


def _title(soup: BeautifulSoup, root: Tag) -> str | None:
    h1 = root.find("h1")
    if h1 is not None:
        title = inline_text(h1)
        h1.decompose()
        if title:
            return title
    meta = soup.find("meta", attrs={"property": "og:title"})
    if meta is not None and squash(meta.get("content", "")):
        return _SITE_SUFFIX.sub("", squash(meta["content"]))
    if soup.title is not None:
        return _SITE_SUFFIX.sub("", squash(soup.title.get_text())) or None
    return None


def _small_blocks(root: Tag) -> list[Tag]:
    """Elements short enough to be a label line (a date, "Emner: …"), outermost first."""
    found = []
    for tag in root.find_all(["p", "div", "span", "dd", "dt", "li", "time", "small", "strong"]):
        text = inline_text(tag)
        if text and len(text) <= 200 and not tag.find(["p", "div", "ul", "ol", "h2", "h3"]):
            found.append(tag)
    return found


def _dates(root: Tag) -> tuple[str | None, str | None]:
    """(publication date, last-updated date), their lines removed from the page."""
    published = updated = None
    time_tag = root.find("time", attrs={"datetime": True})
    if time_tag is not None:
        published = parse_date(time_tag["datetime"])
        line = time_tag.find_parent(["p", "div"])
        # Remove the date's own line, never a container that holds more than the date.
        (line if line is not None and len(inline_text(line)) <= 60 else time_tag).decompose()
    for tag in _small_blocks(root):
        if tag.decomposed:
            continue
        text = inline_text(tag)
        if _UPDATED.match(text) and len(text) <= 60 and parse_date(text):
            updated = updated or parse_date(text)
            tag.decompose()
        elif (label := _DATE_LABEL.match(text)) and is_date_only(label.group(2)):
            published = published or parse_date(label.group(2))
            tag.decompose()
        elif is_date_only(text) and published is None:
            published = parse_date(text)
            tag.decompose()
    return published, updated


def _keywords(root: Tag, soup: BeautifulSoup) -> list[str]:
    """The page's emner, their block removed from the page."""
    words: list[str] = []
    for tag in root.find_all(["h2", "h3", "h4", "strong", "dt", "p", "span", "div"]):
        if tag.decomposed:
            continue
        match = _KEYWORD_LABEL.match(inline_text(tag))
        if not match or tag.find(["h2", "h3", "h4", "ul", "ol"]):
            continue
        inline = (match.group(2) or "").strip()
        container: Tag | None = None
        if inline:
            values = [v.strip() for v in re.split(r"[,;]", inline)]
            container = tag
        else:
            sibling = tag.find_next_sibling()
            if sibling is None or sibling.name not in ("ul", "ol", "dd", "p", "div"):
                continue
            items = sibling.find_all(["li", "a"]) or [sibling]
            values = [inline_text(item) for item in items if not item.find(["li", "a"])]
            sibling.decompose()
            container = tag
        for value in values:
            if value and value not in words:
                words.append(value)
        container.decompose()
        break
    if not words:
        meta = soup.find("meta", attrs={"name": "keywords"})
        if meta is not None:
            words = [w.strip() for w in meta.get("content", "").split(",") if w.strip()]
    return list(dict.fromkeys(words))


def _summary(soup: BeautifulSoup, root: Tag) -> str | None:
    lead = root.select_one(".manchet, .lead, .intro, .teaser, .summary, .abstract, .resume")
    if lead is not None and inline_text(lead):
        return inline_text(lead)
    meta = soup.find("meta", attrs={"name": "description"})
    if meta is not None and squash(meta.get("content", "")):
        return squash(meta["content"])
    return None


def _attachment_links(tag: Tag, url: str) -> list[Tag]:
    return [
        link
        for link in tag.find_all("a", href=True)
        if _is_attachment(urljoin(url, link["href"].strip()), link_title(link))
    ]


def _only_downloads(tag: Tag | None, url: str) -> bool:
    """True for an element that is nothing but links to files (a download line or list)."""
    if tag is None:
        return False
    links = _attachment_links(tag, url)
    words = re.sub(r"\s+", "", inline_text(tag))
    return bool(links) and words == re.sub(r"\s+", "", "".join(inline_text(a) for a in links))


def _attachments(root: Tag, url: str) -> list[dict]:
    """Links to files, in page order; download lines and their headings leave the page."""
    for heading in root.find_all(["h2", "h3", "h4"]):
        if _DOWNLOAD_HEADING.search(inline_text(heading)) and _only_downloads(
            heading.find_next_sibling(), url
        ):
            heading.decompose()
    found: list[dict] = []
    seen: set[str] = set()
    for link in root.find_all("a", href=True):
        target = _clean_url(urljoin(url, link["href"].strip()))
        title = link_title(link)
        if urlparse(target).scheme not in ("http", "https") or not _is_attachment(target, title):
            continue
        if target not in seen:
            seen.add(target)
            found.append({"title": title, "url": target})
        block = link.find_parent(["li", "p"])
        if block is not None and inline_text(block) == inline_text(link):
            block.decompose()  # a download line: the attachment list says it better
        else:
            link.unwrap()
    for listing in root.find_all(["ul", "ol"]):
        if not listing.find("li"):
            listing.decompose()
    return found


def main_document(attachments: list[dict]) -> dict | None:
    """The report among the attachments: the first PDF/DOCX that is not an appendix."""
    documents = [
        a
        for a in attachments
        if urlparse(a["url"]).path.lower().endswith(DOCUMENT_SUFFIXES)
        or re.search(r"\((pdf|docx)\b", a["title"], re.I)
    ]
    primary = [a for a in documents if not _SECONDARY.search(f"{a['title']} {a['url']}")]
    chosen = (primary or documents)[:1]
    return dict(chosen[0]) if chosen else None


def parse(
    content: bytes,
    url: str,
    kind: str | None = None,
    fetched_at: str | None = None,
    listed: str | None = None,
) -> Publication:
    """The publication page at `url`: its record (the page's own text) and its main report.

    `kind` and `listed` are what the overview said (kind, date); the page's own word wins.
    """
    soup = soup_of(content)
    breadcrumb = " ".join(inline_text(t) for t in soup.select(".breadcrumb, .breadcrumbs"))
    root = _content_root(soup)
    title = _title(soup, root)
    if not title:
        raise ParseError(url, "siden har ingen titel")
    labels = []
    for tag in root.select(".label, .category, .kicker, .type, .content-type"):
        labels.append(inline_text(tag))
        tag.decompose()  # "Fokusrevision" over the title: a field, not body text
    published, updated = _dates(root)
    keywords = _keywords(root, soup)
    summary = _summary(soup, root)
    attachments = _attachments(root, url)
    page_paragraphs = [p for p in paragraphs(root) if not _UPDATED.match(p)]
    document = main_document(attachments)
    if sum(map(len, page_paragraphs)) < 20 and document is None:
        raise ParseError(url, "ingen tekst og ingen rapport på siden")
    doc_type = classify(title, breadcrumb, *labels, *keywords, hint=kind)
    record: dict = {
        "id": record_id(doc_type, url),
        "source": SOURCE,
        "doc_type": doc_type,
        "title": title,
        "url": url,
    }
    if fetched_at is not None:
        record["fetched_at"] = fetched_at
    record["sha256"] = hashlib.sha256(content).hexdigest()
    record["text"] = "\n\n".join(page_paragraphs)
    if published or listed or updated:
        record["date"] = published or listed or updated
    if summary:
        record["summary"] = summary
    if keywords:
        record["keywords"] = keywords
    record["law_area"] = law_area(title, keywords)
    if attachments:
        record["attachments"] = attachments
    return Publication(record, page_paragraphs, document)


def with_document(publication: Publication, document: list[str] | None) -> dict:
    """The record: the page's text first, then the report's paragraphs (when they were read)."""
    record = dict(publication.record)
    record["text"] = "\n\n".join([*publication.paragraphs, *(document or [])])
    return record
