"""What a source is to the rest of the house: its name and corpus folder, its kinds, its site,
its own command-line options, and how to crawl it. The CLI command, its help and the closing
report are made from this; the crawl itself is the source module's discovery and page hooks
on the shared runner (`scrapers/runner.py`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from retskilde.scrapers.runner import PageHooks, Progress, Queued, Tally


class Source:
    """One place documents come from. Subclasses set the class attributes and `crawl`."""

    name: ClassVar[str]  # the command: `retskilde scrape <name>`
    folder: ClassVar[str]  # records go to <corpus>/<folder>/ (the record's `source`)
    kinds: ClassVar[tuple[str, ...]]  # the kinds of page a crawl reads, each with a recorded page
    default_base_url: ClassVar[str | None]  # None: the site comes from another option
    summary: ClassVar[type[Tally]]  # what a crawl tells, and the rows of its report
    noun: ClassVar[str]  # what the queue holds, Danish plural ("sider", "møder")
    help: ClassVar[str]  # the command's help text, in Danish
    since_help: ClassVar[str]  # which date --since is compared with
    base_url_help: ClassVar[str]
    timeout: ClassVar[float] = 30.0
    timeout_help: ClassVar[str] = ""

    def cli_options(self) -> list[Callable[[Any], Any]]:
        """The click options only this source has (besides --since, --base-url, --limit …)."""
        return []

    def crawl(
        self,
        fetcher: Any,
        corpus: Path,
        *,
        base_url: str | None,
        since: str | None,
        limit: int | None,
        values: dict[str, Any],
        progress: Progress,
    ) -> Tally:
        """Bring <corpus>/<folder>/ up to date; `values` holds this source's own options.
        Raises click.BadParameter for an option that does not make sense."""
        raise NotImplementedError

    def discover(
        self, fetcher: Any, *, base_url: str | None, values: dict[str, Any]
    ) -> tuple[PageHooks, dict[str, list[Queued]], dict[str, str]]:
        """For --check: the page hooks, what discovery finds per kind, and the URL each kind
        is discovered from. Reads only the discovery pages. Raises CrawlError when they
        cannot be read at all."""
        raise NotImplementedError
