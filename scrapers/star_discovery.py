"""Where STAR's publications are found, from what star.dk really offers; pure, no network.

No overview page of fokusrevisioner or analyser has been seen on the real site (see
../shared/research/sources-checked.md). What it does offer, in the order the crawl tries them:

1. its sitemap (when it has one): the pages whose path names a fokusrevision or an analysis, and
   news items whose slug announces one;
2. else its search page, `/soeg/?q=*&ManualDateFrom=YYYY-MM-DD&ManualDateTo=YYYY-MM-DD&
   maxResults=1000`, whose results are `ul#SearchResultArea > li` with the title in `a > h2` and
   the category path in `span.search-module__result-tags` ("Kategori / Underkategori /");
3. news items that announce a fokusrevision or an analysis: the one real fokusrevision seen was
   published as a news item that links the PDF report, not as a page under an overview.

A news item is only a candidate until its page is read: it becomes a publication when its
title announces one and it links a report (`news_publication`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from urllib.parse import urlencode, urljoin, urlparse

from retskilde.scrapers import star
from retskilde.scrapers.dates import parse_date
from retskilde.scrapers.htmltext import inline_text, soup_of
from retskilde.scrapers.sitemap import SitemapEntry, SitemapError, walk_sitemaps

SITEMAP_PATH = "/sitemap.xml"
SEARCH_PATH = "/soeg/"
MAX_RESULTS = 1000  # the most the search page hands out for one query
SEARCH_WINDOW_DAYS = 92  # a quarter per query keeps each under MAX_RESULTS
FIRST_YEAR = 2015  # STAR (then STAR's predecessor's site) publishes nothing older on star.dk
SEARCH_RESULTS = "ul#SearchResultArea > li"
RESULT_TAGS = "span.search-module__result-tags"

# In a path (ø written "oe", å "aa") or a category: words that name a publication's kind.
_FOKUSREVISION = re.compile(r"fokusrevision", re.I)
_FOKUSREVISION_FOLDER = re.compile(r"^fokusrevision(er)?$", re.I)
_ANALYSE_FOLDER = re.compile(
    r"^(analyser?|publikationer|rapporter|evalueringer|undersoegelser|kortlaegninger)$", re.I
)
_ANALYSE_TAG = re.compile(
    r"\banalyse|\bpublikation|\brapport|\bevaluering|\bundersøgelse|\bkortlægning", re.I
)
_NEWS_TAG = re.compile(r"\bnyhed|\bnyt\b|\baktuelt\b", re.I)
# A news slug is its title in ASCII: one that may announce a publication is worth a request.
_ANNOUNCING_SLUG = re.compile(
    r"fokusrevision|analyse|rapport|evaluering|undersoegelse|kortlaegning|effektmaaling", re.I
)
_FILE_SUFFIXES = (".pdf", ".docx", ".doc", ".xlsx", ".pptx", ".zip")


@dataclass(frozen=True)
class Candidate:
    """A page that is, or may be, a publication: `news` ones are decided when read."""

    url: str
    kind: str | None
    date: str | None = None  # the publication's date, where the listing shows it
    title: str | None = None
    news: bool = False
    lastmod: str | None = None  # the sitemap's <lastmod>: when the page last changed

    def as_entry(self) -> star.ListingEntry:
        """The candidate as the crawl's queue knows an overview's entry."""
        return star.ListingEntry(self.url, self.title or self.url, self.date, self.kind)


def _segments(url: str) -> list[str]:
    path = urlparse(url).path
    return [s for s in path.split("/") if s]


def _is_file(url: str) -> bool:
    return urlparse(url).path.lower().endswith(_FILE_SUFFIXES)


# -- the sitemap ------------------------------------------------------------------------------


def sitemap_candidate(url: str, lastmod: str | None = None) -> Candidate | None:
    """What a sitemap URL is: a fokusrevision, an analysis, an announcing news item, or None."""
    if _is_file(url):
        return None
    changed = parse_date(lastmod or "")
    segments = [s.lower() for s in _segments(url)]
    if not segments:
        return None
    if star.is_news_url(url):
        if not _ANNOUNCING_SLUG.search(segments[-1]):
            return None
        kind = star.announced_kind(segments[-1].replace("-", " "))
        return Candidate(url, kind, news=True, lastmod=changed)
    leaf, folders = segments[-1], segments[:-1]
    if _ANALYSE_FOLDER.match(leaf) or _FOKUSREVISION_FOLDER.match(leaf):
        return None  # the overview itself
    if any(_FOKUSREVISION.search(s) for s in folders) or _FOKUSREVISION.search(leaf):
        return Candidate(url, "fokusrevision", lastmod=changed)
    if any(_ANALYSE_FOLDER.match(s) for s in folders):
        return Candidate(url, "analyse", lastmod=changed)
    return None


def sitemap_candidates(entries: list[SitemapEntry], base_url: str) -> list[Candidate]:
    """The sitemap's candidates on the site's own host, each page once (/da/ or not)."""
    host = urlparse(base_url).netloc.lower().removeprefix("www.")
    found: dict[str, Candidate] = {}
    for entry in entries:
        if urlparse(entry.loc).netloc.lower().removeprefix("www.") != host:
            continue
        candidate = sitemap_candidate(entry.loc, entry.lastmod)
        if candidate is not None:
            found.setdefault(star.page_key(entry.loc), candidate)
    return list(found.values())


# -- the search page --------------------------------------------------------------------------


def search_url(
    base_url: str, date_from: date, date_to: date, max_results: int = MAX_RESULTS
) -> str:
    """The search page listing everything published from `date_from` to `date_to`."""
    query = urlencode(
        {
            "q": "*",
            "ManualDateFrom": date_from.isoformat(),
            "ManualDateTo": date_to.isoformat(),
            "maxResults": str(max_results),
        },
        safe="*",
    )
    return urljoin(base_url.rstrip("/") + "/", SEARCH_PATH.lstrip("/")) + "?" + query


def search_windows(
    since: date, until: date, days: int = SEARCH_WINDOW_DAYS
) -> list[tuple[date, date]]:
    """[since, until] cut into consecutive windows of at most `days` days, newest first."""
    if since > until:
        return []
    windows: list[tuple[date, date]] = []
    end = until
    while end >= since:
        start = max(since, end - timedelta(days=days - 1))
        windows.append((start, end))
        end = start - timedelta(days=1)
    return windows


@dataclass(frozen=True)
class SearchHit:
    """One result of the search page."""

    url: str
    title: str
    tags: tuple[str, ...]
    date: str | None = None
    teaser: str | None = None


@dataclass
class SearchPage:
    hits: list[SearchHit]
    truncated: bool  # as many hits as maxResults: the window must be split to see the rest


def split_tags(text: str) -> tuple[str, ...]:
    """ "Tilsyn / Fokusrevisioner /" → ("Tilsyn", "Fokusrevisioner")."""
    return tuple(part.strip() for part in text.split("/") if part.strip())


def parse_search(content: bytes, url: str) -> SearchPage:
    """The hits of one search page; ParseError when the page is not the search page at all."""
    soup = soup_of(content)
    area = soup.select_one("ul#SearchResultArea")
    if area is None:
        raise star.ParseError(url, "siden er ikke søgesiden (ingen ul#SearchResultArea)")
    hits: list[SearchHit] = []
    seen: set[str] = set()
    for item in soup.select(SEARCH_RESULTS):
        heading = item.select_one("a > h2")
        link = heading.parent if heading is not None else item.find("a", href=True)
        if link is None or not link.get("href"):
            continue
        target = urljoin(url, link["href"].strip()).split("#", 1)[0]
        if urlparse(target).scheme not in ("http", "https") or target in seen:
            continue
        seen.add(target)
        title = inline_text(heading if heading is not None else link)
        tags_tag = item.select_one(RESULT_TAGS)
        tags = split_tags(inline_text(tags_tag)) if tags_tag is not None else ()
        time_tag = item.find("time", attrs={"datetime": True})
        day = parse_date(time_tag["datetime"]) if time_tag is not None else None
        rest = [
            inline_text(p)
            for p in item.find_all(["p", "div", "span"])
            if not p.find(["p", "div"]) and p is not tags_tag and inline_text(p)
        ]
        if day is None:
            day = next((d for text in rest if (d := parse_date(text))), None)
        teaser = next((text for text in rest if not parse_date(text) and len(text) > 40), None)
        hits.append(SearchHit(target, title or target, tags, day, teaser))
    return SearchPage(hits, truncated=len(hits) >= MAX_RESULTS)


def search_candidate(hit: SearchHit) -> Candidate | None:
    """What a search hit is: a fokusrevision, an analysis, an announcing news item, or None."""
    if _is_file(hit.url):
        return None  # a bare file has no page to read its title, date and report from
    tags = " ".join(hit.tags)
    news = star.is_news_url(hit.url) or bool(_NEWS_TAG.search(tags))
    if news:
        kind = star.announced_kind(hit.title, hit.teaser or "")
        return Candidate(hit.url, kind, hit.date, hit.title, news=True) if kind else None
    if _FOKUSREVISION.search(f"{hit.title} {tags}"):
        return Candidate(hit.url, "fokusrevision", hit.date, hit.title)
    if _ANALYSE_TAG.search(tags):
        return Candidate(hit.url, "analyse", hit.date, hit.title)
    by_path = sitemap_candidate(hit.url)  # a path under …/analyser/ says it too
    if by_path is not None and not by_path.news:
        return Candidate(hit.url, by_path.kind, hit.date, hit.title)
    return None


def search_candidates(pages: list[SearchPage]) -> list[Candidate]:
    """The candidates of several search pages, each page once (/da/ or not)."""
    found: dict[str, Candidate] = {}
    for page in pages:
        for hit in page.hits:
            candidate = search_candidate(hit)
            if candidate is not None:
                found.setdefault(star.page_key(hit.url), candidate)
    return list(found.values())


# -- news items -------------------------------------------------------------------------------


def news_publication(
    content: bytes, url: str, fetched_at: str | None = None, listed: str | None = None
) -> star.Publication | None:
    """The publication a news page announces with its report, or None for other news.

    The record is the publication's: its kind from what the news item says, its text the
    news item's (the report's text follows when the crawl has read it).
    """
    publication = star.parse(content, url, fetched_at=fetched_at, listed=listed)
    record = publication.record
    kind = star.announced_kind(record["title"], record.get("summary", ""))
    if kind is None or publication.document is None:
        return None
    if record["doc_type"] != kind:
        record = {**record, "doc_type": kind, "id": star.record_id(kind, url)}
    return replace(publication, record=record)


# -- the whole discovery ----------------------------------------------------------------------


@dataclass
class Discovery:
    """What discovery found, how, and what it could not read (URL, reason)."""

    candidates: list[Candidate] = field(default_factory=list)
    method: str = ""  # "sitemap" or "søgning"
    failures: list[tuple[str, str]] = field(default_factory=list)
    pages_read: int = 0


def sitemap_url(base_url: str) -> str:
    """The sitemap of the site at `base_url`."""
    return urljoin(base_url.rstrip("/") + "/", SITEMAP_PATH.lstrip("/"))


def _from_sitemap(
    base_url: str,
    fetch: Callable[[str], bytes],
    errors: tuple[type[Exception], ...],
    roots: list[str],
) -> Discovery:
    found = Discovery(method="sitemap")
    entries: list[SitemapEntry] = []
    for root in roots:
        try:
            walk = walk_sitemaps(root, fetch, errors)
        except (SitemapError, *errors) as exc:
            found.failures.append((root, f"sitemap: {getattr(exc, 'reason', exc)}"))
            continue
        found.pages_read += 1
        found.failures.extend((url, f"sitemap: {reason}") for url, reason in walk.failures)
        entries.extend(walk.entries)
    found.candidates = sitemap_candidates(entries, base_url)
    if found.pages_read and not found.candidates:
        found.failures.append(
            (roots[0], "sitemap: ingen fokusrevisioner, analyser eller nyheder om dem")
        )
    return found


def _from_search(
    base_url: str,
    fetch: Callable[[str], bytes],
    errors: tuple[type[Exception], ...],
    since: date,
    until: date,
) -> Discovery:
    found = Discovery(method="søgning")
    pages: list[SearchPage] = []
    windows = search_windows(since, until)
    while windows:
        start, end = windows.pop(0)
        url = search_url(base_url, start, end)
        try:
            page = parse_search(fetch(url), url)
        except (star.ParseError, *errors) as exc:
            found.failures.append((url, f"søgesiden: {getattr(exc, 'reason', exc)}"))
            continue
        found.pages_read += 1
        if page.truncated and start < end:
            # The search stops at maxResults: ask again for each half of the window.
            middle = start + (end - start) // 2
            windows[:0] = [(middle + timedelta(days=1), end), (start, middle)]
            continue
        pages.append(page)
    found.candidates = search_candidates(pages)
    return found


def discover(
    base_url: str,
    fetch: Callable[[str], bytes],
    *,
    since: date | None = None,
    until: date,
    errors: tuple[type[Exception], ...] = (),
    sitemaps: list[str] | None = None,
) -> Discovery:
    """STAR's publications from the sitemap, or, when it has none, from the search page.

    `sitemaps` are the ones robots.txt names (`Sitemap:`); without any, /sitemap.xml is tried.
    `fetch` returns a URL's bytes and raises one of `errors` when it cannot. The sitemap's
    failures are kept next to the search's, so a run that finds nothing can say what it tried.
    """
    roots = sitemaps or [sitemap_url(base_url)]
    from_sitemap = _from_sitemap(base_url, fetch, errors, roots)
    if from_sitemap.candidates:
        if since is not None:
            # A page the sitemap says has not changed since then is left out; one without
            # <lastmod> may have, so it stays.
            first = since.isoformat()
            from_sitemap.candidates = [
                c for c in from_sitemap.candidates if c.lastmod is None or c.lastmod >= first
            ]
        return from_sitemap
    from_search = _from_search(base_url, fetch, errors, since or date(FIRST_YEAR, 1, 1), until)
    from_search.failures[:0] = from_sitemap.failures
    from_search.pages_read += from_sitemap.pages_read
    return from_search
