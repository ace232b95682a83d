"""Åben Dagsorden: the meeting search and the item fragment against exact expected results."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import date

import pytest

from retskilde.contract import validate_record
from retskilde.scrapers import aabendagsorden as ad
from retskilde.scrapers.agenda import ParseError
from retskilde.scrapers.extract import ExtractError
from retskilde.scrapers.kommuner import kommune_for
from tests.scrapers.pdfmaker import make_pdf, report_page
from tests.scrapers.platforms import FETCHED_AT, expected, expected_path, recorded, result_dict

GLOSTRUP = kommune_for("glostrup")
PAGES = recorded("aabendagsorden")
FRAGMENTS = [p for p in PAGES if p.suffix == ".html"]


def test_every_recorded_page_has_its_expected_result():
    assert {p.suffix for p in PAGES} == {".json", ".html", ".docx"}
    assert all(expected_path(p).exists() for p in PAGES)


def test_search_keeps_public_meetings_and_leaves_out_blocked_and_excluded_ones():
    path = next(p for p in PAGES if p.suffix == ".json")
    want = expected(path)
    excluded = tuple(GLOSTRUP.settings["udelad_udvalg"])
    result = ad.parse_search(path.read_bytes(), want["url"], excluded)
    assert [asdict(m) for m in result.meetings] == want["meetings"]
    assert result.total == 4 and not result.capped
    everything = ad.parse_search(path.read_bytes(), want["url"])
    assert "Testudvalget" in {m.committee for m in everything.meetings}
    assert "Beskæftigelsesudvalget" not in {m.committee for m in everything.meetings}


@pytest.mark.parametrize("path", FRAGMENTS, ids=lambda p: p.stem)
def test_fragment_gives_exactly_the_expected_records(path):
    want = expected(path)
    ref = ad.MeetingRef(**want["meeting"])
    result = ad.parse_meeting_fragment(
        path.read_bytes(), want["url"], GLOSTRUP, ref, fetched_at=FETCHED_AT
    )
    assert result_dict(result) == {k: want[k] for k in ("records", "closed", "empty")}
    for record in result.records:
        assert validate_record(record) == []
        assert record["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert "Eksempel" in record["text"]
        assert "Sagsnr. i ESDH" not in record["text"]  # read into case_number


def test_closed_items_are_never_records():
    path = FRAGMENTS[0]
    want = expected(path)
    result = ad.parse_meeting_fragment(
        path.read_bytes(), want["url"], GLOSTRUP, ad.MeetingRef(**want["meeting"])
    )
    assert result.closed == ["glostrup-social-og-sundhedsudvalget-2025-11-12-punkt-3"]
    assert all("LUKKEDE" not in r["title"] for r in result.records)


def test_items_as_siblings_without_wrappers_read_the_same_way():
    markup = (
        "<h3 class='agenda-item-title'>Punkt 4 Handleplan for jobcentret</h3>"
        "<h4>Sagsnr. i ESDH</h4><p>25/30001</p>"
        "<h4><strong>Resumé</strong></h4><p>Planen for 2026 (eksempel).</p>"
        "<h4>Beslutning i Beskæftigelsesudvalget den 02-12-2025</h4><p>Godkendt.</p>"
        "<h3 class='agenda-item-title'>Punkt 5 Orientering om sag - (FOR LUKKEDE DØRE)</h3>"
        "<h4>Beslutning i Beskæftigelsesudvalget den 02-12-2025</h4><p>Taget til efterretning.</p>"
    ).encode()
    ref = ad.MeetingRef("88", "Beskæftigelsesudvalget", "2025-12-02T16:00:00")
    result = ad.parse_meeting_fragment(
        markup, "https://x.dk/fragments/meeting/88/view", GLOSTRUP, ref
    )
    [record] = result.records
    assert (record["item_number"], record["case_number"]) == (4, "25/30001")
    assert record["summary"] == "Planen for 2026 (eksempel)." and record["decision"] == "Godkendt."
    assert [i.rsplit("-", 1)[-1] for i in result.closed] == ["5"]


@pytest.mark.parametrize(
    ("fmt", "expected_query"),
    [
        ("iso", "fromDate=2025-11-01&toDate=2025-11-10"),
        ("dmy", "fromDate=01%2F11%2F2025&toDate=10%2F11%2F2025"),
    ],
)
def test_search_dates_follow_the_municipalitys_format(fmt, expected_query):
    url = ad.search_url("https://x.dk", date(2025, 11, 1), date(2025, 11, 10), fmt)
    assert url == f"https://x.dk/rest/meeting/search?query=&{expected_query}"
    with pytest.raises(ValueError, match="datoformat"):
        ad.query_date(date(2025, 1, 1), "mdy")


def test_windows_cover_the_period_once_and_a_full_window_splits():
    parts = ad.windows(date(2025, 1, 1), date(2025, 1, 25))
    assert parts == [
        (date(2025, 1, 16), date(2025, 1, 25)),
        (date(2025, 1, 6), date(2025, 1, 15)),
        (date(2025, 1, 1), date(2025, 1, 5)),
    ]
    assert ad.halves(date(2025, 1, 1), date(2025, 1, 10)) == [
        (date(2025, 1, 6), date(2025, 1, 10)),
        (date(2025, 1, 1), date(2025, 1, 5)),
    ]
    assert ad.halves(date(2025, 1, 1), date(2025, 1, 1)) is None
    capped = b'{"numberOfResults": 50, "meetings": []}'
    assert ad.parse_search(capped, "https://x.dk/rest/meeting/search").capped


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"<html>Fejl</html>", "gyldig JSON"), (b'{"results": []}', "meetings")],
)
def test_a_broken_search_answer_names_the_url(content, reason):
    with pytest.raises(ParseError, match=reason) as caught:
        ad.parse_search(content, "https://x.dk/rest/meeting/search?q")
    assert "https://x.dk/rest/meeting/search?q" in str(caught.value)


def test_a_fragment_without_items_is_a_parse_error():
    ref = ad.MeetingRef("1", "Socialudvalget", "2025-01-01")
    with pytest.raises(ParseError, match="agenda-item-title"):
        ad.parse_meeting_fragment(b"<div>Ingen adgang</div>", "https://x.dk/f", GLOSTRUP, ref)


def test_meeting_document_gives_the_same_items_as_the_fragment():
    path = next(p for p in PAGES if p.suffix == ".docx")
    want = expected(path)
    ref = ad.MeetingRef(**want["meeting"])
    result = ad.parse_meeting_document(
        path.read_bytes(), want["url"], GLOSTRUP, ref, fetched_at=FETCHED_AT
    )
    assert result_dict(result) == {k: want[k] for k in ("records", "closed", "empty")}
    fragment = next(p for p in FRAGMENTS if "2025-11-12" in p.name)
    from_page = expected(fragment)
    assert [r["id"] for r in result.records] == [r["id"] for r in from_page["records"]]
    assert result.closed == from_page["closed"]
    for mine, theirs in zip(result.records, from_page["records"], strict=True):
        for field in ("title", "case_number", "decision", "item_number"):
            assert mine.get(field) == theirs.get(field)
        assert validate_record(mine) == []
    # The numbered points of the Indstilling stay in it; the signature page is no item text.
    assert "2. At udvalget får en status i juni 2026." in result.records[1]["text"]
    assert "Underskriftsside" not in result.records[-1]["text"]


def test_a_document_without_items_is_a_parse_error():
    ref = ad.MeetingRef("1", "Socialudvalget", "2025-01-01")
    url = "https://x.dk/meeting/files/1/a.pdf"
    with pytest.raises(ExtractError, match="PDF") as caught:
        ad.parse_meeting_document(b"%PDF-1.4 not really", url, GLOSTRUP, ref)
    assert url in str(caught.value)
    words = make_pdf([report_page(1, 1, None, ["Dagsorden for et møde uden punkter (eksempel)."])])
    with pytest.raises(ParseError, match="ingen punkter") as caught:
        ad.parse_meeting_document(words, url, GLOSTRUP, ref)
    assert url in str(caught.value)
