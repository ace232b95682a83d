"""One decision-number grammar (retskilde/numbers.py) for the schema, the scraper, the
enrichment and the search: the same written forms give the same canonical number everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from retskilde.contract import load_schema, validate_record
from retskilde.db.build.normalise import document_row
from retskilde.db.enrich.decisions import find_decisions, normalise_number
from retskilde.db.search.compiler import _Compiler
from retskilde.db.search.query import parse
from retskilde.db.sqlite import sqlite3
from retskilde.numbers import NUMBER, SCHEMA_PATTERN, canonical_number, is_canonical
from retskilde.scrapers.ast import parse_principmeddelelse

FIXTURE = (
    Path(__file__).parent
    / "scrapers"
    / "ast"
    / "principmeddelelse"
    / "14-24-ortopaedisk-fodtoej.html"
)

# (as written, canonical)
WRITTEN = [
    ("101-17", "101-17"),
    ("AFG.101-17", "101-17"),
    ("AFG. 101-17", "101-17"),
    ("principafgørelse 101-17", "101-17"),
    ("principmeddelelse nr. 101-17", "101-17"),
    ("C-34-07", "C-34-07"),
    ("014-24", "14-24"),
    ("D-28-95", "D-28-95"),
    ("SM D-28-95", "D-28-95"),
    ("O-106-97", "O-106-97"),
    ("07-19", "7-19"),
]


@pytest.mark.parametrize(("written", "canonical"), WRITTEN)
def test_canonicaliser(written, canonical):
    assert canonical_number(written) == canonical
    assert is_canonical(canonical)


@pytest.mark.parametrize(("written", "canonical"), WRITTEN)
def test_enrichment_gives_the_same_number(written, canonical):
    assert normalise_number(written) == canonical
    keyword = "" if re.match(r"(?i)princip|afg|sm\b", written) else "principafgørelse "
    refs = find_decisions(
        f"Ankestyrelsen henviser til {keyword}{written} om hjælpemidler.", "nyhed"
    )
    assert [r.number for r in refs] == [canonical]


@pytest.mark.parametrize(("written", "canonical"), WRITTEN)
def test_query_parser_gives_the_same_number(written, canonical):
    assert parse(written).numbers == [canonical]


@pytest.mark.parametrize(("written", "canonical"), WRITTEN)
def test_scraper_gives_the_same_number(written, canonical):
    # A title names the number after "principmeddelelse", without AFG./SM.
    in_title = written.split()[-1].removeprefix("AFG.")
    page = FIXTURE.read_text(encoding="utf-8").replace(
        "principmeddelelse 14-24 om", f"principmeddelelse {in_title} om"
    )
    url = "https://www.ast.dk/for-myndigheder/principmeddelelser/2024/eksempel"
    record = parse_principmeddelelse(page.encode("utf-8"), url, "2026-01-15T09:00:00+00:00")
    assert record["number"] == canonical
    assert record["id"] == f"ast-principmeddelelse-{in_title.lower()}"  # as before: stable
    assert validate_record(record) == []


@pytest.mark.parametrize(("written", "canonical"), WRITTEN)
def test_search_finds_the_document_by_any_form(written, canonical):
    conn = sqlite3.connect(":memory:")
    conn.execute("create table documents (id text, number text)")
    conn.executemany(
        "insert into documents values (?, ?)", [("a", canonical), ("b", "1-99"), ("c", None)]
    )
    compiler = _Compiler(conn, parse(written), None, relaxed=False)
    assert compiler.number_rowids([written]) == [1]


@pytest.mark.parametrize(("typed", "canonical"), [("c-34-07", "C-34-07"), ("afg.014-24", "14-24")])
def test_a_user_may_type_in_lower_case(typed, canonical):
    assert canonical_number(typed) == canonical
    assert parse(typed).numbers == [canonical]


def test_schema_pattern_is_the_grammar():
    schema = load_schema()
    assert schema["properties"]["number"]["pattern"] == SCHEMA_PATTERN
    assert f"^{NUMBER}$" == SCHEMA_PATTERN


@pytest.mark.parametrize("bad", ["AFG.101-17", "d-28-95", "101-2017", "D28-95", "SM D-28-95"])
def test_schema_refuses_what_is_not_a_number(bad):
    assert not is_canonical(bad)
    assert validate_record(_record_with_number(bad))


def _record_with_number(number: str) -> dict:
    from tests.conftest import make_record

    return make_record(number=number)


@pytest.mark.parametrize(("written", "canonical"), [("014-24", "14-24"), ("D-028-95", "D-28-95")])
def test_a_record_may_carry_the_number_as_written_and_the_build_stores_it_canonical(
    written, canonical
):
    record = _record_with_number(written)
    assert validate_record(record) == []
    assert not is_canonical(written)
    assert document_row(record)["number"] == canonical


def test_one_notion_of_a_heading_for_the_page_and_the_enrichment():
    from retskilde.db.analysis.headings import is_heading
    from retskilde.db.enrich import text
    from tests.datasette_plugins_loader import load_plugin

    page = load_plugin("retskilde_document_page")
    assert text.is_heading is is_heading
    blocks = ["Praksis", "Sag nr. 2", "Kommunen gav afslag.", "3. Bilag om § 112", "Bilag:"]
    kinds = [kind for kind, _ in page.paragraphs("\n\n".join(blocks))]
    assert kinds == ["heading" if is_heading(b) else "paragraph" for b in blocks]
    assert kinds == ["heading", "heading", "paragraph", "paragraph", "paragraph"]
