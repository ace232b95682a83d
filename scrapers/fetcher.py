"""The one HTTP layer for every scraper: polite, patient and keeping what it fetched.

Polite: a descriptive User-Agent, robots.txt obeyed, a per-host rate limit (and the site's
Crawl-delay when it asks for more). Patient: retries with exponential backoff and jitter on
timeouts, connection errors, 5xx and 429, honouring Retry-After. Keeping: every 200 body goes
to the raw store with its URL, status, headers, fetch time and sha256, and its ETag and
Last-Modified make the next request conditional, so an unchanged page costs a 304. A URL that
must not be kept (a short-lived signed link to a file) is fetched with `keep=False`: the same
politeness, nothing in the raw store, and its query string in no message.

Clock, sleep, wall time and randomness are injected so tests run without waiting.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlparse

from retskilde import __version__
from retskilde.scrapers.errors import SourceError
from retskilde.scrapers.rawstore import RawStore, Snapshot

if TYPE_CHECKING:
    import httpx
    from protego import Protego

USER_AGENT = (
    f"Retskilde/{__version__} (+https://github.com/retskilde/retskilde; kontakt via issues)"
)
RETRY_STATUSES = {429}  # plus every 5xx
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
_DISALLOW_ALL = "User-agent: *\nDisallow: /\n"

log = logging.getLogger("retskilde.fetch")


class FetchError(SourceError):
    """A URL that could not be fetched; `reason` is meant for the user."""

    def __init__(self, url: str, reason: str, status: int | None = None):
        super().__init__(url, reason)
        self.status = status


class RobotsDisallowed(FetchError):
    """robots.txt does not allow us to fetch the URL."""


@dataclass(frozen=True)
class FetchPolicy:
    """How hard and how fast to ask: the knobs a user or a test turns."""

    rate: float = 1.0  # requests per second, per host (0: no limit, for tests)
    timeout: float = 30.0  # seconds, per request
    max_retries: int = 4  # extra attempts after the first
    backoff_base: float = 1.0  # seconds before the first retry; doubles each time
    backoff_max: float = 60.0
    max_retry_after: float = 600.0  # a longer Retry-After gives up on the URL for this run
    max_redirects: int = 5


@dataclass(frozen=True)
class FetchResult:
    """A page's bytes: freshly downloaded (200) or the stored copy the server confirmed (304)."""

    url: str
    final_url: str
    status: int
    content: bytes
    snapshot: Snapshot

    @property
    def not_modified(self) -> bool:
        """True when the server confirmed our stored copy (304)."""
        return self.status == 304


