"""The `retskilde` command line."""

from __future__ import annotations

import os
import sys
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

import click

from retskilde import DEFAULT_CORPUS, DEFAULT_DB, __version__

if TYPE_CHECKING:
    from retskilde.contract import Problem

# Exit codes of validate and build (documented in their help and in the README).
EXIT_CONTRACT = 1  # records break the contract
EXIT_SETTING = 2  # a bad setting ($RETSKILDE_…); click also uses 2 for a wrong command line
EXIT_FILES = 3  # a file or folder cannot be read, or the database cannot be written
EXIT_CODES_HELP = (
    "Afslutter med kode 0, når alt gik godt, 1 ved poster, der bryder kontrakten, 2 ved en "
    "forkert indstilling eller kommandolinje og 3, når en fil eller mappe ikke kan læses "
    "(eller databasen ikke kan skrives)."
)


def _exit_code(problems: list[Problem]) -> int:
    """3 when anything could not be read at all, else 1 (records that break the contract)."""
    return EXIT_FILES if any(p.unreadable for p in problems) else EXIT_CONTRACT


corpus_option = click.option(
    "--corpus",
    "corpus",
    # Readability is checked by the build itself, which names what it cannot read (exit code 3).
    type=click.Path(exists=True, file_okay=False, readable=False, path_type=Path),
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


# The commands that live in modules of their own: loaded only when they run (or their own help
# is asked for), so `retskilde --help` and the light commands never import Datasette, the
# scrapers or the HTML parsers. The short help is the listing's; a test holds it to the
# command's own.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "scrape": (
        "retskilde.scrape_commands:scrape",
        "Hent dokumenter fra kilderne og skriv dem i korpusset (bagefter: retskilde build).",
    ),
    "kommuner": (
        "retskilde.kommuner_command:kommuner",
        "Vis alle 98 kommuner: kommunekode, region, dagsordensplatform, adresse og om Retskilde "
        "henter deres udvalgsdagsordener.",
    ),
    "import": (
        "retskilde.import_command:import_command",
        "Importér lokale filer (PDF, DOCX, HTML, TXT, Markdown) eller mapper med dem.",
    ),
    "serve-public": (
        "retskilde.deploy_commands:serve_public",
        "Vis den offentlige instans: det, Docker-imaget kører.",
    ),
    "publish": (
        "retskilde.deploy_commands:publish",
        "Udgiv sitet på en hostingplatform (med databasen bygget ind i imaget).",
    ),
}


class LazyGroup(click.Group):
    """A group whose commands in LAZY_COMMANDS are imported when used, not when listed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS:
            return load_command(name)
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        limit = formatter.width - 6 - max(len(name) for name in self.list_commands(ctx))
        for name in self.list_commands(ctx):
            if name in LAZY_COMMANDS:
                rows.append((name, _shortened(LAZY_COMMANDS[name][1], limit)))
            else:
                command = super().get_command(ctx, name)
                rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _shortened(text: str, limit: int) -> str:
    """`text` cut at a word to `limit` characters, as click shortens a command's help."""
    from click.utils import make_default_short_help

    return make_default_short_help(text, limit)


def load_command(name: str) -> click.Command:
    """The command `name` of LAZY_COMMANDS, imported now."""
    module, _, attribute = LAZY_COMMANDS[name][0].partition(":")
    return getattr(import_module(module), attribute)


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="retskilde")
def cli() -> None:
    """Retskilde: søgbar vidensbase over dansk social- og beskæftigelsesretlig praksis.

    Dataflow: scrape → corpus/ → build → SQLite → serve (Datasette).
    """


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument(
    "path",
    type=click.Path(exists=True, readable=False, path_type=Path),
    default=DEFAULT_CORPUS,
    required=False,
)
def validate(path: Path) -> None:
    """Tjek dokumenterne i PATH (fil eller mappe) mod dokumentkontrakten.

    Hver fejl nævner filen og feltet; en fil eller mappe, der ikke kan læses, nævnes med
    grunden.
    """
    from retskilde.contract import validate_path

    records, problems = validate_path(path)
    for problem in problems:
        click.echo(str(problem), err=True)
    files_with_problems = len({p.location for p in problems})
    click.echo(
        f"{len(records)} gyldige dokumenter, {len(problems)} fejl i {files_with_problems} filer"
    )
    if problems:
        sys.exit(_exit_code(problems))


