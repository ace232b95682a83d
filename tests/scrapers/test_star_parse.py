"""Recorded star.dk-style pages (written for the project) against the exact results they give."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from urllib.parse import urlparse

import pytest

from retskilde.contract import validate_record
from retskilde.scrapers import star
from retskilde.scrapers.extract import extract_paragraphs
from tests.scrapers.star.documents import DOCUMENTS
from tests.scrapers.star.recorded import FETCHED_AT, FOLDER, listings, publications


def _record(recorded) -> dict:
    url = recorded.expected["url"]
    publication = star.parse(recorded.html.read_bytes(), url, recorded.kind, FETCHED_AT)
    document = None
    if publication.document is not None:
        document_url = publication.document["url"]
        content = DOCUMENTS[urlparse(document_url).path]()
        document = extract_paragraphs(content, document_url)
    return star.with_document(publication, document)


def test_every_kind_has_recorded_pages_and_every_page_its_expected_result():
    assert {r.kind for r in publications()} == set(star.KINDS)
    for folder in (*star.KINDS, "oversigt"):
        htmls = {p.stem for p in (FOLDER / folder).glob("*.html")}
        jsons = {p.stem for p in (FOLDER / folder).glob("*.json")}
        assert htmls and htmls == jsons, folder
    # Between them the pages show a PDF report, a DOCX report and a page without a report.
    suffixes = {
        urlparse(d["url"]).path.rsplit(".", 1)[-1]
        for r in publications()
        if (d := star.parse(r.html.read_bytes(), r.expected["url"]).document)
    }
    assert suffixes == {"pdf", "docx"}
    assert any(
        star.parse(r.html.read_bytes(), r.expected["url"]).document is None for r in publications()
    )


@pytest.mark.parametrize("recorded", publications(), ids=lambda r: f"{r.kind}/{r.html.stem}")
def test_recorded_page_and_its_report_give_exactly_the_expected_record(recorded):
    record = _record(recorded)
    assert record == recorded.expected
    assert record["sha256"] == hashlib.sha256(recorded.html.read_bytes()).hexdigest()
    assert validate_record(record) == []
    assert "example" not in record
    # Written for the project: every page says so, and so does every report.
    assert record["text"].count("Eksempel: Dette er et fiktivt") == (
        2 if star.parse(recorded.html.read_bytes(), recorded.expected["url"]).document else 1
    )


@pytest.mark.parametrize("recorded", publications(), ids=lambda r: f"{r.kind}/{r.html.stem}")
def test_page_chrome_stays_out_of_the_record(recorded):
    record = _record(recorded)
    for chrome in (
        "Spring til hovedindhold",
        "Spring over venstremenu",
        "Njalsgade",
        "Forside",
        "dataLayer",
        "Sidst opdateret",
        "Hent rapporten",
        "Læs analysen",
        "(pdf)",
        "Emner",
    ):
        assert chrome not in record["text"], chrome
    assert not record["text"].startswith(record["title"])  # the title is a field, not text


def test_the_page_text_comes_first_then_the_report():
    recorded = next(r for r in publications() if r.html.stem == "ledighedsydelse-og-fleksjob")
    text = _record(recorded)["text"]
    page_end = text.index("kommunerapport.")
    assert text.index("Ledelsesresumé") > page_end
    assert text.index("Anbefalinger") > text.index("Metode og stikprøve")


@pytest.mark.parametrize("recorded", listings(), ids=lambda r: r.html.stem)
def test_recorded_overview_lists_exactly_the_expected_publications(recorded):
    listing = star.parse_listing(
        recorded.html.read_bytes(), recorded.expected["url"], recorded.expected["kind"]
    )
    assert [asdict(e) for e in listing.entries] == recorded.expected["entries"]
    assert listing.pages == recorded.expected["pages"]


def test_an_overview_leaves_out_menus_files_anchors_and_pages_outside_it():
    html = b"""<html><body><nav><a href="/viden-og-tal/analyser/om-analyserne/">Om</a></nav>
    <main><ul>
      <li><a href="/viden-og-tal/analyser/a/">A</a> 01-02-2024</li>
      <li><a href="/viden-og-tal/analyser/a/#metode">A, metode</a></li>
      <li><a href="/viden-og-tal/analyser/b.pdf">B (pdf)</a></li>
      <li><a href="/viden-og-tal/">Viden og tal</a></li>
      <li><a href="https://andet.dk/viden-og-tal/analyser/c/">C</a></li>
      <li><a href="/viden-og-tal/analyser/?emne=fleksjob">Fleksjob</a></li>
    </ul></main></body></html>"""
    listing = star.parse_listing(html, "https://star.dk/viden-og-tal/analyser/", "analyse")
    assert listing.entries == [
        star.ListingEntry("https://star.dk/viden-og-tal/analyser/a/", "A", "2024-02-01", "analyse")
    ]
    assert listing.pages == []  # a filter is not another page of the overview


def test_an_overview_that_lists_nothing_is_a_parse_error_naming_it():
    with pytest.raises(star.ParseError, match="linker ikke til nogen publikationer") as caught:
        star.parse_listing(b"<main><p>Siden findes ikke</p></main>", "https://star.dk/x/")
    assert caught.value.url == "https://star.dk/x/"


@pytest.mark.parametrize(
    ("texts", "hint", "kind"),
    [
        (("Fokusrevision af fleksjobvisitationer",), None, "fokusrevision"),
        (
            ("Opfølgning i sygedagpengesager", "Forside Tilsyn Fokusrevisioner"),
            None,
            "fokusrevision",
        ),
        (("Analyse: Varighed på kontanthjælp",), "fokusrevision", "analyse"),
        (("Kortlægning af unge på uddannelseshjælp",), None, "analyse"),
        (("Evaluering af jobrotation",), None, "analyse"),
        (("Ledighedsydelse 2024",), "fokusrevision", "fokusrevision"),
        (("Ledighedsydelse 2024",), None, "analyse"),
    ],
)
def test_doc_type_is_read_from_the_page_and_only_then_from_the_overview(texts, hint, kind):
    assert star.classify(*texts, hint=hint) == kind


@pytest.mark.parametrize(
    ("title", "keywords", "area"),
    [
        ("Fokusrevision af kommunernes opfølgning i sygedagpengesager", [], "Sygedagpenge"),
        ("Varighed på kontanthjælp og overgang til ressourceforløb", [], "Forsørgelse"),
        ("Hvem er på ledighedsydelse, og hvor længe?", [], "Beskæftigelse"),
        ("Tilkendelser af førtidspension 2024", [], "Pension"),
        ("Rekrutteringssurvey", ["Kontanthjælp"], "Forsørgelse"),
        ("Rekrutteringssurvey", [], "Beskæftigelse"),
    ],
)
def test_law_area_comes_from_the_first_area_word_in_title_then_keywords(title, keywords, area):
    assert star.law_area(title, keywords) == area


def test_the_main_report_is_the_first_document_that_is_not_an_appendix():
    attachments = [
        {"title": "Kommunerapport for Aarhus (pdf)", "url": "https://star.dk/media/1/a.pdf"},
        {"title": "Resultater (xlsx)", "url": "https://star.dk/media/2/r.xlsx"},
        {"title": "Hele rapporten (pdf)", "url": "https://star.dk/media/3/rapport.pdf"},
    ]
    assert star.main_document(attachments)["url"] == "https://star.dk/media/3/rapport.pdf"
    assert star.main_document(attachments[:2])["url"] == "https://star.dk/media/1/a.pdf"
    assert star.main_document(attachments[1:2]) is None


def test_ids_come_from_the_pages_own_slug():
    url = "https://star.dk/viden-og-tal/analyser/borgere-på-ledighedsydelse/"
    assert star.record_id("analyse", url) == "star-analyse-borgere-paa-ledighedsydelse"
    assert len(star.record_id("analyse", url + "x" * 300 + "/")) <= 200


def test_a_page_without_title_or_without_any_text_is_a_parse_error():
    with pytest.raises(star.ParseError, match="ingen titel"):
        star.parse(b"<html><body><main><p>tekst</p></main></body></html>", "https://star.dk/a/")
    with pytest.raises(star.ParseError, match="ingen tekst og ingen rapport"):
        star.parse(b"<html><body><main><h1>Analyse</h1></main></body></html>", "https://star.dk/b/")


def test_body_text_that_starts_like_a_label_stays_text():
    html = """<html><body><main><h1>Analyse af emner i jobsamtaler</h1>
      <p>Emner som helbred og økonomi fylder meget i samtalerne.</p>
      <p>Dato for første samtale er i gennemsnit 2. marts 2024 for de nyledige i stikprøven.</p>
    </main></body></html>""".encode()
    publication = star.parse(html, "https://star.dk/viden-og-tal/analyser/emner/")
    assert publication.paragraphs == [
        "Emner som helbred og økonomi fylder meget i samtalerne.",
        "Dato for første samtale er i gennemsnit 2. marts 2024 for de nyledige i stikprøven.",
    ]
    assert "keywords" not in publication.record and "date" not in publication.record
