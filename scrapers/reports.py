"""A publication's report (PDF or DOCX) read into paragraphs, every problem named by its URL.

Shared by the crawls whose pages link to the text that matters: STAR's fokusrevisioner and
analyser, Ankestyrelsen's praksisundersøgelser.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from retskilde.scrapers.extract import ExtractError, extract_paragraphs, kind_of
from retskilde.scrapers.fetcher import Fetcher, FetchError, RobotsDisallowed

log = logging.getLogger("retskilde.scrape")


@dataclass(frozen=True)
class ReportText:
    """The report's paragraphs, or the problem (naming its URL); and whether a body came."""

    paragraphs: list[str] | None
    problem: str | None
    fetched: bool


def read_report(fetcher: Fetcher, url: str, fresh: bool = False) -> ReportText:
    """Fetch and extract the report at `url`; never raises for a bad report.

    `fresh`: ask without validators (after a failure, a 304 would hand back the bytes that
    failed).
    """
    try:
        result = fetcher.get(url, conditional=not fresh)
    except RobotsDisallowed:
        return ReportText(None, f"rapporten {url}: robots.txt tillader ikke, at den hentes", False)
    except FetchError as exc:
        return ReportText(None, f"rapporten {url}: {exc.reason}", False)
    fetched = not result.not_modified
    kind = kind_of(result.content)
    if kind not in ("pdf", "docx"):
        # A cookie wall or an error page answered with 200 is not the report's text.
        what = "en HTML-side" if kind == "html" else "en ukendt filtype"
        return ReportText(
            None, f"rapporten {url}: adressen gav {what}, ikke en PDF eller DOCX", fetched
        )
    try:
        return ReportText(extract_paragraphs(result.content, url), None, fetched)
    except ExtractError as exc:
        return ReportText(None, f"rapporten {url}: {exc.reason}", fetched)
    except Exception as exc:
        log.exception("uventet fejl ved udtræk af %s", url)
        reason = f"uventet fejl ved udtræk ({type(exc).__name__}: {exc})"
        return ReportText(None, f"rapporten {url}: {reason}", fetched)
