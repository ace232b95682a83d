"""ast.dk as the current site is: dates, paths, the metadata box in any markup, the footer."""

from __future__ import annotations

import pytest

from retskilde.scrapers import ast
from tests.scrapers.conftest import fixtures

URL = "https://www.ast.dk/for-myndigheder/principmeddelelser/2026/ankestyrelsens-principmeddelelse-5-26-om-x"
TITLE = "Ankestyrelsens principmeddelelse 5-26 om hjælpemidler – kørestol"
BODY = (
    "<h2>Principmeddelelsen fastslår</h2>"
    "<p>Eksempel: en kørestol er et hjælpemiddel, når den i væsentlig grad afhjælper følgerne af "
    "en varigt nedsat funktionsevne, og kommunen skal vurdere behovet konkret.</p>"
)


def _page(box: str, *, before: str = "", after: str = "") -> bytes:
    return (
        f"<html><head><title>{TITLE} - Ankestyrelsen</title></head><body><main>"
        f"<h1>{TITLE}</h1>{before}<div class='rich-text'>{BODY}</div>{box}{after}"
        "</main></body></html>"
    ).encode()


EXPECTED = {
    "date": "2026-01-05",
    "published": "2026-01-09",
    "paragraph": "§ 112",
    "journal_number": "25-10203",
}


@pytest.mark.parametrize(
    "box",
    [
        # Label and value as sibling elements.
        "<div class='meta'><div><span class='k'>Dato for underskrift</span>"
        "<span class='v'>05.01.2026</span></div><div><span class='k'>Offentliggørelsesdato</span>"
        "<span class='v'>09.01.2026</span></div><div><span class='k'>Paragraf</span>"
        "<span class='v'>§ 112</span></div><div><span class='k'>Journalnummer</span>"
        "<span class='v'>25-10203</span></div></div>",
        # <p> pairs.
        "<div class='rich-text'><p>Dato for underskrift</p><p>05.01.2026</p>"
        "<p>Offentliggørelsesdato</p><p>09.01.2026</p><p>Paragraf</p><p>§ 112</p>"
        "<p>Journalnummer</p><p>25-10203</p></div>",
        # <dt>/<dd>, with colons.
        "<dl><dt>Dato for underskrift:</dt><dd>05.01.2026</dd><dt>Offentliggørelsesdato:</dt>"
        "<dd>09.01.2026</dd><dt>Paragraf:</dt><dd>§ 112</dd><dt>Journalnummer:</dt>"
        "<dd>25-10203</dd></dl>",
        # <strong>Label</strong> value.
        "<p><strong>Dato for underskrift</strong> 05.01.2026</p>"
        "<p><strong>Offentliggørelsesdato:</strong> 09.01.2026</p>"
        "<p><strong>Paragraf</strong> § 112</p><p><strong>Journalnummer</strong> 25-10203</p>",
        # One text line each, with and without colon.
        "<ul><li>Dato for underskrift 05.01.2026</li><li>Offentliggørelsesdato: 09.01.2026</li>"
        "<li>Paragraf § 112</li><li>Journalnummer: 25-10203</li></ul>",
        # A table with the labels in header cells.
        "<table><tr><th>Dato for underskrift</th><td>05.01.2026</td></tr>"
        "<tr><th>Offentliggørelsesdato</th><td>09.01.2026</td></tr>"
        "<tr><th>Paragraf</th><td>§ 112</td></tr><tr><th>Journalnummer</th><td>25-10203</td></tr>"
        "</table>",
        # All in one text block, lines broken by <br>.
        "<p>Dato for underskrift<br>05.01.2026<br>Offentliggørelsesdato<br>09.01.2026<br>"
        "Paragraf<br>§ 112<br>Journalnummer<br>25-10203</p>",
    ],
    ids=["siblings", "p-pairs", "dt-dd", "strong", "one-line", "th-td", "br-lines"],
)
def test_the_metadata_box_is_read_whatever_its_markup(box):
    record = ast.parse(_page(box), URL)
    assert {key: record.get(key) for key in EXPECTED} == EXPECTED
    # Read and gone: no label or value is left in the text.
    for leftover in ("Dato for underskrift", "Journalnummer", "25-10203", "05.01.2026"):
        assert leftover not in record["text"]
    assert record["text"].startswith("Principmeddelelsen fastslår")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "<dd><span>§ 47</span><span>§ 49</span><span>§ 166</span><span>§ 171 b</span>"
            "<span>§ 171 d</span></dd>",
            "§ 47 § 49 § 166 § 171 b § 171 d",
        ),
        ("<dd><ul><li>§ 16, stk. 1</li><li>og § 18</li></ul></dd>", "§ 16, stk. 1 og § 18"),
        ("<dd>§§ 109 og 110</dd>", "§§ 109 og 110"),
    ],
)
def test_a_paragraf_value_of_several_pieces_is_kept_whole(value, expected):
    box = f"<dl><dt>Paragraf</dt>{value}<dt>Journalnummer</dt><dd>25-10203</dd></dl>"
    record = ast.parse(_page(box), URL)
    assert record["paragraph"] == expected
    assert record["journal_number"] == "25-10203"


