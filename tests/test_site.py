from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from retskilde import METADATA_PATH
from retskilde.db.build import build
from retskilde.db.sqlite import sqlite3
from retskilde.site import datasette_serve_args, make_datasette
from tests.conftest import make_record, write_record


@pytest.fixture
def datasette(sample_db):
    return make_datasette(sample_db)


async def test_faceted_query_filters_and_counts(datasette, sample_db):
    response = await datasette.client.get(
        "/retskilde/documents.json?doc_type=principmeddelelse&_shape=objects&_size=max"
    )
    assert response.status_code == 200
    data = response.json()
    expected = (
        sqlite3.connect(sample_db)
        .execute(
            "select count(*), sum(status = 'historisk') from documents "
            "where doc_type = 'principmeddelelse'"
        )
        .fetchone()
    )
    assert data["filtered_table_rows_count"] == expected[0]
    assert {row["doc_type"] for row in data["rows"]} == {"principmeddelelse"}
    status_facet = {
        item["value"]: item["count"] for item in data["facet_results"]["status"]["results"]
    }
    assert status_facet["historisk"] == expected[1]
    assert set(data["facet_results"]) >= {"source", "doc_type", "year", "law_area", "municipality"}


async def test_facet_labels_come_from_lookup_tables(datasette):
    response = await datasette.client.get("/retskilde/documents.json?_facet=source")
    labels = {item["label"] for item in response.json()["facet_results"]["source"]["results"]}
    assert "Ankestyrelsen" in labels


async def test_search_finds_the_expected_documents(datasette, sample_db):
    response = await datasette.client.get(
        "/retskilde/documents.json?_search=ortopædisk&_shape=objects&_size=max"
    )
    assert response.status_code == 200
    found = {row["id"] for row in response.json()["rows"]}
    conn = sqlite3.connect(sample_db)
    expected = {
        i
        for (i,) in conn.execute(
            "select id from documents where lower(title || ' ' || coalesce(summary, '') || ' ' "
            "|| text) like '%ortopædisk%'"
        )
    }
    assert expected and found == expected


async def test_search_keeps_danish_letters_distinct(tmp_path):
    # ø and å are letters in Danish, not accents: "høreapparat" is not "horeapparat".
    corpus = tmp_path / "corpus"
    write_record(corpus, make_record(id="ast-a", text="Ansøgning om høreapparat og bil."))
    write_record(corpus, make_record(id="ast-b", text="Ansogning om horeapparat og bil."))
    build(corpus, tmp_path / "retskilde.db")
    site = make_datasette(tmp_path / "retskilde.db")
    response = await site.client.get("/retskilde/documents.json?_search=høreapparat&_shape=objects")
    assert [row["id"] for row in response.json()["rows"]] == ["ast-a"]


async def test_instance_pages_render_in_danish(datasette):
    response = await datasette.client.get("/")
    assert response.status_code == 200
    assert "Retskilde" in response.text
    table = await datasette.client.get("/retskilde/documents")
    assert table.status_code == 200
    assert "Dokumenter" in table.text


def test_every_table_and_column_is_described(sample_db):
    metadata = yaml.safe_load(METADATA_PATH.read_text(encoding="utf-8"))
    tables = metadata["databases"]["retskilde"]["tables"]
    conn = sqlite3.connect(sample_db)
    shadow = ("_data", "_idx", "_docsize", "_config", "_content")
    names = [
        name
        for (name,) in conn.execute("select name from sqlite_master where type = 'table'")
        if not name.endswith(shadow) and not name.startswith("sqlite_")
    ]
    missing = []
    for name in names:
        table = tables.get(name)
        if not table or not table.get("description"):
            missing.append(name)
            continue
        for (column,) in conn.execute(f"select name from pragma_table_info('{name}')"):
            if not table.get("columns", {}).get(column):
                missing.append(f"{name}.{column}")
    assert missing == []
    assert metadata["license"] and metadata["source"] and metadata["title"]


async def test_table_page_truncates_text_but_row_page_shows_it_whole(datasette, sample_db):
    text = (
        sqlite3.connect(sample_db)
        .execute("select text from documents where id = 'ast-principmeddelelse-12-24'")
        .fetchone()[0]
    )
    last_paragraph = text.split("\n\n")[-2]
    table = await datasette.client.get("/retskilde/documents?doc_type=principmeddelelse")
    assert last_paragraph not in table.text
    row = await datasette.client.get("/retskilde/documents/ast-principmeddelelse-12-24")
    assert row.status_code == 200
    assert last_paragraph.split(".")[0] in row.text


async def test_document_page_is_readable(datasette):
    response = await datasette.client.get("/retskilde/documents/ast-principmeddelelse-12-24")
    assert response.status_code == 200
    html = response.text
    assert "<h3>Principmeddelelsen fastslår</h3>" in html
    assert "<h3>Den konkrete sag</h3>" in html
    assert "fiktivt eksempeldokument" in html
    assert ">Principmeddelelse</a>" in html and ">Ankestyrelsen</a>" in html
    assert '<dd class="status-gaeldende">gældende</dd>' in html
    assert "<span>Hjælpemidler</span>" in html or "<span>Ortopædisk fodtøj</span>" in html


def test_paragraphs_tells_headings_from_text():
    from tests.datasette_plugins_loader import load_plugin

    module = load_plugin("retskilde_document_page")
    blocks = module.paragraphs("Den konkrete sag\n\nKommunen gav afslag.\n\n3. Bilag om § 112")
    assert blocks == [
        ("heading", "Den konkrete sag"),
        ("paragraph", "Kommunen gav afslag."),
        ("paragraph", "3. Bilag om § 112"),
    ]


