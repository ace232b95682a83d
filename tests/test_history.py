"""Document history (issue 16, item 4): a scraper that stores a new version of a record keeps the
previous one in the corpus; the build makes the versions table from them; the document page
shows "Ændringer"; /-/aendringer.atom is the feed of changes, ?kun=historisk what became
historisk."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from retskilde.contract import validate_path
from retskilde.db.build import BuildFileError, build
from retskilde.db.sqlite import sqlite3
from retskilde.scrapers.corpus import CorpusWriter, WriteOutcome
from retskilde.site import make_datasette
from tests.conftest import make_record

ATOM = "{http://www.w3.org/2005/Atom}"


def _record(**changes) -> dict:
    record = make_record(
        id="ast-principmeddelelse-12-19",
        source="ast",
        doc_type="principmeddelelse",
        number="12-19",
        status="gældende",
        title="Principmeddelelse 12-19 om <hjælpemidler> & forbrugsgoder",
        text="Eksempel: Kommunen skulle have vurderet, om kørestolen var et hjælpemiddel.",
        fetched_at="2025-01-10T08:00:00+00:00",
    )
    record.pop("example", None)
    return {**record, **changes}


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A record written three times by a scraper: text changed, then it became historisk."""
    folder = tmp_path / "corpus"
    writer = CorpusWriter(folder / "ast")
    first = _record()
    assert writer.write(first, first["url"]) is WriteOutcome.NEW
    second = _record(
        text=first["text"] + " Sagen blev hjemvist.", fetched_at="2025-06-02T08:00:00+00:00"
    )
    assert writer.write(second, second["url"]) is WriteOutcome.CHANGED
    again = {**second, "fetched_at": "2025-07-01T08:00:00+00:00"}  # only fetched again
    assert writer.write(again, again["url"]) is WriteOutcome.UNCHANGED
    third = _record(text=second["text"], status="historisk", fetched_at="2026-01-15T09:00:00+00:00")
    assert writer.write(third, third["url"]) is WriteOutcome.CHANGED
    return folder


def test_a_changed_record_keeps_its_earlier_versions(corpus):
    kept = sorted((corpus / "ast" / ".history" / "ast-principmeddelelse-12-19").glob("*.json"))
    assert [p.name for p in kept] == ["20250110T0800000000.json", "20250602T0800000000.json"]
    assert json.loads(kept[0].read_text("utf-8"))["text"].endswith("hjælpemiddel.")
    # History is not records: validate counts the one current record only.
    records, problems = validate_path(corpus)
    assert problems == [] and len(records) == 1


def test_an_example_record_replaced_by_the_real_one_leaves_no_history(tmp_path):
    writer = CorpusWriter(tmp_path / "ast")
    writer.write({**_record(), "example": True}, "https://x")
    writer.write(_record(), "https://x")
    assert not (tmp_path / "ast" / ".history").exists()


def test_the_build_makes_one_versions_row_per_change(corpus, tmp_path):
    db_path = tmp_path / "retskilde.db"
    build(corpus, db_path)
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("select * from versions order by id")]
    assert [r["changed_at"] for r in rows] == [
        "2025-06-02T08:00:00+00:00",
        "2026-01-15T09:00:00+00:00",
    ]
    text_change, status_change = rows
    assert text_change["status_before"] == text_change["status_after"] == "gældende"
    assert text_change["text_chars_after"] - text_change["text_chars_before"] == len(
        " Sagen blev hjemvist."
    )
    assert json.loads(text_change["changed_fields"]) == ["text"]
    assert (status_change["status_before"], status_change["status_after"]) == (
        "gældende",
        "historisk",
    )
    assert status_change["description"] == "status gældende → historisk"


def test_a_damaged_kept_version_stops_the_build_naming_it(corpus, tmp_path):
    kept = next((corpus / "ast" / ".history").rglob("*.json"))
    kept.write_text("{ikke json", "utf-8")
    with pytest.raises(BuildFileError) as raised:
        build(corpus, tmp_path / "retskilde.db")
    assert str(kept) in str(raised.value)
    assert not (tmp_path / "retskilde.db").exists()


async def test_the_page_shows_aendringer_and_the_feeds_list_them(corpus, tmp_path):
    db_path = tmp_path / "retskilde.db"
    build(corpus, db_path)
    site = make_datasette(db_path)
    page = await site.client.get("/retskilde/documents/ast-principmeddelelse-12-19")
    assert page.status_code == 200
    html = page.text
    section = html[html.index("<h3>Ændringer</h3>") :]
    assert "2026-01-15</time>: status gældende → historisk" in section
    assert "2025-06-02</time>: tekst" in section
    assert "<hjælpemidler>" not in html  # the title is escaped everywhere
    feed = await site.client.get("/-/aendringer.atom")
    assert feed.status_code == 200 and "atom" in feed.headers["content-type"]
    entries = ET.fromstring(feed.content).findall(f"{ATOM}entry")
    assert len(entries) == 2
    assert entries[0].find(f"{ATOM}title").text.endswith("status gældende → historisk")
    only = await site.client.get("/-/aendringer.atom?kun=historisk")
    titles = [
        e.find(f"{ATOM}title").text for e in ET.fromstring(only.content).findall(f"{ATOM}entry")
    ]
    assert len(titles) == 1 and titles[0].endswith("→ historisk")
    link = entries[0].find(f"{ATOM}link[@rel='alternate']").get("href")
    assert link.endswith("/retskilde/documents/ast-principmeddelelse-12-19")


async def test_a_document_without_history_shows_no_aendringer(tmp_path):
    folder = tmp_path / "corpus"
    CorpusWriter(folder / "ast").write(_record(), "https://x")
    build(folder, tmp_path / "retskilde.db")
    page = await make_datasette(tmp_path / "retskilde.db").client.get(
        "/retskilde/documents/ast-principmeddelelse-12-19"
    )
    assert page.status_code == 200 and "Ændringer" not in page.text
