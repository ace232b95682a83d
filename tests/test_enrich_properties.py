"""Property-based tests for the citation parser: no crash, no runaway time, round trip."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from retskilde.db.enrich import analyse
from retskilde.db.enrich.decisions import find_decisions
from retskilde.db.enrich.lawrefs import LawRef, canonical, find_refs, parse
from retskilde.db.enrich.laws import registry

# Generous: catastrophic backtracking takes minutes, linear parsing takes milliseconds.
NO_HANG = settings(deadline=timedelta(seconds=3), max_examples=150)

FRAGMENTS = [
    "§",
    "§§",
    " ",
    "\n",
    "\n\n",
    ",",
    ".",
    ":",
    "-",
    "–",
    "og",
    "eller",
    "stk.",
    "stk",
    "nr.",
    "pkt.",
    "2.",
    "i",
    "a",
    "jf.",
    "lovens",
    "servicelovens",
    "SEL",
    "LAB",
    "lov om social service",
    "principmeddelelse",
    "AFG.",
    "SM",
    "C-",
    "Kasserede:",
    "erstattet af",
    "Aarhus Kommune",
    "Ankestyrelsen",
    "hjemviste",
    "Resultatet er:",
]
legal_noise = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.integers(0, 2000).map(str), st.text(max_size=3)),
    max_size=400,
).map(" ".join)


@NO_HANG
@given(st.text(max_size=3000))
def test_parser_never_crashes_on_any_text(text):
    for found in find_refs(text):
        assert found.ref.paragraph
        assert 0 <= found.start <= found.end <= len(text)


@NO_HANG
@given(legal_noise)
def test_whole_analysis_never_crashes_on_legal_looking_noise(text):
    result = analyse({"id": "x", "title": "", "text": text, "doc_type": "principmeddelelse"})
    for found in result.law_refs:
        assert canonical(found.ref)
    for ref in result.decisions:
        assert ref.kind in {"cites", "replaces", "replaced_by"}


REPEATED_UNITS = [
    "§ ",
    "§ 1, stk. ",
    "§ 1, stk. 1, 2, ",
    "1-",
    "stk. 1, ",
    "§§ 1 og ",
    "principmeddelelse 1-11, ",
    "Kasserede: 1-11: x. ",
    "Ankestyrelsen hjemviste sagen, ",
    "servicelovens lovens § 1 ",
    "Efter serviceloven jf. § 1. ",
    "Aarhus Kommune og ",
]


@settings(deadline=timedelta(seconds=3), max_examples=40)
@given(st.integers(1, 4000), st.sampled_from(REPEATED_UNITS))
def test_long_repetitive_input_finishes(count, unit):
    # One sentence with thousands of references: quadratic work here would take minutes.
    text = unit * count
    find_refs(text)
    find_decisions(text)
    analyse({"id": "x", "title": "", "text": text, "doc_type": "principmeddelelse"})


law_ids = st.sampled_from(sorted(registry().laws))
letters = st.sampled_from(["", "a", "b", "c", "d", "e", "f", "g", "h", "k"])


@st.composite
def law_refs(draw):
    number = draw(st.integers(1, 999))
    letter = draw(letters)
    paragraph = f"{number} {letter}" if letter else str(number)
    stk = draw(st.none() | st.integers(1, 20))
    nr = draw(st.none() | st.integers(1, 40))
    return LawRef(draw(st.none() | law_ids), paragraph, stk, nr)


@NO_HANG
@given(law_refs())
def test_canonical_form_round_trips(ref):
    assert parse(canonical(ref)) == [ref]


@NO_HANG
@given(law_refs(), st.sampled_from(["Efter ", "jf. ", "Det følger af ", ""]))
def test_canonical_form_round_trips_inside_a_sentence(ref, lead):
    assert parse(f"{lead}{canonical(ref)}, og det er afgørende.") == [ref]
