"""STAR discovery from what star.dk offers: sitemap, search page, news items with reports."""

from __future__ import annotations

import dataclasses
import gzip
import json
from datetime import date
from pathlib import Path

import pytest

from retskilde.contract import validate_record
from retskilde.scrapers import star, star_discovery
from retskilde.scrapers.sitemap import SitemapEntry, parse_sitemap

FOLDER = Path(__file__).parent / "star"
FETCHED_AT = "2026-01-15T09:00:00+00:00"


def _expected(path: Path) -> dict:
    return json.loads(path.with_suffix(".json").read_text("utf-8"))


def test_the_recorded_search_page_gives_exactly_its_hits_and_candidates():
    html = FOLDER / "soeg" / "soeg-2025-q4.html"
    expected = _expected(html)
    page = star_discovery.parse_search(html.read_bytes(), expected["url"])
    hits = [dataclasses.asdict(hit) | {"tags": list(hit.tags)} for hit in page.hits]
    assert hits == expected["hits"]
    assert page.truncated is expected["truncated"] is False
    candidates = star_discovery.search_candidates([page])
    assert [dataclasses.asdict(c) for c in candidates] == expected["candidates"]
    # A news item that announces a fokusrevision, and one analysis however it is spelled (/da/);
    # no webinar news, no service page, no bare PDF.
    assert [(c.kind, c.news) for c in candidates] == [("fokusrevision", True), ("analyse", False)]


def test_tags_are_the_category_path_without_separators():
    assert star_discovery.split_tags("Tilsyn / Fokusrevisioner /") == ("Tilsyn", "Fokusrevisioner")
    assert star_discovery.split_tags(" / ") == ()


def test_a_page_that_is_not_the_search_page_is_a_parse_error_naming_it():
    url = "https://star.dk/soeg/?q=*"
    with pytest.raises(star.ParseError, match="SearchResultArea") as caught:
        star_discovery.parse_search(b"<html><main><h1>Fejl 404</h1></main></html>", url)
    assert url in str(caught.value)


def test_an_empty_result_list_is_no_error_here_but_no_hits():
    page = star_discovery.parse_search(b'<ul id="SearchResultArea"></ul>', "https://star.dk/soeg/")
    assert page.hits == [] and not page.truncated


def test_a_full_page_of_results_says_it_is_truncated():
    items = "".join(
        f'<li><a href="/viden-og-tal/analyser/a-{i}/"><h2>Analyse {i}</h2></a></li>'
        for i in range(star_discovery.MAX_RESULTS)
    )
    page = star_discovery.parse_search(
        f'<ul id="SearchResultArea">{items}</ul>'.encode(), "https://star.dk/soeg/"
    )
    assert len(page.hits) == star_discovery.MAX_RESULTS and page.truncated


def test_search_urls_and_windows():
    assert (
        star_discovery.search_url("https://star.dk/", date(2025, 10, 1), date(2025, 12, 31))
        == "https://star.dk/soeg/?q=*&ManualDateFrom=2025-10-01&ManualDateTo=2025-12-31"
        "&maxResults=1000"
    )
    windows = star_discovery.search_windows(date(2025, 1, 1), date(2025, 12, 31), days=92)
    assert windows[0] == (date(2025, 10, 1), date(2025, 12, 31))
    assert windows[-1][0] == date(2025, 1, 1)
    # Consecutive, no gap, no overlap, none longer than asked.
    for (start, _), (_, previous_end) in zip(windows, windows[1:], strict=False):
        assert (start - previous_end).days == 1
    assert all((end - start).days < 92 for start, end in windows)
    assert star_discovery.search_windows(date(2026, 1, 2), date(2026, 1, 1)) == []


def test_the_recorded_sitemap_gives_exactly_its_candidates():
    xml = FOLDER / "sitemap" / "sitemap.xml"
    expected = _expected(xml)
    entries = parse_sitemap(xml.read_bytes(), expected["url"]).entries
    candidates = star_discovery.sitemap_candidates(entries, "https://star.dk")
    assert [dataclasses.asdict(c) for c in candidates] == expected["candidates"]
    urls = [c.url for c in candidates]
    # Overviews, service pages, files, other hosts and news that announce nothing are left out.
    assert not any(u.endswith(("/fokusrevisioner/", "/analyser/", ".pdf")) for u in urls)
    assert not any("webinar" in u or "retsinformation" in u for u in urls)
    # The same page with and without /da/ once.
    assert sum("ledighedsydelse" in u for u in urls) == 1


