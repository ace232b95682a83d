"""How a crawl shows itself: a progress bar on a terminal, plain log lines otherwise, a summary."""

from __future__ import annotations

import sys
from typing import TextIO

import click

from scrapers.sources.ast import CrawlSummary
from scrapers.sources.firstagenda import AgendaSummary
from scrapers.sources.star import StarSummary
from scrapers.state import ItemOutcome

OUTCOME_LABELS = {
    "new": "ny",
    "changed": "ændret",
    "unchanged": "uændret",
    "not_modified": "ikke ændret",
    "failed": "FEJL",
    "blocked": "afvist af robots.txt",
}


class LogProgress:
    """One line per page on stderr: for logs, cron mail and CI."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream
        self.total = 0
        self.done = 0

    def start(self, total: int, done: int) -> None:
        self.total, self.done = total, done
        click.echo(f"{total - done} sider i køen ({done} klaret i en tidligere kørsel)", err=True)

    def advance(self, url: str, outcome: ItemOutcome) -> None:
        self.done += 1
        label = OUTCOME_LABELS.get(outcome.outcome, outcome.outcome)
        line = f"[{self.done}/{self.total}] {label} {url}"
        if outcome.error:
            line += f" ({outcome.error})"
        click.echo(line, err=True, file=self.stream)

    def finish(self) -> None:
        pass


class BarProgress:
    """A progress bar on the terminal; failures are still printed as they happen."""

    def __init__(self) -> None:
        self._bar = None

    def start(self, total: int, done: int) -> None:
        self._bar = click.progressbar(
            length=total, label="Henter", file=sys.stderr, show_pos=True, show_eta=True
        )
        self._bar.__enter__()
        if done:
            self._bar.update(done)

    def advance(self, url: str, outcome: ItemOutcome) -> None:
        if outcome.outcome == "failed":
            click.echo(f"\nFEJL {url}: {outcome.error}", err=True)
        if self._bar is not None:
            self._bar.update(1)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def make_progress() -> LogProgress | BarProgress:
    """A bar when stderr is a terminal, log lines otherwise."""
    return BarProgress() if sys.stderr.isatty() else LogProgress()


def _problem_lines(summary: CrawlSummary | AgendaSummary | StarSummary) -> list[str]:
    """The robots.txt refusals and failures, by URL: the same tail for every crawl's report."""
    lines = []
    if summary.blocked:
        lines.append(f"  afvist af robots.txt  {len(summary.blocked):>6}")
        lines.extend(f"    {url}" for url in summary.blocked)
    if summary.failed:
        lines.append("Fejl:")
        lines.extend(f"  {url}: {reason}" for url, reason in summary.failed)
    return lines


def summary_lines(summary: CrawlSummary) -> list[str]:
    """The closing report, in Danish, failures named by URL."""
    lines = [
        "Genoptaget kørsel færdig." if summary.resumed else "Kørsel færdig.",
        f"  sider i køen          {summary.total:>6}",
        f"  hentet (200)          {summary.fetched:>6}",
        f"  ikke ændret (304)     {summary.not_modified:>6}",
        f"  sprunget over         {summary.skipped:>6}  (uændret <lastmod> i sitemap)",
        f"  nye                   {summary.new:>6}",
        f"  ændrede               {summary.changed:>6}",
        f"  uændrede              {summary.unchanged:>6}",
        f"  fejl                  {len(summary.failed):>6}",
    ]
    return lines + _problem_lines(summary)


def agenda_summary_lines(summary: AgendaSummary) -> list[str]:
    """The closing report of a FirstAgenda crawl, in Danish, failures named by URL."""
    lines = [
        "Genoptaget kørsel færdig." if summary.resumed else "Kørsel færdig.",
        f"  møder i køen          {summary.meetings:>6}",
        f"  hentet (200)          {summary.fetched:>6}",
        f"  ikke ændret (304)     {summary.not_modified:>6}",
        f"  sprunget over         {summary.skipped:>6}  (uændret i udvalgslisten)",
        f"  nye punkter           {summary.new:>6}",
        f"  ændrede punkter       {summary.changed:>6}",
        f"  uændrede punkter      {summary.unchanged:>6}",
        f"  lukkede punkter       {summary.closed:>6}  (ikke offentlige, ikke gemt)",
        f"  tomme punkter         {summary.empty:>6}  (uden tekst og bilag, ikke gemt)",
        f"  fejl                  {len(summary.failed):>6}",
    ]
    return lines + _problem_lines(summary)


def star_summary_lines(summary: StarSummary) -> list[str]:
    """The closing report of a STAR crawl, in Danish, failures named by URL."""
    lines = [
        "Genoptaget kørsel færdig." if summary.resumed else "Kørsel færdig.",
        f"  oversigtssider læst   {summary.listing_pages:>6}",
        f"  publikationer i køen  {summary.total:>6}",
        f"  hentet (200)          {summary.fetched:>6}  (side og/eller rapport)",
        f"  ikke ændret (304)     {summary.not_modified:>6}  (rapporten ikke spurgt igen)",
        f"  nye                   {summary.new:>6}",
        f"  ændrede               {summary.changed:>6}",
        f"  uændrede              {summary.unchanged:>6}",
        f"  kun sidens tekst      {summary.page_text_only:>6}  (rapporten kunne ikke læses)",
        f"  fejl                  {len(summary.failed):>6}",
    ]
    return lines + _problem_lines(summary)
