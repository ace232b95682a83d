import pytest

from retskilde.scrapers import ast, extract, firstagenda, sitemap, star
from retskilde.scrapers.errors import SourceError
from retskilde.scrapers.fetcher import FetchError, RobotsDisallowed


@pytest.mark.parametrize(
    "error",
    [
        ast.ParseError,
        star.ParseError,
        firstagenda.ParseError,
        extract.ExtractError,
        extract.NoTextLayer,
        sitemap.SitemapError,
        FetchError,
        RobotsDisallowed,
    ],
)
def test_every_scraper_error_is_one_source_error_naming_the_url(error):
    exc = error("https://eksempel.dk/side", "siden er tom")
    assert isinstance(exc, SourceError)
    assert (exc.url, exc.reason) == ("https://eksempel.dk/side", "siden er tom")
    assert str(exc) == "https://eksempel.dk/side: siden er tom"


def test_a_fetch_error_keeps_its_status():
    assert FetchError("https://eksempel.dk/", "HTTP 404", status=404).status == 404
