"""The municipality and committee facets with agenda items from every municipality Retskilde
collects (issue 13, item 6): every municipality is a facet value with its count, a committee
facet is offered on the documents table, and filtering by municipality finds only its items."""

from __future__ import annotations

from pathlib import Path

import pytest

from retskilde.db.build import build
from retskilde.scrapers.kommuner import all_kommuner
from retskilde.site import make_datasette
from tests.conftest import make_record, write_record

COMMITTEES = ("Beskæftigelsesudvalget", "Social- og Sundhedsudvalget")


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("kommuner")
    corpus = folder / "corpus"
    collected = [k for k in all_kommuner() if k.collected]
    for kommune in collected:
        for number, committee in enumerate(COMMITTEES, start=1):
            record = make_record(
                id=f"{kommune.key}-udvalg-2025-11-0{number}-punkt-{number}",
                source="kommune",
                doc_type="dagsordenpunkt",
                title=f"Eksempel: punkt {number} i {committee}",
                municipality=kommune.name,
                municipality_code=kommune.code,
                committee=committee,
                meeting_date=f"2025-11-0{number}",
                date=f"2025-11-0{number}",
            )
            write_record(corpus / "kommune", record)
    path = folder / "retskilde.db"
    build(corpus, path)
    return path


async def test_every_collected_municipality_is_a_facet_value(db_path):
    collected = [k for k in all_kommuner() if k.collected]
    assert len(collected) >= 92
    site = make_datasette(db_path)
    response = await site.client.get(
        "/retskilde/documents.json?_facet=municipality&_facet_size=max&_size=0"
    )
    assert response.status_code == 200
    facet = response.json()["facet_results"]["municipality"]["results"]
    counts = {row["value"]: row["count"] for row in facet}
    assert counts == {k.name: len(COMMITTEES) for k in collected}


async def test_the_committee_facet_is_offered_and_counts_across_municipalities(db_path):
    site = make_datasette(db_path)
    response = await site.client.get("/retskilde/documents.json?_size=0")
    facets = response.json()["facet_results"]
    assert "committee" in facets
    counts = {row["value"]: row["count"] for row in facets["committee"]["results"]}
    collected = sum(k.collected for k in all_kommuner())
    assert counts == {committee: collected for committee in COMMITTEES}


async def test_filtering_by_a_municipality_finds_only_its_items(db_path):
    site = make_datasette(db_path)
    response = await site.client.get(
        "/retskilde/documents.json?municipality=Aalborg&_shape=array&_col=municipality"
    )
    rows = response.json()
    assert len(rows) == len(COMMITTEES) and {r["municipality"] for r in rows} == {"Aalborg"}
    search = await site.client.get("/-/sok.json?q=punkt+kommune:Aalborg")
    assert search.status_code == 200
    hits = search.json()["hits"]
    assert hits and all("Aalborg" in (h.get("municipality") or "Aalborg") for h in hits)
