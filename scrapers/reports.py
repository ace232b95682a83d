"""A publication's report (PDF or DOCX) read into paragraphs, every problem named by its URL.

Shared by the crawls whose pages link to the text that matters: STAR's fokusrevisioner and
analyser, Ankestyrelsen's praksisundersøgelser, the agenda items' attachments (bilag). An
address that answers with a viewer page (FirstAgenda's `/Vis/Pdf/bilag/{id}` shows the PDF in
`iframe#pdfframe` from a signed link that expires after minutes) is followed to the file it
embeds; that link is used once and never kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urljoin, urlparse

from retskilde.scrapers.extract import ExtractError, extract_paragraphs, kind_of
from retskilde.scrapers.fetcher import Fetcher, FetchError, RobotsDisallowed
from retskilde.scrapers.htmltext import soup_of

DOCUMENT_SUFFIXES = (".pdf", ".docx")

log = logging.getLogger("retskilde.scrape")


@dataclass(frozen=True)
class ReportText:
    """The report's paragraphs, or the problem (naming its URL); and whether a body came."""

    paragraphs: list[str] | None
    problem: str | None
    fetched: bool


def embedded_document(content: bytes, url: str) -> str | None:
    """The file a viewer page shows: `iframe#pdfframe`, else the first frame, embed or object
    whose address is a PDF or DOCX; None for any other page."""
    soup = soup_of(content)
    frame = soup.select_one("iframe#pdfframe[src]")
    candidates = [frame] if frame is not None else []
    candidates += soup.select("iframe[src], embed[src], object[data]")
    for tag in candidates:
        target = (tag.get("src") or tag.get("data") or "").strip()
        if not target:
            continue
        address = urljoin(url, target)
        if urlparse(address).scheme not in ("http", "https"):
            continue
        if tag is frame or urlparse(address).path.lower().endswith(DOCUMENT_SUFFIXES):
            return address
    return None


def read_report(
    fetcher: Fetcher, url: str, fresh: bool = False, keep: bool = True, what: str = "rapporten"
) -> ReportText:
    """Fetch and extract the report at `url`; never raises for a bad report.

    `fresh`: ask without validators (after a failure, a 304 would hand back the bytes that
    failed). `keep=False`: nothing of it goes to the raw store (a viewer page holding a signed
    link). `what`: how the messages name it ("rapporten", "bilaget").
    """
    try:
        result = fetcher.get(url, conditional=not fresh, keep=keep)
    except RobotsDisallowed:
        return ReportText(None, f"{what} {url}: robots.txt tillader ikke, at den hentes", False)
    except FetchError as exc:
        return ReportText(None, f"{what} {url}: {exc.reason}", False)
    fetched = not result.not_modified
    kind = kind_of(result.content)
    if kind == "html" and (embedded := embedded_document(result.content, result.final_url)):
        # Used once, never kept, never named: the signed link would be a key in the log.
        try:
            result = fetcher.get(embedded, keep=False)
        except RobotsDisallowed:
            reason = "robots.txt tillader ikke, at den indlejrede fil hentes"
            return ReportText(None, f"{what} {url}: {reason}", fetched)
        except FetchError as exc:
            return ReportText(None, f"{what} {url}: den indlejrede fil: {exc.reason}", True)
        fetched = True
        kind = kind_of(result.content)
    if kind not in ("pdf", "docx"):
        # A cookie wall or an error page answered with 200 is not the report's text.
        found = "en HTML-side" if kind == "html" else "en ukendt filtype"
        return ReportText(
            None, f"{what} {url}: adressen gav {found}, ikke en PDF eller DOCX", fetched
        )
    try:
        return ReportText(extract_paragraphs(result.content, url), None, fetched)
    except ExtractError as exc:
        return ReportText(None, f"{what} {url}: {exc.reason}", fetched)
    except Exception as exc:
        log.exception("uventet fejl ved udtræk af %s", url)
        reason = f"uventet fejl ved udtræk ({type(exc).__name__}: {exc})"
        return ReportText(None, f"{what} {url}: {reason}", fetched)