@pytest.mark.parametrize(
    ("url", "kind", "news"),
    [
        (
            "https://star.dk/om-styrelsen/nyt/nyheder-og-aktuelt-fra-styrelsen-for-arbejdsmarked-"
            "og-rekruttering/2026/03/ny-fokusrevision-af-jobafklaringsforloeb",
            "fokusrevision",
            True,
        ),
        (
            "https://star.dk/da/om-styrelsen/nyt/nyheder/2024/05/ny-rapport-om-fleksjob/",
            "analyse",
            True,
        ),
        ("https://star.dk/om-styrelsen/nyt/nyheder/2024/05/nye-satser-for-2025/", None, None),
        ("https://star.dk/viden-og-tal/analyser/", None, None),
        ("https://star.dk/viden-og-tal/analyser/effekt-af-virksomhedspraktik/", "analyse", False),
    ],
)
def test_sitemap_candidate_rules(url, kind, news):
    candidate = star_discovery.sitemap_candidate(url, "2026-03-02T10:00:00+01:00")
    if news is None:
        assert candidate is None
    else:
        assert (candidate.kind, candidate.news, candidate.lastmod) == (kind, news, "2026-03-02")


def test_sitemap_entries_of_other_hosts_are_left_out():
    entries = [
        SitemapEntry("https://www.star.dk/viden-og-tal/analyser/a/"),
        SitemapEntry("https://x.dk/viden-og-tal/analyser/b/"),
    ]
    assert [c.url for c in star_discovery.sitemap_candidates(entries, "https://star.dk")] == [
        "https://www.star.dk/viden-og-tal/analyser/a/"
    ]


@pytest.mark.parametrize("name", ["ny-fokusrevision-ressourceforloeb", "star-holder-webinar"])
def test_recorded_news_items_give_exactly_their_publication_or_none(name):
    html = FOLDER / "nyhed" / f"{name}.html"
    expected = _expected(html)
    publication = star_discovery.news_publication(html.read_bytes(), expected["url"], FETCHED_AT)
    if expected["record"] is None:
        assert publication is None
        return
    assert publication.record == expected["record"]
    assert publication.document == expected["document"]
    assert validate_record(publication.record) == []
    assert publication.record["doc_type"] == "fokusrevision"
    assert "12-2025" not in publication.record["text"]  # the date line is the date, not text
    assert publication.record["date"] == "2025-12-09"


def test_a_news_item_that_announces_a_publication_without_a_report_is_none():
    page = (
        "<html><main><h1>Ny analyse viser, at flere seniorer er i job</h1><p>03-02-2026</p>"
        "<p>Eksempel: analysen udkommer i næste måned og kan da hentes her.</p></main></html>"
    )
    assert star_discovery.news_publication(page.encode(), "https://star.dk/x/") is None


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        (
            "Ny fokusrevision viser, at kommunerne administrerer sygedagpengereglerne korrekt",
            "fokusrevision",
        ),
        ("Ny analyse: Flere seniorer bliver længere på arbejdsmarkedet", "analyse"),
        ("Evalueringen af jobafklaringsforløb viser positive resultater", "analyse"),
        ("Undersøgelse viser, at ledige søger bredere", "analyse"),
        ("STAR forenkler tilsyn med kommunernes beskæftigelsesindsats", None),
        ("Nye satser for kontanthjælp 2026", None),
        ("STAR holder webinar om analysearbejdet i jobcentrene", None),
    ],
)
def test_announced_kind_needs_the_title_to_announce(title, kind):
    assert star.announced_kind(title) == kind


@pytest.mark.parametrize(
    ("url", "news"),
    [
        ("https://star.dk/om-styrelsen/nyt/nyheder/2023/12/ny-fokusrevision/", True),
        (
            "https://star.dk/om-styrelsen/nyt/nyheder-og-aktuelt-fra-styrelsen-for-arbejdsmarked-"
            "og-rekruttering/2026/06/rekrutteringssurvey-sommer-2026",
            True,
        ),
        ("https://star.dk/da/om-styrelsen/nyt/nyheder/2023/11/x/", True),
        ("https://star.dk/om-styrelsen/nyt/nyheder/2023/", False),
        ("https://star.dk/om-styrelsen/nyt/nyheder/2023/13/x/", False),
        ("https://star.dk/om-styrelsen/kontakt/", False),
    ],
)
def test_news_urls(url, news):
    assert star.is_news_url(url) is news


def test_page_key_ignores_da_prefix_www_case_and_trailing_slash():
    assert star.page_key("https://www.star.dk/da/Viden-og-tal/analyser/a/") == star.page_key(
        "https://star.dk/viden-og-tal/analyser/a"
    )
    assert star.page_key("https://star.dk/dansk/a") != star.page_key("https://star.dk/a")


