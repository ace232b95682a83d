"""An agenda item's decision and kommunekode reach the database and the document page."""

from __future__ import annotations

from retskilde.db.build import build
from retskilde.db.sqlite import sqlite3
from retskilde.site import make_datasette
from tests.conftest import make_record, write_record

ITEM_ID = "hvidovre-beskaeftigelsesudvalget-2026-05-04-punkt-7"
DECISION = "Anbefales godkendt med den ændring, at evalueringen forelægges udvalget i 2027."


def _item(**overrides) -> dict:
    fields = dict(
        id=ITEM_ID,
        source="kommune",
        doc_type="dagsordenpunkt",
        title="Status på hjemviste sager om fleksjob (eksempel)",
        url="https://dagsordener-referater.hvidovre.dk/vis?id=eksempel",
        text="Beslutningstema\n\nUdvalget orienteres om hjemviste sager (eksempel).",
        number=None,
        status=None,
        keywords=None,
        municipality="Hvidovre",
        committee="Beskæftigelsesudvalget",
        meeting_date="2026-05-04",
        item_number=7,
    )
    return make_record(**{**fields, **overrides})


async def test_decision_and_kommunekode_are_columns_and_the_page_shows_the_decision(tmp_path):
    corpus = tmp_path / "corpus"
    write_record(corpus / "kommune", _item(decision=DECISION, municipality_code="167"))
    write_record(corpus / "kommune", _item(id=ITEM_ID + "-uden"))
    db_path = tmp_path / "retskilde.db"
    build(corpus, db_path)
    rows = dict(
        sqlite3.connect(db_path).execute(
            "select id, decision || '|' || municipality_code from documents"
        )
    )
    assert rows == {ITEM_ID: f"{DECISION}|167", ITEM_ID + "-uden": None}
    datasette = make_datasette(db_path)
    page = await datasette.client.get(f"/retskilde/documents/{ITEM_ID}")
    assert page.status_code == 200
    assert f'<dt>Beslutning</dt><dd class="beslutning">{DECISION}</dd>' in page.text
    without = await datasette.client.get(f"/retskilde/documents/{ITEM_ID}-uden")
    assert "<dt>Beslutning</dt>" not in without.text
