"""kk.dk (København): the JSON:API item list and the item pages against exact expected results."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import date
from urllib.parse import parse_qs, urlparse

import pytest

from retskilde.contract import validate_record
from retskilde.scrapers import kkdk
from retskilde.scrapers.agenda import ParseError
from retskilde.scrapers.kommuner import kommune_for
from tests.scrapers.platforms import FETCHED_AT, expected, expected_path, recorded, result_dict

KK = kommune_for("København")
PAGES = recorded("kk")
LISTS = [p for p in PAGES if p.suffix == ".json"]
ITEMS = [p for p in PAGES if p.suffix == ".html"]


def test_every_recorded_page_has_its_expected_result():
    assert len(LISTS) == 2 and len(ITEMS) == 2
    assert all(expected_path(p).exists() for p in PAGES)


@pytest.mark.parametrize("path", LISTS, ids=lambda p: p.stem)
def test_item_list_gives_exactly_the_expected_items_and_next_page(path):
    want = expected(path)
    page = kkdk.parse_agenda_elements(path.read_bytes(), want["url"])
    assert [asdict(e) for e in page.elements] == want["elements"]
    assert page.next_url == want["next_url"]


def test_paging_follows_links_next_until_there_is_none():
    first, second = (expected(p) for p in LISTS)
    assert first["next_url"] and parse_qs(urlparse(first["next_url"]).query)["page[offset]"] == [
        "50"
    ]
    assert second["next_url"] is None


def test_the_committee_is_the_second_part_of_the_path_and_the_minutes_win():
    elements = kkdk.parse_agenda_elements(LISTS[0].read_bytes(), "https://www.kk.dk/x").elements
    assert {e.committee for e in elements} == {"Socialudvalget"}
    assert len(elements) == 4  # the entry without a path is left out
    chosen = kkdk.prefer_minutes(elements)
    assert [(e.number, e.kind) for e in chosen] == [("1", "referat"), ("2", "referat")]
    other = kkdk.parse_agenda_elements(LISTS[1].read_bytes(), "https://www.kk.dk/y").elements
    assert other[0].committee == "Beskæftigelses-, Integrations- og Erhvervsudvalget"


@pytest.mark.parametrize("path", ITEMS, ids=lambda p: p.stem)
def test_item_page_gives_exactly_the_expected_records(path):
    want = expected(path)
    element = kkdk.ElementRef(**want["element"])
    result = kkdk.parse_item_page(
        path.read_bytes(), want["url"], KK, element, fetched_at=FETCHED_AT
    )
    assert result_dict(result) == {k: want[k] for k in ("records", "closed", "empty")}
    for record in result.records:
        assert validate_record(record) == []
        assert record["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert "eksempel" in record["text"]
        for chrome in ("Gå til indhold", "Rådhuspladsen", "dataLayer", "Se bilag", "Borger"):
            assert chrome not in record["text"] and chrome not in record["html"]


def test_the_decision_and_the_closed_item():
    social = expected(next(p for p in ITEMS if "socialudvalget" in p.name))["records"][0]
    assert social["decision"] == "Indstillingen blev godkendt uden afstemning."
    assert social["url"].endswith("/referat/punkt-2") and social["municipality_code"] == "101"
    assert social["title"].startswith("Opfølgning")  # without the page's "2. "
    closed = expected(next(p for p in ITEMS if "beskaeftigelse" in p.name))
    assert closed["records"] == [] and len(closed["closed"]) == 1


def test_first_page_url_filters_on_the_meeting_date():
    url = kkdk.agenda_elements_url(KK.base_url, date(2025, 12, 1), date(2026, 1, 1))
    query = parse_qs(urlparse(url).query)
    assert url.startswith("https://www.kk.dk/jsonapi/node/agenda_element?")
    assert query["filter[fra][condition][value]"] == ["2025-12-01"]
    assert query["filter[til][condition][operator]"] == ["<"]
    assert query["page[limit]"] == ["50"] and query["sort"] == ["agenda_meeting_date"]


def test_broken_answers_name_the_url():
    with pytest.raises(ParseError, match="data") as caught:
        kkdk.parse_agenda_elements(b'{"errors": []}', "https://www.kk.dk/jsonapi/x")
    assert "https://www.kk.dk/jsonapi/x" in str(caught.value)
    element = kkdk.ElementRef(
        "i",
        "T",
        "/d/Socialudvalget/m/referat/punkt-1",
        "Socialudvalget",
        "2025-01-01",
        "1",
        "referat",
    )
    with pytest.raises(ParseError, match="node__content"):
        kkdk.parse_item_page(
            b"<html><body>Siden findes ikke</body></html>", "https://www.kk.dk/p", KK, element
        )