@cli.command(epilog=EXIT_CODES_HELP)
@corpus_option
@db_option
@click.option(
    "--full",
    is_flag=True,
    help="Byg fra bunden i stedet for at opdatere den tidligere database trinvis.",
)
def build(corpus: Path, db_path: Path, full: bool) -> None:
    """Byg databasen fra korpusset (atomisk: en fejlet build efterlader den gamle database).

    Findes der en database fra en tidligere build med samme kode, opdateres en kopi af den med
    de nye, ændrede og slettede poster (trinvis build); resultatet er det samme som en build fra
    bunden. Midlertidige filer efter en build, der blev dræbt undervejs, fjernes (ikke filerne
    fra en build, der stadig kører).
    """
    from retskilde.db.build import BuildFileError, InvalidCorpus
    from retskilde.db.build import build as build_database
    from retskilde.db.settings import SettingError

    try:
        report = build_database(corpus, db_path, full=full)
    except InvalidCorpus as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"Build afbrudt: {exc}. Databasen er ikke ændret.", err=True)
        sys.exit(_exit_code(exc.problems))
    except SettingError as exc:
        click.echo(f"Build afbrudt: {exc}. Databasen er ikke ændret.", err=True)
        sys.exit(EXIT_SETTING)
    except BuildFileError as exc:
        click.echo(f"Build afbrudt: {exc}. Databasen er ikke ændret.", err=True)
        sys.exit(EXIT_FILES)
    for path in report.removed_stale:
        click.echo(f"Fjernede {path} (efterladt af en afbrudt build)")
    if report.changes is not None:
        c = report.changes
        click.echo(
            f"Trinvis build: {len(c.new)} nye, {len(c.changed)} ændrede, {len(c.deleted)} "
            f"slettede, {c.unchanged} uændrede poster"
        )
    elif full:
        click.echo("Build fra bunden (--full)")
    else:
        click.echo(f"Build fra bunden: {report.full_reason}")
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
    from retskilde.site import datasette_serve_args

    if not db_path.exists():
        raise click.ClickException(f"{db_path} findes ikke; kør først `retskilde build`.")
    args = [sys.executable, "-m", "datasette", *datasette_serve_args(db_path)]
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
@click.option(
    "--sort",
    "order",
    type=click.Choice(["relevans", "nyeste"]),
    default="relevans",
    show_default=True,
    help="Bedste match først, eller nyeste først.",
)
@click.option("--json", "as_json", is_flag=True, help="Skriv resultaterne som en JSON-liste.")
def search(
    query: str, db_path: Path, doc_types: tuple[str, ...], limit: int, order: str, as_json: bool
) -> None:
    """Søg i databasen med samme danske søgning som sitet.

    QUERY bruger sitets søgesprog: ord, "fraser", OR, -udelukkelse, præfiks*, felter som
    type:, emne:, lov:, kommune:, år:, status:, afgørelsesnumre (101-17) og § (§ 112, stk. 1).
    """
    import json

    from retskilde.db.search import SearchUnavailable, query_too_long
    from retskilde.db.search import search as run_search
    from retskilde.db.search.query import FieldFilter
    from retskilde.db.sqlite import sqlite3

    if too_long := query_too_long(query):
        raise click.UsageError(too_long)
    if not db_path.exists():
        raise click.ClickException(f"{db_path} findes ikke; kør først `retskilde build`.")
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        filters = [FieldFilter("type", t) for t in doc_types]
        result = run_search(
            conn, query, filters=filters, limit=limit, facets=False, order=order, fill=True
        )
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
        # A hit with only some of the words says so; the others keep the agreed fields.
        hits = [
            {name: getattr(hit, name) for name in fields}
            | ({"partial": True} if hit.partial else {})
            for hit in result.hits
        ]
        click.echo(json.dumps(hits, ensure_ascii=False, indent=2))
        return
    if result.message:
        click.echo(result.message)
    if not result.hits:
        return
    click.echo(f"{result.total} dokumenter; viser {len(result.hits)}:\n")
    for rank, hit in enumerate(result.hits, start=1):
        meta = " · ".join(str(v) for v in (hit.doc_type, hit.number, hit.date, hit.status) if v)
        click.echo(
            f"{rank:>2}. {hit.title}" + ("  [matcher nogle af ordene]" if hit.partial else "")
        )
        click.echo(f"    {meta} · {hit.id}")
        click.echo(f"    {_plain_snippet(hit.snippet)}")
        click.echo(f"    {hit.url}\n")


def _plain_snippet(snippet: str) -> str:
    import html

    return html.unescape(snippet.replace("<mark>", "»").replace("</mark>", "«"))
