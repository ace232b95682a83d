"""`retskilde import`: local files (PDF, DOCX, HTML, TXT, Markdown) into the corpus."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from retskilde import DEFAULT_CORPUS
from retskilde.scrapers.corpus import WriteOutcome
from retskilde.scrapers.importer import ImportProblem, allowed, import_paths

_OUTCOME_WORDS = {
    WriteOutcome.NEW: "ny",
    WriteOutcome.CHANGED: "opdateret",
    WriteOutcome.UNCHANGED: "uændret",
}


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--source", type=click.Choice(allowed("source")), help="Kilde (ellers læst af teksten)."
)
@click.option(
    "--doc-type",
    type=click.Choice(allowed("doc_type")),
    help="Dokumenttype (ellers læst af teksten).",
)
@click.option("--title", help="Titel (kun ved én fil).")
@click.option("--date", "day", help="Dato, fx 2014-05-26 eller '26. maj 2014'.")
@click.option("--municipality", help="Kommune, fx Aalborg.")
@click.option("--url", help="Dokumentets adresse på nettet, hvis det har en (kun ved én fil).")
@click.option(
    "--corpus",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_CORPUS,
    show_default=True,
    help="Korpusmappen, posterne skrives i.",
)
def import_command(
    paths: tuple[Path, ...],
    source: str | None,
    doc_type: str | None,
    title: str | None,
    day: str | None,
    municipality: str | None,
    url: str | None,
    corpus: Path,
) -> None:
    """Importér lokale filer (PDF, DOCX, HTML, TXT, Markdown) eller mapper med dem.

    Hver fil bliver én post i <corpus>/<kilde>/. Titel, dato, kommune, udsteder og type læses
    af dokumentet, hvor de ikke er givet; en metadata.yml i mappen og tilvalgene her går forud.
    Samme fil igen ændrer intet; en ændret fil opdaterer sin post under samme id. Filer, der
    ikke kan læses, nævnes med årsagen og springes over; kommandoen slutter da med kode 1.
    """
    options = {
        "source": source,
        "doc_type": doc_type,
        "title": title,
        "date": day,
        "municipality": municipality,
        "url": url,
    }
    several = len(paths) > 1 or any(p.is_dir() for p in paths)
    if several and (title or url):
        raise click.UsageError("--title og --url kan kun bruges, når der importeres én fil.")
    try:
        report = import_paths(list(paths), corpus, options)
    except ImportProblem as exc:
        raise click.ClickException(str(exc)) from exc
    for result in report.results:
        if result.error:
            click.echo(f"FEJL {result.name}: {result.error}", err=True)
            continue
        record = result.record
        facts = ", ".join(
            filter(None, [record["doc_type"], record.get("municipality"), record.get("date")])
        )
        click.echo(
            f"{_OUTCOME_WORDS[result.outcome]:9} {record['source']}/{record['id']}  "
            f"← {result.name} ({facts})"
        )
    failures = len(report.failures)
    click.echo(
        f"{report.count(WriteOutcome.NEW)} nye, {report.count(WriteOutcome.CHANGED)} opdaterede, "
        f"{report.count(WriteOutcome.UNCHANGED)} uændrede; {failures} filer sprunget over"
    )
    if not report.results:
        click.echo("Fejl: ingen filer at importere.", err=True)
        sys.exit(1)
    if failures:
        sys.exit(1)
