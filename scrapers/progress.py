"""How a crawl shows itself: a progress bar on a terminal, plain log lines otherwise, a summary."""

from __future__ import annotations

import sys
from typing import TextIO

import click

from retskilde.scrapers.runner import Tally
from retskilde.scrapers.state import ItemOutcome

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


def summary_lines(summary: Tally) -> list[str]:
    """The closing report, in Danish, from the rows the source's summary names; the robots.txt
    refusals and failures by URL at the end."""
    lines = ["Genoptaget kørsel færdig." if summary.resumed else "Kørsel færdig."]
    for row in summary.ROWS:
        value = getattr(summary, row.field)
        count = len(value) if isinstance(value, list) else value
        lines.append(f"  {row.label:<22}{count:>6}" + (f"  ({row.note})" if row.note else ""))
    if summary.blocked:
        lines.append(f"  afvist af robots.txt  {len(summary.blocked):>6}")
        lines.extend(f"    {url}" for url in summary.blocked)
    if summary.failed:
        lines.append("Fejl:")
        lines.extend(f"  {url}: {reason}" for url, reason in summary.failed)
    return lines
