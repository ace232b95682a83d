"""Recorded FirstAgenda answers and pages (written for the project) against exact records."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

import pytest

from retskilde.contract import validate_record
from retskilde.scrapers import firstagenda as fa
from retskilde.scrapers.firstagenda_html import meeting_id_of, parse_meeting_page
from tests.scrapers.agendas import FETCHED_AT, KINDS, answer_files, example, examples, expected_path

RECORD_EXAMPLES = [e for e in examples() if e.kind != "udvalgsliste"]


def parse(ex, **kwargs):
    kwargs.setdefault("fetched_at", FETCHED_AT)
    kwargs.setdefault("same_day", ex.expected["same_day"])
    reader = parse_meeting_page if ex.kind == "moedeside" else fa.parse_dagsorden
    return reader(ex.path.read_bytes(), ex.expected["url"], ex.kommune, **kwargs)


def test_every_kind_has_a_recorded_example():
    missing = set(KINDS) - {e.kind for e in examples()}
    assert not missing, f"intet eksempel i tests/scrapers/firstagenda/ for: {sorted(missing)}"


def test_every_recorded_answer_has_its_expected_result_and_vice_versa():
    answers = {expected_path(p) for p in answer_files()}
    expected = set(answer_files()[0].parent.parent.glob("*/*.expected.json"))
    assert answers == expected
    assert {p.parent.name for p in answers} <= set(KINDS)


@pytest.mark.parametrize("ex", RECORD_EXAMPLES, ids=lambda e: e.name)
def test_recorded_answer_gives_exactly_the_expected_records(ex):
    result = parse(ex)
    assert result.records == ex.expected["records"]
    assert result.closed == ex.expected["closed"]
    assert result.empty == ex.expected["empty"]
    content = ex.path.read_bytes()
    for record in result.records:
        assert validate_record(record) == []
        assert record["sha256"] == hashlib.sha256(content).hexdigest()
        assert "example" not in record
        # Written for the project: every item says so, and so does the record it gives.
        assert "Eksempel" in record["text"]


@pytest.mark.parametrize("ex", RECORD_EXAMPLES, ids=lambda e: e.name)
def test_markup_and_page_chrome_stay_out_of_the_records(ex):
    for record in parse(ex).records:
        for noise in (
            "Dagsordenspunkt",  # the word processor's <title> inside every section
            "Aspose",
            "Gå til indhold",
            "Hent som PDF",
            "Kopier link",
            "Rådhuspladsen",
            "dataLayer",
            "Mødedeltagere",
        ):
            assert noise not in record["text"] and noise not in record["html"]
        assert "<script" not in record["html"] and "class=" not in record["html"]
        assert "style=" not in record["html"] and "javascript:" not in record["html"]
        assert not record["text"].startswith(record["title"])


def test_committee_list_gives_every_meeting_once():
    ex = examples("udvalgsliste")[0]
    meetings = fa.parse_udvalgsliste(ex.path.read_bytes(), ex.expected["url"])
    assert [asdict(m) for m in meetings] == ex.expected["meetings"]
    # The zero-GUID placeholder is no meeting; a meeting listed twice counts once.
    assert all(fa.is_guid(m.id) for m in meetings)
    assert len({m.id for m in meetings}) == len(meetings)


def test_default_committee_filter_keeps_the_social_and_employment_committees():
    ex = examples("udvalgsliste")[0]
    meetings = fa.parse_udvalgsliste(ex.path.read_bytes(), ex.expected["url"])
    selected = fa.select_meetings(meetings)
    assert {m.committee for m in selected} == {
        "Beskæftigelses- og Integrationsudvalget",
        "Social- og Sundhedsudvalget",
    }
    assert not any(m.closed for m in selected)  # "Lukket referat" is never asked for
    assert len(selected) == 6
    since = fa.select_meetings(meetings, since="2025-11-01")
    assert sorted(m.date for m in since) == ["2025-11-04", "2025-12-01", "2025-12-01", "2026-01-13"]
    plan = fa.select_meetings(meetings, udvalg=r"^by-")
    assert [m.committee for m in plan] == ["By- og Planudvalget"]


def test_api_answer_and_html_page_of_one_meeting_give_the_same_records():
    api = parse(example("aarhus-socialudvalget-referat", "dagsorden"))
    html = parse(example("aarhus-socialudvalget-referat", "moedeside"))
    assert [r["id"] for r in api.records] == [r["id"] for r in html.records]
    for a, b in zip(api.records, html.records, strict=True):
        assert {k: v for k, v in a.items() if k != "sha256"} == {
            k: v for k, v in b.items() if k != "sha256"
        }
    assert api.closed == html.closed == ["aarhus-socialudvalget-2025-09-17-punkt-3"]


def test_sections_are_heading_paragraphs_and_the_summary_is_the_resume():
    record = example("aarhus-socialudvalget-referat", "dagsorden").expected["records"][1]
    paragraphs = record["text"].split("\n\n")
    for heading in ("Resume", "Beslutningspunkter", "Sagsforløb", "Beslutninger", "Bilag"):
        assert heading in paragraphs
    assert record["summary"].startswith("Antallet af borgere i hjemløshed")
    # The text under an empty heading is the item's long title: it leads the text.
    assert (
        paragraphs[1] == "Orientering om status på hjemløsestrategien og Housing First-indsatsen."
    )
    hvidovre = example("hvidovre-beskaeftigelse-referat").expected["records"][0]
    assert "Beslutning i Beskæftigelses- og Integrationsudvalget den 04-11-2025" in hvidovre["text"]
    # Without a Resume, the Beslutningstema is the summary.
    assert hvidovre["summary"].startswith("Udvalget orienteres om Ankestyrelsens ankestatistik")


def test_tables_lists_and_links_survive_safely_in_the_html():
    records = example("hvidovre-beskaeftigelse-referat").expected["records"]
    assert "<ol><li>at orienteringen" in records[0]["html"]
    # A list is one paragraph of numbered lines; attachments one paragraph of titles.
    assert (
        "\n\n1. at orienteringen om ankestatistikken for 2024 tages til efterretning,\n"
        "2. at resultatet af den interne" in records[0]["text"]
    )
    assert records[1]["text"].endswith("Bilag\n\nUdkast til kvalitetsstandard 2026\nBilag 2")
    assert "<td>Ressourceforløb</td>" in records[1]["html"]
    assert "Ressourceforløb | 246 | 2,6 år" in records[1]["text"]
    tillaeg = example("hvidovre-social-tillaegsdagsorden").expected["records"][0]
    assert '<a href="https://www.retsinformation.dk/">Retsinformation</a>' in tillaeg["html"]
    assert "For borgere < 65 år" in tillaeg["text"] and "&lt; 65 år" in tillaeg["html"]


def test_attachments_skip_placeholders_and_name_untitled_ones():
    record = example("hvidovre-beskaeftigelse-referat").expected["records"][1]
    assert [a["title"] for a in record["attachments"]] == [
        "Udkast til kvalitetsstandard 2026",
        "Bilag 2",
    ]
    assert all("/Vis/Pdf/bilag/" in a["url"] for a in record["attachments"])
    assert fa.ZERO_GUID not in json.dumps(record)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"Dagsordenpunkter": [', "ikke gyldig JSON"),
        (b"<!DOCTYPE html><html><body>Log ind</body></html>", "HTML-side"),
        (b'{"Fejl": "ukendt"}', "Dagsordenpunkter"),
        (b'{"Dagsordenpunkter": [], "Moede": {"Dato": "2025-01-01T10:00:00"}}', "intet udvalg"),
        (b'{"Dagsordenpunkter": [], "Udvalg": {"Navn": "Socialudvalget"}}', "mødedato"),
    ],
)
def test_a_broken_agenda_answer_is_a_parse_error_naming_the_url(content, reason):
    kommune = fa.kommune_for("hvidovre")
    url = fa.dagsorden_url(kommune.base_url, "6b1f0e2c-3a47-4d8e-9f15-2c7a9b0d4e61")
    with pytest.raises(fa.ParseError) as caught:
        fa.parse_dagsorden(content, url, kommune)
    assert url in str(caught.value) and reason in str(caught.value)


def test_a_broken_committee_list_is_a_parse_error():
    with pytest.raises(fa.ParseError, match="Udvalg"):
        fa.parse_udvalgsliste(b'{"Dagsordner": []}', "https://x.dk/api/agenda/udvalgsliste")


def _agenda(*items: dict, **top) -> bytes:
    data = {
        "Dagsordenpunkter": list(items),
        "Udvalg": {"Navn": "Socialudvalget"},
        "Moede": {"Id": fa.ZERO_GUID, "Dato": "2025-03-04T16:00:00+01:00", "Navn": "Referat"},
        "Id": "11111111-2222-4333-8444-555555555555",
        **top,
    }
    return json.dumps(data).encode()


def _item(number: str, **fields) -> dict:
    html = "<div id='sagsfremstillingContainer'><h3>Beslutning</h3><span>Godkendt.</span></div>"
    return {"Punktnummer": number, "Navn": f"Punkt om {number}", "IsOpen": True, "Bilag": []} | {
        "Felter": [{"Navn": "", "Html": html}],
        **fields,
    }


def test_items_fall_back_to_caption_and_plain_text_fields():
    kommune = fa.kommune_for("hvidovre")
    content = _agenda(
        _item("1", Navn=None, Caption="Orientering om budget"),
        _item("2", Felter=[{"Navn": "Sagsfremstilling", "Html": "", "Tekst": "Første.\n\nAnden."}]),
    )
    records = fa.parse_dagsorden(content, "https://x.dk/api", kommune).records
    assert records[0]["title"] == "Orientering om budget"
    assert records[1]["text"] == "Sagsfremstilling\n\nFørste.\n\nAnden."


def test_bullet_lists_become_dash_lines_and_nested_items_stay_inside():
    markup = (
        "<h3>Sagsfremstilling</h3><span><p>Tilbuddene er:</p><ul><li>Mentor</li>"
        "<li>Praktik<ul><li>i kommunen</li></ul></li></ul><p>Slut.</p></span>"
    )
    content = _agenda(_item("1", Felter=[{"Navn": "", "Html": markup}]))
    record = fa.parse_dagsorden(content, "https://x.dk/api", fa.kommune_for("hvidovre")).records[0]
    assert record["text"] == (
        "Sagsfremstilling\n\nTilbuddene er:\n\n– Mentor\n– Praktik i kommunen\n\nSlut."
    )
    assert "<ul><li>Mentor</li>" in record["html"]


def test_closed_means_closed_whatever_else_the_item_says():
    kommune = fa.kommune_for("hvidovre")
    content = _agenda(
        _item("1", IsOpen=False),
        _item("2", IsOpen=None, Navn="Lukket punkt: Personsag"),
        _item("3", IsOpen=True, Navn="Lukket: Ejendomshandel"),
        _item("4"),
        _item("5", IsOpen=True, Navn="Lukket afdeling på Plejecenter Eksempel genåbnes"),
    )
    result = fa.parse_dagsorden(content, "https://x.dk/api", kommune)
    assert [r["item_number"] for r in result.records] == [4, 5]
    assert [i.rsplit("-", 1)[-1] for i in result.closed] == ["1", "2", "3"]


def test_two_items_with_one_number_keep_apart_in_agenda_order():
    kommune = fa.kommune_for("hvidovre")
    result = fa.parse_dagsorden(_agenda(_item("5"), _item("5")), "https://x.dk/api", kommune)
    assert [r["id"].split("punkt-")[1] for r in result.records] == ["5", "5-2"]


def test_record_ids_come_from_the_site_and_are_bounded():
    kommune = fa.kommune_for("hvidovre")
    meeting = fa.Meeting(kommune, "m", "Social- og Sundhedsudvalget", "2025-12-01T17:00:00+01:00")
    assert meeting.record_id("3") == "hvidovre-social-og-sundhedsudvalget-2025-12-01-punkt-3"
    same_day = fa.Meeting(kommune, "m", "Socialudvalget", "2025-12-01T08:30:00+01:00", True, True)
    assert same_day.record_id("1") == "hvidovre-socialudvalget-2025-12-01-kl0830-tillaeg-punkt-1"
    long = fa.Meeting(kommune, "m", "Udvalget for " + "meget lange navne " * 15, "2025-12-01")
    assert len(long.record_id("1")) <= fa.MAX_ID_LENGTH
    assert long.record_id("1") != long.record_id("2")


def test_same_day_meetings_of_one_committee_and_kind_are_marked():
    meetings = [
        fa.MeetingRef("a", "Socialudvalget", "2025-01-07T08:00:00+01:00", "Referat"),
        fa.MeetingRef("b", "SOCIALUDVALGET", "2025-01-07T15:00:00+01:00", "Referat"),
        fa.MeetingRef("c", "Socialudvalget", "2025-01-07T15:00:00+01:00", supplementary=True),
        fa.MeetingRef("d", "Beskæftigelsesudvalget", "2025-01-07T08:00:00+01:00"),
        fa.MeetingRef("e", "Socialudvalget", "2025-01-08T08:00:00+01:00"),
    ]
    assert fa.same_day_meetings(meetings) == {"a", "b"}


def test_known_municipalities_and_the_base_url_override():
    known = fa.load_kommuner()
    assert {"aarhus", "hvidovre"} <= set(known)
    for key, kommune in known.items():
        assert key == fa.slug(key) and kommune.base_url.startswith("https://")
        assert not kommune.base_url.endswith("/") and kommune.name[0].isupper()
    assert fa.kommune_for("Hvidovre").base_url == "https://dagsordener-referater.hvidovre.dk"
    assert fa.kommune_for("hvidovre", "http://127.0.0.1:9/").base_url == "http://127.0.0.1:9"
    other = fa.kommune_for("høje-taastrup", "https://x.dk")
    assert (other.key, other.name) == ("hoeje-taastrup", "Høje-Taastrup")
    with pytest.raises(fa.UnknownKommune, match="--base-url"):
        fa.kommune_for("ukendtby")


def test_meeting_id_comes_from_the_page_address():
    guid = "9c1e3a5c-7e9b-4b1d-8f3a-5c7e9b1d3f47"
    assert meeting_id_of(f"https://x.dk/vis?Referat-Socialudvalget-d.17-09-2025&id={guid}") == guid
    assert meeting_id_of("https://x.dk/vis?Referat-Socialudvalget") is None
    with pytest.raises(fa.ParseError, match="møde-id"):
        parse_meeting_page(b"<html></html>", "https://x.dk/vis?x", fa.kommune_for("aarhus"))


def test_a_page_that_is_not_a_meeting_is_a_parse_error():
    url = "https://dagsordener.aarhus.dk/vis?id=9c1e3a5c-7e9b-4b1d-8f3a-5c7e9b1d3f47"
    with pytest.raises(fa.ParseError, match="dagsordeninfo"):
        parse_meeting_page(b"<html><body>Ingen adgang</body></html>", url, fa.kommune_for("aarhus"))


def test_real_nesting_gives_indstilling_and_decisions_their_own_sections():
    # The wrapper <div> around Indstilling and the decisions, as real items have it.
    ex = example("hvidovre-oekonomiudvalget-reel-opbygning")
    records = {r["item_number"]: r for r in parse(ex).records}
    headings = [p for p in records[7]["text"].split("\n\n") if p.startswith(("Beslutning", "Ind"))]
    assert headings == [
        "Beslutningstema",
        "Indstilling",
        "Beslutning i Erhvervs- og Beskæftigelsesudvalget den 16-03-2026",
        "Beslutning i Økonomiudvalget den 23-03-2026",
    ]
    # The summary is the beslutningstema alone; the decision is this meeting's own.
    assert records[7]["summary"].startswith("Kommunalbestyrelsen skal tage stilling")
    assert "indstiller" not in records[7]["summary"] and "Ad 1" not in records[7]["summary"]
    assert records[7]["decision"].endswith("finansieres af kassebeholdningen.")
    # Not yet decided here: the earlier committee's decision is the one there is.
    assert records[8]["decision"] == "Anbefales godkendt."
    # An item that opens with the wrapper loses none of the sections after it.
    assert records[9]["text"].split("\n\n")[-2:] == ["Retsgrundlag", "Lov om sygedagpenge § 7."]
    assert "summary" not in records[9]


def test_sub_headings_stay_inside_their_section_and_images_never_reach_the_text():
    record = parse(example("hvidovre-oekonomiudvalget-reel-opbygning")).records[0]
    assert "<h4>Om ressourceforløbene</h4>" in record["html"]
    assert "<h3>Om ressourceforløbene</h3>" not in record["html"]
    assert record["html"].index("<h3>Sagsfremstilling</h3>") < record["html"].index(
        "<h4>Om ressourceforløbene</h4>"
    )
    for r in parse(example("hvidovre-oekonomiudvalget-reel-opbygning")).records:
        assert "base64" not in r["text"] + r["html"] and "iVBORw0KGgo" not in r["text"]


@pytest.mark.parametrize(
    "heading",
    ["Beslutning", "Beslutninger", "Beslutning i Job- og Velfærdsudvalget den 04-05-2026"],
)
def test_decision_headings(heading):
    assert fa.Section(heading, ("x",), "").is_decision


@pytest.mark.parametrize(
    "heading", ["Beslutningstema", "Beslutningspunkter", "Beslutningskompetence", "Indstilling"]
)
def test_headings_that_are_not_decisions(heading):
    assert not fa.Section(heading, ("x",), "").is_decision
