"""Newest first: the same matches as by relevance, in date order; the search's Atom feed; the
order kept by the site's links and offered by the CLI."""

from __future__ import annotations

import json
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from retskilde.cli import cli
from retskilde.db.search import MAX_LIMIT, NEWEST, search
from retskilde.db.sqlite import sqlite3
from retskilde.feed import ATOM, Entry, atom_feed
from retskilde.site import make_datasette

NS = {"a": ATOM}
QUERIES = ["fleksjob", "hjemvist OR afvist", "type:principmeddelelse", "sygedagpenge -fleksjob"]


@pytest.fixture(scope="module")
def conn(sample_db):
    connection = sqlite3.connect(f"file:{sample_db}?mode=ro", uri=True)
    yield connection
    connection.close()


def _newest_first_key(conn, ids: list[str]) -> list[tuple]:
    dates = dict(conn.execute("select id, date from documents"))
    # Newest first; undated last; ties by id.
    return sorted(ids, key=lambda i: (dates[i] is None, _negate(dates[i]), i))


def _negate(date: str | None) -> tuple:
    return tuple(-ord(c) for c in date) if date else ()


@pytest.mark.parametrize("query", QUERIES)
def test_newest_first_finds_the_same_documents_in_date_order(conn, query):
    by_relevance = search(conn, query, limit=MAX_LIMIT)
    newest = search(conn, query, limit=MAX_LIMIT, order=NEWEST)
    assert newest.total == by_relevance.total > 0
    ids = [hit.id for hit in newest.hits]
    assert sorted(ids) == sorted(hit.id for hit in by_relevance.hits)
    assert ids == _newest_first_key(conn, ids)
    assert newest.facets == by_relevance.facets and newest.order == NEWEST


def test_newest_first_pages_follow_on(conn):
    whole = [hit.id for hit in search(conn, "fleksjob OR hjemvist", limit=42, order=NEWEST).hits]
    paged = [
        hit.id
        for offset in range(0, 42, 7)
        for hit in search(conn, "fleksjob OR hjemvist", limit=7, offset=offset, order=NEWEST).hits
    ]
    assert paged == whole


def test_without_words_newest_first_lists_every_document_but_garbage_gets_the_message(conn):
    everything = search(conn, "", limit=MAX_LIMIT, order=NEWEST)
    assert everything.total == conn.execute("select count(*) from documents").fetchone()[0]
    assert everything.message is None and everything.hits
    for garbage in ["*", '"', "OR"]:
        result = search(conn, garbage, order=NEWEST)
        assert result.hits == [] and "Skriv et eller flere søgeord" in result.message
    # By relevance nothing is ranked without words.
    assert search(conn, "").hits == []


def test_an_unknown_order_is_relevance(conn):
    assert (
        search(conn, "fleksjob", order="tilfældig").to_dict() == search(conn, "fleksjob").to_dict()
    )


def test_atom_feed_is_well_formed_with_escaped_snippets_and_dates():
    entries = [
        Entry(
            "https://eksempel.invalid/a",
            "Afgørelse & begrundelse",
            "https://retskilde.invalid/retskilde/documents/a",
            "https://eksempel.invalid/a",
            "2024-05-01",
            "…sagen blev <mark>hjemvist</mark> …",
            "Ankestyrelsen",
            "Principmeddelelse",
        ),
        Entry(
            "urn:x-b", "Uden dato", "https://r.invalid/b", "urn:x-b", None, "", "STAR", "Analyse"
        ),
    ]
    root = ET.fromstring(
        atom_feed("Retskilde: hjemvist", "https://r.invalid/f", "https://r.invalid/p", entries)
    )
    assert root.tag == f"{{{ATOM}}}feed"
    assert root.findtext("a:updated", namespaces=NS) == "2024-05-01T00:00:00Z"
    first, second = root.findall("a:entry", NS)
    assert first.findtext("a:title", namespaces=NS) == "Afgørelse & begrundelse"
    summary = first.find("a:summary", NS)
    assert summary.get("type") == "html" and summary.text == "…sagen blev <mark>hjemvist</mark> …"
    assert first.findtext("a:published", namespaces=NS) == "2024-05-01T00:00:00Z"
    assert second.find("a:published", NS) is None and second.findtext("a:updated", namespaces=NS)
    for entry in (first, second):
        assert (
            entry.findtext("a:id", namespaces=NS) and entry.find("a:author/a:name", NS) is not None
        )


@pytest.fixture
def site(sample_db):
    return make_datasette(sample_db)


async def test_the_feed_of_a_search_lists_its_newest_matches(site, conn):
    response = await site.client.get(f"/-/sok.atom?q={quote('fleksjob')}&_size=5")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    expected = search(conn, "fleksjob", limit=5, order=NEWEST).hits
    entries = root.findall("a:entry", NS)
    assert [e.findtext("a:id", namespaces=NS) for e in entries] == [hit.url for hit in expected]
    assert root.findtext("a:title", namespaces=NS).endswith("fleksjob")
    # Each entry links to its page on the site, which answers.
    link = entries[0].find("a:link[@rel='alternate']", NS).get("href")
    assert urlsplit(link).scheme in ("http", "https")
    assert (await site.client.get(urlsplit(link).path)).status_code == 200


async def test_the_feed_without_words_and_with_garbage(site, conn):
    root = ET.fromstring((await site.client.get("/-/sok.atom")).content)
    entries = root.findall("a:entry", NS)
    count = conn.execute("select count(*) from documents").fetchone()[0]
    assert len(entries) == min(20, count)
    assert root.findtext("a:title", namespaces=NS).endswith("nyeste dokumenter")
    newest = conn.execute("select max(date) from documents").fetchone()[0]
    assert root.findtext("a:updated", namespaces=NS) == f"{newest}T00:00:00Z"
    root = ET.fromstring((await site.client.get(f"/-/sok.atom?q={quote('NEAR(')}")).content)
    assert root.findall("a:entry", NS) == [] or root.findtext("a:subtitle", namespaces=NS)


async def test_the_search_page_offers_both_orders_and_keeps_the_chosen_one(sample_db):
    site = make_datasette(sample_db)  # enough matches for a second page
    page = (await site.client.get("/-/sok?q=fleksjob")).text
    assert 'type="application/atom+xml"' in page and "/-/sok.atom?q=fleksjob" in page
    assert "<strong>bedste match</strong>" in page and "/-/sok?q=fleksjob&amp;sort=nyeste" in page
    page = (await site.client.get("/-/sok?q=fleksjob&sort=nyeste")).text
    assert "<strong>nyeste først</strong>" in page
    assert 'name="sort" value="nyeste"' in page  # a new search in the box keeps the order
    assert "sort=nyeste&amp;side=2" in page  # so does the next page
    assert "fleksjob+type%3A" in page and "&amp;sort=nyeste" in page.split("sok-facetter")[1]
    data = (await site.client.get("/-/sok.json?q=fleksjob&sort=nyeste&_size=50")).json()
    dates = [hit["date"] for hit in data["hits"] if hit["date"]]
    assert data["order"] == "nyeste" and dates == sorted(dates, reverse=True)


def test_cli_sorts_newest_first(sample_db):
    result = CliRunner().invoke(
        cli, ["search", "fleksjob", "--db", str(sample_db), "--sort", "nyeste", "--json"]
    )
    assert result.exit_code == 0, result.output
    dates = [hit["date"] for hit in json.loads(result.output)]
    assert dates == sorted(dates, reverse=True) and len(dates) == 10
