"""The `retskilde` command line."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from retskilde import DEFAULT_CORPUS, DEFAULT_DB, __version__
from retskilde.contract import validate_path
from retskilde.site import datasette_cli_options

corpus_option = click.option(
    "--corpus",
    "corpus",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=DEFAULT_CORPUS,
    show_default=True,
    help="Mappen med korpusset (én JSON-fil pr. dokument).",
)
db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    show_default=True,
    help="SQLite-databasen.",
)


@click.group()
@click.version_option(__version__, prog_name="retskilde")
def cli() -> None:
    """Retskilde: søgbar vidensbase over dansk social- og beskæftigelsesretlig praksis.

    Dataflow: scrape → corpus/ → build → SQLite → serve (Datasette).
    """


@cli.command()
@click.argument(
    "path",
    type=click.Path(exists=True, path_type=Path),
    default=DEFAULT_CORPUS,
    required=False,
)
def validate(path: Path) -> None:
    """Tjek dokumenterne i PATH (fil eller mappe) mod dokumentkontrakten.

    Hver fejl nævner filen og feltet. Afslutter med kode 1, hvis der er fejl.
    """
    records, problems = validate_path(path)
    for problem in problems:
        click.echo(str(problem), err=True)
    files_with_problems = len({p.location for p in problems})
    click.echo(
        f"{len(records)} gyldige dokumenter, {len(problems)} fejl i {files_with_problems} filer"
    )
    if problems:
        sys.exit(1)


@cli.command()
@corpus_option
@db_option
def build(corpus: Path, db_path: Path) -> None:
    """Byg databasen fra korpusset (atomisk: en fejlet build efterlader den gamle database)."""
    from db.build import InvalidCorpus
    from db.build import build as build_database
    from db.settings import SettingError

    try:
        report = build_database(corpus, db_path)
    except InvalidCorpus as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"Build afbrudt: {exc}. Databasen er ikke ændret.", err=True)
        sys.exit(1)
    except SettingError as exc:
        click.echo(f"Build afbrudt: {exc}. Databasen er ikke ændret.", err=True)
        sys.exit(2)
    click.echo(f"Byggede {report.db_path} med {report.documents} dokumenter:")
    for doc_type, count in report.by_doc_type.items():
        click.echo(f"  {doc_type:<22} {count:>6}")
    if report.enrichment:
        e = report.enrichment
        click.echo(
            f"Berigelse: {e.law_references} lovhenvisninger ({e.unresolved_law_references} uden "
            f"lov), {sum(e.citations.values())} afgørelseshenvisninger, "
            f"{sum(e.outcomes.values())} udfald, {sum(e.topics.values())} emnetildelinger"
        )


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Adressen der lyttes på.")
@click.option(
    "--port", default=8001, show_default=True, type=int, envvar="PORT", help="Porten (eller PORT=)."
)
@click.option("--reload", is_flag=True, help="Genstart ved ændringer i koden (udvikling).")
def serve(db_path: Path, host: str, port: int, reload: bool) -> None:
    """Vis databasen i Datasette med metadata.yml og datasette_plugins/."""
    if not db_path.exists():
        raise click.ClickException(f"{db_path} findes ikke; kør først `retskilde build`.")
    args = [sys.executable, "-m", "datasette", "serve", str(db_path)]
    args += datasette_cli_options()
    args += ["--host", host, "--port", str(port)]
    if reload:
        args.append("--reload")
    click.echo(f"Retskilde kører på http://{host}:{port}/")
    os.execv(sys.executable, args)


@cli.command()
@click.argument("query")
@db_option
@click.option(
    "--type",
    "doc_types",
    multiple=True,
    help="Kun denne dokumenttype (fx principmeddelelse); kan gentages.",
)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 200))
@click.option("--json", "as_json", is_flag=True, help="Skriv resultaterne som en JSON-liste.")
def search(
    query: str, db_path: Path, doc_types: tuple[str, ...], limit: int, as_json: bool
) -> None:
    """Søg i databasen med samme danske søgning som sitet.

    QUERY bruger sitets søgesprog: ord, "fraser", OR, -udelukkelse, præfiks*, felter som
    type:, emne:, lov:, kommune:, år:, status:, afgørelsesnumre (101-17) og § (§ 112, stk. 1).
    """
    import json

    from db.query import FieldFilter
    from db.search import SearchUnavailable
    from db.search import search as run_search
    from db.sqlite import sqlite3

    if not db_path.exists():
        raise click.ClickException(f"{db_path} findes ikke; kør først `retskilde build`.")
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        filters = [FieldFilter("type", t) for t in doc_types]
        result = run_search(conn, query, filters=filters, limit=limit, facets=False)
    except SearchUnavailable as exc:
        raise click.ClickException(f"{db_path}: {exc}") from exc
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(
            f"{db_path}: kan ikke læses som en Retskilde-database ({exc})"
        ) from exc
    finally:
        conn.close()
    for note in result.notes:
        click.echo(f"Bemærk: {note}", err=True)
    if as_json:
        fields = ("id", "title", "doc_type", "date", "url", "snippet", "score")
        hits = [{name: getattr(hit, name) for name in fields} for hit in result.hits]
        click.echo(json.dumps(hits, ensure_ascii=False, indent=2))
        return
    if result.message:
        click.echo(result.message)
    if not result.hits:
        return
    click.echo(f"{result.total} dokumenter; viser {len(result.hits)}:\n")
    for rank, hit in enumerate(result.hits, start=1):
        meta = " · ".join(str(v) for v in (hit.doc_type, hit.number, hit.date, hit.status) if v)
        click.echo(f"{rank:>2}. {hit.title}")
        click.echo(f"    {meta} · {hit.id}")
        click.echo(f"    {_plain_snippet(hit.snippet)}")
        click.echo(f"    {hit.url}\n")


def _plain_snippet(snippet: str) -> str:
    import html

    return html.unescape(snippet.replace("<mark>", "»").replace("</mark>", "«"))


@cli.group()
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
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Kun sider, hvis <lastmod> i sitemap er denne dato (ÅÅÅÅ-MM-DD) eller senere.",
)
@click.option("--limit", type=click.IntRange(min=1), help="Højst så mange sider i denne kørsel.")
@click.option(
    "--rate",
    type=click.FloatRange(min=0.01),
    default=1.0,
    show_default=True,
    help="Forespørgsler pr. sekund pr. vært (robots.txt' Crawl-delay kan sænke den).",
)
@click.option(
    "--base-url",
    default="https://www.ast.dk",
    show_default=True,
    help="Sitets adresse; sitemap.xml hentes herfra (et spejl eller en lokal testserver).",
)
@click.option(
    "--corpus",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_CORPUS,
    show_default=True,
    help="Korpusmappen; posterne skrives i <corpus>/ast/.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.01),
    default=30.0,
    show_default=True,
    help="Sekunder pr. forespørgsel, før den gives op og prøves igen.",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    default=4,
    show_default=True,
    help="Nye forsøg efter timeout, forbindelsesfejl, 5xx og 429.",
)
def scrape_ast(kinds, since, limit, rate, base_url, corpus, timeout, retries) -> None:
    """Hent Ankestyrelsens principmeddelelser, nyheder, artikler, praksisundersøgelser og
    tilsynsudtalelser fra sitemap.xml og skriv dem i <corpus>/ast/.

    Høflig (User-Agent med kontakt, robots.txt, hastighedsgrænse, betingede forespørgsler) og
    genoptagelig: en afbrudt kørsel fortsætter, hvor den slap, når kommandoen køres igen.
    Afslutter med kode 1, hvis nogen side fejlede; fejlene nævnes med adresse.
    """
    from scrapers import ast
    from scrapers.crawl import CrawlError, CrawlOptions, crawl_ast
    from scrapers.fetcher import Fetcher, FetchPolicy
    from scrapers.progress import make_progress, summary_lines
    from scrapers.rawstore import RawStore
    from scrapers.state import StateLocked

    if not base_url.startswith(("http://", "https://")):
        raise click.BadParameter("skal begynde med http:// eller https://", param_hint="--base-url")
    options = CrawlOptions(
        corpus=corpus,
        base_url=base_url.rstrip("/"),
        kinds=tuple(kinds) or ast.KINDS,
        since=since.date().isoformat() if since else None,
        limit=limit,
    )
    policy = FetchPolicy(rate=rate, timeout=timeout, max_retries=retries)
    try:
        with Fetcher(RawStore(corpus / ast.SOURCE / "raw"), policy) as fetcher:
            summary = crawl_ast(options, fetcher, make_progress())
    except KeyboardInterrupt:
        click.echo("\nAfbrudt. Kør samme kommando igen for at fortsætte, hvor den slap.", err=True)
        sys.exit(130)
    except (CrawlError, StateLocked) as exc:
        click.echo(f"Fejl: {exc}. Korpusset er ikke ændret.", err=True)
        sys.exit(1)
    for line in summary_lines(summary):
        click.echo(line)
    if not summary.ok:
        sys.exit(1)


@scrape.command("firstagenda")
@click.option(
    "--kommune",
    required=True,
    help="Kommunen, fx hvidovre eller aarhus (kendte: scrapers/firstagenda_kommuner.json).",
)
@click.option(
    "--base-url",
    help="Sitets adresse, hvis kommunen ikke er kendt, eller et spejl/en lokal testserver.",
)
@click.option(
    "--udvalg",
    default=None,
    help="Regulært udtryk for udvalgenes navne (uden forskel på store og små bogstaver). "
    "Standard: beskæftigelse|social|arbejdsmarked|integration|handicap|familie.",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Kun møder på denne dato (ÅÅÅÅ-MM-DD) eller senere.",
)
@click.option("--limit", type=click.IntRange(min=1), help="Højst så mange møder i denne kørsel.")
@click.option(
    "--rate",
    type=click.FloatRange(min=0.01),
    default=1.0,
    show_default=True,
    help="Forespørgsler pr. sekund pr. vært (robots.txt' Crawl-delay kan sænke den).",
)
@click.option(
    "--corpus",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_CORPUS,
    show_default=True,
    help="Korpusmappen; posterne skrives i <corpus>/kommune/.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.01),
    default=30.0,
    show_default=True,
    help="Sekunder pr. forespørgsel, før den gives op og prøves igen.",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    default=4,
    show_default=True,
    help="Nye forsøg efter timeout, forbindelsesfejl, 5xx og 429.",
)
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
    from scrapers.crawl import CrawlError
    from scrapers.fetcher import Fetcher, FetchPolicy
    from scrapers.firstagenda_crawl import AgendaOptions, crawl_firstagenda
    from scrapers.progress import agenda_summary_lines, make_progress
    from scrapers.rawstore import RawStore
    from scrapers.state import StateLocked

    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise click.BadParameter("skal begynde med http:// eller https://", param_hint="--base-url")
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
        corpus=corpus,
        kommune=municipality,
        udvalg=udvalg,
        since=since.date().isoformat() if since else None,
        limit=limit,
    )
    policy = FetchPolicy(rate=rate, timeout=timeout, max_retries=retries)
    click.echo(f"{municipality.name} Kommune ({municipality.base_url}), udvalg: {udvalg}", err=True)
    try:
        with Fetcher(RawStore(corpus / fa.SOURCE / "raw"), policy) as fetcher:
            summary = crawl_firstagenda(options, fetcher, make_progress())
    except KeyboardInterrupt:
        click.echo("\nAfbrudt. Kør samme kommando igen for at fortsætte, hvor den slap.", err=True)
        sys.exit(130)
    except (CrawlError, StateLocked) as exc:
        click.echo(f"Fejl: {exc}. Korpusset er ikke ændret.", err=True)
        sys.exit(1)
    for line in agenda_summary_lines(summary):
        click.echo(line)
    if not summary.ok:
        sys.exit(1)


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
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Kun publikationer, som oversigten daterer denne dag (ÅÅÅÅ-MM-DD) eller senere.",
)
@click.option(
    "--limit", type=click.IntRange(min=1), help="Højst så mange publikationer i denne kørsel."
)
@click.option(
    "--rate",
    type=click.FloatRange(min=0.01),
    default=1.0,
    show_default=True,
    help="Forespørgsler pr. sekund pr. vært (robots.txt' Crawl-delay kan sænke den).",
)
@click.option(
    "--base-url",
    default="https://star.dk",
    show_default=True,
    help="Sitets adresse (et spejl eller en lokal testserver).",
)
@click.option(
    "--corpus",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_CORPUS,
    show_default=True,
    help="Korpusmappen; posterne skrives i <corpus>/star/.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.01),
    default=60.0,
    show_default=True,
    help="Sekunder pr. forespørgsel (rapporter kan være store), før den prøves igen.",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    default=4,
    show_default=True,
    help="Nye forsøg efter timeout, forbindelsesfejl, 5xx og 429.",
)
def scrape_star(kinds, listings, since, limit, rate, base_url, corpus, timeout, retries) -> None:
    """Hent STAR's fokusrevisioner og analyser: oversigtssiderne, hver publikations side og
    dens rapport (PDF eller DOCX), og skriv én post pr. publikation i <corpus>/star/.

    Postens tekst er sidens tekst efterfulgt af rapportens. Høflig og genoptagelig som
    `scrape ast`. En rapport, der ikke kan læses (mangler, intet tekstlag, beskadiget), nævnes
    med adresse; publikationen får da en post med sidens tekst, medmindre korpusset har en
    med rapportens.
    Afslutter med kode 1, hvis noget fejlede.
    """
    from scrapers import star
    from scrapers.crawl import CrawlError
    from scrapers.fetcher import Fetcher, FetchPolicy
    from scrapers.progress import make_progress, star_summary_lines
    from scrapers.rawstore import RawStore
    from scrapers.star_crawl import StarOptions, crawl_star
    from scrapers.state import StateLocked

    if not base_url.startswith(("http://", "https://")):
        raise click.BadParameter("skal begynde med http:// eller https://", param_hint="--base-url")
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
        base_url=base_url.rstrip("/"),
        kinds=tuple(kinds) or star.KINDS,
        listings=tuple(pairs),
        since=since.date().isoformat() if since else None,
        limit=limit,
    )
    policy = FetchPolicy(rate=rate, timeout=timeout, max_retries=retries)
    try:
        with Fetcher(RawStore(corpus / star.SOURCE / "raw"), policy) as fetcher:
            summary = crawl_star(options, fetcher, make_progress())
    except KeyboardInterrupt:
        click.echo("\nAfbrudt. Kør samme kommando igen for at fortsætte, hvor den slap.", err=True)
        sys.exit(130)
    except (CrawlError, StateLocked) as exc:
        click.echo(f"Fejl: {exc}. Korpusset er ikke ændret.", err=True)
        sys.exit(1)
    for line in star_summary_lines(summary):
        click.echo(line)
    if not summary.ok:
        sys.exit(1)
