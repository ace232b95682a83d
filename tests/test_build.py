from __future__ import annotations

import sqlite3 as stdlib_sqlite3
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

import retskilde.db.build
from retskilde.cli import cli
from retskilde.db.build import InvalidCorpus, build
from retskilde.db.build.incremental import UNFINISHED, read_build_info
from retskilde.db.sqlite import sqlite3
from tests.conftest import make_record, write_record


def dump(path: Path) -> list[str]:
    # pysqlite3 has no iterdump; any SQLite reads the file.
    conn = stdlib_sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_sample_build_counts_per_doc_type(sample_db, sample_records):
    conn = sqlite3.connect(sample_db)
    built = dict(conn.execute("select doc_type, count(*) from documents group by doc_type"))
    assert built == dict(Counter(r["doc_type"] for r in sample_records))
    # The demo data as written: every kind the product serves, 68 documents in all.
    assert built == {
        "analyse": 3,
        "artikel": 2,
        "dagsordenpunkt": 17,
        "fokusrevision": 3,
        "notat": 2,
        "nyhed": 5,
        "praksisundersoegelse": 4,
        "principmeddelelse": 26,
        "tilsynsudtalelse": 4,
        "udspil": 2,
    }


def test_sample_corpus_spans_three_municipalities_and_both_statuses(sample_db):
    conn = sqlite3.connect(sample_db)
    municipalities = {
        m
        for (m,) in conn.execute(
            "select distinct municipality from documents where doc_type = 'dagsordenpunkt'"
        )
    }
    assert len(municipalities) >= 3
    statuses = dict(
        conn.execute(
            "select status, count(*) from documents where doc_type = 'principmeddelelse' "
            "group by status"
        )
    )
    assert statuses.get("gældende", 0) > 0 and statuses.get("historisk", 0) > 0


def test_documents_table_has_explicit_types_and_indexes(sample_db):
    conn = sqlite3.connect(sample_db)
    types = {row[1]: row[2] for row in conn.execute("pragma table_info(documents)")}
    assert types["id"] == "TEXT"
    assert types["year"] == "INTEGER"
    assert types["item_number"] == "INTEGER"
    assert types["example"] == "INTEGER"
    indexed = {
        row[2]
        for (name,) in conn.execute("select name from pragma_index_list('documents')")
        for row in conn.execute(f"pragma index_info('{name}')")
    }
    assert {"source", "doc_type", "year", "municipality", "law_area", "status"} <= indexed


def test_building_twice_gives_identical_dumps(tmp_path):
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    build(Path("corpus"), first)
    build(Path("corpus"), second)
    assert dump(first) == dump(second)
    assert first.read_bytes() == second.read_bytes()


def test_text_is_normalised_and_json_lists_kept(tmp_path):
    corpus = tmp_path / "corpus"
    text = "Første afsnit.  \r\n\r\n\r\n\r\nAndet afsnit med hja\u030alpemidler."
    write_record(corpus, make_record(text=text, keywords=["Hjælpemidler", "Udskiftning"]))
    build(corpus, tmp_path / "r.db")
    row = (
        sqlite3.connect(tmp_path / "r.db")
        .execute("select text, keywords, year from documents")
        .fetchone()
    )
    assert row == (
        "Første afsnit.\n\nAndet afsnit med hjålpemidler.",
        '["Hjælpemidler", "Udskiftning"]',
        1999,
    )


def test_invalid_record_stops_build_and_keeps_old_database(tmp_path):
    corpus = tmp_path / "corpus"
    write_record(corpus, make_record())
    db_path = tmp_path / "r.db"
    build(corpus, db_path)
    before = dump(db_path)
    write_record(corpus, make_record(id="ast-nyhed-x", doc_type="nyhed", title=None))
    with pytest.raises(InvalidCorpus) as raised:
        build(corpus, db_path)
    assert [(Path(p.location).name, p.field) for p in raised.value.problems] == [
        ("ast-nyhed-x.json", "title")
    ]
    assert dump(db_path) == before
    assert list(tmp_path.glob(".*.tmp")) == []


def test_crash_during_build_leaves_old_database_and_no_temp_file(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    write_record(corpus, make_record())
    db_path = tmp_path / "r.db"
    build(corpus, db_path)
    before = dump(db_path)

    def explode(database, *rest):
        raise RuntimeError("disk full")

    monkeypatch.setattr(retskilde.db.build, "index_documents", explode)
    with pytest.raises(RuntimeError):
        build(corpus, db_path, full=True)
    assert dump(db_path) == before
    # The file cache of the first build (db/filecache.py) and the generation file the published
    # database is a link to (db/build/generations.py) stay; no temporary file does.
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".r.db.files",
        ".r.db.gen1",
        "corpus",
        "r.db",
    ]
    assert (tmp_path / ".r.db.gen1").stat().st_ino == db_path.stat().st_ino
    # The incremental build crashes on its copy of the database, never on the published one.
    write_record(corpus, make_record(id="ast-ny"))
    monkeypatch.setattr(retskilde.db.build, "load_health", explode)
    with pytest.raises(RuntimeError):
        build(corpus, db_path)
    assert dump(db_path) == before
    # The spare generation it was updating says it is unfinished, so it is made again from the
    # published database next time; no temporary file is left.
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".r.db.files",
        ".r.db.gen1",
        ".r.db.gen2",
        "corpus",
        "r.db",
    ]
    assert read_build_info(tmp_path / ".r.db.gen2")["mode"] == UNFINISHED
    monkeypatch.undo()
    report = build(corpus, db_path)
    assert report.changes is not None and report.changes.new == ["ast-ny"]
    assert (tmp_path / ".r.db.gen2").stat().st_ino == db_path.stat().st_ino


def test_cli_build_reports_counts_and_fails_cleanly(tmp_path):
    corpus = tmp_path / "corpus"
    write_record(corpus, make_record())
    runner = CliRunner()
    ok = runner.invoke(cli, ["build", "--corpus", str(corpus), "--db", str(tmp_path / "r.db")])
    assert ok.exit_code == 0, ok.output
    assert "1 dokumenter" in ok.output and "principmeddelelse" in ok.output
    write_record(corpus, make_record(id="ast-x", sha256="nope"))
    bad = runner.invoke(cli, ["build", "--corpus", str(corpus), "--db", str(tmp_path / "r.db")])
    assert bad.exit_code == 1
    assert "ast-x.json: sha256" in bad.output
    assert "Databasen er ikke ændret" in bad.output


def test_facet_columns_present_on_some_documents_and_missing_on_others(tmp_path):
    # Real documents lack a date, a municipality, a status or a law area now and then.
    corpus = tmp_path / "corpus"
    write_record(corpus / "ast", make_record(law_area="Pension"))
    write_record(
        corpus / "ast",
        make_record(id="ast-principmeddelelse-2-99", date=None, status=None, number="2-99"),
    )
    write_record(
        corpus / "kommune",
        make_record(
            id="kommune-aarhus-1",
            source="kommune",
            doc_type="dagsordenpunkt",
            municipality="Aarhus",
            number=None,
            status=None,
        ),
    )
    build(corpus, tmp_path / "r.db")
    conn = sqlite3.connect(tmp_path / "r.db")
    combinations = conn.execute(
        "select year, status, law_area, municipality from search_facet_keys order by facet_key"
    ).fetchall()
    assert sorted(combinations, key=repr) == sorted(
        [
            (1999, "gældende", "Pension", None),
            (None, None, None, None),
            (1999, None, None, "Aarhus"),
        ],
        key=repr,
    )
