"""Imported documents after `retskilde build`: searched, enriched, faceted, shown with provenance.

Uses the bundled examples in examples/import/, as `make demo` does.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from retskilde import PROJECT_ROOT
from retskilde.cli import cli
from retskilde.db.build import build
from retskilde.db.sqlite import sqlite3
from retskilde.scrapers.importread import read_bytes
from retskilde.site import make_datasette

EXAMPLES = PROJECT_ROOT / "examples" / "import"
NOTAT_ID = "kommune-2025-03-03-hjemviste-sager-om-sygedagpenge-i-2024"
NYHEDSBREV_ID = (
    "organisation-2025-11-04-tilsynet-fast-interval-for-udskiftning-af-fodtoej-er-i-strid-med-loven"
)


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> tuple[Path, Path]:
    """The examples imported into an empty corpus, and the database built from it."""
    folder = tmp_path_factory.mktemp("import")
    corpus = folder / "corpus"
    result = CliRunner().invoke(cli, ["import", str(EXAMPLES), "--corpus", str(corpus)])
    assert result.exit_code == 0, result.output
    db_path = folder / "retskilde.db"
    build(corpus, db_path)
    return corpus, db_path


def test_every_example_kind_is_imported_as_a_valid_example(imported):
    corpus, _ = imported
    result = CliRunner().invoke(cli, ["validate", str(corpus)])
    assert result.exit_code == 0, result.output
    records = [json.loads(p.read_text("utf-8")) for p in corpus.glob("[!.]*/*.json")]
    assert {r["doc_type"] for r in records} == {"notat", "udspil", "nyhedsbrev"}
    assert {Path(r["imported_file"]).suffix for r in records} == {
        ".pdf",
        ".docx",
        ".txt",
        ".md",
        ".html",
    }
    assert all(r["example"] and "eksempeldokument" in r["text"] for r in records)


def test_importing_the_examples_again_changes_nothing(imported):
    corpus, _ = imported
    before = {p: p.read_bytes() for p in corpus.rglob("*") if p.is_file()}
    result = CliRunner().invoke(cli, ["import", str(EXAMPLES), "--corpus", str(corpus)])
    assert result.exit_code == 0
    assert "0 nye, 0 opdaterede, 6 uændrede" in result.output
    assert {p: p.read_bytes() for p in corpus.rglob("*") if p.is_file()} == before


def test_an_imported_document_is_found_by_search(imported):
    _, db_path = imported
    result = CliRunner().invoke(
        cli, ["search", "hjemvist sygedagpenge lægeattest", "--json", "--db", str(db_path)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["id"] == NOTAT_ID


def test_an_imported_document_is_enriched_and_faceted(imported):
    _, db_path = imported
    conn = sqlite3.connect(db_path)
    laws = {
        row[0]
        for row in conn.execute(
            "select canonical from law_references where document_id = ?", [NYHEDSBREV_ID]
        )
    }
    assert any("112" in law for law in laws)
    by_municipality = dict(
        conn.execute("select municipality, count(*) from documents group by municipality")
    )
    assert by_municipality["Vejle"] == 3


async def test_the_document_page_shows_where_the_file_came_from(imported):
    _, db_path = imported
    datasette = make_datasette(db_path)
    page = await datasette.client.get(f"/retskilde/documents/{NOTAT_ID}")
    assert page.status_code == 200
    assert "Importeret fra fil" in page.text
    assert "<dt>Udsteder</dt><dd>Jobcenter Vejle, Vejle Kommune</dd>" in page.text
    assert "notat-hjemviste-sygedagpengesager-2024.pdf" in page.text
    fetched_at = (
        sqlite3.connect(db_path)
        .execute("select fetched_at from documents where id = ?", [NOTAT_ID])
        .fetchone()[0]
    )
    assert fetched_at in page.text
    # The placeholder address is not offered as a link to follow.
    assert 'href="https://import.invalid' not in page.text


def test_the_example_files_are_what_the_script_makes():
    spec = importlib.util.spec_from_file_location(
        "make_import_examples", PROJECT_ROOT / "examples" / "make_import_examples.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, content in module.made().items():
        committed = (EXAMPLES / name).read_bytes()
        kind = name.rsplit(".", 1)[1]
        assert read_bytes(committed, kind, name) == read_bytes(content, kind, name)


async def test_the_search_page_offers_no_link_to_the_placeholder(imported):
    _, db_path = imported
    datasette = make_datasette(db_path)
    page = await datasette.client.get("/-/sok?q=sygedagpenge")
    assert page.status_code == 200
    assert "hjemviste sager om sygedagpenge" in page.text.lower()
    assert 'href="https://import.invalid' not in page.text
    assert "Importeret fra fil" in page.text
