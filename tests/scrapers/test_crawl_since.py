"""Under --since, a sitemap entry without <lastmod> may have changed: crawled, not dropped."""

from __future__ import annotations

from tests.scrapers.conftest import serve_fixtures
from tests.scrapers.test_crawl import crawl, records


def test_since_keeps_entries_without_lastmod_and_drops_older_ones(site, tmp_path, make_fetcher):
    served = serve_fixtures(site)
    paths = sorted(served)
    for path in paths:
        site.pages[path].lastmod = "2024-01-01"
    undated = paths[0]
    site.pages[undated].lastmod = None
    site.sitemap()
    corpus = tmp_path / "corpus"
    summary = crawl(site, corpus, make_fetcher, since="2025-01-01")
    assert summary.total == 1
    assert list(records(corpus)) == [served[undated].expected["id"] + ".json"]
