"""The sources' health in public: the scrapers' run logs become source_runs and source_health in
the build, and /-/kilder shows per source and municipality the last run, what failed, when
something new last came, and which sources have gone quiet (issue 12, item 6)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from retskilde.cli import cli
from retskilde.db.build import BuildFileError, build
from retskilde.db.build.health import NEVER_RUN, RUN_FIELDS, read_run_logs
from retskilde.db.sqlite import sqlite3
from retskilde.scrapers.kommuner import all_kommuner
from retskilde.scrapers.runlog import KindRun, append_runs, runs_path
from retskilde.site import make_datasette
from tests.conftest import make_record, write_record
from tests.test_build import dump

HOSTILE_REASON = '<script>alert("x")</script> HTTP 500'


def _stamp(days_ago: int) -> str:
    moment = datetime.now(UTC).replace(microsecond=0) - timedelta(days=days_ago)
    return moment.isoformat()


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    write_record(corpus / "ast", make_record(id="ast-a", source="ast", date="2025-03-01"))
    write_record(corpus / "ast", make_record(id="ast-b", source="ast", date="2025-06-01"))
    hvidovre = next(k for k in all_kommuner() if k.key == "hvidovre")
    item = make_record(
        id="kommune-hvidovre-1",
        source="kommune",
        doc_type="dagsordenpunkt",
        municipality="Hvidovre",
        municipality_code=hvidovre.code,
        date="2025-11-04",
    )
    write_record(corpus / "kommune", item)
    return corpus


def _log(corpus: Path) -> None:
    # Two ast runs: the older brought something new, the last failed on one page.
    append_runs(
        runs_path(corpus, "ast"),
        [
            KindRun("ast", "principmeddelelse", _stamp(10), _stamp(10), None, 5, 5, 2),
            KindRun(
                "ast",
                "principmeddelelse",
                _stamp(3),
                _stamp(3),
                None,
                6,
                1,
                0,
                0,
                5,
                [{"url": "https://www.ast.dk/x?a=1&b=2", "reason": HOSTILE_REASON}],
            ),
        ],
    )
    append_runs(
        runs_path(corpus, "firstagenda-hvidovre"),
        [KindRun("kommune", "moede", _stamp(20), _stamp(20), "hvidovre", 4, 4, 1, 0, 3)],
    )


@pytest.fixture
def built(tmp_path) -> tuple[Path, Path]:
    corpus = _corpus(tmp_path)
    _log(corpus)
    db_path = tmp_path / "retskilde.db"
    build(corpus, db_path)
    return corpus, db_path


def _health(db_path: Path) -> dict[str, dict]:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    return {row["id"]: dict(row) for row in conn.execute("select * from source_health")}


def test_the_build_reads_every_field_the_scrapers_write():
    assert tuple(f.name for f in dataclasses.fields(KindRun)) == RUN_FIELDS


def test_the_build_makes_one_health_row_per_source_and_collected_municipality(built):
    corpus, db_path = built
    health = _health(db_path)
    ast = health["ast"]
    assert ast["status"] == "fejl i seneste kørsel" and ast["runs"] == 2
    assert ast["last_started"] == _stamp(3)[:10] + ast["last_started"][10:]
    assert (ast["last_discovered"], ast["last_fetched"], ast["last_unchanged"]) == (6, 1, 5)
    assert ast["last_new_at"][:10] == _stamp(10)[:10]  # the last run brought nothing new
    assert json.loads(ast["last_failed"]) == [
        {
            "kind": "principmeddelelse",
            "url": "https://www.ast.dk/x?a=1&b=2",
            "reason": HOSTILE_REASON,
        }
    ]
    assert (ast["documents"], ast["newest_document_id"]) == (2, "ast-b")
    # STAR is collected but has never run: there, and said so.
    assert health["star"]["status"] == NEVER_RUN and health["star"]["runs"] == 0
    hvidovre = health["kommune/hvidovre"]
    assert hvidovre["status"] == "ok" and hvidovre["municipality_name"] == "Hvidovre"
    assert (hvidovre["documents"], hvidovre["newest_document_id"]) == (1, "kommune-hvidovre-1")
    collected = [k for k in all_kommuner() if k.collected]
    municipal = [row for row in health.values() if row["municipality"]]
    assert len(municipal) == len(collected)
    assert sum(row["status"] == NEVER_RUN for row in municipal) == len(collected) - 1
    conn = sqlite3.connect(db_path)
    assert conn.execute("select count(*) from source_runs").fetchone()[0] == 3


def test_a_damaged_log_line_stops_the_build_naming_file_and_line_and_keeps_the_old_db(built):
    corpus, db_path = built
    before = db_path.read_bytes()
    log = runs_path(corpus, "ast")
    with log.open("a", encoding="utf-8") as out:
        out.write('{"source": "ast", "kind": 7}\n')
        out.write(json.dumps(dataclasses.asdict(KindRun("ast", "nyhed", "a", "b"))) + "\n")
    with pytest.raises(BuildFileError) as raised:
        build(corpus, db_path)
    assert str(log) in str(raised.value) and "linje 3" in str(raised.value)
    assert db_path.read_bytes() == before
    result = CliRunner().invoke(cli, ["build", "--corpus", str(corpus), "--db", str(db_path)])
    assert result.exit_code == 3 and f"{log}" in result.output


def test_a_last_line_cut_off_mid_write_is_left_out(tmp_path):
    corpus = _corpus(tmp_path)
    _log(corpus)
    log = runs_path(corpus, "ast")
    log.write_text(log.read_text("utf-8") + '{"source": "ast", "kind": "nyh', "utf-8")
    assert len(read_run_logs(corpus)) == 3


async def test_the_page_shows_last_run_days_since_failures_escaped_and_quiet_sources(built):
    _, db_path = built
    response = await make_datasette(db_path).client.get("/-/kilder")
    assert response.status_code == 200
    html = response.text
    assert "<h1>Kildernes tilstand</h1>" in html
    assert "for 3 dage siden" in html and "for 10 dage siden" in html
    assert "&lt;script&gt;alert" in html and '<script>alert("x")' not in html
    assert "https://www.ast.dk/x?a=1&amp;b=2" in html
    assert NEVER_RUN in html
    # Hvidovre last ran 20 days ago: quiet, and said so.
    row = html[html.index("Hvidovre</th>") :]
    row = row[: row.index("</tr>")]
    assert "ikke kørt i 20 dage" in row
    # The newest document links to its page.
    assert "/retskilde/documents/ast-b" in html


async def test_the_json_gives_every_row_with_days_since(built):
    _, db_path = built
    response = await make_datasette(db_path).client.get("/-/kilder.json")
    data = response.json()
    rows = {row["id"]: row for row in data["sources"]}
    assert rows["ast"]["days_since_run"] == 3 and rows["ast"]["days_since_new"] == 10
    assert rows["ast"]["failures"][0]["reason"] == HOSTILE_REASON
    assert rows["kommune/hvidovre"]["quiet"] is True and rows["ast"]["quiet"] is False
    assert rows["star"]["days_since_run"] is None


def test_two_builds_of_the_same_corpus_and_log_are_identical(built, tmp_path):
    corpus, db_path = built
    again = tmp_path / "again.db"
    build(corpus, again)
    assert dump(db_path) == dump(again)
