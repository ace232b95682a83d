"""Aalborg's agenda app: a committee's meeting list and a minutes page against exact results."""

from __future__ import annotations

import hashlib
from dataclasses import asdict

import pytest

from retskilde.contract import validate_record
from retskilde.scrapers import aalborg as al
from retskilde.scrapers.agenda import ParseError
from retskilde.scrapers.kommuner import kommune_for
from tests.scrapers.platforms import FETCHED_AT, HERE, expected, expected_path, recorded

AALBORG = kommune_for("Aalborg")
FOLDER = HERE / "aalborg"
LISTING = FOLDER / "moeder-job-og-velfaerdsudvalget.html"
MINUTES = FOLDER / "job-og-velfaerdsudvalget-2026-03-12.html"


def test_every_recorded_page_has_its_expected_result():
    assert all(expected_path(p).exists() for p in recorded("aalborg"))
    assert AALBORG.settings["udvalg_ids"] and AALBORG.has_parser


def test_meeting_list_uses_only_the_links_query_on_our_own_host():
    want = expected(LISTING)
    meetings = al.parse_meetings(LISTING.read_bytes(), want["url"], AALBORG.base_url)
    assert [asdict(m) for m in meetings] == want["meetings"]
    assert all(
        m.url.startswith(f"{AALBORG.base_url}/dagsordenreferat/visreferat?") for m in meetings
    )
    assert all("localhost" not in m.url for m in meetings)
    assert {m.committee for m in meetings} == {"Job- og Velfærdsudvalget"}


def test_minutes_page_gives_exactly_the_expected_records():
    want = expected(MINUTES)
    link = al.MeetingLink(**want["meeting"])
    result = al.parse_minutes_page(
        MINUTES.read_bytes(), want["url"], AALBORG, link, fetched_at=FETCHED_AT
    )
    assert result.records == want["records"]
    assert (
        result.closed == want["closed"] == ["aalborg-job-og-velfaerdsudvalget-2026-03-12-punkt-3"]
    )
    for record in result.records:
        assert validate_record(record) == []
        assert record["sha256"] == hashlib.sha256(MINUTES.read_bytes()).hexdigest()
        assert "eksempel" in record["text"] and "Åben" not in record["text"]
    second = result.records[1]
    assert second["summary"].startswith("Ankestyrelsen har undersøgt")
    assert second["decision"] == "Taget til efterretning."
    assert "Indstilling" in second["text"].split("\n\n")


def test_pages_that_are_not_lists_or_minutes_name_the_url():
    with pytest.raises(ParseError, match="moede-link"):
        al.parse_meetings(b"<html><body>Fejl</body></html>", "https://a.dk/x", AALBORG.base_url)
    link = al.MeetingLink(
        "https://a.dk/v?moedetitel=2026-01-01", "Job- og Velfærdsudvalget", "2026-01-01", "referat"
    )
    with pytest.raises(ParseError, match="N. Titel") as caught:
        al.parse_minutes_page(b"<html><h3>Referat</h3></html>", "https://a.dk/v", AALBORG, link)
    assert "https://a.dk/v" in str(caught.value)
