"""The enrichment gives the same tables in one process and in several."""

from __future__ import annotations

import multiprocessing

import pytest
import sqlite_utils

import retskilde.db.enrich
from bench.synthetic import synthetic_rows
from retskilde.db.build.schema import create_tables, insert_lookups
from retskilde.db.enrich import WORKERS_VARIABLE, _workers, enrich

TABLES = ("law_references", "citations", "document_topics", "document_municipalities")


def _enriched(workers: int) -> tuple[dict, list]:
    db = sqlite_utils.Database(memory=True)
    create_tables(db)
    insert_lookups(db)
    db["documents"].insert_all(synthetic_rows(60, seed=7))
    report = enrich(db, workers=workers)
    tables = {t: db.execute(f"select * from {t} order by rowid").fetchall() for t in TABLES}
    tables["documents"] = db.execute(
        "select id, outcome, outcome_sentence, topics, cited_laws, cited_paragraphs, "
        "mentioned_municipalities from documents order by id"
    ).fetchall()
    return tables, [report.documents, report.citations, report.outcomes, report.topics]


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="workers need fork"
)
def test_two_workers_give_exactly_the_tables_of_one():
    one, report_one = _enriched(1)
    two, report_two = _enriched(2)
    assert report_one == report_two and report_one[0] == 60
    for table in one:
        assert one[table] == two[table], table
    assert one["law_references"] and one["document_topics"]


@pytest.mark.parametrize("workers", [1, 2])
def test_small_batches_give_exactly_the_tables_of_one_batch(monkeypatch, workers):
    if workers > 1 and "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("workers need fork")
    whole, report_whole = _enriched(1)
    # 60 documents in batches of 7: the last one short, law reference numbers running on.
    monkeypatch.setattr(retskilde.db.enrich, "_BATCH", 7)
    batched, report_batched = _enriched(workers)
    assert report_batched == report_whole
    for table in whole:
        assert batched[table] == whole[table], table


def test_the_worker_count_comes_from_the_argument_or_the_environment(monkeypatch):
    monkeypatch.delenv(WORKERS_VARIABLE, raising=False)
    assert _workers(None) == 1
    assert _workers(0) == 1
    monkeypatch.setenv(WORKERS_VARIABLE, "mange")
    with pytest.raises(ValueError, match=WORKERS_VARIABLE):
        _workers(None)


@pytest.mark.parametrize("workers", [1, 2])
def test_numbered_regulations_found_in_a_worker_become_laws(workers):
    db = sqlite_utils.Database(memory=True)
    create_tables(db)
    insert_lookups(db)
    rows = synthetic_rows(4, seed=3)
    rows[0]["text"] += (
        "\n\nEfter bekendtgørelse nr. 1244 af 13. november 2017 § 3 opkræves egenbetaling."
    )
    db["documents"].insert_all(rows)
    enrich(db, workers=workers)
    assert db.execute(
        "select id, short_name from laws where id = 'bekendtgoerelse-nr-1244-2017'"
    ).fetchall() == [
        ("bekendtgoerelse-nr-1244-2017", "bekendtgørelse nr. 1244 af 13. november 2017")
    ]
    assert db.execute(
        "select count(*) from law_references where law_id not in (select id from laws)"
    ).fetchone() == (0,)
