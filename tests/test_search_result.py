"""SearchResult.to_dict, the JSON API's body: what dataclasses.asdict gives, made faster."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from retskilde.db.search import FacetValue, Hit, SearchResult


def test_to_dict_is_asdict_and_shares_no_lists():
    result = SearchResult(
        query="fleksjob",
        hits=[
            Hit(
                id="ast-eksempel-1",
                title="Principmeddelelse om fleksjob (eksempel)",
                doc_type="principmeddelelse",
                date="2024-01-02",
                url="https://eksempel.retskilde.dk/1",
                snippet="<mark>fleksjob</mark>",
                score=3.5,
                partial=True,
            )
        ],
        total=1,
        facets={"year": [FacetValue("2024", "2024", 1, estimate=True)]},
        notes=["Søgningen er bred."],
        broad=True,
        subject=["title"],
    )
    data = result.to_dict()
    assert data == asdict(result)
    data["hits"][0]["title"] = "ændret"
    data["facets"]["year"].append("ændret")
    data["notes"].append("ændret")
    assert result.hits[0].title.startswith("Principmeddelelse")
    assert len(result.facets["year"]) == 1 and result.notes == ["Søgningen er bred."]


def test_search_reads_plain_rows_and_gives_the_connection_back_as_it_was(sample_db, monkeypatch):
    # The site's connections have a row factory that counts bytes (retskilde_limits); the
    # search reads its own rows without it and leaves it in place, also after an error.
    import retskilde.db.search as search_module
    from datasette_plugins.retskilde_limits import budgeted_rows
    from retskilde.db.sqlite import sqlite3
    from retskilde.site import MAX_RESULT_BYTES

    conn = sqlite3.connect(f"file:{sample_db}?mode=ro", uri=True)
    factory = conn.row_factory = budgeted_rows(MAX_RESULT_BYTES)
    original = search_module._every_match
    during = []

    def watched(connection, *args):
        during.append(connection.row_factory)
        return original(connection, *args)

    monkeypatch.setattr(search_module, "_every_match", watched)
    result = search_module.search(conn, "fleksjob")
    assert result.hits and during == [None]
    assert conn.row_factory is factory
    assert isinstance(conn.execute("select 1").fetchone(), sqlite3.Row)

    def failing(connection, *args):
        raise RuntimeError("eksempel")

    monkeypatch.setattr(search_module, "_every_match", failing)
    with pytest.raises(RuntimeError):
        search_module.search(conn, "fleksjob")
    assert conn.row_factory is factory
