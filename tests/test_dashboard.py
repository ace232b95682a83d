"""The "Praksis i tal" dashboard: every chart's SQL runs, with and without the filter, and gives
the fields its chart draws."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import yaml
from datasette_dashboards import replace_opts_in_query

from retskilde import METADATA_PATH
from retskilde.site import make_datasette

DASHBOARD = yaml.safe_load(METADATA_PATH.read_text("utf-8"))["plugins"]["datasette-dashboards"][
    "praksis-i-tal"
]
CHARTS = DASHBOARD["charts"]
QUERIED = [name for name, chart in CHARTS.items() if "query" in chart]


@pytest.fixture
def site(sample_db):
    return make_datasette(sample_db)


def _drawn_fields(chart: dict) -> set[str]:
    display = chart.get("display") or {}
    if chart["library"] == "metric":
        return {display["field"]}
    if chart["library"] == "vega-lite":
        return {channel["field"] for channel in display["encoding"].values()}
    return set()


def test_the_layout_places_every_chart_and_only_those():
    placed = {name for row in DASHBOARD["layout"] for name in row}
    assert placed == set(CHARTS)


async def test_the_dashboard_page_shows_every_chart(site):
    response = await site.client.get("/-/dashboards/praksis-i-tal")
    assert response.status_code == 200
    for chart in CHARTS.values():
        if "title" in chart:
            assert chart["title"] in response.text


@pytest.mark.parametrize("name", QUERIED)
@pytest.mark.parametrize("options", [{}, {"omraade": "Sygedagpenge"}])
async def test_each_chart_query_runs_and_gives_what_the_chart_draws(site, name, options):
    chart = CHARTS[name]
    sql = replace_opts_in_query(chart["query"], options)
    query = urlencode({"sql": sql, "_shape": "objects", **options})
    response = await site.client.get(f"/{chart['db']}.json?{query}")
    assert response.status_code == 200, response.text
    rows = response.json()["rows"]
    if not options:
        # The sample corpus has something for every chart.
        assert rows and all(
            row[field] is not None for row in rows for field in _drawn_fields(chart)
        )
    for row in rows:
        assert _drawn_fields(chart) <= set(row)


async def test_the_filter_narrows_the_counts(site):
    counts = {}
    for options in ({}, {"omraade": "Sygedagpenge"}):
        sql = replace_opts_in_query(CHARTS["antal-dokumenter"]["query"], options)
        query = urlencode({"sql": sql, "_shape": "objects", **options})
        counts[bool(options)] = (await site.client.get(f"/retskilde.json?{query}")).json()["rows"]
    assert 0 < counts[True][0]["antal"] < counts[False][0]["antal"]


async def test_the_front_page_leads_to_the_dashboard_the_feed_and_the_download(site):
    page = (await site.client.get("/")).text
    for link in ("/-/dashboards/praksis-i-tal", "/-/sok.atom", "/retskilde.db", "sort=nyeste"):
        assert link in page
    for link in ("/-/dashboards/praksis-i-tal", "/retskilde.db"):
        assert (await site.client.get(link)).status_code == 200
