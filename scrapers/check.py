"""`scrape <source> --check`: the first thing to run against a live site. It reads only the
discovery pages and one page per kind, and says per kind how many addresses it found, the
first few, and whether the page tried gives valid records. Nothing is written to the corpus."""

from __future__ import annotations

from dataclasses import dataclass, field

from retskilde.contract import validate_record
from retskilde.scrapers.errors import SourceError
from retskilde.scrapers.fetcher import Fetcher
from retskilde.scrapers.runner import PageHooks, Queued
from retskilde.scrapers.state import QueueItem

SHOWN = 3  # addresses listed per kind


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
        first = queued[0]
        check.tried = first.url
        try:
            result = hooks.fetch(fetcher, first.url, False)
            parsed = hooks.parse(result, QueueItem(0, first.url, first.kind, first.version))
        except SourceError as exc:
            check.problems.append(str(exc))
            continue
        except Exception as exc:  # a parser bug is what --check is there to show
            check.problems.append(f"{first.url}: uventet fejl ({type(exc).__name__}: {exc})")
            continue
        for record in parsed.records:
            problems = validate_record(record, first.url)
            check.problems.extend(map(str, problems))
            check.records += not problems
        if not parsed.records:
            check.problems.append(f"{first.url}: siden gav ingen poster")
    return checks


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
