"""`retskilde scrape …`: one command per source, sharing the options for polite fetching, the
corpus folder and the run (interrupts, errors, the closing report and the exit code)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from retskilde import DEFAULT_CORPUS

if TYPE_CHECKING:
    from scrapers.fetcher import Fetcher
    from scrapers.runner import Tally

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
    from scrapers.fetcher import Fetcher, FetchPolicy
    from scrapers.rawstore import RawStore
    from scrapers.runner import CrawlError
    from scrapers.state import StateLocked

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


def _day(value) -> str | None:
    return value.date().isoformat() if value else None


@click.group()
def scrape() -> None:
    """Hent dokumenter fra kilderne og skriv dem i korpusset (bagefter: retskilde build)."""


@scrape.command("ast")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(
        ["principmeddelelse", "nyhed", "artikel", "praksisundersoegelse", "tilsynsudtalelse"]
    ),
    help="Kun denne slags dokumenter (kan gentages). Standard: alle.",
)
@since_option("sider, hvis <lastmod> i sitemap er denne dato eller senere")
@base_url_option(
    "https://www.ast.dk",
    "Sitets adresse; sitemap.xml hentes herfra (et spejl eller en lokal testserver).",
)
@fetch_options("sider", "ast")
def scrape_ast(kinds, since, base_url, limit, rate, corpus, timeout, retries) -> None:
    """Hent Ankestyrelsens principmeddelelser, nyheder, artikler, praksisundersøgelser og
    tilsynsudtalelser fra sitemap.xml og skriv dem i <corpus>/ast/.

    Høflig (User-Agent med kontakt, robots.txt, hastighedsgrænse, betingede forespørgsler) og
    genoptagelig: en afbrudt kørsel fortsætter, hvor den slap, når kommandoen køres igen.
    Afslutter med kode 1, hvis nogen side fejlede; fejlene nævnes med adresse.
    """
    from scrapers import ast
    from scrapers.progress import make_progress, summary_lines
    from scrapers.sources.ast import CrawlOptions, crawl_ast

    options = CrawlOptions(
        corpus=corpus,
        base_url=base_url,
        kinds=tuple(kinds) or ast.KINDS,
        since=_day(since),
        limit=limit,
    )
    run_crawl(
        corpus,
        ast.SOURCE,
        rate,
        timeout,
        retries,
        lambda fetcher: crawl_ast(options, fetcher, make_progress()),
        summary_lines,
    )


@scrape.command("firstagenda")
@click.option(
    "--kommune",
    required=True,
    help="Kommunen, fx hvidovre eller aarhus (kendte: scrapers/firstagenda_kommuner.json).",
)
@base_url_option(
    None, "Sitets adresse, hvis kommunen ikke er kendt, eller et spejl/en lokal testserver."
)
@click.option(
    "--udvalg",
    default=None,
    help="Regulært udtryk for udvalgenes navne (uden forskel på store og små bogstaver). "
    "Standard: beskæftigelse|social|arbejdsmarked|integration|handicap|familie.",
)
@since_option("møder på denne dato eller senere")
@fetch_options("møder", "kommune")
def scrape_firstagenda(
    kommune, base_url, udvalg, since, limit, rate, corpus, timeout, retries
) -> None:
    """Hent dagsordenspunkter fra en kommunes FirstAgenda-site (JSON-API'et) og skriv ét
    dokument pr. åbent punkt i <corpus>/kommune/.

    Kun udvalg, hvis navn matcher --udvalg, og kun åbne punkter med tekst eller bilag. Høflig
    og genoptagelig som `scrape ast`; møder, der er uændrede i udvalgslisten, hentes ikke igen.
    Afslutter med kode 1, hvis noget møde fejlede; fejlene nævnes med adresse.
    """
    import re

    from scrapers import firstagenda as fa
    from scrapers.progress import agenda_summary_lines, make_progress
    from scrapers.sources.firstagenda import AgendaOptions, crawl_firstagenda

    try:
        municipality = fa.kommune_for(kommune, base_url)
    except fa.UnknownKommune as exc:
        raise click.BadParameter(str(exc), param_hint="--kommune") from exc
    udvalg = udvalg or fa.DEFAULT_UDVALG
    try:
        re.compile(udvalg)
    except re.error as exc:
        raise click.BadParameter(
            f"ugyldigt regulært udtryk ({exc})", param_hint="--udvalg"
        ) from exc
    options = AgendaOptions(
        corpus=corpus, kommune=municipality, udvalg=udvalg, since=_day(since), limit=limit
    )
    click.echo(f"{municipality.name} Kommune ({municipality.base_url}), udvalg: {udvalg}", err=True)
    run_crawl(
        corpus,
        fa.SOURCE,
        rate,
        timeout,
        retries,
        lambda fetcher: crawl_firstagenda(options, fetcher, make_progress()),
        agenda_summary_lines,
    )


@scrape.command("star")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(["fokusrevision", "analyse"]),
    help="Kun oversigterne for denne slags (kan gentages). Standard: begge.",
)
@click.option(
    "--listing",
    "listings",
    multiple=True,
    metavar="[SLAGS=]STI",
    help="En oversigtsside at starte fra i stedet for de antagne (kan gentages), "
    "fx fokusrevision=/tilsyn-paa-beskaeftigelsesomraadet/tilsyn-med-kommuner/fokusrevisioner/.",
)
@since_option("publikationer, som oversigten daterer denne dag eller senere")
@base_url_option("https://star.dk", "Sitets adresse (et spejl eller en lokal testserver).")
@fetch_options(
    "publikationer",
    "star",
    timeout=60.0,
    timeout_help="Sekunder pr. forespørgsel (rapporter kan være store), før den prøves igen.",
)
def scrape_star(kinds, listings, since, base_url, limit, rate, corpus, timeout, retries) -> None:
    """Hent STAR's fokusrevisioner og analyser: oversigtssiderne, hver publikations side og
    dens rapport (PDF eller DOCX), og skriv én post pr. publikation i <corpus>/star/.

    Postens tekst er sidens tekst efterfulgt af rapportens. Høflig og genoptagelig som
    `scrape ast`. En rapport, der ikke kan læses (mangler, intet tekstlag, beskadiget), nævnes
    med adresse; publikationen får da en post med sidens tekst, medmindre korpusset har en
    med rapportens.
    Afslutter med kode 1, hvis noget fejlede.
    """
    from scrapers import star
    from scrapers.progress import make_progress, star_summary_lines
    from scrapers.sources.star import StarOptions, crawl_star

    pairs = []
    for value in listings:
        kind, sep, path = value.partition("=")
        if not sep:
            kind, path = "", value
        if kind and kind not in star.KINDS:
            raise click.BadParameter(
                f"ukendt slags {kind!r} (kendte: {', '.join(star.KINDS)})", param_hint="--listing"
            )
        pairs.append((path, kind or None))
    options = StarOptions(
        corpus=corpus,
        base_url=base_url,
        kinds=tuple(kinds) or star.KINDS,
        listings=tuple(pairs),
        since=_day(since),
        limit=limit,
    )
    run_crawl(
        corpus,
        star.SOURCE,
        rate,
        timeout,
        retries,
        lambda fetcher: crawl_star(options, fetcher, make_progress()),
        star_summary_lines,
    )
