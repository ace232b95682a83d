"""A committee list as real sites send it (no ETag, no Last-Modified): nothing relies on a 304.

Unchanged meetings are skipped by their entry in the list (ReleasedDate, agenda/minutes), so a
second run asks for the list in full and for no agenda at all.
"""

from __future__ import annotations

from retskilde.scrapers.sources.firstagenda import AgendaOptions, crawl_firstagenda
from tests.scrapers import agendas
from tests.scrapers.conftest import FIXED_NOW


def test_unchanged_meetings_cost_no_request_without_any_cache_headers(site, tmp_path, make_fetcher):
    agendas.serve(site)
    listing = site.pages["/api/agenda/udvalgsliste"]
    listing.etag, listing.last_modified = False, None
    for page in site.pages.values():
        page.etag = False  # as the real answers: no validators anywhere
    corpus = tmp_path / "corpus"
    options = AgendaOptions(corpus=corpus, kommune=agendas.site_kommune(site))

    def run():
        fetcher = make_fetcher(corpus, source="kommune")
        return crawl_firstagenda(options, fetcher, now=lambda: FIXED_NOW)

    first = run()
    assert first.meetings > 0
    start = len(site.hits)
    second = run()
    asked = [(h.path, h.status) for h in site.hits[start:] if h.path != "/robots.txt"]
    assert asked == [("/api/agenda/udvalgsliste", 200)]
    assert second.skipped == first.meetings
