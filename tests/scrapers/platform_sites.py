"""The recorded pages of the agenda platforms (tests/scrapers/<platform>/, written for the
project) put on the local test site the way each platform serves them, so a whole crawl runs
against them. Each `serve_*` returns the meeting (or item) pages in queue order and the pages
discovery reads."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from tests.scrapers import fakesite

HERE = Path(__file__).parent


@dataclass(frozen=True)
class PlatformSite:
    """What a served platform offers a test."""

    kommune: str  # the registry key, given with --kommune (and --base-url: the test site)
    pages: list[str]  # the pages the crawl reads, in queue order (newest meeting first)
    discovery: list[str]  # the pages discovery reads


def _served_path(path: str) -> str:
    """The path as the server sees it: the crawler percent-encodes all but "/" (kkdk.item_url)."""
    return quote(path, safe="/")


def _read(platform: str, name: str) -> bytes:
    return (HERE / platform / name).read_bytes()


def serve_aabendagsorden(site: fakesite.FakeSite) -> PlatformSite:
    search = json.loads(_read("aabendagsorden", "glostrup-soeg.json"))
    # A second, earlier meeting of the same committee (its page: the same fragment).
    earlier = dict(search["meetings"][0], meetingId=7399, date="2025-10-08T16:00:00")
    search["meetings"].append(earlier)
    search["numberOfResults"] += 1
    site.add("/rest/meeting/search", json.dumps(search), content_type="application/json")
    fragment = _read("aabendagsorden", "glostrup-social-og-sundhedsudvalget-2025-11-12.html")
    pages = ["/fragments/meeting/7412/view", "/fragments/meeting/7399/view"]
    for path in pages:
        site.add(path, fragment)
    return PlatformSite(KOMMUNE["aabendagsorden"], pages, ["/rest/meeting/search"])


def serve_kk(site: fakesite.FakeSite) -> PlatformSite:
    first = _read("kk", "agenda-elementer-side-1.json").replace(
        b"https://www.kk.dk", site.base_url.encode()
    )
    site.add("/jsonapi/node/agenda_element", first, content_type="application/vnd.api+json")
    second_path = "/jsonapi/node/agenda_element?page%5Boffset%5D=50&page%5Blimit%5D=50"
    site.add(
        second_path,
        _read("kk", "agenda-elementer-side-2.json").replace(
            b"https://www.kk.dk", site.base_url.encode()
        ),
        content_type="application/vnd.api+json",
    )
    employment = _read("kk", "beskaeftigelse-2025-12-08-dagsorden-punkt-4.html")
    social = _read("kk", "socialudvalget-2025-12-03-referat-punkt-2.html")
    committee = "/dagsordener-og-referater/Beskæftigelses-, Integrations- og Erhvervsudvalget"
    items = [
        (f"{committee}/møde-08122025/dagsorden/punkt-4", employment),
        (f"{committee}/møde-08122025/dagsorden/punkt-3", employment),
        ("/dagsordener-og-referater/Socialudvalget/møde-03122025/referat/punkt-2", social),
        ("/dagsordener-og-referater/Socialudvalget/møde-03122025/referat/punkt-1", social),
    ]
    pages = []
    for path, body in items:
        served = _served_path(path)
        site.add(served, body)
        pages.append(served)
    return PlatformSite(KOMMUNE["kk"], pages, ["/jsonapi/node/agenda_element", second_path])


def serve_meetingsplus(site: fakesite.FakeSite) -> PlatformSite:
    site.add("/overview", _read("meetingsplus", "oversigt.html"))
    meeting = _read("meetingsplus", "arbejdsmarkedsudvalget-2025-11-24.html")
    pages = [
        "/committees/arbejdsmarkedsudvalget/arbejdsmarkedsudvalget-2026-01-12",
        "/committees/arbejdsmarkedsudvalget/arbejdsmarkedsudvalget-2025-11-24",
    ]
    for path in pages:
        site.add(path, meeting)
    site.add(
        "/committees/arbejdsmarkedsudvalget/arbejdsmarkedsudvalget-2025-11-24/protocol/"
        "Referat-Arbejdsmarkedsudvalget-2025-11-24.pdf",
        _read("meetingsplus", "arbejdsmarkedsudvalget-2025-11-24-referat.pdf"),
        content_type="application/pdf",
    )
    return PlatformSite(KOMMUNE["meetingsplus"], pages, ["/overview"])


def serve_aalborg(site: fakesite.FakeSite) -> PlatformSite:
    site.add("/dagsordenreferat/", _read("aalborg", "moeder-job-og-velfaerdsudvalget.html"))
    minutes = _read("aalborg", "job-og-velfaerdsudvalget-2026-03-12.html")
    listing = json.loads(_read("aalborg", "moeder-job-og-velfaerdsudvalget.expected.json"))
    pages = []
    for meeting in listing["meetings"]:
        path = meeting["url"].removeprefix("https://apps.aalborgkommune.dk")
        site.add(path, minutes)
        pages.append(path)
    return PlatformSite(KOMMUNE["aalborg"], pages, ["/dagsordenreferat/"])


SERVERS = {
    "aabendagsorden": serve_aabendagsorden,
    "kk": serve_kk,
    "meetingsplus": serve_meetingsplus,
    "aalborg": serve_aalborg,
}

# Each platform's municipality in the tests, and the pages its discovery starts from.
KOMMUNE = {
    "aabendagsorden": "glostrup",
    "kk": "koebenhavn",
    "meetingsplus": "billund",
    "aalborg": "aalborg",
}
DISCOVERY = {
    "aabendagsorden": ("/rest/meeting/search",),
    "kk": ("/jsonapi/node/agenda_element",),
    "meetingsplus": ("/overview",),
    "aalborg": ("/dagsordenreferat/",),
}
