"""The streaming build: records read one file at a time give the database the whole corpus in
memory gave, whatever order the folders put the files in."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import retskilde.db.build
from retskilde import DEFAULT_CORPUS
from retskilde.contract import read_record, record_files, validate_path
from retskilde.db.build import InvalidCorpus, build
from retskilde.db.sqlite import sqlite3
from tests.conftest import make_record, write_record
from tests.test_build import dump


def scattered_copy(target: Path) -> list[str]:
    """The sample corpus copied into folders whose path order is the reverse of id order;
    returns the ids in id order."""
    files = sorted(record_files(DEFAULT_CORPUS), key=lambda file: file.stem)
    for place, file in enumerate(files):
        folder = target / f"{len(files) - place:04d}"
        folder.mkdir(parents=True)
        shutil.copy(file, folder / file.name)
    return [file.stem for file in files]


def whole_corpus_in_memory(path: Path, problems: list) -> list[dict]:
    """How the build read the corpus before it streamed: every record, then sorted by id."""
    records = []
    for file in record_files(path, problems):
        record, found = read_record(file)
        problems.extend(found)
        if record is not None:
            records.append(record)
    return sorted(records, key=lambda record: record["id"])


def test_streaming_build_equals_the_build_from_memory(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    ids = scattered_copy(corpus)
    # The folders' order is not the ids' order, so reading in path order would go wrong.
    assert [file.stem for file in record_files(corpus)] != ids
    streamed = tmp_path / "streamed.db"
    build(corpus, streamed)
    with monkeypatch.context() as patch:
        patch.setattr(retskilde.db.build, "iter_records", whole_corpus_in_memory)
        build(corpus, tmp_path / "memory.db")
    assert dump(streamed) == dump(tmp_path / "memory.db")
    conn = sqlite3.connect(streamed)
    assert [row[0] for row in conn.execute("select id from documents order by rowid")] == ids


def test_a_bad_record_after_good_ones_stops_the_build(tmp_path):
    corpus = tmp_path / "corpus"
    write_record(corpus / "b", make_record(id="ast-principmeddelelse-1-99"))
    db_path = tmp_path / "r.db"
    build(corpus, db_path)
    before = db_path.read_bytes()
    # Loaded after the good record (its id sorts last), listed before it (folder "a").
    write_record(corpus / "a", make_record(id="zz-bad", number="1-98", title=None))
    # The same id twice: the second file in path order is the one named.
    write_record(corpus / "c", make_record(id="ast-principmeddelelse-1-99"))
    with pytest.raises(InvalidCorpus) as raised:
        build(corpus, db_path)
    found = [(str(Path(p.location).relative_to(corpus)), p.field) for p in raised.value.problems]
    assert found == [("a/zz-bad.json", "title"), ("c/ast-principmeddelelse-1-99.json", "id")]
    assert "findes også i" in raised.value.problems[1].message
    assert str(corpus / "b") in raised.value.problems[1].message
    assert db_path.read_bytes() == before
    assert list(tmp_path.glob(".*.tmp*")) == []
    # `validate` reports the same problems in the same order.
    assert validate_path(corpus)[1] == raised.value.problems


def test_an_unwritable_database_folder_does_not_hide_a_broken_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    write_record(corpus, make_record(title=None))
    blocker = tmp_path / "ikke-en-mappe"
    blocker.write_text("x")
    with pytest.raises(InvalidCorpus) as raised:
        build(corpus, blocker / "r.db")
    assert [p.field for p in raised.value.problems] == ["title"]


def test_validate_path_gives_records_in_id_order(tmp_path):
    corpus = tmp_path / "corpus"
    for folder, number in (("a", "3-99"), ("b", "2-99"), ("c", "1-99")):
        record = make_record(id=f"ast-principmeddelelse-{number}", number=number)
        (corpus / folder).mkdir(parents=True)
        (corpus / folder / f"{record['id']}.json").write_text(json.dumps(record), "utf-8")
    records, problems = validate_path(corpus)
    assert problems == []
    assert [r["number"] for r in records] == ["1-99", "2-99", "3-99"]
