"""Discovery on each platform with the network behind a recorded `get` (url → bytes)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from retskilde.scrapers import aabendagsorden as ad
from retskilde.scrapers import aalborg as al
from retskilde.scrapers import kkdk
from retskilde.scrapers import meetingsplus as mp
from retskilde.scrapers.agenda import ParseError
from retskilde.scrapers.kommuner import kommune_for
from tests.scrapers.platforms import HERE


class Recorded:
    """A `get` that answers from a table and remembers what was asked."""

    def __init__(self, answers: dict[str, bytes] | None = None, answer=None):
        self.answers = answers or {}
        self.answer = answer
        self.asked: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.asked.append(url)
        if self.answer is not None:
            return self.answer(url)
        return self.answers[url]


def test_aaben_dagsorden_splits_full_windows_until_every_meeting_is_found():
    syddjurs = kommune_for("Syddjurs")
    # 30 meetings a day for 20 days: any window over one day hits the cap of 50.
    days = [date(2025, 3, 1) + timedelta(days=n) for n in range(20)]
    meetings = [
        {
            "meetingId": f"{d:%m%d}{n:02d}",
            "date": f"{d}T10:00:00",
            "committeeName": "Socialudvalget",
        }
        for d in days
        for n in range(30)
    ]

    def search(url: str) -> bytes:
        query = parse_qs(urlparse(url).query)
        first, last = (
            date(*reversed([int(p) for p in query[key][0].split("/")]))
            for key in ("fromDate", "toDate")
        )
        hits = [m for m in meetings if first <= date.fromisoformat(m["date"][:10]) <= last]
        shown = hits[: ad.RESULT_CAP]
        return json.dumps({"numberOfResults": len(hits), "meetings": shown}).encode()

    get = Recorded(answer=search)
    found = ad.discover_meetings(get, syddjurs, days[0], days[-1])
    assert len(found) == len(meetings) == len({m.id for m in found})
    assert all("/" in parse_qs(urlparse(u).query)["fromDate"][0] for u in get.asked)  # dd/mm/yyyy
    assert found[0].date == "2025-03-20"  # newest first


def test_kk_follows_links_next_and_stops_at_the_last_page_or_a_loop():
    first, second = (HERE / "kk" / f"agenda-elementer-side-{n}.json" for n in (1, 2))
    start = kkdk.agenda_elements_url("https://www.kk.dk", date(2025, 12, 1), date(2026, 1, 1))
    second_url = json.loads(first.read_text("utf-8"))["links"]["next"]["href"]
    get = Recorded({start: first.read_bytes(), second_url: second.read_bytes()})
    elements = kkdk.discover_elements(get, "https://www.kk.dk", date(2025, 12, 1), date(2026, 1, 1))
    assert get.asked == [start, second_url]
    assert [(e.committee[:6], e.number, e.kind) for e in elements] == [
        ("Social", "1", "referat"),
        ("Social", "2", "referat"),
        ("Beskæf", "4", "dagsorden"),
        ("Beskæf", "3", "dagsorden"),
    ]
    looping = json.loads(second.read_text("utf-8"))
    looping["links"]["next"] = {"href": start}
    get = Recorded({start: first.read_bytes(), second_url: json.dumps(looping).encode()})
    kkdk.discover_elements(get, "https://www.kk.dk", date(2025, 12, 1), date(2026, 1, 1))
    assert get.asked == [start, second_url]


def test_meetings_plus_joins_the_overview_and_the_committee_pages():
    base = "https://billund.meetingsplus.dk"
    get = Recorded(
        {
            mp.overview_url(base): (HERE / "meetingsplus" / "oversigt.html").read_bytes(),
            mp.committee_url(base, "arbejdsmarkedsudvalget"): (
                HERE / "meetingsplus" / "udvalg-arbejdsmarkedsudvalget.html"
            ).read_bytes(),
        }
    )
    meetings = mp.discover_meetings(get, base, ("arbejdsmarkedsudvalget",))
    assert [m.date for m in meetings] == ["2026-01-12", "2025-11-25", "2025-11-24", "2025-10-27"]
    # The overview's entry (with its id) wins over the committee page's for the same meeting.
    assert next(m for m in meetings if m.date == "2025-11-24").id == "48211"


def test_aalborg_asks_every_known_committee_and_needs_ids():
    aalborg = kommune_for("Aalborg")
    listing = (HERE / "aalborg" / "moeder-job-og-velfaerdsudvalget.html").read_bytes()
    get = Recorded(
        answer=lambda url: listing if url.endswith("=31") else b"<a class='moede-link'></a>"
    )
    meetings = al.discover_meetings(get, aalborg)
    assert len(get.asked) == len(aalborg.settings["udvalg_ids"])
    assert [m.date for m in meetings] == ["2026-03-12", "2026-02-12"]
    with pytest.raises(ParseError, match="udvalg_ids"):
        al.discover_meetings(get, replace(aalborg, settings={}))