def test_body_text_that_starts_like_a_label_stays_text():
    body_like = (
        "<p>Dato for underskrift af aftalen var ikke oplyst i sagen.</p>"
        "<p>Paragraf 5 i aftalen nævner ikke samvær.</p>"
        "<p>Paragraf § 5 i loven handler om inddragelse af barnet.</p>"
        "<table><tr><th>Kommune</th><th>Antal sager</th></tr><tr><td>Nordby</td><td>12</td></tr>"
        "</table>"
    )
    record = ast.parse(_page(body_like), URL)
    for kept in (
        "Dato for underskrift af aftalen",
        "Paragraf 5 i aftalen",
        "Paragraf § 5 i loven handler",
        "Kommune | Antal",
    ):
        assert kept in record["text"]
    assert "paragraph" not in record and "date" not in record and "municipality" not in record


def test_the_date_line_under_the_title_is_the_publication_date_and_not_text():
    record = ast.parse(_page("", before="<div class='date'><span>09-01-2026</span></div>"), URL)
    assert record["date"] == "2026-01-09"
    assert "09-01-2026" not in record["text"] and "09-01-2026" not in record["html"]


def test_the_metadata_dates_win_over_the_date_line():
    box = "<p><strong>Dato for underskrift</strong> 05.01.2026</p>"
    record = ast.parse(_page(box, before="<p>09-01-2026</p>"), URL)
    assert (record["date"], record["published"]) == ("2026-01-05", "2026-01-09")


FOOTER_BLOCKS = (
    "<div class='rich-text'><p>Ankestyrelsen Teglholmsgade 3 2450 København SV</p></div>"
    "<div class='rich-text'><p>EAN: 57 98 000 35 48 21 CVR: 1007 4002</p></div>"
    "<div class='rich-text'><p>Telefon: 33 41 12 00 Telefontider Mandag-torsdag kl. 9-15, "
    "fredag kl. 9-12 Mail: ast@ast.dk Sikker mail: sikkermail@ast.dk Se mere om at kontakte "
    "Ankestyrelsen Receptionens åbningstider Mandag-torsdag kl. 9-15, fredag kl. 9-13</p></div>"
    "<div class='rich-text'><p>Er du bekymret for et barn/en ung?</p></div>"
)
FOOTER_WORDS = ("Teglholmsgade", "EAN:", "CVR:", "sikkermail", "Telefontider", "bekymret", "2450")


@pytest.mark.parametrize(
    "footer",
    [
        FOOTER_BLOCKS,
        # The same lines inside the body's own rich-text block.
        "<div class='rich-text'><p>Vi henviser til vejledningen.</p>"
        "<p>Ankestyrelsen</p><p>Teglholmsgade 3</p><p>2450 København SV</p>"
        "<p>EAN: 57 98 000 35 48 21 CVR: 1007 4002</p><p>Er du bekymret for et barn/en ung?</p>"
        "<p>" + "Mere brødtekst, der står i samme blok som sidens fod. " * 8 + "</p></div>",
    ],
    ids=["own-blocks", "same-block"],
)
def test_the_site_footer_is_never_in_the_record(footer):
    record = ast.parse(_page("", after=footer), URL)
    for word in FOOTER_WORDS:
        assert word not in record["text"] and word not in record["html"]
    assert "Principmeddelelsen fastslår" in record["text"]


