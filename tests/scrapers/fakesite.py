"""A small website on 127.0.0.1 that replays recorded pages and misbehaves on request.

Each path can carry a queue of faults, used one per request: "timeout" (answer too late),
"500", "429" (with Retry-After), "reset" (cut the connection mid-body), "hold" (wait until the
test releases it, then close without an answer), "pause" (wait until released, then answer),
"malformed" (the body cut short, as a 200). It answers conditional requests
with 304, can demand a cookie set by its front page before /api/, and logs every response.
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse


@dataclass
class FakePage:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    etag: bool = True
    last_modified: str | None = None  # an HTTP date
    lastmod: str | None = None  # for the sitemap


@dataclass
class Hit:
    path: str
    status: int | None
    conditional: bool
    user_agent: str
    query: str = ""

    @property
    def target(self) -> str:
        """Path and query, as a page added with a query is keyed."""
        return f"{self.path}?{self.query}" if self.query else self.path


@dataclass
class FakeSite:
    pages: dict[str, FakePage] = field(default_factory=dict)
    faults: dict[str, list[str]] = field(default_factory=dict)
    always: dict[str, str] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    robots: str = "User-agent: *\nDisallow: /privat/\n"
    timeout_delay: float = 1.0
    retry_after: str = "1"
    base_url: str = ""
    cookie: str | None = None  # when set: /api/ redirects to / until the client sends it
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.add("/robots.txt", self.robots, content_type="text/plain")

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def add(self, path: str, body: bytes | str, **options) -> None:
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.pages[path] = FakePage(body, **options)

    def fault(self, path: str, *faults: str) -> None:
        self.faults.setdefault(path, []).extend(faults)

    def sitemap(self, paths: list[str] | None = None) -> None:
        """Publish /sitemap.xml listing `paths` (default: every page but robots and sitemap)."""
        chosen = paths
        if chosen is None:
            chosen = [p for p in self.pages if p != "/robots.txt" and not p.endswith(".xml")]
        rows = []
        for path in chosen:
            page = self.pages.get(path)
            lastmod = f"<lastmod>{page.lastmod}</lastmod>" if page and page.lastmod else ""
            rows.append(f"  <url><loc>{self.url(path)}</loc>{lastmod}</url>")
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "\n".join(rows)
            + "\n</urlset>\n"
        )
        self.pages["/sitemap.xml"] = FakePage(xml.encode("utf-8"), "application/xml")

    def statuses(self, path: str) -> list[int | None]:
        return [hit.status for hit in self.hits if hit.path == path]

    def bodies_sent(self) -> list[str]:
        """Paths answered with 200 and a body."""
        return [hit.path for hit in self.hits if hit.status == 200]

    def next_fault(self, path: str) -> str | None:
        with self.lock:
            if path in self.always:
                return self.always[path]
            queue = self.faults.get(path)
            return queue.pop(0) if queue else None


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


def _make_handler(site: FakeSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; without this, Nagle + delayed ACK add ~40 ms.
        disable_nagle_algorithm = True

        def log_message(self, *args: object) -> None:
            pass

        def _log(self, status: int | None, conditional: bool = False) -> None:
            parts = urlparse(self.path)
            with site.lock:
                site.hits.append(
                    Hit(
                        parts.path,
                        status,
                        conditional,
                        self.headers.get("User-Agent", ""),
                        parts.query,
                    )
                )

        def _send(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._get()

        def _get(self) -> None:
            parts = urlparse(self.path)
            # A page added as "/path?query" answers that query; any other query gets "/path".
            target = f"{parts.path}?{parts.query}"
            path = target if parts.query and target in site.pages else parts.path
            fault = site.next_fault(path)
            if fault == "hold":
                self._log(None)
                site.held.set()
                site.release.wait(30)
                self.close_connection = True
                return
            if fault == "pause":
                site.held.set()
                site.release.wait(30)  # then answered as usual: a slow page, not a broken one
            if fault == "timeout":
                self._log(None)
                time.sleep(site.timeout_delay)
                self.close_connection = True
                return
            if fault in ("500", "503"):
                self._log(int(fault))
                self._send(int(fault), b"Intern fejl", {"Content-Type": "text/plain"})
                return
            if fault == "429":
                self._log(429)
                self._send(429, b"For mange", {"Retry-After": site.retry_after})
                return
            cookie = self.headers.get("Cookie") or ""
            if site.cookie and path.startswith("/api/") and site.cookie not in cookie:
                self._log(302)
                self._send(302, headers={"Location": "/"})
                return
            if path in site.redirects:
                self._log(301)
                self._send(301, headers={"Location": site.redirects[path]})
                return
            page = site.pages.get(path)
            if page is None:
                self._log(404)
                self._send(404, b"Siden findes ikke", {"Content-Type": "text/plain"})
                return
            headers = {"Content-Type": page.content_type}
            etag = _etag(page.body) if page.etag else None
            if etag:
                headers["ETag"] = etag
            if page.last_modified:
                headers["Last-Modified"] = page.last_modified
            if site.cookie and path == "/":
                headers["Set-Cookie"] = f"{site.cookie}; Path=/"
            if self._not_modified(etag, page.last_modified):
                self._log(304, conditional=True)
                self._send(304, headers=headers)
                return
            if fault == "reset":
                self._log(None)
                self.send_response(200)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                self.wfile.write(page.body[: len(page.body) // 2])
                self.wfile.flush()
                # SO_LINGER 0: close with a TCP reset, as a crashing server or proxy would.
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()
                self.close_connection = True
                return
            if fault == "malformed":
                self._log(200)
                self._send(200, page.body[: len(page.body) // 3], headers)
                return
            self._log(200)
            self._send(200, page.body, headers)

        def _not_modified(self, etag: str | None, last_modified: str | None) -> bool:
            if etag and self.headers.get("If-None-Match") == etag:
                return True
            since = self.headers.get("If-Modified-Since")
            if last_modified and since and not self.headers.get("If-None-Match"):
                try:
                    return parsedate_to_datetime(since) >= parsedate_to_datetime(last_modified)
                except (TypeError, ValueError):
                    return False
            return False

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


def start(site: FakeSite) -> tuple[_Server, threading.Thread]:
    server = _Server(("127.0.0.1", 0), _make_handler(site))
    site.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    return server, thread


def http_date(year: int, month: int, day: int) -> str:
    from datetime import UTC, datetime

    return format_datetime(datetime(year, month, day, 12, 0, tzinfo=UTC), usegmt=True)
