"""Property tests over the contract: records generated from corpus/document.schema.json.

1. validate ⇔ build: a corpus the contract accepts builds, with every record findable by its
   title; a corpus it rejects stops the build with the same problems.
2. The site serves whatever the contract accepts: every document page, the search (page, JSON,
   Atom, CSV), the table page and its CSV answer 200, and markup from the data never reaches a
   page unescaped. (The dashboards are left out: robust-site fixes a known XSS there.)

CI runs a fixed (derandomized) series; RETSKILDE_PROPERTY_EXAMPLES=500 runs that many
random examples.
"""

from __future__ import annotations

import asyncio
import csv
import html
import io
import itertools
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retskilde.contract import LETTER_OR_DIGIT, validate_path, validate_record
from retskilde.db.build import InvalidCorpus, build
from retskilde.db.sqlite import sqlite3
from retskilde.site import make_datasette
from tests.contract_strategies import MARKER, PAYLOADS, SCHEMA, broken, corpora

EXAMPLES = int(os.environ.get("RETSKILDE_PROPERTY_EXAMPLES", "0")) or None
CONTRACT_SETTINGS = settings(
    max_examples=EXAMPLES or 60,
    derandomize=EXAMPLES is None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SITE_SETTINGS = settings(CONTRACT_SETTINGS, max_examples=EXAMPLES or 25)

# Markup from the data, had it not been escaped: the payloads verbatim, or elements they make.
_HTML_PAYLOADS = [payload for payload in PAYLOADS if "<" in payload]
_ACTIVE_TAGS = {"script", "img", "svg", "iframe", "object", "embed"}


def write_corpus(folder: Path, records: list[dict], names: list[str] | None = None) -> Path:
    """Write each record as <source>/<id>.json; ASCII JSON, so lone surrogates are escapes."""
    for record, name in zip(records, names or [r["id"] for r in records], strict=True):
        source = record.get("source") if isinstance(record.get("source"), str) else "ast"
        path = folder / source / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record), encoding="utf-8")
    return folder


# -- 1. validate ⇔ build ----------------------------------------------------------------------


@CONTRACT_SETTINGS
@given(data=st.data())
def test_what_validates_builds_and_what_does_not_is_refused(tmp_path_factory, data):
    records = data.draw(corpora())
    for record in records:
        # The generator and the contract agree on what a valid record is.
        assert validate_record(record) == [], record
    names = [r["id"] for r in records]
    spoilt = data.draw(st.lists(st.booleans(), min_size=len(records), max_size=len(records)))
    records = [data.draw(broken(r)) if bad else r for r, bad in zip(records, spoilt, strict=True)]
    folder = tmp_path_factory.mktemp("corpus")
    corpus = write_corpus(folder / "corpus", records, names)
    db_path = folder / "r.db"
    good, problems = validate_path(corpus)
    if problems:
        assert any(spoilt)
        with pytest.raises(InvalidCorpus) as raised:
            build(corpus, db_path)
        assert raised.value.problems == problems
        assert not db_path.exists()
        return
    assert not any(spoilt)
    report = build(corpus, db_path)
    assert report.documents == len(records)
    conn = sqlite3.connect(db_path)
    titles = dict(conn.execute("select id, title from documents"))
    assert set(titles) == set(names)
    for title in titles.values():
        assert re.search(LETTER_OR_DIGIT, title), title


# -- 2. the site serves it safely ---------------------------------------------------------------


def assert_no_markup_from_data(body: str, url: str) -> None:
    for payload in _HTML_PAYLOADS:
        assert payload not in body, f"{url}: {payload!r} unescaped"
    for element in lxml.html.document_fromstring(body).iter():
        if not isinstance(element.tag, str):
            continue
        attributes = dict(element.attrib)
        handlers = {k: v for k, v in attributes.items() if k.startswith("on") and MARKER in v}
        assert not handlers, f"{url}: <{element.tag} {handlers}> from the data"
        links = [v for v in attributes.values() if v.strip().lower().startswith("javascript:")]
        assert not links, f"{url}: <{element.tag}> links to {links}"
        made = element.tag in _ACTIVE_TAGS and MARKER in " ".join(attributes.values())
        assert not made, f"{url}: <{element.tag} {attributes}> from the data"
        if element.tag == "script":
            assert MARKER not in (element.text or ""), f"{url}: data inside <script>"


def _first_word(text: str) -> str:
    found = re.search(r"[^\W_]+", text)
    return found.group() if found else "fleksjob"


