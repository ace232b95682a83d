"""Formpipe Meetings+: overview, committee and meeting pages, and the minutes PDF's items."""

from __future__ import annotations

import hashlib
from dataclasses import asdict

import pytest

from retskilde.contract import validate_record
from retskilde.scrapers import meetingsplus as mp
from retskilde.scrapers.agenda import ParseError
from retskilde.scrapers.kommuner import kommune_for
from retskilde.scrapers.pdftext import pdf_paragraphs
from tests.scrapers.platforms import FETCHED_AT, HERE, expected, expected_path, recorded

BILLUND = kommune_for("Billund")
FOLDER = HERE / "meetingsplus"
MEETING_PAGE = FOLDER / "arbejdsmarkedsudvalget-2025-11-24.html"
MINUTES = FOLDER / "arbejdsmarkedsudvalget-2025-11-24-referat.pdf"


def test_every_recorded_page_has_its_expected_result():
    pages = recorded("meetingsplus")
    assert {p.suffix for p in pages} == {".html", ".pdf"}
    assert all(expected_path(p).exists() for p in pages)


def test_overview_lists_every_committees_meetings_with_their_ids():
    path = FOLDER / "oversigt.html"
    want = expected(path)
    meetings = mp.parse_overview(path.read_bytes(), want["url"])
    assert [asdict(m) for m in meetings] == want["meetings"]
    assert [m.id for m in meetings] == ["48211", "48215", "48230"]


def test_committee_page_reads_the_day_from_text_or_aria_label():
    path = FOLDER / "udvalg-arbejdsmarkedsudvalget.html"
    want = expected(path)
    meetings = mp.parse_committee_page(path.read_bytes(), want["url"])
    assert [asdict(m) for m in meetings] == want["meetings"]
    assert [m.date for m in meetings] == ["2025-11-24", "2025-10-27"]  # "Alle møder" is none


def test_meeting_page_gives_the_minutes_items_and_the_pdf_to_download():
    want = expected(MEETING_PAGE)
    page = mp.parse_meeting_page(MEETING_PAGE.read_bytes(), want["url"])
    assert [asdict(i) for i in page.items] == want["items"]
    assert page.minutes_out and page.minutes_url == want["minutes_url"]
    assert page.minutes_url.endswith("downloadMode=download")
    # Billund's "D - "/"O - " marks are no part of a title; a "Bilag" heading is no item.
    assert [i.title[:9] for i in page.items] == ["Godkendel", "Ankestyre", "Lukket pu"]
    assert [i.number for i in page.items] == ["1", "2", "3"]


def _meeting(minutes: bool = True):
    want = expected(MINUTES)
    page = mp.parse_meeting_page(MEETING_PAGE.read_bytes(), want["url"])
    pdf = MINUTES.read_bytes()
    paragraphs = pdf_paragraphs(pdf, page.minutes_url) if minutes else None
    link = mp.MeetingLink(**want["meeting"])
    return want, mp.parse_meeting(
        page, want["url"], BILLUND, link, paragraphs, pdf, fetched_at=FETCHED_AT
    )


def test_minutes_pdf_gives_exactly_the_expected_records():
    want, result = _meeting()
    assert result.records == want["records"]
    assert result.closed == want["closed"] == ["billund-arbejdsmarkedsudvalget-2025-11-24-punkt-3"]
    for record in result.records:
        assert validate_record(record) == []
        assert record["sha256"] == hashlib.sha256(MINUTES.read_bytes()).hexdigest()
        assert "eksempel" in record["text"].lower()
        assert "Billund Kommune - Referat" not in record["text"]  # the page head of the PDF
        assert record["url"].endswith(f"#id_{record['item_number']}")
    second = result.records[1]
    assert second["summary"].startswith("Ankestyrelsen har offentliggjort")
    assert second["decision"].startswith("Taget til efterretning")
    assert second["case_number"] == "25/11877"


def test_without_minutes_the_items_are_empty_never_invented():
    _, result = _meeting(minutes=False)
    assert result.records == []
    assert [i.rsplit("-", 1)[-1] for i in result.empty] == ["1", "2"]


@pytest.mark.parametrize(
    ("reader", "content", "reason"),
    [
        (mp.parse_meeting_page, b"<html><body>Ingen adgang</body></html>", "agendaTabContent"),
        (mp.parse_meeting_page, b"<div id='agendaTabContent'></div>", "meeting-item-row"),
        (mp.parse_committee_page, b"<html><h1>Udvalg</h1></html>", "committeesRecentContent"),
        (mp.parse_overview, b"<html><body>Vedligeholdelse</body></html>", "meeting-list-item"),
    ],
)
def test_pages_that_are_not_what_was_asked_for_name_the_url(reader, content, reason):
    with pytest.raises(ParseError, match=reason) as caught:
        reader(content, "https://billund.meetingsplus.dk/x")
    assert "https://billund.meetingsplus.dk/x" in str(caught.value)
