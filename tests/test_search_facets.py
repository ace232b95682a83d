"""The facet counts beside a search are the counts of the matching documents, facet by facet."""

from __future__ import annotations

from collections import Counter

import pytest

from retskilde.db.search import FACET_FIELDS, MAX_LIMIT, search
from retskilde.db.sqlite import sqlite3

QUERIES = [
    "hjælpemidler OR fleksjob OR sygedagpenge",
    "afgørelse",
    "kommune",
    "hjemvist type:principmeddelelse",
    "borger -fleksjob",
    "år:2015-2024",
]


@pytest.fixture(scope="module", params=["sample_db", "search_db"])
def conn(request):
    # Two databases in one process: the combinations cached for one never count the other.
    path = request.getfixturevalue(request.param)
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    yield connection
    connection.close()


def _counted_by_hand(conn, ids: list[str]) -> dict[str, Counter]:
    marks = ", ".join("?" for _ in ids)
    expected: dict[str, Counter] = {}
    for column in FACET_FIELDS:
        rows = conn.execute(
            f"select {column}, count(*) from documents where id in ({marks}) "
            f"and {column} is not null group by 1",
            ids,
        )
        expected[column] = Counter({str(value): count for value, count in rows})
    rows = conn.execute(
        "select topic_id, count(distinct document_id) from document_topics "
        f"where document_id in ({marks}) group by 1",
        ids,
    )
    expected["topic"] = Counter(dict(rows))
    return expected


@pytest.mark.parametrize("query", QUERIES)
def test_every_facet_counts_exactly_the_matching_documents(conn, query):
    result = search(conn, query, limit=MAX_LIMIT)
    assert result.total <= MAX_LIMIT and len(result.hits) == result.total
    if not result.total:
        pytest.skip(f"{query!r} finder intet i denne database")
    expected = _counted_by_hand(conn, [hit.id for hit in result.hits])
    found = {
        column: Counter({v.value: v.count for v in values})
        for column, values in result.facets.items()
    }
    assert {c: n for c, n in found.items() if n} == {c: n for c, n in expected.items() if n}


def test_facet_values_are_ordered_and_labelled(conn):
    facets = search(conn, "afgørelse OR fleksjob OR sygedagpenge").facets
    years = [int(v.value) for v in facets["year"]]
    assert years == sorted(years, reverse=True)
    counts = [v.count for v in facets["doc_type"]]
    assert counts == sorted(counts, reverse=True)
    labels = {v.value: v.label for v in facets["source"]}
    assert labels["ast"] == "Ankestyrelsen"


def test_a_second_search_on_the_same_connection_counts_afresh(conn):
    first = search(conn, "fleksjob").facets["doc_type"]
    second = search(conn, "sygedagpenge").facets["doc_type"]
    assert first != second
    assert search(conn, "fleksjob").facets["doc_type"] == first


def test_the_ranking_table_orders_ties_newest_first_then_by_id(conn):
    rows = conn.execute(
        "select d.id, d.date, d.status, r.recency, r.historisk, r.facet_key, a.facet_key "
        "from documents d join search_rank r on r.doc_rowid = d.rowid "
        "join search_attributes a on a.doc_rowid = d.rowid"
    ).fetchall()
    assert len(rows) == conn.execute("select count(*) from documents").fetchone()[0]
    by_recency = [row[0] for row in sorted(rows, key=lambda row: row[3])]
    dated = sorted((row for row in rows if row[1]), key=lambda row: row[0])
    dated.sort(key=lambda row: row[1], reverse=True)
    undated = sorted(row[0] for row in rows if not row[1])
    assert by_recency == [row[0] for row in dated] + undated
    assert all(row[4] == (row[2] == "historisk") for row in rows)
    assert all(row[5] == row[6] for row in rows)
    assert any(row[4] for row in rows)
    recency = dict(conn.execute("select doc_rowid, recency from search_attributes"))
    assert recency == dict(conn.execute("select doc_rowid, recency from search_rank"))
