"""The enrichment on real principmeddelelser (../shared/samples/ankestyrelsen/), held to the
targets of issue 15 against the labels written by hand in bench/enrichment_data/real/. A user's
clone has no ../shared: then these tests skip."""

from __future__ import annotations

import pytest

from bench import real_corpus
from retskilde.contract import validate_record

pytestmark = pytest.mark.skipif(
    not real_corpus.available(), reason="../shared/samples/ankestyrelsen findes ikke"
)


def test_the_real_records_map_onto_the_contract():
    records = real_corpus.real_records()
    assert len(records) >= 9
    for name, record in records.items():
        assert validate_record(record, name) == [], name


def test_decision_and_law_references_reach_the_targets():
    from bench.enrichment import evaluate_real

    scores = evaluate_real()
    decisions, laws = scores["decisions"], scores["laws"]
    assert decisions.tp + decisions.fn >= 27 and laws.tp + laws.fn >= 72  # all labels read
    assert decisions.precision >= 0.98 and decisions.recall >= 0.95, decisions.misses
    assert laws.precision >= 0.95 and laws.recall >= 0.95, laws.misses
