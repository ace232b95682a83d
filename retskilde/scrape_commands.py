"""`retskilde scrape …`: one command per source, sharing the options for polite fetching, the
corpus folder and the run (interrupts, errors, the closing report and the exit code)."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from retskilde import DEFAULT_CORPUS

if TYPE_CHECKING:
    from retskilde.scrapers.fetcher import Fetcher
    from retskilde.scrapers.runner import Tally

Command = TypeVar("Command", bound=Callable[..., Any])
Summary = TypeVar("Summary", bound="Tally")


def _options(*options: Callable[[Command], Command]) -> Callable[[Command], Command]:
    def decorate(command: Command) -> Command:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def _web_address(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not value.startswith(("http://", "https://")):
        raise click.BadParameter("skal begynde med http:// eller https://")
    return value.rstrip("/") if value else value


def since_option(what: str) -> Callable[[Command], Command]:
    """--since as a date: `what` says which date it is compared with."""
    return click.option(
        "--since", type=click.DateTime(formats=["%Y-%m-%d"]), help=f"Kun {what} (ÅÅÅÅ-MM-DD)."
    )


def fetch_options(
    noun: str, folder: str, timeout: float = 30.0, timeout_help: str = ""
) -> Callable[[Command], Command]:
    """--limit, --rate, --corpus, --timeout and --retries: how much, how politely, where to."""
    return _options(
        click.option(
            "--limit", type=click.IntRange(min=1), help=f"Højst så mange {noun} i denne kørsel."
        ),
        click.option(
            "--rate",
            type=click.FloatRange(min=0.01),
            default=1.0,
            show_default=True,
            help="Forespørgsler pr. sekund pr. vært (robots.txt' Crawl-delay kan sænke den).",
        ),
        click.option(
            "--corpus",
            type=click.Path(file_okay=False, path_type=Path),
            default=DEFAULT_CORPUS,
            show_default=True,
            help=f"Korpusmappen; posterne skrives i <corpus>/{folder}/.",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0.01),
            default=timeout,
            show_default=True,
            help=timeout_help or "Sekunder pr. forespørgsel, før den gives op og prøves igen.",
        ),
        click.option(
            "--retries",
            type=click.IntRange(min=0),
            default=4,
            show_default=True,
            help="Nye forsøg efter timeout, forbindelsesfejl, 5xx og 429.",
        ),
    )


def base_url_option(default: str | None, help: str) -> Callable[[Command], Command]:
    """--base-url, checked to be a web address; no trailing slash."""
    return click.option(
        "--base-url",
        default=default,
        show_default=default is not None,
        help=help,
        callback=_web_address,
    )


def run_crawl(
    corpus: Path,
    source: str,
    rate: float,
    timeout: float,
    retries: int,
    crawl: Callable[[Fetcher], Summary],
    report: Callable[[Summary], list[str]],
) -> None:
    """Crawl with a polite fetcher keeping raw copies in <corpus>/<source>/raw; print the report.

    Exit codes: 1 when something failed (named by URL) or the crawl could not start, 130 on
    Ctrl-C (run the same command again to go on where it stopped).
    """
    from retskilde.scrapers.fetcher import Fetcher, FetchPolicy
    from retskilde.scrapers.rawstore import RawStore
    from retskilde.scrapers.runner import CrawlError
    from retskilde.scrapers.state import StateLocked

    policy = FetchPolicy(rate=rate, timeout=timeout, max_retries=retries)
    try:
        with Fetcher(RawStore(corpus / source / "raw"), policy) as fetcher:
            summary = crawl(fetcher)
    except KeyboardInterrupt:
        click.echo("\nAfbrudt. Kør samme kommando igen for at fortsætte, hvor den slap.", err=True)
        sys.exit(130)
    except (CrawlError, StateLocked) as exc:
        click.echo(f"Fejl: {exc}. Korpusset er ikke ændret.", err=True)
        sys.exit(1)
    for line in report(summary):
        click.echo(line)
    if not summary.ok:
        sys.exit(1)


def run_check(source, base_url, rate, timeout, retries, values) -> None:
    """--check: discovery and one page per kind, raw copies in a temporary folder; exit 1
    when a kind found nothing or its page gave no valid record."""
    import tempfile

    from retskilde.scrapers.check import check_kinds, check_lines
    from retskilde.scrapers.fetcher import Fetcher, FetchPolicy
    from retskilde.scrapers.rawstore import RawStore
    from retskilde.scrapers.runner import CrawlError

    policy = FetchPolicy(rate=rate, timeout=timeout, max_retries=retries)
    with tempfile.TemporaryDirectory() as scratch:
        try:
            with Fetcher(RawStore(Path(scratch)), policy) as fetcher:
                hooks, found, starts = source.discover(fetcher, base_url=base_url, values=values)
                checks = check_kinds(fetcher, hooks, found, starts)
        except KeyboardInterrupt:
            click.echo("\nAfbrudt.", err=True)
            sys.exit(130)
        except CrawlError as exc:
            click.echo(f"Fejl: {exc}.", err=True)
            sys.exit(1)
    for line in check_lines(checks):
        click.echo(line)
    if not all(check.ok for check in checks):
        sys.exit(1)


def _day(value) -> str | None:
    return value.date().isoformat() if value else None


def source_command(name: str) -> click.Command:
    """`retskilde scrape <name>`, made from the source's registry entry: its own options, then
    --since, --base-url and the fetch options every source shares."""
    from retskilde.scrapers.progress import make_progress, summary_lines
    from retskilde.scrapers.registry import load

    source = load(name)

    def run(since, base_url, limit, rate, corpus, timeout, retries, check, **values) -> None:
        if check:
            run_check(source, base_url, rate, timeout, retries, values)
            return
        run_crawl(
            corpus,
            source.folder,
            rate,
            timeout,
            retries,
            lambda fetcher: source.crawl(
                fetcher,
                corpus,
                base_url=base_url,
                since=_day(since),
                limit=limit,
                values=values,
                progress=make_progress(),
            ),
            summary_lines,
        )

    decorate = _options(
        *source.cli_options(),
        since_option(source.since_help),
        base_url_option(source.default_base_url, source.base_url_help),
        fetch_options(source.noun, source.folder, source.timeout, source.timeout_help),
        click.option(
            "--check",
            is_flag=True,
            help="Prøv kun: hent oversigterne og én side pr. slags, og vis pr. slags hvor mange "
            "adresser der blev fundet, de første, og om siden giver gyldige poster. Skriver "
            "intet i korpusset.",
        ),
    )
    return click.command(name, help=source.help)(decorate(run))


def _base_urls(ctx: click.Context, param: click.Parameter, value: Path | None) -> dict:
    if value is None:
        return {}
    import json

    try:
        data = json.loads(value.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise click.BadParameter(f"{value}: kan ikke læses som JSON ({exc})") from exc
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.startswith(("http://", "https://"))
        for k, v in data.items()
    ):
        raise click.BadParameter(f"{value}: skal være et objekt {{kommune: adresse}}")
    return data


@click.command("kommuner")
@click.option(
    "--kommune",
    "names",
    multiple=True,
    help="Kun denne kommune (navn, nøgle eller kode; kan gentages). Standard: alle, der hentes.",
)
@click.option("--region", help="Kun kommunerne i denne region, fx Nordjylland.")
@click.option("--platform", help="Kun kommunerne på denne platform, fx firstagenda.")
@click.option(
    "--udvalg",
    default=None,
    help="Regulært udtryk for udvalgenes navne (standard: som for hver platform).",
)
@click.option("--bilag", is_flag=True, help="Læs også bilagenes tekst (FirstAgenda).")
@click.option(
    "--hosts",
    type=click.IntRange(min=1, max=32),
    default=4,
    show_default=True,
    help="Højst så mange kommuners sites ad gangen (hvert med sin egen hastighedsgrænse).",
)
@click.option(
    "--base-url-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    callback=_base_urls,
    help="JSON-fil {kommune: adresse}, der erstatter registrets adresser (spejle, testservere).",
)
@click.option(
    "--check",
    is_flag=True,
    help="Prøv kun: hent hver kommunes oversigt og ét møde, og vis om de giver gyldige poster.",
)
@since_option("møder på denne dato eller senere")
@fetch_options("møder pr. kommune", "kommune")
def kommuner_command(
    names, region, platform, udvalg, bilag, hosts, base_url_file, check, since, limit, rate,
    corpus, timeout, retries,
) -> None:  # fmt: skip
    """Hent udvalgsdagsordener fra alle kommuner, Retskilde henter (eller dem, der vælges).

    Hver kommune hentes af sin platforms kilde med sin egen hastighedsgrænse, robots.txt og nye
    forsøg; flere kommuners sites hentes side om side (--hosts). En kommune, der fejler, stopper
    aldrig de andre; en afbrudt kørsel fortsætter, hvor hver kommune slap. Én linje pr. kommune
    til sidst; afslutter med kode 1, hvis nogen kommune fejlede.
    """
    from retskilde.scrapers.fetcher import FetchPolicy
    from retskilde.scrapers.kommuner_crawl import (
        Interrupted,
        SelectionError,
        StoppableFetcher,
        crawl_all,
        select,
        summary_line,
        total_line,
    )
    from retskilde.scrapers.rawstore import RawStore

    try:
        chosen = select(names, region, platform, base_url_file)
    except SelectionError as exc:
        raise click.UsageError(str(exc)) from exc
    values = {"udvalg": udvalg, "bilag": bilag}
    if check:
        _check_kommuner(chosen, values, rate, timeout, retries)
        return
    policy = FetchPolicy(rate=rate, timeout=timeout, max_retries=retries)
    stop = threading.Event()

    def make_fetcher(raw: Path) -> StoppableFetcher:
        return StoppableFetcher(RawStore(raw), policy, stop=stop)

    click.echo(f"{len(chosen)} kommuner, højst {hosts} ad gangen.", err=True)
    try:
        with _sigterm_as_ctrl_c():
            runs = crawl_all(
                chosen,
                corpus,
                values,
                _day(since),
                limit,
                make_fetcher,
                hosts,
                done=lambda run: click.echo(summary_line(run)),
                stop=stop,
                stopping=lambda: click.echo(
                    "\nStopper: hver igangværende kommune gør sin side færdig …", err=True
                ),
            )
    except Interrupted as interrupted:
        # Each running crawl ended at its next page with its state saved: a rerun resumes.
        click.echo(
            f"Afbrudt, {len(interrupted.runs)} af {len(chosen)} kommuner var færdige. Kør samme "
            "kommando igen for at fortsætte, hvor hver kommune slap.",
            err=True,
        )
        sys.exit(130)
    click.echo(total_line(runs))
    for run in runs:
        if run.summary is not None and run.summary.failed:
            click.echo(f"Fejl i {run.kommune.name}:")
            for url, reason in run.summary.failed:
                click.echo(f"  {url}: {reason}")
    if not all(run.ok for run in runs):
        sys.exit(1)


@contextlib.contextmanager
def _sigterm_as_ctrl_c() -> Iterator[None]:
    """SIGTERM (a CI job's timeout, `kill`) stops the run as Ctrl-C does: each crawl at its next
    page, its state kept for the next run."""
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set a handler
        return
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _check_kommuner(chosen, values, rate, timeout, retries) -> None:
    """--check for each municipality: discovery and one meeting, nothing written."""
    import tempfile

    from retskilde.scrapers.check import check_kinds
    from retskilde.scrapers.fetcher import Fetcher, FetchPolicy
    from retskilde.scrapers.rawstore import RawStore
    from retskilde.scrapers.registry import load
    from retskilde.scrapers.runner import CrawlError

    policy = FetchPolicy(rate=rate, timeout=timeout, max_retries=retries)
    failed = 0
    with tempfile.TemporaryDirectory() as scratch:
        for kommune in chosen:
            source = load(kommune.platform)
            try:
                with Fetcher(RawStore(Path(scratch)), policy) as fetcher:
                    hooks, found, starts = source.discover(
                        fetcher,
                        base_url=kommune.base_url,
                        values={**values, "kommune": kommune.key},
                    )
                    checks = check_kinds(fetcher, hooks, found, starts)
            except CrawlError as exc:
                failed += 1
                click.echo(f"{kommune.name:<18} FEJL: {exc}")
                continue
            ok = all(check.ok for check in checks)
            failed += not ok
            counts = ", ".join(f"{c.kind}: {len(c.urls)} adresser" for c in checks)
            problems = "; ".join(p for c in checks for p in c.problems)
            verdict = "OK" if ok else f"FEJL: {problems}"
            click.echo(f"{kommune.name:<18} {counts}  [{verdict}]")
    if failed:
        sys.exit(1)


class SourceGroup(click.Group):
    """The scrape commands: one per source in the registry, loaded when asked for, and
    `kommuner`, which runs the agenda sources for many municipalities at once."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from retskilde.scrapers.registry import SOURCES

        return sorted([*SOURCES, "kommuner"])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        from retskilde.scrapers.registry import SOURCES

        if name == "kommuner":
            return kommuner_command
        return source_command(name) if name in SOURCES else None


@click.group(cls=SourceGroup)
def scrape() -> None:
    """Hent dokumenter fra kilderne og skriv dem i korpusset (bagefter: retskilde build)."""
