from __future__ import annotations

import gzip

import pytest

from retskilde.scrapers import sitemap as sitemap_module
from retskilde.scrapers.sitemap import SitemapEntry, SitemapError, parse_sitemap, walk_sitemaps

URL = "https://www.ast.dk/sitemap.xml"


def test_urlset_with_and_without_lastmod():
    xml = b"""<?xml version="1.0" encoding="UTF-8"?>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc> https://www.ast.dk/a </loc><lastmod>2025-02-20T10:00:00+01:00</lastmod></url>
      <url><loc>https://www.ast.dk/b</loc><changefreq>weekly</changefreq></url>
      <url><lastmod>2025-01-01</lastmod></url>
    </urlset>"""
    sitemap = parse_sitemap(xml, URL)
    assert sitemap.entries == [
        SitemapEntry("https://www.ast.dk/a", "2025-02-20T10:00:00+01:00"),
        SitemapEntry("https://www.ast.dk/b", None),
    ]
    assert sitemap.children == []


def test_sitemapindex_lists_child_sitemaps():
    xml = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://www.ast.dk/sitemap-1.xml</loc><lastmod>2025-03-01</lastmod></sitemap>
    </sitemapindex>"""
    sitemap = parse_sitemap(xml, URL)
    assert sitemap.children == [SitemapEntry("https://www.ast.dk/sitemap-1.xml", "2025-03-01")]
    assert sitemap.entries == []


@pytest.mark.parametrize(
    "content",
    [b"<html><body>Vedligeholdelse</body></html>", b"<urlset><url><loc>x</loc>", b""],
)
def test_not_a_sitemap_is_an_error_naming_the_url(content):
    with pytest.raises(SitemapError) as caught:
        parse_sitemap(content, URL)
    assert URL in str(caught.value)


def test_entities_are_not_expanded():
    xml = b"""<?xml version="1.0"?>
    <!DOCTYPE urlset [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>https://www.ast.dk/&secret;</loc></url>
    </urlset>"""
    entries = parse_sitemap(xml, URL).entries
    assert all("root:" not in entry.loc for entry in entries)


def _urlset(*locs: str) -> bytes:
    urls = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()


def _index(*locs: str) -> bytes:
    maps = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>'.encode()


def test_a_gzipped_sitemap_is_read_whatever_its_name():
    packed = gzip.compress(_urlset("https://star.dk/a", "https://star.dk/b"))
    entries = parse_sitemap(packed, "https://star.dk/sitemap.xml.gz").entries
    assert [e.loc for e in entries] == ["https://star.dk/a", "https://star.dk/b"]


def test_a_broken_or_oversized_gzip_is_an_error_naming_the_url(monkeypatch):
    with pytest.raises(SitemapError, match="sitemap-1.xml.gz"):
        parse_sitemap(b"\x1f\x8b" + b"ikke gzip", "https://star.dk/sitemap-1.xml.gz")
    monkeypatch.setattr(sitemap_module, "MAX_SITEMAP_BYTES", 100)
    with pytest.raises(SitemapError, match="udpakket over"):
        parse_sitemap(gzip.compress(_urlset(*[f"https://star.dk/{i}" for i in range(50)])), URL)


def test_walk_follows_nested_indexes_and_gz_children_once_each():
    site = {
        "https://star.dk/sitemap.xml": _index(
            "https://star.dk/sitemap-nyheder.xml.gz", "https://star.dk/sitemap-index-2.xml"
        ),
        "https://star.dk/sitemap-nyheder.xml.gz": gzip.compress(
            _urlset("https://star.dk/om-styrelsen/nyt/a/", "https://star.dk/b/")
        ),
        "https://star.dk/sitemap-index-2.xml": _index(
            "https://star.dk/sitemap-sider.xml", "https://star.dk/sitemap-nyheder.xml.gz"
        ),
        "https://star.dk/sitemap-sider.xml": _urlset("https://star.dk/b/", "https://star.dk/c/"),
    }
    asked: list[str] = []

    def fetch(url: str) -> bytes:
        asked.append(url)
        return site[url]

    walk = walk_sitemaps("https://star.dk/sitemap.xml", fetch)
    assert [e.loc for e in walk.entries] == [
        "https://star.dk/om-styrelsen/nyt/a/",
        "https://star.dk/b/",
        "https://star.dk/c/",
    ]
    assert walk.failures == [] and len(asked) == len(set(asked)) == 4


def test_walk_names_a_failing_child_and_goes_on_but_a_failing_root_raises():
    site = {
        "https://star.dk/sitemap.xml": _index("https://star.dk/s1.xml", "https://star.dk/s2.xml"),
        "https://star.dk/s2.xml": _urlset("https://star.dk/x/"),
    }

    def fetch(url: str) -> bytes:
        if url not in site:
            raise LookupError(f"{url}: HTTP 404")
        return site[url]

    walk = walk_sitemaps("https://star.dk/sitemap.xml", fetch, errors=(LookupError,))
    assert [e.loc for e in walk.entries] == ["https://star.dk/x/"]
    assert [url for url, _ in walk.failures] == ["https://star.dk/s1.xml"]
    assert "HTTP 404" in walk.failures[0][1]
    with pytest.raises(LookupError):
        walk_sitemaps("https://star.dk/mangler.xml", fetch, errors=(LookupError,))


def test_walk_stops_at_a_self_referencing_or_too_deep_index():
    def fetch(url: str) -> bytes:
        return _index("https://star.dk/sitemap.xml", url.replace(".xml", "/d.xml"))

    walk = walk_sitemaps("https://star.dk/sitemap.xml", fetch)
    assert walk.entries == []
    assert len(walk.failures) == 1 and "dybt" in walk.failures[0][1]
