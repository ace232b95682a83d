"""Document history: earlier versions kept by the corpus writer, the `versions` table, the
"Ændringer" list on the document page and the Atom feed of changes."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from retskilde.cli import cli
from retskilde.db.build import BuildFileError, build
from retskilde.db.sqlite import sqlite3
from retskilde.feed import ATOM
from retskilde.scrapers.corpus import CorpusWriter, WriteOutcome, history_name
from retskilde.site import make_datasette
from tests.conftest import make_record

NS = {"a": ATOM}


def scraped(**overrides) -> dict:
    return make_record(example=None, **overrides)


def _write_three_versions(corpus: Path) -> CorpusWriter:
    writer = CorpusWriter(corpus / "ast")
    first = scraped(status="gældende", fetched_at="2026-01-10T08:00:00+00:00")
    assert writer.write(first, first["url"]) is WriteOutcome.NEW
    second = {
        **first,
        "status": "historisk",
        "title": "Principmeddelelse 1-99 <om> hjælpemidler & udstyr (eksempel)",
        "fetched_at": "2026-03-02T09:30:00+00:00",
    }
    assert writer.write(second, first["url"]) is WriteOutcome.CHANGED
    third = {
        **second,
        "text": second["text"] + "\n\nTilføjet afsnit.",
        "fetched_at": "2026-04-01T07:00:00+00:00",
    }
    assert writer.write(third, first["url"]) is WriteOutcome.CHANGED
    return writer


def test_a_changed_record_keeps_the_old_version(tmp_path):
    writer = CorpusWriter(tmp_path)
    record = scraped(fetched_at="2026-01-10T08:00:00+00:00")
    writer.write(record, record["url"])
    # Only the fetch time differs: no new version, nothing kept.
    writer.write({**record, "fetched_at": "2026-02-01T00:00:00+00:00"}, record["url"])
    assert not (tmp_path / ".history").exists()
    writer.write({**record, "status": "historisk", "fetched_at": "2026-02-01T00:00:00+00:00"}, "u")
    kept = writer.history(record["id"]) / history_name("2026-01-10T08:00:00+00:00")
    assert kept.name == "2026-01-10T08-00-00+00-00.json"
    assert json.loads(kept.read_text("utf-8")) == record
    assert json.loads(writer.path(record["id"]).read_text("utf-8"))["status"] == "historisk"


def test_a_replaced_example_is_no_version(tmp_path):
    writer = CorpusWriter(tmp_path)
    example = make_record()  # example: true
    writer.path(example["id"]).parent.mkdir(parents=True, exist_ok=True)
    writer.path(example["id"]).write_text(json.dumps(example), encoding="utf-8")
    writer.write(scraped(), "u")
    assert not (tmp_path / ".history").exists()


def test_build_makes_versions_and_ignores_kept_files_as_records(tmp_path):
    corpus = tmp_path / "corpus"
    _write_three_versions(corpus)
    db_path = tmp_path / "site.db"
    report = build(corpus, db_path)
    assert report.documents == 1
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("select * from versions order by fetched_at")]
    text = make_record()["text"]
    assert rows == [
        {
            "document_id": "ast-principmeddelelse-1-99",
            "fetched_at": "2026-03-02T09:30:00+00:00",
            "previous_fetched_at": "2026-01-10T08:00:00+00:00",
            "status_before": "gældende",
            "status_after": "historisk",
            "title_changed": 1,
            "title_before": "Ankestyrelsens principmeddelelse 1-99 om hjælpemidler (eksempel)",
            "text_chars_before": len(text),
            "text_chars_after": len(text),
        },
        {
            "document_id": "ast-principmeddelelse-1-99",
            "fetched_at": "2026-04-01T07:00:00+00:00",
            "previous_fetched_at": "2026-03-02T09:30:00+00:00",
            "status_before": "historisk",
            "status_after": "historisk",
            "title_changed": 0,
            "title_before": None,
            "text_chars_before": len(text),
            "text_chars_after": len(text) + len("\n\nTilføjet afsnit."),
        },
    ]
    conn.close()
    result = CliRunner().invoke(cli, ["validate", str(corpus)])
    assert result.exit_code == 0, result.output
    assert "1 gyldige dokumenter, 0 fejl" in result.output


def test_incremental_build_keeps_versions_up_to_date(tmp_path):
    corpus = tmp_path / "corpus"
    writer = _write_three_versions(corpus)
    db_path = tmp_path / "site.db"
    build(corpus, db_path)
    stored = json.loads(writer.path("ast-principmeddelelse-1-99").read_text("utf-8"))
    writer.write({**stored, "status": "gældende", "fetched_at": "2026-05-01T00:00:00+00:00"}, "u")
    report = build(corpus, db_path)
    assert report.changes is not None and report.changes.changed == ["ast-principmeddelelse-1-99"]
    conn = sqlite3.connect(db_path)
    newest = conn.execute(
        "select fetched_at, status_before, status_after from versions order by fetched_at desc"
    ).fetchone()
    assert newest == ("2026-05-01T00:00:00+00:00", "historisk", "gældende")
    assert conn.execute("select count(*) from versions").fetchone()[0] == 3


def test_an_unreadable_kept_version_is_named(tmp_path):
    corpus = tmp_path / "corpus"
    writer = _write_three_versions(corpus)
    broken = writer.history("ast-principmeddelelse-1-99") / "2025-01-01.json"
    broken.write_text("{ikke json", encoding="utf-8")
    with pytest.raises(BuildFileError) as raised:
        build(corpus, tmp_path / "site.db")
    assert raised.value.path == broken
    assert not (tmp_path / "site.db").exists()


@pytest.fixture
def history_site(tmp_path):
    corpus = tmp_path / "corpus"
    _write_three_versions(corpus)
    # A second document whose earlier title would break the page unescaped.
    writer = CorpusWriter(corpus / "ast")
    other = scraped(
        id="ast-principmeddelelse-2-99",
        number="2-99",
        url="https://eksempel.retskilde.dk/ast/principmeddelelser/2-99",
        title="<script>alert(1)</script> Gammel titel (eksempel)",
        fetched_at="2026-02-01T00:00:00+00:00",
    )
    writer.write(other, other["url"])
    writer.write(
        {**other, "title": "Ny titel (eksempel)", "fetched_at": "2026-02-15T00:00:00+00:00"}, "u"
    )
    db_path = tmp_path / "retskilde.db"
    build(corpus, db_path)
    return make_datasette(db_path)


async def test_document_page_shows_aendringer_escaped(history_site):
    page = await history_site.client.get("/retskilde/documents/ast-principmeddelelse-2-99")
    assert page.status_code == 200
    html = page.text
    assert "<h3>Ændringer</h3>" in html
    assert '<time datetime="2026-02-15T00:00:00+00:00">2026-02-15</time>' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Gammel titel" in html
    assert "<script>alert(1)" not in html
    first = await history_site.client.get("/retskilde/documents/ast-principmeddelelse-1-99")
    assert "status gældende → historisk" in first.text
    assert first.text.index("2026-04-01") < first.text.index("2026-03-02")  # newest first


async def test_document_page_without_versions_has_no_aendringer(sample_db):
    site = make_datasette(sample_db)
    conn = sqlite3.connect(sample_db)
    doc_id = conn.execute("select id from documents order by id limit 1").fetchone()[0]
    conn.close()
    page = await site.client.get(f"/retskilde/documents/{doc_id}")
    assert page.status_code == 200 and "Ændringer" not in page.text


async def test_changes_feed_is_atom_with_one_entry_per_change(history_site):
    response = await history_site.client.get("/-/aendringer.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{ATOM}}}feed"
    assert root.findtext("a:updated", namespaces=NS) == "2026-04-01T00:00:00Z"
    entries = root.findall("a:entry", NS)
    ids = [e.findtext("a:id", namespaces=NS) for e in entries]
    assert ids == [
        "https://eksempel.retskilde.dk/ast/principmeddelelser/1-99#aendret-2026-04-01T07:00:00+00:00",
        "https://eksempel.retskilde.dk/ast/principmeddelelser/1-99#aendret-2026-03-02T09:30:00+00:00",
        "https://eksempel.retskilde.dk/ast/principmeddelelser/2-99#aendret-2026-02-15T00:00:00+00:00",
    ]
    second = entries[1]
    assert "status gældende → historisk" in second.findtext("a:title", namespaces=NS)
    assert second.findtext("a:updated", namespaces=NS) == "2026-03-02T00:00:00Z"
    # The escaped old title is text of the summary, not markup.
    summary = entries[2].findtext("a:summary", namespaces=NS)
    assert "&lt;script&gt;" in summary
    link = entries[0].find("a:link[@rel='alternate']", NS).get("href")
    assert (await history_site.client.get(urlsplit(link).path)).status_code == 200
