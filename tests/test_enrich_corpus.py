"""The enrichment checked on the bundled sample corpus and through the site."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from retskilde import PROJECT_ROOT
from retskilde.db.build import build
from retskilde.db.enrich.lawrefs import LawRef, parse
from retskilde.db.sqlite import sqlite3
from retskilde.site import make_datasette
from tests.conftest import make_record, write_record


@pytest.fixture(scope="module")
def conn(sample_db):
    connection = sqlite3.connect(sample_db)
    yield connection
    connection.close()


def test_every_principmeddelelse_has_an_outcome_read_from_its_own_text(conn):
    rows = conn.execute(
        "select id, outcome, outcome_sentence, text from documents "
        "where doc_type = 'principmeddelelse'"
    ).fetchall()
    assert len(rows) >= 20
    for doc_id, outcome, sentence, text in rows:
        assert outcome, doc_id
        assert outcome.removeprefix("delvis ") in {
            "stadfæstet",
            "ændret",
            "ophævet",
            "hjemvist",
            "afvist",
        }
        assert sentence in " ".join(text.split()), doc_id


def test_every_historic_decision_is_replaced_by_a_current_one_in_the_corpus(conn):
    historic = conn.execute(
        "select id, number, date from documents where status = 'historisk'"
    ).fetchall()
    assert historic
    for doc_id, number, date in historic:
        replacing = conn.execute(
            "select r.replacing_id, d.status, d.date from replacements r "
            "join documents d on d.id = r.replacing_id where r.replaced_id = ?",
            [doc_id],
        ).fetchall()
        assert replacing, f"{number} har ingen 'replaces'-kant"
        assert all(status == "gældende" and newer >= date for _, status, newer in replacing)
        edge = conn.execute(
            "select kind from citations where citing_id = ? and cited_number = ?",
            [replacing[0][0], number],
        ).fetchone()
        assert edge == ("replaces",)


def test_citations_resolve_to_documents_in_the_corpus(conn):
    numbers = dict(conn.execute("select number, id from documents where number is not null"))
    rows = conn.execute("select cited_number, cited_id, kind from citations").fetchall()
    assert len(rows) >= 30
    for number, cited_id, kind in rows:
        assert cited_id == numbers.get(number)
        assert kind in {"cites", "replaces", "replaced_by"}
    # Only principmeddelelser replace; news and agenda items only cite.
    assert not conn.execute(
        "select 1 from citations c join documents d on d.id = c.citing_id "
        "where c.kind != 'cites' and d.doc_type != 'principmeddelelse'"
    ).fetchall()


def test_law_references_round_trip_and_are_mostly_resolved(conn):
    rows = conn.execute(
        "select law_id, paragraph, stk, nr, canonical from law_references"
    ).fetchall()
    assert len(rows) >= 150
    for law_id, paragraph, stk, nr, canonical in rows:
        assert parse(canonical) == [LawRef(law_id, paragraph, stk, nr)]
    unresolved = sum(1 for row in rows if row[0] is None)
    assert unresolved / len(rows) < 0.05


def test_servicelovens_112_is_found_where_the_text_cites_it(conn):
    documents = {
        d
        for (d,) in conn.execute(
            "select document_id from law_references "
            "where law_id = 'serviceloven' and paragraph = '112'"
        )
    }
    texts = dict(conn.execute("select id, text from documents"))
    for doc_id in documents:
        assert "112" in texts[doc_id]
    assert {d for d, t in texts.items() if "servicelovens § 112" in t} <= documents


def test_denormalised_columns_agree_with_the_tables(conn):
    labels = dict(conn.execute("select id, label from topics"))
    for doc_id, topics, paragraphs in conn.execute(
        "select id, topics, cited_paragraphs from documents"
    ):
        assigned = [
            labels[t]
            for (t,) in conn.execute(
                "select topic_id from document_topics where document_id = ?", [doc_id]
            )
        ]
        assert sorted(json.loads(topics or "[]")) == sorted(assigned)
        referenced = {
            f"{short} § {paragraph}"
            for short, paragraph in conn.execute(
                "select l.short_name, r.paragraph from law_references r "
                "join laws l on l.id = r.law_id where r.document_id = ?",
                [doc_id],
            )
        }
        assert set(json.loads(paragraphs or "[]")) == referenced


def test_every_topic_assignment_says_why(conn):
    kinds = ("emneord", "dokumenttype", "udfald", "lovhenvisning", "titel", "resumé", "tekst")
    quoted = ("overskrift", "entydigt udtryk", "emne")
    rows = conn.execute(
        "select t.rule, t.evidence, d.keywords from document_topics t "
        "join documents d on d.id = t.document_id"
    ).fetchall()
    assert len(rows) >= 150
    for rule, evidence, keywords in rows:
        kind, _, value = rule.partition(": ")
        assert kind in (*kinds, *quoted, "underemne"), rule
        assert evidence
        if kind == "emneord":
            assert evidence in json.loads(keywords)
        if kind in quoted:
            # The words that fired stand in the evidence quoted from the text.
            assert value.split()[-1] in evidence, rule


def test_mentioned_municipalities_are_real_and_quoted_from_the_text(conn):
    rows = conn.execute(
        "select m.municipality, m.evidence, d.title || ' ' || d.text "
        "from document_municipalities m join documents d on d.id = m.document_id"
    ).fetchall()
    names = {n for (n,) in conn.execute("select name from municipalities")}
    assert len(names) == 98 and rows
    for name, evidence, text in rows:
        assert name in names and evidence in text


async def test_canned_queries_answer_the_lawyers_questions(sample_db, conn):
    site = make_datasette(sample_db)
    by_name = await site.client.get(
        "/retskilde/anvender_paragraf.json?lov=serviceloven&paragraf=112&_shape=objects"
    )
    by_abbreviation = await site.client.get(
        "/retskilde/anvender_paragraf.json?lov=SEL&paragraf=§ 112&_shape=objects"
    )
    expected = {
        d
        for (d,) in conn.execute(
            "select distinct document_id from law_references "
            "where law_id = 'serviceloven' and paragraph = '112'"
        )
    }
    assert expected
    assert {r["id"] for r in by_name.json()["rows"]} == expected
    assert {r["id"] for r in by_abbreviation.json()["rows"]} == expected

    cites = await site.client.get("/retskilde/hvem_citerer.json?nummer=64-11&_shape=objects")
    citing = {r["dokument"] for r in cites.json()["rows"]}
    assert "ast-principmeddelelse-38-18" in citing
    assert citing == {
        c for (c,) in conn.execute("select citing_id from citations where cited_number = '64-11'")
    }

    replaced = await site.client.get("/retskilde/hvad_erstattede.json?nummer=27-15&_shape=objects")
    assert [r["dokument"] for r in replaced.json()["rows"]] == ["ast-principmeddelelse-12-24"]


async def test_topic_outcome_and_law_facets(sample_db, conn):
    site = make_datasette(sample_db)
    response = await site.client.get("/retskilde/documents.json?_size=0")
    facets = response.json()["facet_results"]
    assert {"outcome", "topics", "cited_laws", "cited_paragraphs", "status"} <= set(facets)
    hjemvisning = {i["value"]: i["count"] for i in facets["topics"]["results"]}["Hjemvisning"]
    filtered = await site.client.get(
        "/retskilde/documents.json?topics__arraycontains=Hjemvisning&_size=0"
    )
    assert (
        filtered.json()["filtered_table_rows_count"]
        == hjemvisning
        == conn.execute(
            "select count(*) from document_topics where topic_id = 'hjemvisning'"
        ).fetchone()[0]
    )


def test_replacement_chain_built_from_records(tmp_path):
    corpus = tmp_path / "corpus"
    old = make_record(
        id="ast-principmeddelelse-27-15",
        number="27-15",
        title="Principmeddelelse 27-15 om hjælpemidler (eksempel)",
        status="historisk",
        text="Principmeddelelsen er historisk og erstattet af principmeddelelse 12-24. "
        "Ankestyrelsen stadfæstede kommunens afgørelse efter servicelovens § 112.",
    )
    new = make_record(
        id="ast-principmeddelelse-12-24",
        number="12-24",
        title="Principmeddelelse 12-24 om hjælpemidler (eksempel)",
        text="Principmeddelelsen er en omskrivning af principmeddelelse 27-15. Se også "
        "principmeddelelse 99-99. Vi hjemviser sagen, jf. § 10 i retssikkerhedsloven.",
    )
    write_record(corpus, old)
    write_record(corpus, new)
    db_path = tmp_path / "r.db"
    report = build(corpus, db_path).enrichment
    conn = sqlite3.connect(db_path)
    assert sorted(
        conn.execute("select citing_id, cited_number, cited_id, kind from citations")
    ) == [
        ("ast-principmeddelelse-12-24", "27-15", "ast-principmeddelelse-27-15", "replaces"),
        ("ast-principmeddelelse-12-24", "99-99", None, "cites"),
        ("ast-principmeddelelse-27-15", "12-24", "ast-principmeddelelse-12-24", "replaced_by"),
    ]
    assert conn.execute(
        "select replaced_id, replacing_id, found_in from replacements"
    ).fetchall() == [
        (
            "ast-principmeddelelse-27-15",
            "ast-principmeddelelse-12-24",
            "ast-principmeddelelse-12-24, ast-principmeddelelse-27-15",
        )
    ]
    assert dict(conn.execute("select id, outcome from documents")) == {
        "ast-principmeddelelse-12-24": "hjemvist",
        "ast-principmeddelelse-27-15": "stadfæstet",
    }
    assert report.law_references == 2 and report.unresolved_law_references == 0


def _bench():
    path = PROJECT_ROOT / "bench" / "enrichment.py"
    spec = importlib.util.spec_from_file_location("bench_enrichment", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_labelled_set_is_big_enough_and_well_formed():
    bench = _bench()
    counts = {k: sum(bench._label_counts(s)[k] for s in bench.SPLITS) for k in bench.NAMES}
    assert counts["laws"] + counts["decisions"] >= 150
    assert counts["outcomes"] >= 60
    assert counts["topics"] >= 100
    for split in bench.SPLITS:
        for item in bench._load(split, "citations"):
            for canonical in item["laws"]:
                assert len(parse(canonical)) == 1, canonical


def test_held_out_scores_do_not_regress():
    scores = _bench().evaluate("test")
    for name in ("laws", "decisions", "outcomes"):
        assert scores[name].precision >= 0.9 and scores[name].recall >= 0.9, name
    assert scores["topics"].precision >= 0.9 and scores["topics"].recall >= 0.9


def test_bench_data_lives_beside_the_script():
    assert (Path(_bench().DATA) / "test" / "topics.yml").exists()


async def test_document_page_shows_outcome_topics_and_references(sample_db):
    site = make_datasette(sample_db)
    page = (await site.client.get("/retskilde/documents/ast-principmeddelelse-12-24")).text
    assert "<strong>Udfald:</strong>" in page
    assert "topics__arraycontains=Hj%C3%A6lpemidler" in page
    assert "emneord: Hjælpemidler" in page
    assert "/retskilde/anvender_paragraf?lov=serviceloven&amp;paragraf=112" in page
    assert 'erstatter <a href="/retskilde/documents/ast-principmeddelelse-27-15">27-15</a>' in page
    old = (await site.client.get("/retskilde/documents/ast-principmeddelelse-27-15")).text
    assert 'href="/retskilde/documents/ast-principmeddelelse-12-24"' in old


def test_the_sources_own_paragraph_field_resolves_bare_citations():
    from retskilde.db.enrich import analyse
    from retskilde.db.enrich.lawrefs import canonical

    record = {
        "id": "x",
        "title": "Principmeddelelse 28-24 om formue",
        "text": "Efter serviceloven og aktivloven gælder noget.\n\n"
        "Formuen opgøres efter § 14, stk. 1.",
        "doc_type": "principmeddelelse",
        "paragraph": "§ 14, stk. 1 og 2",
        "law_names": ["Aktivloven", "Kontanthjælp"],
    }
    result = analyse(record)
    assert [(canonical(f.ref), f.resolution) for f in result.law_refs] == [
        ("aktivloven § 14, stk. 1", "kildens paragraf-felt")
    ]
    assert [canonical(ref) for ref, _ in result.metadata_refs] == ["aktivloven § 14, stk. 2"]
    # Without exactly one law tag, the field says nothing about which law.
    record["law_names"] = ["Aktivloven", "Serviceloven"]
    assert [canonical(f.ref) for f in analyse(record).law_refs] == ["§ 14, stk. 1"]
