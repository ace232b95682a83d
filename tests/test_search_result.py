"""SearchResult.to_dict, the JSON API's body: what dataclasses.asdict gives, made faster."""

from __future__ import annotations

from dataclasses import asdict

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
