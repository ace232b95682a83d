from __future__ import annotations

import csv
import html
import io
import re
from urllib.parse import quote

import pytest
from datasette.plugins import pm

from retskilde.db.search import search
from retskilde.db.sqlite import sqlite3
from retskilde.site import make_datasette


@pytest.fixture
def site(search_db):
    return make_datasette(search_db)


def box_value(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page, re.S)
    assert match, f"no search box named {name}"
    return html.unescape(match.group(1))


async def test_table_search_is_analysed_and_shows_the_users_words(site):
    words = "hjemvisning fleksjobordning"
    response = await site.client.get(f"/retskilde/documents?_search={quote(words)}")
    assert response.status_code == 200
    assert box_value(response.text, "_search") == words
    data = (
        await site.client.get(f"/retskilde/documents.json?_search={quote(words)}&_shape=objects")
    ).json()
    # The note writes "hjemviste" and "fleksjobordningen": only analysis finds it.
    assert [row["id"] for row in data["rows"]] == ["aarhus-notat-hjemviste-fleksjobsager"]
    assert "søgningen matcher" in data["human_description_en"]


async def test_table_search_understands_numbers_filters_and_garbage(site):
    response = await site.client.get("/retskilde/documents.json?_search=AFG.101-17&_shape=objects")
    found = {row["id"] for row in response.json()["rows"]}
    assert "ast-principmeddelelse-101-17" in found and "ast-principmeddelelse-12-24" in found
    response = await site.client.get(
        "/retskilde/documents.json?_search=" + quote("type:notat") + "&_shape=objects"
    )
    assert {row["doc_type"] for row in response.json()["rows"]} == {"notat"}
    for garbage in ['"', "*", "OR", "NEAR(", "'; drop table documents; --"]:
        response = await site.client.get(f"/retskilde/documents?_search={quote(garbage)}")
        assert response.status_code == 200, garbage


async def test_search_page_renders_ranked_results_snippets_and_facets(site):
    query = "hjemvist fleksjob"
    response = await site.client.get(f"/-/sok?q={quote(query)}")
    assert response.status_code == 200
    page = response.text
    assert box_value(page, "q") == query
    assert "<mark>hjemviste</mark>" in page
    assert 'class="sok-facetter"' in page and "Dokumenttype" in page
    first = re.search(r'<li class="sok-hit">\s*<h2><a href="([^"]+)"', page).group(1)
    assert first == "/retskilde/documents/aarhus-notat-hjemviste-fleksjobsager"
    # A facet link narrows the query, in the URL, with the query language.
    assert "/-/sok?q=hjemvist+fleksjob+type%3Anotat" in page


async def test_search_page_json_and_csv_are_the_same_ranked_results(site, search_db):
    query = "sygedagpenge OR fleksjob OR hjælpemidler"
    conn = sqlite3.connect(search_db)
    expected = [hit.id for hit in search(conn, query, limit=50).hits]
    data = (await site.client.get(f"/-/sok.json?q={quote(query)}&_size=50")).json()
    assert [hit["id"] for hit in data["hits"]] == expected
    assert data["total"] == len(expected)
    assert {"id", "title", "doc_type", "date", "url", "snippet", "score"} <= set(data["hits"][0])
    assert data["facets"]["doc_type"]
    response = await site.client.get(f"/-/sok.csv?q={quote(query)}&_size=50")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["id"] for row in rows] == expected
    assert rows[0]["rank"] == "1"


async def test_search_page_shows_messages_not_errors(site):
    for garbage in ["", '"', "*", "OR", "-", "type:", "år:x", "😀", "a" * 3000]:
        response = await site.client.get(f"/-/sok?q={quote(garbage)}")
        assert response.status_code == 200, garbage
        data = (await site.client.get(f"/-/sok.json?q={quote(garbage)}")).json()
        assert data["hits"] or data["message"] or not garbage.strip()
    data = (await site.client.get("/-/sok.json?q=%2A")).json()
    assert data["message"].startswith("Skriv et eller flere søgeord")
    page = (await site.client.get("/-/sok?q=fleksjob+type%3Adom")).text
    assert "Typen &#39;dom&#39; kendes ikke" in page or "Typen 'dom' kendes ikke" in page


async def test_search_page_paging(site):
    first = (await site.client.get("/-/sok?q=sygedagpenge+OR+fleksjob+OR+hj%C3%A6lpemidler")).text
    assert "Næste" not in first  # fewer than a page
    response = await site.client.get("/-/sok?q=fleksjob&side=abc")
    assert response.status_code == 200


async def test_front_page_is_the_search(site):
    response = await site.client.get("/")
    assert response.status_code == 200
    assert 'action="/-/sok"' in response.text and 'name="q"' in response.text
    assert "Retskilde" in response.text


@pytest.mark.parametrize("query", ["sygedagpenge OR fleksjob", "hjælpemidler xyzzyord", "år:2020"])
async def test_json_facets_are_the_facets_of_the_search(site, search_db, query):
    # The site counts the facets beside the ranking, on another connection.
    expected = search(sqlite3.connect(search_db), query, limit=10)
    data = (await site.client.get(f"/-/sok.json?q={quote(query)}")).json()
    assert data["total"] == expected.total and data["relaxed"] == expected.relaxed
    assert data["facets"] == expected.to_dict()["facets"]
    assert data["facets"]["doc_type"]
    plugin = next(p for p in pm.get_plugins() if hasattr(p, "_parallel_reader"))
    assert str(search_db) in plugin._readers  # counted by the helper threads of this file


async def test_a_database_without_the_index_gets_a_message(tmp_path):
    path = tmp_path / "retskilde.db"
    conn = sqlite3.connect(path)
    conn.execute("create table documents (id text primary key, title text)")
    conn.commit()
    conn.close()
    site = make_datasette(path)
    for url in ("/-/sok.json?q=fleksjob", "/-/sok?q=fleksjob"):
        response = await site.client.get(url)
        assert response.status_code == 200, url
        assert "retskilde build" in response.text
