from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import pytest

from retskilde.scrapers.fetcher import Fetcher, FetchPolicy
from retskilde.scrapers.rawstore import RawStore
from tests.scrapers import fakesite
from tests.scrapers.ast_reports import REPORT_PATH, praksisundersoegelse_fleksjob

FIXTURES = Path(__file__).parent / "ast"
FIXED_NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
# Fast enough for tests, still exercising every retry path: no real waiting anywhere.
FAST = FetchPolicy(
    rate=1000.0, timeout=0.5, max_retries=2, backoff_base=0.001, backoff_max=0.01, max_retry_after=5
)


@dataclass(frozen=True)
class Fixture:
    """A recorded page and the exact record it must produce."""

    html: Path
    expected: dict

    @property
    def kind(self) -> str:
        return self.html.parent.name

    @property
    def path(self) -> str:
        return urlparse(self.expected["url"]).path


def fixtures() -> list[Fixture]:
    found = []
    for html in sorted(FIXTURES.glob("*/*.html")):
        expected = json.loads(html.with_suffix(".json").read_text("utf-8"))
        found.append(Fixture(html, expected))
    return found


@dataclass
class Sleeps:
    """A sleep that records what it was asked and returns at once."""

    calls: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def site():
    the_site = fakesite.FakeSite()
    server, thread = fakesite.start(the_site)
    yield the_site
    the_site.release.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make_fetcher(sleeps):
    """A fetcher for a corpus folder, fast policy, recorded sleeps, fixed wall clock."""
    made: list[Fetcher] = []

    def make(corpus: Path, policy: FetchPolicy = FAST, source: str = "ast", **kwargs) -> Fetcher:
        kwargs.setdefault("sleep", sleeps)
        kwargs.setdefault("now", lambda: FIXED_NOW)
        fetcher = Fetcher(RawStore(corpus / source / "raw"), policy, **kwargs)
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()


def serve_fixtures(site: fakesite.FakeSite) -> dict[str, Fixture]:
    """Put every recorded page on the site with a mix of validators, and publish the sitemap."""
    served = {}
    for index, fixture in enumerate(fixtures()):
        options: dict = {}
        if index % 3 == 1:
            options = {"etag": False, "last_modified": fakesite.http_date(2025, 1, 2)}
        elif index % 3 == 2:
            options = {"etag": False, "lastmod": "2025-01-03"}
        site.add(fixture.path, fixture.html.read_bytes(), **options)
        served[fixture.path] = fixture
    site.sitemap()
    # The praksisundersøgelse's report (not a page of the sitemap: it is found by its link).
    site.add(REPORT_PATH, praksisundersoegelse_fleksjob(), content_type="application/pdf")
    return served