def test_the_title_comes_from_og_title_without_the_site_name_when_there_is_no_h1():
    page = (
        "<html><head><meta property='og:title' content='" + TITLE + " - Ankestyrelsen'>"
        f"</head><body><main><div class='rich-text'>{BODY}</div></main></body></html>"
    )
    record = ast.parse(page.encode(), URL)
    assert record["title"] == TITLE and record["number"] == "5-26"


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        (
            "https://www.ast.dk/tal-og-undersoegelser/praksisundersoegelser/2025/"
            "praksisundersoegelse-om-tabt-arbejdsfortjeneste",
            "praksisundersoegelse",
        ),
        (
            "https://www.ast.dk/tal-og-undersoegelser/ankestyrelsens-praksisundersoegelser/"
            "praksisundersoegelse-om-fleksjob",
            "praksisundersoegelse",
        ),
        ("https://www.ast.dk/tal-og-undersoegelser/praksisundersoegelser", None),
        ("https://www.ast.dk/tal-og-undersoegelser/praksisundersoegelser/2025", None),
        ("https://www.ast.dk/tal-og-undersoegelser/statistik/klagesager-2025", None),
        ("https://www.ast.dk/nyhedsarkiv", None),
        ("https://www.ast.dk/nyhedsarkiv/2026", None),
        ("https://www.ast.dk/nyhedsarkiv/2026/nye-principmeddelelser-om-samvaer", "nyhed"),
        ("https://www.ast.dk/nyhedsarkiv/nye-principmeddelelser-om-samvaer", "nyhed"),
        (
            "https://www.ast.dk/for-myndigheder/artikler/2026/01/saadan-opgoer-vi-merudgifter",
            "artikel",
        ),
        (
            "https://www.ast.dk/for-myndigheder/artikler/2026/januar/saadan-opgoer-vi-merudgifter",
            "artikel",
        ),
        ("https://www.ast.dk/for-myndigheder/artikler/2026/01", None),
        ("https://www.ast.dk/for-myndigheder/artikler/2026/januar", None),
        (
            "https://www.ast.dk/for-myndigheder/tilsynet/udtalelser/2025/udtalelse-om-x-kommune",
            "tilsynsudtalelse",
        ),
    ],
)
def test_current_site_paths_are_classified(url, kind):
    assert ast.classify(url) == kind


def _fixture(name: str):
    return next(f for f in fixtures() if f.html.stem == name)


def test_real_accordion_headings_are_sections_and_case_text_is_not_practice():
    record = _fixture("7-26-merudgifter-nyt-site").expected
    assert list(ast.sections(record)) == [
        "Principmeddelelsen fastslår",
        "Baggrund for at offentliggøre principmeddelelsen",
        "Love og bekendtgørelser",
        "Praksis",
        "Kasserede",
        "Den konkrete afgørelse",
        "Sag nr. 1, j.nr. 25-40117",
        "Afgørelse",
        "Begrundelse",
        "Mødebehandling",
    ]
    # Kasserede is practice (58-16); 3-22, cited in the case's Begrundelse, is not.
    assert ast.praksis_numbers(record) == ["34-19", "58-16"]
    assert ast.sections(record)["Mødebehandling"].startswith("Sagen er behandlet på møde")


def test_case_headings_end_the_practice_section():
    record = _fixture("18-25-samvaer-historisk-nyt-site").expected
    assert "Sag nr. 2, j.nr. 24-55124" in ast.sections(record)
    assert ast.praksis_numbers(record) == ["9-26"]


@pytest.mark.parametrize(
    ("laws", "keywords", "area"),
    [
        (["Serviceloven"], ["Merudgifter"], "Handicap og hjælpemidler"),
        (["Lov om social service"], ["Hjælpemidler", "Kørestol"], "Handicap og hjælpemidler"),
        (["Serviceloven"], ["Anbringelse", "Samvær"], "Børn og unge"),
        # Forsorgshjem and krisecentre are in none of the contract's areas: left out.
        (["Serviceloven"], ["Egenbetaling", "Forsorgshjem", "Krisecenter"], None),
        (["Serviceloven"], ["Tvungen opfølgning"], None),
        (["Serviceloven", "Barnets Lov"], ["Merudgifter"], "Børn og unge"),
    ],
)
def test_serviceloven_is_placed_by_its_emneord(laws, keywords, area):
    assert ast.law_area(laws, keywords) == area


def test_a_short_body_line_beside_the_footer_stays():
    page = (
        "<html><main><h1>Kort nyhed</h1><article>"
        "<p>Eksempel: Ankestyrelsen holder lukket fredag.</p><p>Teglholmsgade 3</p>"
        "<p><a href='/kontakt'>Kontakt</a></p></article></main></html>"
    )
    record = ast.parse(page.encode(), "https://www.ast.dk/nyhedsarkiv/2026/lukket-fredag")
    assert record["text"] == "Eksempel: Ankestyrelsen holder lukket fredag."


def test_a_dressed_date_after_its_own_label_is_read_but_not_on_a_body_line():
    box = "<dl><dt>Dato for underskrift</dt><dd>mandag den 5. januar 2026</dd></dl>"
    assert ast.parse(_page(box), URL)["date"] == "2026-01-05"
    body = "<p>Dato for underskrift af aftalen var 1. maj 2024.</p>"
    record = ast.parse(_page(body), URL)
    assert "date" not in record and "Dato for underskrift af aftalen" in record["text"]