class Site:
    """URL → bytes; anything else is a 404 (raised as LookupError)."""

    def __init__(self, pages: dict[str, bytes]):
        self.pages = pages
        self.asked: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.asked.append(url)
        if url not in self.pages:
            raise LookupError(f"{url}: HTTP 404")
        return self.pages[url]


SITEMAP = (FOLDER / "sitemap" / "sitemap.xml").read_bytes()
SEARCH = (FOLDER / "soeg" / "soeg-2025-q4.html").read_bytes()


def test_discovery_uses_the_sitemap_when_it_names_publications():
    site = Site({"https://star.dk/sitemap.xml": SITEMAP})
    found = star_discovery.discover(
        "https://star.dk", site, until=date(2026, 3, 1), errors=(LookupError,)
    )
    assert found.method == "sitemap" and found.failures == []
    assert len(found.candidates) == 4
    assert site.asked == ["https://star.dk/sitemap.xml"]  # no search at all
    # --since keeps what changed since then, and what the sitemap gives no <lastmod> for.
    recent = star_discovery.discover(
        "https://star.dk",
        site,
        since=date(2025, 12, 1),
        until=date(2026, 3, 1),
        errors=(LookupError,),
    )
    assert [c.lastmod for c in recent.candidates] == ["2025-12-09", "2026-02-03"]


def test_without_a_sitemap_discovery_searches_window_by_window():
    q4 = star_discovery.search_url("https://star.dk", date(2025, 10, 1), date(2025, 12, 31))
    site = Site({q4: SEARCH})
    found = star_discovery.discover(
        "https://star.dk",
        site,
        since=date(2025, 1, 1),
        until=date(2025, 12, 31),
        errors=(LookupError,),
    )
    assert found.method == "søgning"
    assert [c.kind for c in found.candidates] == ["fokusrevision", "analyse"]
    # The missing sitemap and the three quarters the search could not give are named by URL.
    failed = [url for url, _ in found.failures]
    assert failed[0] == "https://star.dk/sitemap.xml" and "HTTP 404" in found.failures[0][1]
    assert len(failed) == 4 and all("ManualDateFrom=2025-" in url for url in failed[1:])
    assert found.pages_read == 1


def test_a_sitemap_without_publications_falls_back_to_the_search_and_says_so():
    empty = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://star.dk/ydelser/</loc></url></urlset>'
    q4 = star_discovery.search_url("https://star.dk", date(2025, 10, 1), date(2025, 12, 31))
    site = Site({"https://star.dk/sitemap.xml": empty, q4: SEARCH})
    found = star_discovery.discover(
        "https://star.dk",
        site,
        since=date(2025, 10, 1),
        until=date(2025, 12, 31),
        errors=(LookupError,),
    )
    assert found.method == "søgning" and len(found.candidates) == 2
    assert "ingen fokusrevisioner" in found.failures[0][1]


def test_a_full_search_window_is_split_until_each_part_is_whole():
    def results(start: date, end: date, n: int) -> bytes:
        items = "".join(
            f'<li><a href="/viden-og-tal/analyser/{start}-{i}/"><h2>Analyse {i}</h2></a></li>'
            for i in range(n)
        )
        return f'<ul id="SearchResultArea">{items}</ul>'.encode()

    whole = (date(2025, 10, 1), date(2025, 12, 31))
    pages = {star_discovery.search_url("https://star.dk", *whole): results(*whole, 1000)}
    first_half = (date(2025, 10, 1), date(2025, 11, 15))
    second_half = (date(2025, 11, 16), date(2025, 12, 31))
    pages[star_discovery.search_url("https://star.dk", *first_half)] = results(*first_half, 600)
    pages[star_discovery.search_url("https://star.dk", *second_half)] = results(*second_half, 700)
    found = star_discovery.discover(
        "https://star.dk",
        Site(pages),
        since=whole[0],
        until=whole[1],
        errors=(LookupError,),
    )
    assert len(found.candidates) == 1300  # not the 1000 the first answer was cut at
    assert found.pages_read == 3


def test_discovery_reads_the_sitemaps_robots_txt_names_instead_of_guessing():
    site = Site({"https://star.dk/sitemap_index.xml.gz": gzip.compress(SITEMAP)})
    found = star_discovery.discover(
        "https://star.dk",
        site,
        until=date(2026, 3, 1),
        errors=(LookupError,),
        sitemaps=["https://star.dk/sitemap_index.xml.gz"],
    )
    assert found.method == "sitemap" and len(found.candidates) == 4
    assert site.asked == ["https://star.dk/sitemap_index.xml.gz"]
