"""The fetcher against an in-memory transport and a fake clock: no network, no real waiting."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from retskilde.scrapers.fetcher import (
    USER_AGENT,
    Fetcher,
    FetchError,
    FetchPolicy,
    RobotsDisallowed,
)
from retskilde.scrapers.rawstore import RawStore, url_key

NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
ROBOTS = "User-agent: *\nDisallow: /privat/\n"


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


class Server:
    """Scripted responses per path; robots.txt answered unless scripted."""

    def __init__(self, robots: str | int = ROBOTS) -> None:
        self.scripts: dict[str, list] = {}
        self.requests: list[httpx.Request] = []
        self.robots = robots

    def script(self, path: str, *responses) -> None:
        self.scripts.setdefault(path, []).extend(responses)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/robots.txt" and path not in self.scripts:
            if isinstance(self.robots, int):
                return httpx.Response(self.robots)
            return httpx.Response(200, text=self.robots)
        queue = self.scripts.get(path)
        if not queue:
            return httpx.Response(404)
        step = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(step, Exception):
            raise step
        return step(request) if callable(step) else step

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests if r.url.path != "/robots.txt"]


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def make(tmp_path, clock):
    made = []

    def make(server: Server, **policy) -> Fetcher:
        defaults = {"rate": 0.0, "backoff_base": 1.0, "backoff_max": 60.0}  # 0: no rate limit
        fetcher = Fetcher(
            RawStore(tmp_path / "raw"),
            FetchPolicy(**{**defaults, **policy}),
            transport=httpx.MockTransport(server),
            clock=clock.clock,
            sleep=clock.sleep,
            now=lambda: NOW,
            rng=random.Random(7),
        )
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()


def test_user_agent_names_the_project_and_a_contact(make):
    server = Server()
    server.script("/a", httpx.Response(200, text="a"))
    make(server).get("https://www.ast.dk/a")
    assert USER_AGENT.startswith("Retskilde/")
    assert "https://github.com/retskilde/retskilde" in USER_AGENT
    assert all(r.headers["User-Agent"] == USER_AGENT for r in server.requests)


def test_rate_limit_is_per_host(make, clock):
    server = Server()
    for path in ("/1", "/2", "/3", "/4"):
        server.script(path, httpx.Response(200, text=path))
    fetcher = make(server, rate=2.0)
    start = clock.t
    for path in ("/1", "/2", "/3", "/4"):
        fetcher.get(f"https://www.ast.dk{path}")
    # robots.txt + 4 pages = 5 requests at 2/s: at least 2 s between the first and the last.
    assert clock.t - start >= 2.0 - 1e-9
    before = clock.t
    # Another host does not queue behind www.ast.dk: only its own robots.txt → page gap (0.5 s).
    fetcher.get("https://other.example/1")
    assert clock.t - before == pytest.approx(0.5)


def test_retries_5xx_with_exponential_backoff_and_jitter(make, clock):
    server = Server()
    server.script("/a", httpx.Response(503), httpx.Response(502), httpx.Response(200, text="ok"))
    result = make(server, max_retries=3).get("https://www.ast.dk/a")
    assert result.content == b"ok"
    assert len(clock.sleeps) == 2
    first, second = clock.sleeps
    assert 0.5 <= first <= 1.0  # base 1 s, equal jitter: between half and all of it
    assert 1.0 <= second <= 2.0  # doubled


def test_retry_after_in_seconds_is_honoured(make, clock):
    server = Server()
    server.script(
        "/a", httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, text="ok")
    )
    assert make(server).get("https://www.ast.dk/a").content == b"ok"
    assert max(clock.sleeps) >= 7


def test_retry_after_as_http_date_is_honoured(make, clock):
    later = format_datetime(NOW + timedelta(seconds=30), usegmt=True)
    server = Server()
    server.script(
        "/a", httpx.Response(503, headers={"Retry-After": later}), httpx.Response(200, text="ok")
    )
    make(server).get("https://www.ast.dk/a")
    assert 30 <= max(clock.sleeps) <= 31


def test_a_retry_after_beyond_the_limit_gives_up_without_waiting(make, clock):
    server = Server()
    server.script("/a", httpx.Response(429, headers={"Retry-After": "86400"}))
    with pytest.raises(FetchError) as caught:
        make(server, max_retry_after=600).get("https://www.ast.dk/a")
    assert "https://www.ast.dk/a" in str(caught.value) and "86400" in caught.value.reason
    assert clock.sleeps == []


def test_timeouts_and_connection_errors_are_retried(make):
    server = Server()
    server.script(
        "/a",
        httpx.ReadTimeout("langsom"),
        httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
        httpx.ConnectError("connection refused"),
        httpx.Response(200, text="endelig"),
    )
    assert make(server, max_retries=3).get("https://www.ast.dk/a").content == b"endelig"
    assert server.paths() == ["/a"] * 4


def test_giving_up_names_the_url_the_reason_and_the_attempts(make):
    server = Server()
    server.script("/a", httpx.Response(500))
    with pytest.raises(FetchError) as caught:
        make(server, max_retries=2).get("https://www.ast.dk/a")
    message = str(caught.value)
    assert "https://www.ast.dk/a" in message and "HTTP 500" in message and "3 forsøg" in message
    assert caught.value.status == 500
    assert server.paths() == ["/a"] * 3


def test_404_is_not_retried(make, clock):
    server = Server()
    with pytest.raises(FetchError) as caught:
        make(server).get("https://www.ast.dk/mangler")
    assert caught.value.status == 404
    assert server.paths() == ["/mangler"]
    assert clock.sleeps == []


def test_conditional_request_turns_an_unchanged_page_into_a_304(make, tmp_path):
    server = Server()
    validators = {"ETag": '"v1"', "Last-Modified": "Wed, 01 Jan 2025 12:00:00 GMT"}

    def page(request: httpx.Request) -> httpx.Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return httpx.Response(304, headers=validators)
        return httpx.Response(200, text="<p>første</p>", headers=validators)

    server.script("/a", page)
    fetcher = make(server)
    first = fetcher.get("https://www.ast.dk/a")
    second = fetcher.get("https://www.ast.dk/a")
    assert first.status == 200 and not first.not_modified
    assert second.not_modified and second.content == first.content
    assert second.snapshot.sha256 == first.snapshot.sha256
    conditional = server.requests[-1].headers
    assert conditional["If-None-Match"] == '"v1"'
    assert conditional["If-Modified-Since"] == validators["Last-Modified"]


def test_unconditional_when_asked(make):
    server = Server()
    server.script("/a", httpx.Response(200, text="x", headers={"ETag": '"1"'}))
    fetcher = make(server)
    fetcher.get("https://www.ast.dk/a")
    fetcher.get("https://www.ast.dk/a", conditional=False)
    assert "If-None-Match" not in server.requests[-1].headers


def test_raw_snapshot_keeps_url_status_headers_time_and_hash(make, tmp_path):
    server = Server()
    server.script(
        "/a",
        httpx.Response(500),
        httpx.Response(200, text="<p>hej</p>", headers={"Content-Type": "text/html"}),
    )
    result = make(server).get("https://www.ast.dk/a")
    folder = tmp_path / "raw" / url_key("https://www.ast.dk/a")
    latest = json.loads((folder / "latest.json").read_text("utf-8"))
    assert latest["url"] == "https://www.ast.dk/a"
    assert latest["status"] == 200
    assert latest["headers"]["content-type"] == "text/html"
    assert latest["fetched_at"] == "2026-01-15T09:00:00+00:00"
    assert latest["sha256"] == result.snapshot.sha256
    assert (folder / latest["file"]).read_bytes() == b"<p>hej</p>"
    assert latest["file"].endswith(".html")
    log = [json.loads(line) for line in (folder / "log.jsonl").read_text("utf-8").splitlines()]
    assert [entry["status"] for entry in log] == [500, 200]


def test_robots_txt_is_obeyed(make):
    server = Server()
    server.script("/privat/side", httpx.Response(200, text="hemmelig"))
    fetcher = make(server)
    with pytest.raises(RobotsDisallowed):
        fetcher.get("https://www.ast.dk/privat/side")
    assert server.paths() == []
    assert [r.url.path for r in server.requests] == ["/robots.txt"]


def test_robots_txt_is_fetched_once_per_host_through_the_same_client(make):
    server = Server()
    server.script("/a", httpx.Response(200, text="a"))
    fetcher = make(server)
    fetcher.get("https://www.ast.dk/a")
    fetcher.get("https://www.ast.dk/a")
    robots = [r for r in server.requests if r.url.path == "/robots.txt"]
    assert len(robots) == 1 and robots[0].headers["User-Agent"] == USER_AGENT


def test_missing_robots_txt_allows_everything(make):
    server = Server(robots=404)
    server.script("/privat/side", httpx.Response(200, text="ok"))
    assert make(server).get("https://www.ast.dk/privat/side").content == b"ok"


def test_unreachable_robots_txt_means_we_stay_away(make):
    server = Server(robots=503)
    server.script("/a", httpx.Response(200, text="a"))
    with pytest.raises(RobotsDisallowed):
        make(server, max_retries=1).get("https://www.ast.dk/a")
    assert server.paths() == []


def test_crawl_delay_slows_us_down(make, clock):
    server = Server(robots="User-agent: *\nCrawl-delay: 5\n")
    server.script("/a", httpx.Response(200, text="a"))
    server.script("/b", httpx.Response(200, text="b"))
    fetcher = make(server, rate=100.0)
    fetcher.get("https://www.ast.dk/a")
    start = clock.t
    fetcher.get("https://www.ast.dk/b")
    assert clock.t - start >= 5


def test_redirects_are_followed_through_robots_txt(make):
    server = Server()
    server.script("/gammel", httpx.Response(301, headers={"Location": "/ny"}))
    server.script("/ny", httpx.Response(200, text="ny"))
    server.script("/flyttet", httpx.Response(302, headers={"Location": "/privat/x"}))
    fetcher = make(server)
    result = fetcher.get("https://www.ast.dk/gammel")
    assert result.final_url == "https://www.ast.dk/ny" and result.content == b"ny"
    with pytest.raises(RobotsDisallowed):
        fetcher.get("https://www.ast.dk/flyttet")
    assert "/privat/x" not in server.paths()


RFC_ROBOTS = (
    "User-agent: *\n"
    "Disallow: /*?\n"
    "Disallow: /privat/\n"
    "Allow: /privat/offentlig\n"
    "Disallow: /*.pdf$\n"
    "Allow: /soeg/$\n"
    "Disallow: /soeg/\n"
    "Crawl-delay: 3\n"
)


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        # `*` matches any run of characters: a query string anywhere is disallowed.
        ("/soeg?q=fokusrevision", False),
        ("/da/soeg/?q=*&maxResults=1000", False),
        ("/soeg", True),
        # Longest match wins, and the longer Allow beats the shorter Disallow.
        ("/privat/side", False),
        ("/privat/offentlig/rapport", True),
        # `$` anchors the end: only a path that ends in .pdf is caught.
        ("/filer/rapport.pdf", False),
        ("/filer/rapport.pdf.html", True),
        ("/soeg/", True),
        ("/soeg/resultater", False),
        ("/om-styrelsen/nyt/", True),
    ],
)
def test_robots_txt_follows_rfc_9309(make, path, allowed):
    server = Server(robots=RFC_ROBOTS)
    fetcher = make(server)
    assert fetcher.allowed(f"https://star.dk{path}") is allowed


def test_a_wildcard_disallow_blocks_the_request_before_it_is_sent(make):
    server = Server(robots="User-agent: *\nDisallow: /*?\n")
    server.script("/soeg", httpx.Response(200, text="resultater"))
    fetcher = make(server)
    with pytest.raises(RobotsDisallowed):
        fetcher.get("https://star.dk/soeg?q=*&maxResults=1000")
    assert server.paths() == []
    assert fetcher.get("https://star.dk/soeg").content == b"resultater"


def test_our_own_group_replaces_the_star_group(make):
    server = Server(
        robots="User-agent: *\nDisallow: /\n\nUser-agent: retskilde\nDisallow: /kladder/\n"
    )
    fetcher = make(server)
    assert fetcher.allowed("https://www.ast.dk/nyhedsarkiv")
    assert not fetcher.allowed("https://www.ast.dk/kladder/x")


def test_crawl_delay_of_an_rfc_robots_txt_is_still_honoured(make, clock):
    server = Server(robots=RFC_ROBOTS)
    server.script("/a", httpx.Response(200, text="a"))
    server.script("/b", httpx.Response(200, text="b"))
    fetcher = make(server, rate=100.0)
    fetcher.get("https://star.dk/a")
    start = clock.t
    fetcher.get("https://star.dk/b")
    assert 3 <= clock.t - start < 5


def test_the_sitemaps_robots_txt_names_are_offered(make):
    server = Server(robots="User-agent: *\nDisallow:\nSitemap: https://star.dk/sitemap_index.xml\n")
    assert make(server).sitemaps("https://star.dk/soeg/") == ["https://star.dk/sitemap_index.xml"]
    assert make(Server(robots=404)).sitemaps("https://star.dk/") == []
