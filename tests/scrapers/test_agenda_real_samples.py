"""The agenda parsers on real recorded material in ../shared/samples (skipped where it is absent).

Only read here, never copied into the project: a user's clone has no ../shared, and then these
tests skip. They assert what the real material shows, not what the project's fixtures say.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retskilde.scrapers import agenda
from retskilde.scrapers import firstagenda as fa
from retskilde.scrapers.firstagenda_html import parse_meeting_page

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples"
API = SAMPLES / "firstagenda_publication_api"
HTML = SAMPLES / "firstagenda_publication_html"

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples findes ikke her")

HVIDOVRE = fa.kommune_for("hvidovre")
AARHUS = fa.kommune_for("aarhus")


def _agenda(name: str) -> agenda.AgendaResult:
    path = API / name
    data = json.loads(path.read_bytes())
    url = fa.dagsorden_url(HVIDOVRE.base_url, data["Id"])
    return fa.parse_dagsorden(path.read_bytes(), url, HVIDOVRE)


def _sections(record: dict) -> list[str]:
    return [
        p for p in record["text"].split("\n\n") if p in HEADINGS or p.startswith("Beslutning i")
    ]


HEADINGS = {
    "Beslutningstema",
    "Indstilling",
    "Sagsfremstilling",
    "Politiske beslutninger og aftaler",
    "Økonomiske konsekvenser",
    "Retsgrundlag",
    "Høring",
    "Personalemæssige konsekvenser",
}


def test_real_item_13_splits_indstilling_and_decision_out_of_the_beslutningstema():
    result = _agenda("hvidovre_agenda_item13_EXCERPT.json")
    [record] = result.records
    assert record["id"] == "hvidovre-oekonomiudvalget-2026-05-18-punkt-13"
    assert record["case_number"] == "26/5664"
    assert _sections(record)[:4] == [
        "Beslutningstema",
        "Indstilling",
        "Beslutning i Børne- og Uddannelsesudvalget den 04-05-2026",
        "Sagsfremstilling",
    ]
    assert record["summary"].startswith("Hvidovre Kommune har i perioden 2023-2025")
    assert "indstiller" not in record["summary"] and "Anbefales" not in record["summary"]
    # The meeting has not decided yet: the decision is the committee's that sent it on.
    assert record["decision"] == "Ad 1. Anbefales godkendt.\n\nAd 2. Anbefales godkendt."
    assert [a["url"].rsplit("/", 1)[-1] for a in record["attachments"]] == [
        "d008930f-f038-4888-915e-f955c85b6d21"
    ]
    # The word processor's sub-headings stay inside Sagsfremstilling, one level down.
    assert "<h4>Baggrund</h4>" in record["html"] and "<h3>Baggrund</h3>" not in record["html"]
    assert "Dagsordenspunkt" not in record["text"] and "Aspose" not in record["html"]


def test_real_meeting_keeps_closed_items_out_and_reads_the_open_one():
    result = _agenda("hvidovre_agenda_EXCERPT.json")
    assert [r["item_number"] for r in result.records] == [30]
    assert [i.rsplit("-", 1)[-1] for i in result.closed] == ["32", "33", "34"]
    assert [i.rsplit("-", 1)[-1] for i in result.empty] == ["1", "2", "31"]
    record = result.records[0]
    assert "Retsgrundlag" in _sections(record) and len(record["attachments"]) == 1
    assert "decision" not in record


def test_real_committee_lists_and_the_default_filter():
    listing = API / "hvidovre_udvalgsliste_EXCERPT.json"
    meetings = fa.parse_udvalgsliste(listing.read_bytes(), fa.udvalgsliste_url(HVIDOVRE.base_url))
    assert len(meetings) == 6 and {m.committee for m in meetings} == {"By- og Planudvalget"}
    assert fa.select_meetings(meetings) == []
    wrapped = json.loads((API / "hvidovre_udvalg_boerne_EXCERPT.json").read_bytes())
    content = json.dumps({"Udvalg": {"Udvalg 2026-2029": [wrapped]}}).encode()
    boerne = fa.parse_udvalgsliste(content, "https://x.dk/api/agenda/udvalgsliste")
    assert boerne and fa.select_meetings(boerne) == []
    assert len(fa.select_meetings(boerne, udvalg="børne")) == len(boerne)


def test_real_aarhus_pages_give_sections_decisions_and_every_attachment():
    url = "https://dagsordener.aarhus.dk/vis?id=9c1e3a5c-7e9b-4b1d-8f3a-5c7e9b1d3f47"
    minutes = parse_meeting_page((HTML / "aarhus_example_minutes.html").read_bytes(), url, AARHUS)
    assert minutes.meeting.committee == "Teknisk Udvalg"
    assert not agenda.committee_matches(minutes.meeting.committee)
    assert len(minutes.records) == 6
    assert all(r.get("decision") for r in minutes.records)
    content = (HTML / "aarhus_example_agenda.html").read_bytes()
    agenda_page = parse_meeting_page(content, url, AARHUS)
    assert len(agenda_page.records) == 32 and len(agenda_page.empty) == 1
    links = content.count(b'class="bilag-link')
    assert sum(len(r.get("attachments", [])) for r in agenda_page.records) == links
    with_resume = [r for r in agenda_page.records if "\n\nResume\n\n" in f"\n\n{r['text']}"]
    assert with_resume and all(r["summary"] for r in with_resume)


AABEN = SAMPLES / "aabendagsorden" / "2025-11-19_glostrup_oekonomiudvalget.document.xml"


def _docx_of(document_xml: bytes) -> bytes:
    # The committed .docx is truncated; its word/document.xml is whole. The least package
    # python-docx opens around it.
    import io
    import zipfile

    types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
        "</Relationships>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", types)
        package.writestr("_rels/.rels", rels)
        package.writestr("word/document.xml", document_xml)
    return buffer.getvalue()


def test_real_aaben_dagsorden_document_gives_its_four_items_and_their_sections():
    from retskilde.scrapers import aabendagsorden as ad
    from retskilde.scrapers.docxtext import docx_paragraphs

    items = ad.document_items(docx_paragraphs(_docx_of(AABEN.read_bytes()), str(AABEN)))
    assert [i.number for i in items] == ["1", "2", "3", "4"]  # the contents list is no item
    assert [i.case_number for i in items] == ["25/23642", "25/23642", "25/20079", "25/23642"]
    third = {s.heading: s.paragraphs for s in items[2].sections}
    assert list(third) == [
        "Beslutningskompetence",
        "Resumé",
        "Sagsfremstilling",
        "Indstilling",
        "Beslutning i Økonomiudvalget den 19-11-2025",
        "Afbud",
    ]
    assert third["Resumé"] == (
        "At godkende ansættelse af centerchef til Center for Glostrup Ejendomme.",
    )
    assert agenda.is_closed(items[3].title) and not agenda.is_closed(items[2].title)
    assert [s.heading for s in items[3].sections if s.is_decision] == [
        "Beslutning i Økonomiudvalget den 19-11-2025"
    ]
    # The signature page after the last item is no part of it.
    assert "Kasper Damsgaard" not in str(items[3].sections)


def test_real_aaben_dagsorden_document_gives_records_and_keeps_the_closed_item_out():
    from retskilde.scrapers import aabendagsorden as ad
    from retskilde.scrapers.kommuner import kommune_for

    glostrup = kommune_for("Glostrup")
    ref = ad.MeetingRef("0", "Økonomiudvalget", "2025-11-19T14:00:00")
    url = ad.document_url(glostrup.base_url, "0", "2025-11-19_glostrup_oekonomiudvalget.docx")
    result = ad.parse_meeting_document(_docx_of(AABEN.read_bytes()), url, glostrup, ref)
    assert [r["item_number"] for r in result.records] == [1, 2, 3]
    assert [i.rsplit("-", 1)[-1] for i in result.closed] == ["4"]
    third = result.records[2]
    assert (
        third["summary"]
        == "At godkende ansættelse af centerchef til Center for Glostrup Ejendomme."
    )
    assert third["decision"].startswith("Indstillingen godkendt.")
    assert third["case_number"] == "25/20079"
