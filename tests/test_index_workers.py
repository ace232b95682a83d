"""The index is the same whether its text is analysed in this process or in worker processes."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from bench.synthetic import synthetic_rows
from retskilde.cli import cli
from retskilde.db.analysis.analyzer import default_analyzer
from retskilde.db.build.index import (
    DEFAULT_HASH_SIZE,
    INDEX_WORKERS_VARIABLE,
    create_index,
    drop_index,
    fill_index,
    index_documents,
    index_workers,
    verify_index,
)
from retskilde.db.build.schema import create_tables, insert_lookups
from retskilde.db.settings import SettingError, can_fork, worker_count
from retskilde.db.sqlite import sqlite3
from retskilde.db.tables import FTS_TABLE, SEARCH_TABLES

SHADOW_TABLES = ("data", "idx", "docsize", "config")


def _index(workers: int, rows: list[dict]) -> dict[str, list]:
    db = sqlite_utils.Database(memory=True)
    create_tables(db)
    insert_lookups(db)
    db["documents"].insert_all(rows)
    create_index(db.conn)
    assert fill_index(db.conn, default_analyzer(), workers=workers, batch=7) == len(rows)
    return {
        name: db.execute(f"select * from {FTS_TABLE}_{name} order by 1").fetchall()
        for name in SHADOW_TABLES
    }


@pytest.mark.skipif(not can_fork(), reason="workers need fork")
def test_workers_give_exactly_the_index_of_one_process():
    rows = synthetic_rows(60, seed=11)
    alone = _index(0, rows)
    assert alone["data"] and len(alone["docsize"]) == 60
    for workers in (1, 3):
        assert _index(workers, rows) == alone, workers


def test_the_load_settings_are_put_back_when_the_index_is_whole():
    config = dict(_index(0, synthetic_rows(5, seed=3))["config"])
    assert config["hashsize"] == DEFAULT_HASH_SIZE
    assert config["automerge"] == 4


def test_the_worker_count_comes_from_the_argument_or_the_environment(monkeypatch):
    monkeypatch.setenv(INDEX_WORKERS_VARIABLE, "3")
    assert index_workers() == (3 if can_fork() else 0)
    assert index_workers(0) == 0
    monkeypatch.setenv(INDEX_WORKERS_VARIABLE, "mange")
    with pytest.raises(SettingError, match=f"{INDEX_WORKERS_VARIABLE}='mange'"):
        index_workers()
    monkeypatch.setenv(INDEX_WORKERS_VARIABLE, "-2")
    with pytest.raises(SettingError, match="negativ"):
        worker_count(INDEX_WORKERS_VARIABLE, 1)
    monkeypatch.delenv(INDEX_WORKERS_VARIABLE)
    assert worker_count(INDEX_WORKERS_VARIABLE, 5) == 5


@pytest.mark.parametrize("variable", ["RETSKILDE_ENRICH_WORKERS", INDEX_WORKERS_VARIABLE])
def test_a_bad_worker_setting_stops_the_build_and_keeps_the_database(
    tmp_path, monkeypatch, variable
):
    target = tmp_path / "retskilde.db"
    target.write_bytes(b"den gamle database")
    monkeypatch.setenv(variable, "to")
    result = CliRunner().invoke(cli, ["build", "--corpus", "corpus", "--db", str(target)])
    assert result.exit_code == 2
    assert f"{variable}='to' er ikke et helt tal" in result.output
    assert target.read_bytes() == b"den gamle database"
    assert not list(Path(tmp_path).glob(".retskilde.db.*"))


def test_an_index_can_be_dropped_and_built_again(sample_db, tmp_path):
    copy = tmp_path / "copy.db"
    source = sqlite3.connect(sample_db)
    conn = sqlite3.connect(copy)
    source.backup(conn)
    source.close()
    before = {t: conn.execute(f"select count(*) from {t}").fetchone() for t in SEARCH_TABLES}
    drop_index(conn)
    left = {n for (n,) in conn.execute("select name from sqlite_master where type = 'table'")}
    assert not left & set(SEARCH_TABLES) and "documents" in left
    index_documents(sqlite_utils.Database(conn))
    after = {t: conn.execute(f"select count(*) from {t}").fetchone() for t in SEARCH_TABLES}
    assert after == before
    assert verify_index(conn) > 0
