"""The platform-neutral agenda model: items from meeting documents, closed items, decisions."""

from __future__ import annotations

import pytest

from retskilde.scrapers import agenda
from retskilde.scrapers.kommuner import kommune_for

MINUTES = [
    "Referat",
    "Indholdsfortegnelse",
    "1. Godkendelse af dagsorden 2",
    "2. Kvalitetsstandard for hjemmehjælp 2",
    "Underskriftsside 4",
    "1. Godkendelse af dagsorden",
    "Sagsnr.: 25/100",
    "Beslutning",
    "Godkendt.",
    "2. Kvalitetsstandard for hjemmehjælp",
    "Sagsnr. i ESDH:",
    "25/101",
    "Indstilling",
    "Direktøren indstiller, at",
    "1. At kvalitetsstandarden godkendes,",
    "3. At den sendes i høring hos Ældrerådet.",
    "Beslutning i Social- og Sundhedsudvalget den 02-12-2025",
    "Godkendt.",
    "Fraværende: Medlem A (eksempel)",
    "Underskriftsside",
    "Medlem B",
]


def test_items_from_a_meeting_document():
    items = agenda.items_from_paragraphs(MINUTES)
    assert [(i.number, i.title, i.case_number) for i in items] == [
        ("1", "Godkendelse af dagsorden", "25/100"),
        ("2", "Kvalitetsstandard for hjemmehjælp", "25/101"),
    ]
    second = {s.heading: s.paragraphs for s in items[1].sections}
    # A numbered point of the indstilling, even one with the next item's number, is no item.
    assert second["Indstilling"] == (
        "Direktøren indstiller, at",
        "1. At kvalitetsstandarden godkendes,",
        "3. At den sendes i høring hos Ældrerådet.",
    )
    assert second["Beslutning i Social- og Sundhedsudvalget den 02-12-2025"] == ("Godkendt.",)
    assert second["Fraværende"] == ("Medlem A (eksempel)",)
    assert "Medlem B" not in str(items)  # the signature page


def test_known_titles_pick_the_item_starts():
    items = agenda.items_from_paragraphs(MINUTES, {"2": "Kvalitetsstandard for hjemmehjælp"})
    assert [i.number for i in items] == ["2"]


@pytest.mark.parametrize(
    ("title", "is_open", "closed"),
    [
        ("Orientering fra borgmesteren - (FOR LUKKEDE DØRE)", True, True),
        ("Personsag (lukket punkt)", None, True),
        ("Lukket: Ejendomshandel", True, True),
        ("Lukket afdeling genåbnes", True, False),
        ("Lukket afdeling genåbnes", None, True),
        ("Budget 2026", False, True),
        ("Budget 2026", None, False),
    ],
)
def test_closed_items(title, is_open, closed):
    assert agenda.is_closed(title, is_open) is closed


def _item(*headings: str) -> agenda.Item:
    sections = tuple(agenda.Section(h, (f"tekst under {h}",), "") for h in headings)
    return agenda.Item("1", "Punkt", None, sections, (), True)


def test_the_decision_is_this_meetings_else_the_last():
    meeting = agenda.Meeting(kommune_for("hvidovre"), "m", "Økonomiudvalget", "2026-03-23")
    both = _item(
        "Beslutning i Økonomiudvalget den 23-03-2026",
        "Beslutning i Kommunalbestyrelsen den 31-03-2026",
    )
    assert (
        agenda.decision_of(both, meeting)
        == "tekst under Beslutning i Økonomiudvalget den 23-03-2026"
    )
    earlier = _item(
        "Beslutning i Socialudvalget den 09-03-2026", "Beslutning i Børneudvalget den 10-03-2026"
    )
    assert agenda.decision_of(earlier, meeting).endswith("Børneudvalget den 10-03-2026")
    assert agenda.decision_of(_item("Beslutningstema", "Indstilling"), meeting) is None
    assert agenda.summary_of(_item("Resumé", "Beslutningstema")) == "tekst under Resumé"
