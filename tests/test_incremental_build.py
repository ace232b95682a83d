"""The incremental build gives the rows a full build gives, after any adds, changes and deletes."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3 as stdlib_sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from retskilde import DEFAULT_CORPUS
from retskilde.cli import cli
from retskilde.db.build import InvalidCorpus, build
from retskilde.db.build.incremental import BUILD_INFO_KEYS

# Tables FTS5 keeps its index in: compared through the index's terms and positions instead,
# which do not depend on how the index's segments happen to be laid out.
_FTS_TABLES = ("documents_fts", "documents_subject_fts")
_FTS_SHADOWS = tuple(f"{table}_" for table in _FTS_TABLES)
# Columns holding a document's rowid: compared as the document's id, since an incremental
# build gives a new document the next rowid where a full build follows id order.
_ROWID_COLUMNS = {"doc_rowid"}


def canonical_dump(path: Path) -> dict[str, list]:
    """Every table's rows (sorted) and the schema, rowids as document ids, the search index as
    (term, document id, column, offset), without the rows that say how the file was built."""
    conn = stdlib_sqlite3.connect(path)
    try:
        ids = dict(conn.execute("select rowid, id from documents"))
        dump: dict[str, list] = {
            "schema": sorted(
                conn.execute("select type, name, tbl_name, sql from sqlite_master").fetchall()
            )
        }
        tables = [
            name
            for (name,) in conn.execute("select name from sqlite_master where type = 'table'")
            if not name.startswith(_FTS_SHADOWS) and not name.startswith("sqlite_")
        ]
        for table in tables:
            if table in _FTS_TABLES:
                conn.execute(
                    f"create virtual table temp.terms using fts5vocab(main, {table}, 'instance')"
                )
                rows = [
                    (term, ids[doc], column, offset)
                    for term, doc, column, offset in conn.execute("select * from temp.terms")
                ]
                conn.execute("drop table temp.terms")
            else:
                columns = [row[1] for row in conn.execute(f"pragma table_info('{table}')")]
                rows = []
                for row in conn.execute(f"select * from [{table}]"):
                    values = dict(zip(columns, row, strict=True))
                    for column in _ROWID_COLUMNS & set(columns):
                        values[column] = ids[values[column]]
                    if table == "build_info" and values["key"] in BUILD_INFO_KEYS:
                        continue
                    rows.append(tuple(values.values()))
            dump[table] = sorted(rows, key=repr)
        return dump
    finally:
        conn.close()


def assert_same(incremental: Path, full: Path) -> None:
    left, right = canonical_dump(incremental), canonical_dump(full)
    assert left.keys() == right.keys()
    for table in left:
        assert left[table] == right[table], table


def _records(corpus: Path) -> dict[str, Path]:
    return {p.stem: p for p in corpus.rglob("*.json") if not p.name.endswith(".schema.json")}


def _change(path: Path, rng: random.Random, round_number: int) -> None:
    record = json.loads(path.read_text(encoding="utf-8"))
    choice = rng.randrange(4)
    if choice == 0:
        record["title"] += f" (ændret {round_number})"
    elif choice == 1:
        record["text"] += f"\n\nTilføjet i runde {round_number}: jf. serviceloven § 112."
    elif choice == 2:
        record["status"] = "historisk"
    else:
        record["keywords"] = sorted({*record.get("keywords", []), f"emneord {round_number}"})
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")


def _add(corpus: Path, template: Path, rng: random.Random, number: int) -> None:
    record = json.loads(template.read_text(encoding="utf-8"))
    record["id"] = f"{record['id']}-kopi-{number}"
    record["title"] = f"Eksempel {number}: {record['title']}"
    if "number" in record:
        # Sometimes the same decision number as another document, so citations must move.
        record["number"] = rng.choice([record["number"], f"{90 + number % 9}-{number % 30 + 1}"])
    record["example"] = True
    (template.parent / f"{record['id']}.json").write_text(
        json.dumps(record, ensure_ascii=False), encoding="utf-8"
    )


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(DEFAULT_CORPUS, folder)
    return folder


def test_incremental_equals_full_after_random_rounds(corpus, tmp_path):
    rng = random.Random(20261205)
    db_path = tmp_path / "site.db"
    first = build(corpus, db_path)
    assert first.changes is None and first.full_reason == "der er ingen tidligere database"
    for round_number in range(1, 5):
        files = _records(corpus)
        names = sorted(files)
        for name in rng.sample(names, 4):
            _change(files[name], rng, round_number)
        for name in rng.sample(names, 2):
            files[name].unlink()
            del files[name]
        for number in range(3):
            _add(corpus, files[rng.choice(sorted(files))], rng, round_number * 10 + number)
        report = build(corpus, db_path)
        assert report.changes is not None, report.full_reason
        assert len(report.changes.changed) == 4
        assert len(report.changes.deleted) == 2
        assert len(report.changes.new) == 3
        full_path = tmp_path / f"full-{round_number}.db"
        full = build(corpus, full_path)
        assert full.changes is None
        assert_same(db_path, full_path)
        assert report.documents == full.documents
        assert report.enrichment == full.enrichment


def test_moved_file_is_unchanged_and_new_id_replaces_old(corpus, tmp_path):
    db_path = tmp_path / "site.db"
    build(corpus, db_path)
    files = _records(corpus)
    moved = files["ast-nyhed-ny-vejledning-om-fleksjob"]
    (corpus / "flyttet").mkdir()
    moved.rename(corpus / "flyttet" / moved.name)
    report = build(corpus, db_path)
    assert report.changes is not None
    assert (report.changes.new, report.changes.changed, report.changes.deleted) == ([], [], [])

    renamed = files["ast-nyhed-tilsynet-undersoeger-sagsbehandlingsfrister"]
    record = json.loads(renamed.read_text(encoding="utf-8"))
    record["id"] = "ast-nyhed-tilsynet-undersoeger-frister"
    renamed.unlink()
    (renamed.parent / f"{record['id']}.json").write_text(
        json.dumps(record, ensure_ascii=False), encoding="utf-8"
    )
    report = build(corpus, db_path)
    assert report.changes.new == ["ast-nyhed-tilsynet-undersoeger-frister"]
    assert report.changes.deleted == ["ast-nyhed-tilsynet-undersoeger-sagsbehandlingsfrister"]
    build(corpus, tmp_path / "full.db", full=True)
    assert_same(db_path, tmp_path / "full.db")


def test_failing_record_keeps_the_old_database(corpus, tmp_path):
    db_path = tmp_path / "site.db"
    build(corpus, db_path)
    before = db_path.read_bytes()
    files = _records(corpus)
    _change(files["ast-nyhed-ny-vejledning-om-fleksjob"], random.Random(1), 1)
    broken = files["ast-nyhed-tilsynet-undersoeger-sagsbehandlingsfrister"]
    record = json.loads(broken.read_text(encoding="utf-8"))
    del record["title"]
    broken.write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(InvalidCorpus) as raised:
        build(corpus, db_path)
    assert any(p.field == "title" for p in raised.value.problems)
    assert db_path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_other_fingerprint_and_full_option_build_from_nothing(corpus, tmp_path):
    db_path = tmp_path / "site.db"
    build(corpus, db_path)
    conn = stdlib_sqlite3.connect(db_path)
    with conn:
        conn.execute("update build_info set value = 'en anden kode' where key = 'fingerprint'")
    conn.close()
    report = build(corpus, db_path)
    assert report.changes is None
    assert "ændret siden den tidligere build" in report.full_reason
    assert build(corpus, db_path).changes is not None  # the fingerprint is right again

    runner = CliRunner()
    result = runner.invoke(cli, ["build", "--corpus", str(corpus), "--db", str(db_path), "--full"])
    assert result.exit_code == 0, result.output
    assert "fra bunden (--full)" in result.output
    result = runner.invoke(cli, ["build", "--corpus", str(corpus), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "Trinvis build: 0 nye, 0 ændrede, 0 slettede" in result.output


def test_unchanged_files_are_not_read_again(corpus, tmp_path):
    # The file cache trusts only files older than the build that read them (by a second).
    time.sleep(1.2)
    db_path = tmp_path / "site.db"
    build(corpus, db_path)
    assert (tmp_path / ".site.db.files").exists()
    files = _records(corpus)
    total = len(files)
    changed = files["ast-nyhed-ny-vejledning-om-fleksjob"]
    _change(changed, random.Random(3), 1)
    # Same size and the old modification time: the inode's change time still gives it away.
    sneaky = files["ast-nyhed-tilsynet-undersoeger-sagsbehandlingsfrister"]
    stat = sneaky.stat()
    data = sneaky.read_bytes()
    sneaky.write_bytes(data.replace(b"Tilsynet", b"TILSYNET", 1))
    assert sneaky.read_bytes() != data and sneaky.stat().st_size == stat.st_size
    os.utime(sneaky, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    report = build(corpus, db_path)
    assert report.changes.read == 2
    assert sorted(report.changes.changed) == sorted([changed.stem, sneaky.stem])
    assert report.changes.unchanged == total - 2
    assert sum(report.by_doc_type.values()) == report.documents == total
    build(corpus, tmp_path / "full.db", full=True)
    assert_same(db_path, tmp_path / "full.db")
    # A cache that belongs to another database makes no difference to the result.
    shutil.copyfile(tmp_path / ".site.db.files", tmp_path / ".full.db.files")
    (tmp_path / "site.db").unlink()
    build(corpus, tmp_path / "site.db", full=True)
    assert_same(db_path, tmp_path / "full.db")


def test_the_fingerprint_covers_the_sqlite_and_sqlite_utils_versions(monkeypatch):
    from retskilde.db.build import incremental

    before = incremental.build_fingerprint()
    monkeypatch.setattr(incremental.sqlite3, "sqlite_version", "3.0.0")
    after_sqlite = incremental.build_fingerprint()
    monkeypatch.setattr(incremental, "_sqlite_utils_version", lambda: "0.1")
    after_both = incremental.build_fingerprint()
    assert len({before, after_sqlite, after_both}) == 3


def test_the_fingerprint_covers_what_makes_rows_and_not_the_search():
    from retskilde.db.build import incremental

    root = incremental._ROOT
    files = {
        str(path.relative_to(root)) for path in incremental._build_files() if root in path.parents
    }
    assert {
        "db/build/index.py",
        "db/enrich/scan.py",
        "db/tables.py",
        "retskilde/numbers.py",
    } <= files
    assert any(name.startswith("db/analysis/") and name.endswith(".yml") for name in files)
    # The search reads rows and makes none: changing it must not force a full build.
    assert not [name for name in files if name.startswith("db/search/")]


def test_spare_generation_is_updated_in_place_and_catches_up(corpus, tmp_path, monkeypatch):
    from retskilde.db.build import generations

    db_path = tmp_path / "site.db"
    build(corpus, db_path)
    files = _records(corpus)
    rng = random.Random(7)
    first, second = sorted(files)[:2]
    _change(files[first], rng, 1)
    report = build(corpus, db_path)  # no spare yet: made as a copy of the published file
    assert report.changes.changed == [first] and report.changes.applied == 1
    spare = generations.spare_path(db_path)
    spare_inode = spare.stat().st_ino
    copies = []
    monkeypatch.setattr(generations, "copy_published", lambda *a: copies.append(a))
    files[second].unlink()
    report = build(corpus, db_path)
    # The change is reported against the published database; the spare, a build behind, also
    # got the change of the build before, in place (no copy, same file, now published).
    assert report.changes.deleted == [second] and not report.changes.changed
    assert report.changes.applied == 2
    assert copies == []
    assert db_path.stat().st_ino == spare_inode
    build(corpus, tmp_path / "full.db", full=True)
    assert_same(db_path, tmp_path / "full.db")


def test_spare_open_elsewhere_is_made_again(corpus, tmp_path, monkeypatch):
    import subprocess
    import sys

    from retskilde.db.build import generations

    db_path = tmp_path / "site.db"
    build(corpus, db_path)
    files = _records(corpus)
    rng = random.Random(8)
    for round_number, name in enumerate(sorted(files)[:2], start=1):
        _change(files[name], rng, round_number)
        build(corpus, db_path)
    spare = generations.spare_path(db_path)
    held_inode = spare.stat().st_ino
    copies = []
    copy = generations.copy_published
    monkeypatch.setattr(generations, "copy_published", lambda *a: copies.append(a) or copy(*a))
    # A server started two builds ago still reads the older generation.
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; f = open(sys.argv[1], 'rb'); "
            "print('open', flush=True); time.sleep(60)",
            str(spare),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout.readline().strip() == "open"
        assert generations.open_elsewhere(spare)
        _change(files[sorted(files)[2]], rng, 3)
        build(corpus, db_path)
    finally:
        server.kill()
        server.wait()
    # Not written in place: a copy of the published file was updated and published instead.
    assert len(copies) == 1
    assert db_path.stat().st_ino != held_inode
    assert not generations.open_elsewhere(db_path)
    build(corpus, tmp_path / "full.db", full=True)
    assert_same(db_path, tmp_path / "full.db")


def test_a_journal_left_by_a_killed_update_never_meets_the_new_spare(corpus, tmp_path):
    import subprocess
    import sys

    from retskilde.db.build import generations

    db_path = tmp_path / "site.db"
    build(corpus, db_path)
    files = _records(corpus)
    rng = random.Random(9)
    _change(files[sorted(files)[0]], rng, 1)
    build(corpus, db_path)
    spare = generations.spare_path(db_path)
    # A build killed inside a transaction on the spare: the file marked unfinished (so it is
    # made again from the published one) and a hot journal of its old pages beside it.
    killed = (
        "import os, signal, sqlite3, sys\n"
        "conn = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "conn.execute('pragma journal_mode = delete')\n"
        "conn.execute(\"update build_info set value = 'ufærdig' where key = 'mode'\")\n"
        "conn.execute('pragma cache_size = 1')\n"
        "conn.execute('begin')\n"
        "conn.execute(\"update documents set title = 'x', text = 'x'\")\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    subprocess.run([sys.executable, "-c", killed, str(spare)], check=False)
    journal = spare.with_name(spare.name + "-journal")
    assert journal.exists() and journal.stat().st_size > 0
    _change(files[sorted(files)[1]], rng, 2)
    build(corpus, db_path)
    # The old file's journal was never applied to the new copy.
    build(corpus, tmp_path / "full.db", full=True)
    assert_same(db_path, tmp_path / "full.db")
