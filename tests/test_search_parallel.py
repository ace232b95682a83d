"""Facets counted in a helper thread give the same result as counted in line; the time limit
stops the statements of both threads; SQLite's memory count is off when nothing was open."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

import retskilde.db.search
from retskilde.db.search import search
from retskilde.db.search.parallel import ParallelReader
from retskilde.db.search.timelimit import TimeLimit
from retskilde.db.sqlite import sqlite3

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    "hjælpemidler OR fleksjob OR sygedagpenge",
    "afgørelse",
    "hjemvist type:principmeddelelse",
    "borger -fleksjob",
    "år:2015-2024",
    "fleksjob lægebehandling",  # no document has both: the relaxed search runs too
    "101-17",
    "servicelovens § 112",
    "hjælpemid*",
    "xyzzyintetsteds",
]
# A statement that runs until it is interrupted.
ENDLESS = "with recursive n(i) as (select 1 union all select i + 1 from n) select max(i) from n"
TOO_LONG = "Søgningen tog for lang tid"


@pytest.fixture(scope="module", params=["sample_db", "search_db"])
def database(request):
    path = request.getfixturevalue(request.param)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with ParallelReader(path, threads=2) as reader:
        yield conn, reader
    conn.close()


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("offset", [0, 3])
def test_facets_counted_beside_the_ranking_give_the_same_result(database, query, offset):
    conn, reader = database
    in_line = search(conn, query, limit=5, offset=offset)
    beside = search(conn, query, limit=5, offset=offset, parallel=reader)
    assert beside.to_dict() == in_line.to_dict()


def test_a_reader_of_an_immutable_file_counts_the_same(sample_db):
    conn = sqlite3.connect(f"file:{sample_db}?mode=ro", uri=True)
    with ParallelReader(sample_db, immutable=True, threads=1) as reader:
        beside = search(conn, "fleksjob OR hjemvist", parallel=reader)
    assert beside.total > 0
    assert beside.to_dict() == search(conn, "fleksjob OR hjemvist").to_dict()
    conn.close()


def test_the_parallel_search_counts_what_it_finds(database):
    conn, reader = database
    result = search(conn, "hjælpemidler OR fleksjob OR sygedagpenge", limit=200, parallel=reader)
    assert result.total == len(result.hits) > 0
    by_type = {v.value: v.count for v in result.facets["doc_type"]}
    assert sum(by_type.values()) == result.total


def test_a_time_limit_interrupts_a_running_statement_and_only_that():
    conn = sqlite3.connect(":memory:")
    limit = TimeLimit(0.1)
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="interrupt"), limit.watching(conn):
        conn.execute(ENDLESS).fetchone()
    assert time.monotonic() - started < 5
    assert limit.expired
    # The connection works on once the search is over.
    assert conn.execute("select 1 + 1").fetchone() == (2,)
    with pytest.raises(sqlite3.OperationalError, match="interrupt"), limit.watching(conn):
        pass  # the time was up before the block began
    limit.stop()


def test_a_stopped_time_limit_never_fires():
    conn = sqlite3.connect(":memory:")
    limit = TimeLimit(0.05)
    limit.stop()
    time.sleep(0.1)
    assert not limit.expired
    with limit.watching(conn):
        assert conn.execute("select count(*) from (select 1 union select 2)").fetchone() == (2,)


# A search that is not broad is one pass (`_every_match`); a broad one ranks (`_subject_page`,
# `_best`) while its sample is counted (`_count_broad`, in a helper thread given a reader).
@pytest.mark.parametrize("slow_part", ["_every_match", "_count_broad", "_subject_page", "_best"])
@pytest.mark.parametrize("in_parallel", [False, True])
def test_a_search_over_time_answers_with_a_message(database, monkeypatch, slow_part, in_parallel):
    conn, reader = database
    if slow_part != "_every_match":
        monkeypatch.setattr(retskilde.db.search, "BROAD_MATCHES", 0)
        monkeypatch.setattr(retskilde.db.search, "BROAD_CANDIDATES", 1)
    if slow_part == "_best":
        # No subject matches are enough: the best of every match.
        monkeypatch.setattr(retskilde.db.search, "_subject_page", lambda *args: None)
    original = getattr(retskilde.db.search, slow_part)

    def endless(connection, *args, **kwargs):
        connection.execute(ENDLESS).fetchone()
        return original(connection, *args, **kwargs)

    monkeypatch.setattr(retskilde.db.search, slow_part, endless)
    monkeypatch.setattr(retskilde.db.search, "TIME_LIMIT_S", 0.2)
    started = time.monotonic()
    result = search(conn, "fleksjob", limit=1, parallel=reader if in_parallel else None)
    assert time.monotonic() - started < 5
    assert result.message and TOO_LONG in result.message
    assert result.hits == []
    monkeypatch.undo()
    # Nothing was left interrupted: both connections answer the next search in full.
    assert search(conn, "fleksjob", parallel=reader).hits


def _run_python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


needs_x86_linux = pytest.mark.skipif(
    sys.platform != "linux" or __import__("platform").machine() != "x86_64",
    reason="the memory count is only turned off on x86-64 Linux",
)


@needs_x86_linux
def test_sqlite_memory_count_is_off_in_a_fresh_process():
    out = _run_python(
        "import db.sqlite as s\n"
        "c = s.sqlite3.connect(':memory:')\n"
        "print(s.memory_statistics_off, c.execute('select 40 + 2').fetchone()[0])"
    )
    assert out == "True 42"


@needs_x86_linux
def test_sqlite_is_left_alone_when_a_connection_is_already_open(tmp_path):
    path = tmp_path / "open.db"
    out = _run_python(
        "try:\n    from pysqlite3 import dbapi2 as lib\n"
        "except ImportError:\n    import sqlite3 as lib\n"
        f"c = lib.connect({str(path)!r})\n"
        "c.execute('create table t (x)'); c.execute('insert into t values (7)'); c.commit()\n"
        "import db.sqlite as s\n"
        "print(s.memory_statistics_off, c.execute('select x from t').fetchone()[0])"
    )
    assert out == "False 7"
