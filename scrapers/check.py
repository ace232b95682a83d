"""`scrape <source> --check`: the first thing to run against a live site. It reads only the
discovery pages and one page per kind, and says per kind how many addresses it found, the
first few, and whether the page tried gives valid records. Nothing is written to the corpus."""

from __future__ import annotations

from dataclasses import dataclass, field

from retskilde.contract import validate_record
from retskilde.scrapers.errors import SourceError
from retskilde.scrapers.fetcher import Fetcher
from retskilde.scrapers.reports import read_report
from retskilde.scrapers.runner import PageHooks, Parsed, Queued
from retskilde.scrapers.state import QueueItem

SHOWN = 3  # addresses listed per kind
MOST_TRIED = 3  # pages tried per kind while the ones tried hold only closed or empty items


@dataclass
class KindCheck:
    """What --check found for one kind."""

    kind: str
    start_url: str
    urls: list[str]
    tried: str | None = None
    records: int = 0  # valid records the tried page gave
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.urls) and self.records > 0 and not self.problems


def check_kinds(
    fetcher: Fetcher,
    hooks: PageHooks,
    found: dict[str, list[Queued]],
    start_urls: dict[str, str],
) -> list[KindCheck]:
    """Try the first page of every kind discovery found (and name the kinds it did not)."""
    checks = []
    for kind, start_url in start_urls.items():
        queued = found.get(kind, [])
        check = KindCheck(kind, start_url, [q.url for q in queued])
        checks.append(check)
        if not queued:
            check.problems.append(f"{start_url}: fandt ingen adresser af slagsen {kind!r}")
            continue
        # A page may hold only closed items (on kk.dk a page is one item): the next is tried.
        for page in queued[:MOST_TRIED]:
            check.tried = page.url
            try:
                result = hooks.fetch(fetcher, page.url, False)
                parsed = hooks.parse(result, QueueItem(0, page.url, page.kind, page.version))
                records = _records(fetcher, parsed, check.problems)
            except SourceError as exc:
                check.problems.append(str(exc))
                break
            except Exception as exc:  # a parser bug is what --check is there to show
                check.problems.append(f"{page.url}: uventet fejl ({type(exc).__name__}: {exc})")
                break
            for record in records:
                problems = validate_record(record, page.url)
                check.problems.extend(map(str, problems))
                check.records += not problems
            if records or not parsed.left_out:
                if not records:
                    check.problems.append(f"{page.url}: siden gav ingen poster")
                break
        else:
            tried = min(len(queued), MOST_TRIED)
            check.problems.append(
                f"{check.tried}: de første {tried} sider gav ingen poster"
                " (kun lukkede eller tomme punkter)"
            )
    return checks


def _records(fetcher: Fetcher, parsed: Parsed, problems: list[str]) -> list[dict]:
    """The page's records; where they come only with their documents' text (Meetings+: the
    items' text is in the minutes' PDF), the documents are read too."""
    if parsed.records or not parsed.documents or parsed.with_documents is None:
        return parsed.records
    texts: list[list[str] | None] = []
    for url in parsed.documents:
        report = read_report(
            fetcher, url, True, keep=parsed.keep_documents, what=parsed.documents_are
        )
        if report.problem is not None:
            problems.append(report.problem)
        texts.append(None if report.problem is not None else report.paragraphs or [])
    return parsed.with_documents(texts)


def check_lines(checks: list[KindCheck]) -> list[str]:
    """The report, in Danish, one block per kind."""
    lines = []
    for check in checks:
        verdict = "OK" if check.ok else "FEJL"
        lines.append(f"{check.kind or '(uden slags)'}: {len(check.urls)} adresser  [{verdict}]")
        lines.append(f"  fra {check.start_url}")
        lines.extend(f"  {url}" for url in check.urls[:SHOWN])
        if len(check.urls) > SHOWN:
            lines.append(f"  … og {len(check.urls) - SHOWN} til")
        if check.tried:
            lines.append(f"  prøvet: {check.tried}: {check.records} gyldige poster")
        lines.extend(f"  FEJL {problem}" for problem in check.problems)
    return lines