async def fetch_everything(db_path: Path, records: list[dict]) -> int:
    """GET every page the data reaches (dashboards aside); return how many were checked."""
    site = make_datasette(db_path)
    word = quote(_first_word(records[0]["title"]))
    pages = [f"/retskilde/documents/{record['id']}" for record in records]
    pages += [
        "/",
        "/-/sok?q=",
        f"/-/sok?q={word}",
        "/-/sok?q=fleksjob&sort=nyeste",
        "/retskilde/documents",
        f"/retskilde/documents?_search={word}",
        "/retskilde/documents?_facet_liste=keywords&_facet_liste=law_names&_facet=municipality",
    ]
    feeds = ["/-/sok.atom", f"/-/sok.atom?q={word}"]
    data = [f"/-/sok.json?q={word}", "/-/sok.json?q=", "/retskilde/documents.json?_shape=objects"]
    tables = [
        f"/-/sok.csv?q={word}",
        "/retskilde/documents.csv?_size=max",
        "/retskilde/documents.csv?_stream=on&_size=max",
    ]
    for url in pages + feeds + data + tables:
        response = await site.client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        kind = response.headers.get("content-type", "")
        body = response.text
        if url in pages:
            assert kind.startswith("text/html"), f"{url}: {kind}"
            assert_no_markup_from_data(body, url)
        elif url in feeds:
            root = ET.fromstring(response.content)
            assert not {el.tag.rsplit("}", 1)[-1] for el in root.iter()} & _ACTIVE_TAGS, url
        elif url in data:
            assert "json" in kind, f"{url}: {kind}"
            json.loads(body)
        else:
            assert "html" not in kind, f"{url}: {kind}"
            rows = list(csv.reader(io.StringIO(body)))
            assert len(rows) >= 1
    # The document page shows the title as written (escaped, not dropped).
    first = (await site.client.get(pages[0])).text
    assert _first_word(records[0]["title"]) in first
    return len(pages + feeds + data + tables)


@SITE_SETTINGS
@given(records=corpora(max_records=3))
def test_every_page_the_data_reaches_answers_200_without_markup_from_it(tmp_path_factory, records):
    folder = tmp_path_factory.mktemp("site")
    corpus = write_corpus(folder / "corpus", records)
    db_path = folder / "retskilde.db"
    build(corpus, db_path)
    assert asyncio.run(fetch_everything(db_path, records)) > len(records)


# -- every source × doc_type, with every optional field and with none ---------------------------


def fullest(source: str, doc_type: str, number: int) -> dict:
    """A record with every field the schema knows, at an extreme, with markup in its text."""
    payload = " ".join(PAYLOADS)
    record = {
        "id": f"{source}-{doc_type}-{number}-fuld",
        "source": source,
        "doc_type": doc_type,
        "title": f"{PAYLOADS[number % len(PAYLOADS)]} Titel {number} om fleksjob ١٢٣",
        "url": f'https://eksempel.retskilde.dk/{number}?a=<b>&c="d"',
        "fetched_at": "9999-12-31T23:59:59.999999+14:00",
        "sha256": "f" * 64,
        "text": f"Afsnit om fleksjob. {payload}\n\n\u0000\u202e{payload} ٤٥٦٧ slut.",
        "number": f"ABC-{number:04d}-99",
        "date": "0001-01-01" if number % 2 else "9999-12-31",
        "published": "2000-02-29",
        "summary": payload,
        "keywords": [PAYLOADS[0], "Fleksjob"],
        "law_names": [PAYLOADS[1], "Serviceloven"],
        "law_area": SCHEMA["properties"]["law_area"]["enum"][number % 8],
        "status": "historisk",
        "authority": payload,
        "journal_number": payload,
        "paragraph": f"§ 112, stk. 1 {PAYLOADS[2]}",
        "municipality": f"{PAYLOADS[3]} Aarhus",
        "municipality_code": "751",
        "committee": payload,
        "decision": payload,
        "issuer": payload,
        "imported_file": f"notat {PAYLOADS[0].replace('/', '')}.pdf",
        "meeting_date": "2024-02-29",
        "item_number": 2**63 - 1,
        "case_number": payload,
        "attachments": [{"title": PAYLOADS[1], "url": "https://x.dk/<script>"}],
        "html": f"<p>{payload}</p>",
        "example": True,
    }
    # A field added to the schema must be added here too, or this test stops covering it.
    assert set(record) == set(SCHEMA["properties"])
    return record


def barest(source: str, doc_type: str, number: int) -> dict:
    record = fullest(source, doc_type, number)
    return {name: record[name] for name in SCHEMA["required"]} | {"id": f"{record['id']}-bar"}


def test_every_source_and_doc_type_with_all_fields_and_with_none(tmp_path):
    sources = SCHEMA["properties"]["source"]["enum"]
    doc_types = SCHEMA["properties"]["doc_type"]["enum"]
    records = []
    for number, (source, doc_type) in enumerate(itertools.product(sources, doc_types)):
        records += [fullest(source, doc_type, number), barest(source, doc_type, number)]
    corpus = write_corpus(tmp_path / "corpus", records)
    assert validate_path(corpus)[1] == []
    db_path = tmp_path / "retskilde.db"
    assert build(corpus, db_path).documents == 2 * len(sources) * len(doc_types)
    assert asyncio.run(fetch_everything(db_path, records)) > len(records)


@pytest.mark.parametrize("payload", _HTML_PAYLOADS)
def test_the_markup_check_sees_a_payload_left_unescaped_and_passes_it_escaped(payload):
    # Without this, a check that never fails would make the site property pass vacuously.
    with pytest.raises(AssertionError):
        assert_no_markup_from_data(f"<html><body><p>{payload}</p></body></html>", "/x")
    with pytest.raises(AssertionError):
        # Escaped for text but not for the attribute it sits in: quotes break out.
        broken_out = payload.replace("<", "&lt;").replace(">", "&gt;")
        body = f'<html><body><a title="{broken_out}" onclick="{MARKER}">x</a></body></html>'
        assert_no_markup_from_data(body, "/x")
    escaped = html.escape(payload)
    assert_no_markup_from_data(
        f'<html><body><p>{escaped}</p><a title="{escaped}">x</a></body></html>', "/x"
    )
