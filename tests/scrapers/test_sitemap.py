from __future__ import annotations

import pytest

from scrapers.sitemap import SitemapEntry, SitemapError, parse_sitemap

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