def without_query(url: str) -> str:
    """`url` without its query and fragment: what may be shown of a signed link."""
    parts = urlparse(url)
    return parts._replace(query="", fragment="").geturl()


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def iso_seconds(moment: datetime) -> str:
    """`moment` as ISO 8601 in UTC, whole seconds (the contract's fetched_at form)."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


class Fetcher:
    """GET with robots.txt, per-host rate limit, retries with backoff, conditional requests."""

    def __init__(
        self,
        raw: RawStore,
        policy: FetchPolicy | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = utc_now,
        rng: random.Random | None = None,
        on_response: Callable[[str, int], None] | None = None,
        user_agent: str = USER_AGENT,
    ):
        self.raw = raw
        self.policy = policy or FetchPolicy()
        self.clock = clock
        self.sleep = sleep
        self.now = now
        self.rng = rng or random.Random()
        self.on_response = on_response
        self.user_agent = user_agent
        self.requests = 0
        import httpx  # ~110 ms: only when something is fetched, not for `--help`

        self._client = httpx.Client(
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=self.policy.timeout,
            follow_redirects=False,  # redirects go through robots.txt and the rate limit too
            transport=transport,
        )
        self._next_slot: dict[str, float] = {}
        self._interval: dict[str, float] = {}
        self._robots: dict[str, Protego] = {}

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()

    # -- public ---------------------------------------------------------------------------

    def get(self, url: str, *, conditional: bool = True, keep: bool = True) -> FetchResult:
        """Fetch `url`; 200 and 304 come back as a result, anything else raises FetchError.

        `keep=False`: neither the URL nor the body goes to the raw store (no conditional
        request either), and errors name the URL without its query (a signed link's key)."""
        self._check_robots(url)
        if not keep:
            return self._get_transient(url)
        return self._get(url, conditional=conditional)

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets us fetch `url`."""
        return self._robots_for(url).can_fetch(url, self.user_agent)

    def sitemaps(self, url: str) -> list[str]:
        """The sitemaps robots.txt of `url`'s host names (`Sitemap:` lines), in its order."""
        return list(self._robots_for(url).sitemaps)

    # -- robots.txt -----------------------------------------------------------------------

    def _check_robots(self, url: str) -> None:
        if not self.allowed(url):
            raise RobotsDisallowed(url, "robots.txt tillader ikke, at siden hentes")

    def _robots_for(self, url: str) -> Protego:
        from protego import Protego

        # RFC 9309: `*` and `$` in paths, the longest matching rule wins, and an Allow beats a
        # Disallow of the same length. urllib.robotparser takes rules literally and in file
        # order, so it let `/soeg?q=…` through under `Disallow: /*?`.
        parts = urlparse(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        parser = self._robots.get(origin)
        if parser is not None:
            return parser
        try:
            result = self._get(f"{origin}/robots.txt", conditional=True)
        except FetchError as exc:
            if exc.status in (401, 403):
                parser = Protego.parse(_DISALLOW_ALL)
            elif exc.status is not None and 400 <= exc.status < 500:
                parser = Protego.parse("")  # no robots.txt: everything is allowed
            else:
                # Unreachable robots.txt: we cannot know the rules, so we do not crawl the host.
                log.warning("robots.txt kunne ikke hentes (%s); værten springes over", exc.reason)
                parser = Protego.parse(_DISALLOW_ALL)
        else:
            parser = Protego.parse(result.content.decode("utf-8", errors="replace"))
            delay = parser.crawl_delay(self.user_agent)
            if delay:
                self._interval[parts.netloc] = max(self._host_interval(parts.netloc), float(delay))
        self._robots[origin] = parser
        return parser

    # -- requests -------------------------------------------------------------------------

    def _host_interval(self, host: str) -> float:
        return self._interval.get(host, 1.0 / self.policy.rate if self.policy.rate > 0 else 0.0)

    def _wait_turn(self, host: str) -> None:
        now = self.clock()
        slot = max(now, self._next_slot.get(host, now))
        if slot > now:
            self.sleep(slot - now)
        self._next_slot[host] = slot + self._host_interval(host)

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.policy.backoff_max, self.policy.backoff_base * (2**attempt))
        # Equal jitter: at least half the ceiling, so retries still back off, never in lockstep.
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def _retry_after(self, response: httpx.Response) -> float | None:
        value = response.headers.get("retry-after")
        if not value:
            return None
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return max(0.0, (moment - self.now()).total_seconds())

    def _send(self, url: str, headers: dict[str, str], keep: bool = True) -> httpx.Response:
        """One GET with retries; returns the first response that is not worth retrying."""
        import httpx

        host = urlparse(url).netloc
        shown = url if keep else without_query(url)
        attempts = self.policy.max_retries + 1
        for attempt in range(attempts):
            self._wait_turn(host)
            retry_after = None
            error_headers: dict[str, str] = {}
            self.requests += 1
            try:
                response = self._client.get(url, headers=headers)
            except httpx.TimeoutException:
                reason = f"tidsgrænsen på {self.policy.timeout:g} s blev overskredet"
                status = None
            except httpx.RequestError as exc:
                # Refused or reset connections, bodies cut short, broken gzip: all transient.
                reason = f"forbindelsesfejl ({type(exc).__name__}: {exc})"
                status = None
            else:
                status = response.status_code
                if self.on_response is not None:
                    self.on_response(url, status)
                if status not in RETRY_STATUSES and status < 500:
                    return response
                reason = f"HTTP {status}"
                retry_after = self._retry_after(response)
                error_headers = {k.lower(): v for k, v in response.headers.items()}
            if keep:
                self.raw.log(url, status, error_headers, iso_seconds(self.now()), error=reason)
            if attempt == attempts - 1:
                raise FetchError(shown, f"{reason} (opgivet efter {attempts} forsøg)", status)
            delay = self._backoff(attempt)
            if retry_after is not None:
                if retry_after > self.policy.max_retry_after:
                    raise FetchError(
                        shown,
                        f"{reason}; serveren beder os vente {retry_after:g} s (Retry-After)",
                        status,
                    )
                delay = max(delay, retry_after)
            log.info("%s: %s; prøver igen om %.1f s", shown, reason, delay)
            self.sleep(delay)
        raise AssertionError("unreachable")

    def _get_transient(self, url: str) -> FetchResult:
        shown = without_query(url)
        current = url
        for _ in range(self.policy.max_redirects + 1):
            response = self._send(current, {}, keep=False)
            if response.status_code in REDIRECT_STATUSES and "location" in response.headers:
                current = urljoin(current, response.headers["location"])
                self._check_robots(current)
                continue
            break
        else:
            raise FetchError(shown, f"for mange omdirigeringer (over {self.policy.max_redirects})")
        if not 200 <= response.status_code < 300:
            raise FetchError(shown, f"HTTP {response.status_code}", response.status_code)
        content = response.content
        # Not in the raw store: no file, and no headers that could carry the link again.
        snapshot = Snapshot(
            url=shown,
            final_url=without_query(current),
            status=response.status_code,
            headers={},
            fetched_at=iso_seconds(self.now()),
            sha256=hashlib.sha256(content).hexdigest(),
            file="",
        )
        return FetchResult(shown, without_query(current), response.status_code, content, snapshot)

    def _get(self, url: str, *, conditional: bool) -> FetchResult:
        previous = self.raw.latest(url) if conditional else None
        headers: dict[str, str] = {}
        if previous is not None:
            if previous.etag:
                headers["If-None-Match"] = previous.etag
            if previous.last_modified:
                headers["If-Modified-Since"] = previous.last_modified
        current = url
        for _ in range(self.policy.max_redirects + 1):
            response = self._send(current, headers)
            if response.status_code in REDIRECT_STATUSES and "location" in response.headers:
                target = urljoin(current, response.headers["location"])
                self.raw.log(
                    url, response.status_code, dict(response.headers), iso_seconds(self.now())
                )
                self._check_robots(target)
                current = target
                continue
            break
        else:
            raise FetchError(url, f"for mange omdirigeringer (over {self.policy.max_redirects})")

        fetched_at = iso_seconds(self.now())
        response_headers = {k.lower(): v for k, v in response.headers.items()}
        if response.status_code == 304:
            if previous is None:
                raise FetchError(url, "serveren svarede 304 uden at vi havde en kopi", 304)
            self.raw.log(url, 304, response_headers, fetched_at, sha256=previous.sha256)
            return FetchResult(url, current, 304, self.raw.body(previous), previous)
        if 200 <= response.status_code < 300:
            content = response.content
            snapshot = self.raw.save(
                url, current, response.status_code, response_headers, fetched_at, content
            )
            return FetchResult(url, current, response.status_code, content, snapshot)
        self.raw.log(url, response.status_code, response_headers, fetched_at, error="HTTP-fejl")
        raise FetchError(url, f"HTTP {response.status_code}", response.status_code)
