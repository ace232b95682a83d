"""Security headers on every response, and Datasette's debug pages kept off the public site.

The Content-Security-Policy allows scripts only from the site itself and inline scripts that
carry this response's nonce. The nonce is added here to each `<script>` tag of an HTML page:
the pages are rendered by Datasette's templates with every data value escaped (tested), so
every script tag in them is the site's own. What the policy stops is markup the browser makes
from data later (a chart that inserts a title with innerHTML): an `onerror=` attribute or a
`javascript:` link has no nonce and does not run. Vega compiles its expressions with
`new Function`, so the dashboards alone also allow eval.
"""

import json
import re
import secrets

from datasette import hookimpl

# Shown: what a reader of the public data may want (the metadata, the software versions whose
# SQL functions a query can use, the limits a query runs under). Hidden: what describes the
# server rather than the data (threads, file paths of the databases, plugins) and the
# pages for signed-in users and permissions, which a read-only public site does not have.
PUBLIC_DEBUG_PAGES = ("metadata", "versions", "settings")
HIDDEN_DEBUG_PAGES = re.compile(
    r"^/-/(threads|databases|plugins|actor|auth-token|logout|permissions|messages|"
    r"allow-debug|patterns|config)(\.json)?/?$"
)
NOT_PUBLIC = "Siden findes ikke på det offentlige site."

_SCRIPT_TAG = re.compile(rb"<script(?=[\s>])", re.IGNORECASE)
_DASHBOARDS = "/-/dashboards"
# A dashboard's embed view is made to be shown in other sites' frames.
_EMBED = re.compile(r"^/-/dashboards/[^/]+(/[^/]+)?/embed/?$")


def content_security_policy(path: str, nonce: str) -> str:
    scripts = f"'self' 'nonce-{nonce}'"
    if path.startswith(_DASHBOARDS):
        scripts += " 'unsafe-eval'"
    frames = "*" if _EMBED.match(path) else "'none'"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            # Datasette's templates and Vega's tooltips set style attributes.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frames}",
        ]
    )


def security_headers(path: str, nonce: str) -> list[tuple[bytes, bytes]]:
    headers = [
        ("content-security-policy", content_security_policy(path, nonce)),
        ("x-content-type-options", "nosniff"),
        # Searches are in the URL; another site learns only that the reader came from here.
        ("referrer-policy", "strict-origin-when-cross-origin"),
    ]
    if not _EMBED.match(path):
        headers.append(("x-frame-options", "DENY"))  # frame-ancestors for older browsers
    return [(name.encode(), value.encode()) for name, value in headers]


async def _not_public(send, path: str) -> None:
    if path.endswith(".json"):
        body = json.dumps({"ok": False, "error": NOT_PUBLIC, "status": 404}).encode()
        content_type = b"application/json; charset=utf-8"
    else:
        body = NOT_PUBLIC.encode()
        content_type = b"text/plain; charset=utf-8"
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 404, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _with_nonce(body: bytes, nonce: str) -> bytes:
    return _SCRIPT_TAG.sub(b'<script nonce="' + nonce.encode() + b'"', body)


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def secured(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            path = scope.get("path", "")
            if HIDDEN_DEBUG_PAGES.match(path):
                return await _not_public(send, path)
            nonce = secrets.token_urlsafe(16)
            extra = security_headers(path, nonce)
            start: dict | bool | None = None  # an HTML page's start, held for its first piece

            async def secured_send(message):
                nonlocal start
                if message["type"] == "http.response.start":
                    headers = [
                        (name, value)
                        for name, value in message.get("headers", [])
                        if name.lower() not in {name for name, _ in extra}
                    ] + extra
                    message = {**message, "headers": headers}
                    if dict(headers).get(b"content-type", b"").startswith(b"text/html"):
                        start = message
                        return
                    return await send(message)
                if message["type"] != "http.response.body" or start is None:
                    return await send(message)
                body = _with_nonce(message.get("body", b""), nonce)
                if start is not False:
                    headers = [
                        (n, v) for n, v in start["headers"] if n.lower() != b"content-length"
                    ]
                    if not message.get("more_body"):  # the whole page: its new length
                        headers.append((b"content-length", str(len(body)).encode()))
                    await send({**start, "headers": headers})
                    # A streamed page (a CSV's debug view) gets the nonce piece by piece: a tag
                    # split between two pieces gets none and is refused, never allowed.
                    start = False
                return await send({**message, "body": body})

            return await app(scope, receive, secured_send)

        return secured

    return wrap