async def test_researchers_can_take_the_whole_database_and_every_row_as_csv(datasette, sample_db):
    # Served immutable: the file itself is offered for download, byte for byte.
    response = await datasette.client.get("/retskilde.db")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    assert response.content == sample_db.read_bytes()
    # Every document, streamed in one CSV (the columns a journalist picks).
    response = await datasette.client.get(
        "/retskilde/documents.csv?_stream=on&_size=max&_col=title&_col=date&_col=url"
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    count = sqlite3.connect(sample_db).execute("select count(*) from documents").fetchone()[0]
    assert len(rows) == count and set(rows[0]) == {"id", "title", "date", "url"}


def test_the_served_site_is_the_immutable_database():
    args = datasette_serve_args(Path("db/retskilde.db"))
    assert args[:3] == ["serve", "-i", "db/retskilde.db"]


def _list_facets() -> list[str]:
    metadata = yaml.safe_load(METADATA_PATH.read_text(encoding="utf-8"))
    facets = metadata["databases"]["retskilde"]["tables"]["documents"]["facets"]
    return [facet["liste"] for facet in facets if isinstance(facet, dict) and "liste" in facet]


async def test_list_facets_count_the_documents_with_each_value(datasette, sample_db):
    columns = _list_facets()
    assert set(columns) >= {"topics", "keywords", "cited_laws"}
    data = (await datasette.client.get("/retskilde/documents.json?_size=0")).json()
    shown = data["facet_results"]
    conn = sqlite3.connect(sample_db)
    for column in columns:
        expected = dict(
            conn.execute(
                f"select j.value, count(distinct d.id) from documents d, json_each(d.{column}) j "
                "group by 1"
            )
        )
        facet = shown[column]
        assert facet["type"] == "liste" and facet["results"]
        for value in facet["results"]:
            assert value["count"] == expected[value["value"]]
        counts = [value["count"] for value in facet["results"]]
        assert counts == sorted(counts, reverse=True)


async def test_choosing_a_list_value_filters_and_can_be_undone(datasette):
    listing = "/retskilde/documents.json?_size=max&_shape=objects"
    data = (await datasette.client.get(listing)).json()
    first = data["facet_results"]["topics"]["results"][0]
    chosen = (
        await datasette.client.get(
            urlsplit(first["toggle_url"])._replace(scheme="", netloc="").geturl()
        )
    ).json()
    assert len(chosen["rows"]) == first["count"] < len(data["rows"])
    assert all(first["value"] in json.loads(row["topics"]) for row in chosen["rows"])
    again = [v for v in chosen["facet_results"]["topics"]["results"] if v["selected"]]
    assert again and "topics__arraycontains" not in again[0]["toggle_url"]


def test_list_facets_read_an_index_not_the_texts(sample_db):
    conn = sqlite3.connect(sample_db)
    for column in _list_facets():
        # The shape of the list facet's query (datasette_plugins/retskilde_facets.py).
        plan = conn.execute(
            "explain query plan with rows as (select * from documents) "
            f"select j.value, count(*) from rows, json_each(rows.{column}) j group by j.value"
        ).fetchall()
        assert any("COVERING INDEX" in row[-1] for row in plan), (column, plan)


async def test_the_whole_table_reads_the_counts_the_build_stored(sample_db, tmp_path):
    # A copy whose stored count for one topic is off by 1000: the unfiltered page shows the
    # stored number, a filtered page counts live.
    path = tmp_path / "retskilde.db"
    path.write_bytes(sample_db.read_bytes())
    conn = sqlite3.connect(path)
    stored = dict(
        conn.execute("select value, documents from document_list_counts where list = 'topics'")
    )
    topic, count = max(stored.items(), key=lambda item: item[1])
    conn.execute(
        "update document_list_counts set documents = documents + 1000 "
        "where list = 'topics' and value = ?",
        (topic,),
    )
    conn.commit()
    conn.close()
    site = make_datasette(path)
    whole = (await site.client.get("/retskilde/documents.json?_size=0")).json()
    shown = {v["value"]: v["count"] for v in whole["facet_results"]["topics"]["results"]}
    assert shown[topic] == count + 1000
    filtered = (await site.client.get("/retskilde/documents.json?_size=0&doc_type__not=xyz")).json()
    shown = {v["value"]: v["count"] for v in filtered["facet_results"]["topics"]["results"]}
    assert shown[topic] == count


def test_stored_list_counts_are_the_live_counts(sample_db):
    conn = sqlite3.connect(sample_db)
    for column in _list_facets():
        live = dict(
            conn.execute(
                f"select j.value, count(distinct d.rowid) from documents d, "
                f"json_each(d.{column}) j group by 1"
            )
        )
        stored = dict(
            conn.execute(
                "select value, documents from document_list_counts where list = ?", (column,)
            )
        )
        assert stored == live and stored, column


async def test_table_pages_speak_danish_around_the_data(datasette):
    page = (await datasette.client.get("/retskilde/documents")).text
    footer = page[page.index('<footer class="ft">') :]
    assert "Drevet af" in footer and "Licens:" in footer and "Kilde:" in footer
    assert "Powered by" not in page and "Data license" not in page
    facets = page[page.index('class="facet-results"') :]
    for title in ("Dokumenttype", "Emner", "Udfald", "Retsområde"):
        assert f">{title}\n" in facets or f">{title} " in facets or f">{title}<" in facets, title
    # Each value still leads to the filtered table.
    assert "topics__arraycontains=" in facets and "doc_type=" in facets
