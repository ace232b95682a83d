"""The search with the enrichment tables the legal-enrichment stage creates (agreed names).

The tables are added by hand here, with the agreed columns, so the search is tested against
them before the enrichment stage exists on this branch.
"""

from __future__ import annotations

import shutil

import pytest

from retskilde.db.build import attributes
from retskilde.db.search import search
from retskilde.db.sqlite import sqlite3
from retskilde.site import make_datasette

ENRICHMENT = """
create table topics (id text primary key, label text, description text);
create table document_topics (document_id text, topic_id text, rule text, evidence text);
create table laws (id text primary key, title text, short_name text, abbreviations text);
create table law_references (id integer primary key, document_id text, law_id text,
    paragraph text, stk integer, nr integer, canonical text, raw text);
create table citations (citing_id text, cited_number text, cited_id text, kind text, raw text);
update documents set outcome = null;
insert into topics values ('udskiftning-af-hjaelpemidler', 'Udskiftning af hjælpemidler', ''),
    ('fleksjob', 'Fleksjob', '');
insert into document_topics values
    ('ast-principmeddelelse-12-24', 'udskiftning-af-hjaelpemidler', 'r', 'e'),
    ('aarhus-notat-hjemviste-fleksjobsager', 'fleksjob', 'r', 'e');
insert into laws values ('serviceloven', 'Lov om social service', 'Serviceloven', '["SEL"]'),
    ('sygedagpengeloven', 'Lov om sygedagpenge', 'Sygedagpengeloven', '["SDL"]');
insert into law_references (document_id, law_id, paragraph, stk, canonical, raw) values
    ('ast-principmeddelelse-12-24', 'serviceloven', '112', 1, 'serviceloven § 112, stk. 1', 'x'),
    ('organisation-hoeringssvar-hjaelpemidler', 'serviceloven', '112', null,
     'serviceloven § 112', 'x');
insert into citations values
    ('aalborg-dagsorden-sygedagpenge', '101-17', 'ast-principmeddelelse-101-17', 'cites', 'x');
update documents set outcome = 'hjemvist'
    where id in ('ast-principmeddelelse-101-17', 'ast-principmeddelelse-12-24');
update documents set outcome = 'stadfæstet' where id = 'ast-principmeddelelse-5-14';
"""


@pytest.fixture(scope="module")
def enriched(search_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("enriched") / "retskilde.db"
    shutil.copy(search_db, path)
    conn = sqlite3.connect(path)
    # The build now fills these from the fixture corpus; replace them with the hand-made rows
    # so the expectations below stay exact.
    conn.executescript(
        "drop view if exists replacements;"
        + "".join(
            f"drop table if exists {name};"
            for name in ("document_topics", "topics", "law_references", "laws", "citations")
        )
    )
    conn.executescript(ENRICHMENT)
    # The search's copy of document_topics, made again as the build makes it.
    conn.executescript(
        "update search_rank set topic_key = 0; update search_attributes set topic_key = 0;"
        "delete from search_topic_sets;"
    )
    attributes.fill_topics(conn)
    attributes.finish_keys(conn)
    conn.commit()
    conn.close()
    return path


@pytest.fixture
def conn(enriched):
    connection = sqlite3.connect(enriched)
    yield connection
    connection.close()


def ids(conn, query):
    return [hit.id for hit in search(conn, query, limit=50).hits]


def test_emne_uses_the_topic_tables(conn):
    assert ids(conn, 'emne:"Udskiftning af hjælpemidler"') == ["ast-principmeddelelse-12-24"]
    assert ids(conn, "emne:udskiftning-af-hjaelpemidler") == ["ast-principmeddelelse-12-24"]


def test_lov_uses_law_references_and_abbreviations(conn):
    found = set(ids(conn, "lov:SEL"))
    # The høringssvar has no law_names tag; only its law reference connects it to serviceloven.
    assert "organisation-hoeringssvar-hjaelpemidler" in found
    assert "ast-principmeddelelse-12-24" in found


def test_udfald_filters_on_the_outcome_column(conn):
    assert set(ids(conn, "udfald:hjemvist")) == {
        "ast-principmeddelelse-101-17",
        "ast-principmeddelelse-12-24",
    }
    assert ids(conn, "udfald:stadfæstet") == ["ast-principmeddelelse-5-14"]


def test_recorded_citations_rank_right_after_the_decision(conn):
    found = ids(conn, "101-17")
    assert found[:2] == ["ast-principmeddelelse-101-17", "aalborg-dagsorden-sygedagpenge"]


def test_topic_facet(conn):
    facets = search(conn, "hjælpemidler OR fleksjob").facets
    assert {v.label for v in facets["topic"]} == {"Udskiftning af hjælpemidler", "Fleksjob"}


async def test_site_shows_the_topic_facet_and_filters_on_it(enriched):
    site = make_datasette(enriched)
    page = (await site.client.get("/-/sok?q=hj%C3%A6lpemidler")).text
    assert "Emne" in page and "emne%3Audskiftning-af-hjaelpemidler" in page


def test_an_index_built_by_another_analyzer_gives_a_note(enriched, tmp_path):
    path = tmp_path / "stale.db"
    shutil.copy(enriched, path)
    conn = sqlite3.connect(path)
    conn.execute("update search_settings set value = 'old' where key = 'analyzer'")
    result = search(conn, "fleksjob")
    assert result.hits and "anden udgave af den danske analyse" in result.notes[-1]
