"""The first page is full (issue 15): when fewer than ten documents have every word, the page
goes on with the documents that have most of them, marked, after the exact matches."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from click.testing import CliRunner

from retskilde.cli import cli
from retskilde.db.search import FILL_TO, search
from retskilde.db.sqlite import sqlite3
from tests.test_search_site import site  # noqa: F401 (fixture)

QUERY = "sygedagpenge lægebehandling"  # two documents have both words


@pytest.fixture(scope="module")
def conn(search_db):
    connection = sqlite3.connect(f"file:{search_db}?mode=ro", uri=True)
    yield connection
    connection.close()


def test_exact_matches_first_then_documents_with_some_of_the_words(conn):
    exact = search(conn, QUERY, limit=50)
    assert exact.total == 2 and not any(h.partial for h in exact.hits)
    filled = search(conn, QUERY, limit=10, fill=True)
    assert [h.id for h in filled.hits[:2]] == [h.id for h in exact.hits]
    assert not any(h.partial for h in filled.hits[:2])
    # Every document with one of the words, as far as the page reaches.
    some = {h.id for h in search(conn, "sygedagpenge OR lægebehandling", limit=200).hits}
    assert len(some) > 2
    assert len(filled.hits) == min(FILL_TO, len(some)) and all(h.partial for h in filled.hits[2:])
    assert {h.id for h in filled.hits} <= some
    assert filled.exact_total == 2 and filled.total == len(some)
    assert "Kun 2 dokumenter indeholder alle ordene" in filled.notes[-1]


def test_documents_with_more_of_the_words_come_before_those_with_fewer(conn):
    query = "sygedagpenge lægebehandling revurdering"
    filled = search(conn, query, limit=30, fill=True)
    counts = []
    for hit in filled.hits:
        words = [
            w for w in query.split() if hit.id in {h.id for h in search(conn, w, limit=200).hits}
        ]
        counts.append(len(words))
    assert counts == sorted(counts, reverse=True)
    assert counts[0] == 3 or filled.exact_total == 0


def test_pages_of_a_filled_search_follow_each_other(conn):
    whole = search(conn, QUERY, limit=30, fill=True)
    first = search(conn, QUERY, limit=1, offset=0, fill=True)
    second = search(conn, QUERY, limit=2, offset=1, fill=True)
    third = search(conn, QUERY, limit=2, offset=3, fill=True)
    paged = first.hits + second.hits + third.hits
    assert [h.id for h in paged] == [h.id for h in whole.hits[:5]]
    assert first.total == second.total == third.total == whole.total


def test_no_fill_when_enough_documents_have_every_word_or_the_order_is_newest(conn):
    newest = search(conn, QUERY, limit=10, fill=True, order="nyeste")
    assert newest.total == 2 and not any(h.partial for h in newest.hits)


async def test_site_marks_the_documents_with_some_of_the_words(site):  # noqa: F811
    page = (await site.client.get(f"/-/sok?q={quote(QUERY)}")).text
    assert page.count('<span class="sok-delvis">matcher nogle af ordene</span>') >= 1
    first_mark = page.index('<span class="sok-delvis">')
    assert page.count('<li class="sok-hit">', 0, first_mark) == 3  # after the two exact ones
    data = (await site.client.get(f"/-/sok.json?q={quote(QUERY)}")).json()
    assert [h["partial"] for h in data["hits"][:3]] == [False, False, True]
    assert data["exact_total"] == 2 and data["total"] > 2
    feed = (await site.client.get(f"/-/sok.atom?q={quote(QUERY)}")).text
    assert feed.count("<entry>") == 2  # the feed lists the newest exact matches only


def test_cli_marks_them_too(search_db):
    result = CliRunner().invoke(cli, ["search", QUERY, "--db", str(search_db)])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line[:3].strip().rstrip(".").isdigit()]
    assert not lines[0].endswith("[matcher nogle af ordene]")
    assert lines[-1].endswith("[matcher nogle af ordene]")
    as_json = CliRunner().invoke(cli, ["search", QUERY, "--db", str(search_db), "--json"])
    import json

    hits = json.loads(as_json.stdout if hasattr(as_json, "stdout") else as_json.output)
    assert "partial" not in hits[0] and hits[-1]["partial"] is True
