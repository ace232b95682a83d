"""The one error a scraper raises about a URL: what went wrong there, in words for the user."""

from __future__ import annotations


class SourceError(Exception):
    """Something at `url` could not be fetched, read or parsed; `reason` is meant for the user."""

    def __init__(self, url: str, reason: str):
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")
