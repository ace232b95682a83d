"""Recorded ast.dk pages (written for the project) against the exact records they must produce."""

from __future__ import annotations

import hashlib

import pytest

from retskilde.contract import validate_record
from retskilde.scrapers import ast
from tests.scrapers.conftest import FIXTURES, fixtures

FETCHED_AT = "2026-01-15T09:00:00+00:00"


def test_every_recorded_page_has_its_expected_record_and_vice_versa():
    htmls = {p.with_suffix("") for p in FIXTURES.glob("*/*.html")}
    jsons = {p.with_suffix("") for p in FIXTURES.glob("*/*.json")}
    assert htmls == jsons
    assert {p.parent.name for p in htmls} <= set(ast.KINDS)


@pytest.mark.parametrize("fixture", fixtures(), ids=lambda f: f"{f.kind}/{f.html.stem}")
def test_recorded_page_gives_exactly_the_expected_record(fixture):
    content = fixture.html.read_bytes()
    record = ast.parse(content, fixture.expected["url"], fetched_at=FETCHED_AT)
    assert record == fixture.expected
    assert ast.classify(fixture.expected["url"]) == fixture.kind
    assert record["sha256"] == hashlib.sha256(content).hexdigest()
    assert validate_record(record) == []
    assert "example" not in record
    # Written for the project: every page says so, and so does the record it gives.
    assert "Eksempel" in record["text"]


@pytest.mark.parametrize("fixture", fixtures(), ids=lambda f: f"{f.kind}/{f.html.stem}")
def test_page_chrome_stays_out_of_the_record(fixture):
    record = ast.parse(fixture.html.read_bytes(), fixture.expected["url"], fetched_at=FETCHED_AT)
    for chrome in ("Gå til indhold", "Teglholmsgade", "For borgere", "Forside", "dataLayer"):
        assert chrome not in record["text"]
        assert chrome not in record["html"]
    assert "<script" not in record["html"] and "class=" not in record["html"]
    assert not record["text"].startswith(record["title"])  # the title is a field, not body text


def _fixture(name: str):
    return next(f for f in fixtures() if f.html.stem == name)


def test_principmeddelelse_sections_are_heading_paragraphs_in_order():
    record = _fixture("14-24-ortopaedisk-fodtoej").expected
    assert list(ast.sections(record)) == [
        "Principmeddelelsen fastslår",
        "Den konkrete sag",
        "Love og bekendtgørelser",
        "Praksis",
    ]
    assert ast.sections(record)["Den konkrete sag"].startswith("En kvinde med en medfødt")
    assert "<h2>Praksis</h2>" in record["html"]


def test_praksis_numbers_are_the_cited_decisions_without_paragraph_ranges():
    record = _fixture("14-24-ortopaedisk-fodtoej").expected
    # "§§ 4-5" (Love og bekendtgørelser) and "§§ 112-113" (Praksis) are not decisions.
    assert ast.praksis_numbers(record) == ["12-19", "88-17", "P-5-08"]
    historic = _fixture("31-23-foertidspension-historisk").expected
    # The own number, in the attachment's link text, is left out.
    assert ast.praksis_numbers(historic) == ["7-25", "43-17"]


def test_praksis_numbers_is_empty_without_a_praksis_section():
    assert ast.praksis_numbers({"text": "Principmeddelelsen fastslår\n\nSe 12-19."}) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jf. principmeddelelse 12-19 og 5-08", ["12-19", "5-08"]),
        ("servicelovens §§ 68-70 og § 112, stk. 1-3", []),
        ("tidligere C-30-06 og O-26-97", ["C-30-06", "O-26-97"]),
        ("lov nr. 10-12 og kl. 9-15", []),
        ("12-19, 12-19 og igen 12-19", ["12-19"]),
        ("telefon 33-41-12-00", []),
    ],
)
def test_decision_numbers(text, expected):
    assert ast.decision_numbers(text) == expected


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        (
            "https://www.ast.dk/for-myndigheder/principmeddelelser/2025/"
            "ankestyrelsens-principmeddelelse-1-25-om-erstatning",
            "principmeddelelse",
        ),
        ("https://www.ast.dk/for-myndigheder/principmeddelelser/2025", None),
        ("https://www.ast.dk/for-myndigheder/principmeddelelser", None),
        ("https://www.ast.dk/nyheder/nyheder/nyheder-2024/nye-principmeddelelser-1", "nyhed"),
        ("https://www.ast.dk/nyheder/nyheder/nyheder-2024", None),
        ("https://www.ast.dk/nyheder", None),
        ("https://www.ast.dk/for-myndigheder/artikler/2024/dec/hvordan-fordeles-orlov", "artikel"),
        ("https://www.ast.dk/tilsynet/artikler/artikel-ny-strategi-for-tilsynet", "artikel"),
        (
            "https://www.ast.dk/til-myndigheder/vejledning-til-kommuner/artikel-bedre-overblik",
            "artikel",
        ),
        (
            "https://www.ast.dk/tal-og-undersogelser/ankestyrelsens-praksisundersogelser/"
            "ankestyrelsens-praksisundersogelser",
            None,
        ),
        (
            "https://www.ast.dk/tal-og-undersogelser/ankestyrelsens-praksisundersogelser/2025/"
            "praksisundersoegelse-om-fleksjob",
            "praksisundersoegelse",
        ),
        ("https://www.ast.dk/tal-og-undersogelser/statistik/begreber-og-forklaringer", None),
        ("https://www.ast.dk/tilsynet/udtalelser/2025/udtalelse-om-x-kommune", "tilsynsudtalelse"),
        ("https://www.ast.dk/tilsynet/sadan-behandler-tilsynet-en-sag/kompetence", None),
        ("https://www.ast.dk/om-ankestyrelsen/hovedopgaver", None),
        ("https://www.ast.dk/", None),
    ],
)
def test_classify(url, kind):
    assert ast.classify(url) == kind


