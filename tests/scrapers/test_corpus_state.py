from __future__ import annotations

import json
import os

import pytest

from retskilde.scrapers.corpus import CorpusWriter, InvalidRecord, WriteOutcome, record_json
from retskilde.scrapers.files import atomic_write
from retskilde.scrapers.state import CrawlState, StateLocked
from tests.conftest import make_record


def scraped(**overrides) -> dict:
    return make_record(example=None, **overrides)


def test_write_new_unchanged_changed(tmp_path):
    writer = CorpusWriter(tmp_path)
    record = scraped()
    assert writer.write(record, record["url"]) is WriteOutcome.NEW
    path = writer.path(record["id"])
    before = path.stat().st_mtime_ns
    # Only the fetch time differs: same document, file left alone.
    again = {**record, "fetched_at": "2027-01-01T00:00:00+00:00"}
    assert writer.write(again, record["url"]) is WriteOutcome.UNCHANGED
    assert path.stat().st_mtime_ns == before
    assert json.loads(path.read_text("utf-8"))["fetched_at"] == record["fetched_at"]
    assert writer.write({**record, "status": "historisk"}, record["url"]) is WriteOutcome.CHANGED
    assert json.loads(path.read_text("utf-8"))["status"] == "historisk"


def test_invalid_record_is_not_written_and_names_the_url(tmp_path):
    writer = CorpusWriter(tmp_path)
    good = scraped()
    writer.write(good, good["url"])
    bad = {**good, "date": "20.06.2024"}
    with pytest.raises(InvalidRecord) as caught:
        writer.write(bad, "https://www.ast.dk/side")
    assert "https://www.ast.dk/side" in str(caught.value) and "date" in str(caught.value)
    assert json.loads(writer.path(good["id"]).read_text("utf-8")) == good


def test_real_record_replaces_a_fictional_example_with_the_same_id(tmp_path):
    writer = CorpusWriter(tmp_path)
    example = make_record()  # example: true
    writer.path(example["id"]).write_bytes(record_json(example))
    real = scraped()
    assert writer.write(real, real["url"]) is WriteOutcome.CHANGED
    assert "example" not in json.loads(writer.path(real["id"]).read_text("utf-8"))


def test_atomic_write_leaves_the_old_file_when_the_rename_fails(tmp_path, monkeypatch):
    target = tmp_path / "post.json"
    target.write_text('{"gammel": true}', encoding="utf-8")

    def broken_replace(src, dst):
        raise OSError("disken er fuld")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        atomic_write(target, b'{"ny": tr')
    assert target.read_text("utf-8") == '{"gammel": true}'
    assert [p.name for p in tmp_path.iterdir()] == ["post.json"]  # no temp file left behind


def test_only_one_crawl_per_source_at_a_time(tmp_path):
    path = tmp_path / ".state" / "ast.sqlite"
    with CrawlState(path, "ast"), pytest.raises(StateLocked, match="en anden kørsel"):
        CrawlState(path, "ast")
    with CrawlState(path, "ast"):
        pass  # released when the first one closed


def test_an_interrupted_crawl_is_resumed_only_with_the_same_options(tmp_path):
    path = tmp_path / ".state" / "ast.sqlite"
    options = {"kinds": ["nyhed"], "limit": None}
    with CrawlState(path, "ast") as state:
        crawl = state.start(
            options, [("https://a", "nyhed", None), ("https://b", "nyhed", None)], "t"
        )
    with CrawlState(path, "ast") as state:
        resumed = state.unfinished(options)
        assert resumed is not None and resumed.id == crawl.id and resumed.total == 2
        assert [item.url for item in state.pending(crawl.id)] == ["https://a", "https://b"]
        assert state.unfinished({"kinds": ["artikel"], "limit": None}) is None
        assert state.unfinished(options) is None  # the other question abandoned it