def test_record_ids_are_stable_and_short():
    long_url = "https://www.ast.dk/nyheder/nyheder/nyheder-2024/" + "meget-lang-overskrift-" * 20
    first = ast.record_id("nyhed", long_url)
    assert first == ast.record_id("nyhed", long_url)
    assert len(first) <= ast.MAX_ID_LENGTH and first.startswith("ast-nyhed-2024-meget-lang")
    assert first != ast.record_id("nyhed", long_url + "x")
    assert (
        ast.record_id("principmeddelelse", "https://x/y", "P-14-76")
        == "ast-principmeddelelse-p-14-76"
    )
    assert (
        ast.record_id("nyhed", "https://www.ast.dk/nyheder/æble-og-øl") == "ast-nyhed-aeble-og-oel"
    )


def test_a_page_without_a_decision_is_a_parse_error_naming_the_url():
    url = "https://www.ast.dk/for-myndigheder/principmeddelelser/2024/principmeddelelse-7-24"
    page = (
        "<html><main><h1>Siden blev ikke fundet</h1><p>Brug søgningen.</p></main></html>".encode()
    )
    with pytest.raises(ast.ParseError) as caught:
        ast.parse(page, url)
    assert url in str(caught.value) and "ingen principmeddelelse" in str(caught.value)


def test_a_decision_title_without_any_decision_text_is_a_parse_error():
    url = "https://www.ast.dk/for-myndigheder/principmeddelelser/2024/x"
    page = (
        "<html><main><h1>Ankestyrelsens principmeddelelse 7-24 om x</h1><p>Kort.</p></main></html>"
    )
    with pytest.raises(ast.ParseError, match="ingen afgørelsestekst"):
        ast.parse(page.encode(), url)


def test_an_article_without_text_is_a_parse_error():
    with pytest.raises(ast.ParseError, match="ingen brødtekst"):
        ast.parse(b"<html><main><h1>Nyhed</h1></main></html>", "https://www.ast.dk/nyheder/x/y")


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (
            ["Aktivloven", "Kontanthjælp", "Gældende", "Kommunal"],
            {
                "law_names": ["Aktivloven"],
                "keywords": ["Kontanthjælp"],
                "status": "gældende",
                "authority": "Kommunal",
            },
        ),
        (
            ["Lov om arbejdsskadesikring", "Klart", "Historisk", "Arbejdsskade"],
            {
                "law_names": ["Lov om arbejdsskadesikring"],
                "keywords": ["Klart"],
                "status": "historisk",
                "authority": "Arbejdsskade",
            },
        ),
        (
            ["Barnets lov", "Anbringelse"],
            {"law_names": ["Barnets lov"], "keywords": ["Anbringelse"]},
        ),
    ],
)
def test_split_tags(tags, expected):
    assert ast.split_tags(tags) == expected


@pytest.mark.parametrize(
    ("laws", "area"),
    [
        (["Arbejdsskadesikringsloven"], "Arbejdsskade"),
        (["Lov om social pension"], "Pension"),
        (["Barnets lov"], "Børn og unge"),
        (["Serviceloven"], None),  # spans several areas: left out rather than guessed
        (["Serviceloven", "Sygedagpengeloven"], "Sygedagpenge"),
    ],
)
def test_law_area_only_for_unambiguous_laws(laws, area):
    assert ast.law_area(laws) == area


def test_sitemap_url_follows_the_base_url():
    assert ast.sitemap_url("https://www.ast.dk") == "https://www.ast.dk/sitemap.xml"
    assert ast.sitemap_url("http://127.0.0.1:8000/") == "http://127.0.0.1:8000/sitemap.xml"
