"""Nothing a reader sends, and nothing in the data, breaks the site or runs in a browser or a
spreadsheet (issue 10, site half)."""

from __future__ import annotations

import csv
import io
import random
import re
from urllib.parse import urlencode

import pytest
import yaml
from click.testing import CliRunner

from retskilde import METADATA_PATH
from retskilde.cli import cli
from retskilde.db.search import MAX_QUERY_CHARS
from retskilde.db.sqlite import sqlite3
from retskilde.site import MAX_RESULT_BYTES, make_datasette
from retskilde.spreadsheet import FORMULA_STARTS, safe_cell
from tests.hostile import FORMULA_TITLES, SCRIPT_TITLE, build_hostile_db


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    return build_hostile_db(tmp_path_factory.mktemp("hostile"))


@pytest.fixture
def site(hostile_db):
    return make_datasette(hostile_db)


# -- bad parameters: a 400 in Danish, never a 500 ------------------------------------------

_WORDS = ["fleksjob", "hjemvist", "101-17", "§ 112", '"', "*", "-", "OR", "år:2019", "(", "^"]
_PARAMS = [
    "_sort", "_sort_desc", "_size", "_next", "_facet", "_col", "_nocol", "_through",
    "_facet_array", "_facet_liste", "_facet_date", "_facet_size", "_labels", "_shape",
    "year__gt", "year__in", "date__notin", "title__contains", "_searchmode", "_nl", "_extra",
]  # fmt: skip
_VALUES = ["rank", "score", "title", "nonexist", "0", "-1", "max", "", "[", "{}", "null", "1e9"]


def _fuzzed_urls(count: int, seed: int = 10) -> list[str]:
    chance = random.Random(seed)
    urls = []
    for _ in range(count):
        params = [("_search", " ".join(chance.sample(_WORDS, chance.randint(1, 3))))]
        for _ in range(chance.randint(1, 3)):
            params.append((chance.choice(_PARAMS), chance.choice(_VALUES + _WORDS[:3])))
        fmt = chance.choice(["", ".json", ".csv"])
        urls.append(f"/retskilde/documents{fmt}?{urlencode(params)}")
    return urls


async def test_table_searches_with_any_parameters_never_answer_500(site):
    failed = []
    for url in _fuzzed_urls(400):
        response = await site.client.get(url)
        if response.status_code >= 500:
            failed.append((url, response.status_code, response.text[:200]))
    assert not failed, failed[:5]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("_search=fleksjob&_sort=rank", "relevans"),
        ("_sort=findesikke", "kolonner"),
        ("_sort=title&_sort_desc=date", "ikke begge"),
        ("_through=%5B", "JSON-objekt"),
        ("year__in=%5B", "liste"),
    ],
)
async def test_bad_table_parameters_get_a_400_in_danish(site, query, words):
    response = await site.client.get(f"/retskilde/documents.json?{query}")
    assert response.status_code == 400
    assert words in response.json()["error"]
    page = await site.client.get(f"/retskilde/documents?{query}")
    assert page.status_code == 400
    assert words in page.text


# -- query length -------------------------------------------------------------------------

LONG = "fleksjob " * (MAX_QUERY_CHARS // 9 + 1)


@pytest.mark.parametrize(
    "path",
    ["/-/sok.json?q={}", "/-/sok.csv?q={}", "/-/sok.atom?q={}",
     "/retskilde/documents?_search={}", "/retskilde/documents.json?_search={}",
     "/retskilde/documents.csv?_search={}"],
)  # fmt: skip
async def test_a_query_over_the_limit_gets_a_400_with_a_message(site, path):
    response = await site.client.get(path.format(LONG.replace(" ", "+")))
    assert response.status_code == 400
    assert f"{MAX_QUERY_CHARS} tegn" in response.text
    # The page does not echo the whole query back.
    assert LONG.strip() not in response.text
    assert len(response.content) < 60_000


async def test_the_search_page_says_the_query_is_too_long(site):
    # A page with the message, as for any query it cannot search (tests/test_search_site.py).
    response = await site.client.get(f"/-/sok?q={LONG.replace(' ', '+')}")
    assert response.status_code == 200
    assert f"højst være {MAX_QUERY_CHARS} tegn" in response.text
    assert LONG.strip() not in response.text


async def test_a_query_at_the_limit_is_searched(site):
    query = ("fleksjob " * 100)[:MAX_QUERY_CHARS]
    response = await site.client.get(f"/-/sok.json?q={query}")
    assert response.status_code == 200
    assert response.json()["total"] > 0


def test_the_cli_refuses_a_query_over_the_limit(hostile_db):
    result = CliRunner().invoke(cli, ["search", LONG, "--db", str(hostile_db)])
    assert result.exit_code == 2
    assert f"højst være {MAX_QUERY_CHARS} tegn" in result.output


# -- SQL: bounded size --------------------------------------------------------------------

_ROWS = "with recursive n(i) as (select 1 union all select i + 1 from n where i < {rows}) "


@pytest.mark.parametrize(
    "sql",
    [
        "select zeroblob(60000000)",
        "select replace(hex(zeroblob(10000000)), '00', 'xyz')",
        _ROWS.format(rows=100) + f"select zeroblob({MAX_RESULT_BYTES // 50}) from n",
        _ROWS.format(rows=100) + "select group_concat(hex(zeroblob(100000))) from n",
    ],
)
async def test_public_sql_cannot_make_or_return_more_than_the_limits(site, sql):
    response = await site.client.get("/retskilde.json", params={"sql": sql})
    assert response.status_code == 400
    assert len(response.content) < 10_000
    assert "for stor" in response.json()["error"] or "too big" in response.json()["error"]


async def test_sql_within_the_limits_answers(site, hostile_db):
    response = await site.client.get(
        "/retskilde.json", params={"sql": "select id, text from documents", "_shape": "array"}
    )
    assert response.status_code == 200
    expected = sqlite3.connect(hostile_db).execute("select count(*) from documents").fetchone()
    assert len(response.json()) == expected[0]


# -- security headers and debug pages -----------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/", "/-/sok?q=fleksjob", "/retskilde/documents",
     "/retskilde/documents/ast-principmeddelelse-1-20", "/-/dashboards/praksis-i-tal",
     "/retskilde?sql=select+1", "/-/kilder"],
)  # fmt: skip
async def test_pages_carry_the_security_headers_and_every_script_the_nonce(site, path):
    response = await site.client.get(path)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    tags = re.findall(r"<script\b[^>]*>", response.text)
    assert tags and all(f'nonce="{nonce}"' in tag for tag in tags)
    assert int(response.headers["content-length"]) == len(response.content)
    # A new nonce for every response.
    again = await site.client.get(path)
    assert again.headers["content-security-policy"] != policy


async def test_only_dashboards_allow_eval_and_only_embeds_may_be_framed(site):
    page = await site.client.get("/-/sok?q=fleksjob")
    dashboard = await site.client.get("/-/dashboards/praksis-i-tal")
    embed = await site.client.get("/-/dashboards/praksis-i-tal/embed")
    assert "'unsafe-eval'" not in page.headers["content-security-policy"]
    assert "'unsafe-eval'" in dashboard.headers["content-security-policy"]
    assert "frame-ancestors *" in embed.headers["content-security-policy"]
    assert "x-frame-options" not in embed.headers


@pytest.mark.parametrize(
    "path",
    ["/-/threads", "/-/threads.json", "/-/actor.json", "/-/databases.json", "/-/plugins",
     "/-/permissions", "/-/messages", "/-/allow-debug", "/-/patterns", "/-/auth-token",
     "/-/config"],
)  # fmt: skip
async def test_debug_pages_are_not_public(site, path):
    response = await site.client.get(path)
    assert response.status_code == 404
    assert "offentlige site" in response.text


@pytest.mark.parametrize("path", ["/-/metadata.json", "/-/versions.json", "/-/settings.json"])
async def test_pages_about_the_data_stay_public(site, path):
    assert (await site.client.get(path)).status_code == 200


# -- markup in the data never becomes markup on a page --------------------------------------


def _chart_query(name: str) -> str:
    metadata = yaml.safe_load(METADATA_PATH.read_text(encoding="utf-8"))
    query = metadata["plugins"]["datasette-dashboards"]["praksis-i-tal"]["charts"][name]["query"]
    return re.sub(r"\[\[.*?\]\]", "", query)


def test_every_table_chart_gives_its_cells_escaped(hostile_db):
    # The dashboard's table chart sets each cell with innerHTML: what the query gives must be
    # text with no markup, whatever the titles hold.
    metadata = yaml.safe_load(METADATA_PATH.read_text(encoding="utf-8"))
    charts = metadata["plugins"]["datasette-dashboards"]["praksis-i-tal"]["charts"]
    tables = [name for name, chart in charts.items() if chart.get("library") == "table"]
    assert tables
    conn = sqlite3.connect(hostile_db)
    for name in tables:
        rows = conn.execute(_chart_query(name)).fetchall()
        cells = [str(cell) for row in rows for cell in row]
        assert any("&lt;img src=x onerror=" in cell for cell in cells), name
        assert not any("<" in cell or ">" in cell for cell in cells), name


async def test_hostile_titles_are_escaped_on_every_page(site):
    for path in [
        "/-/sok?q=fleksjob",
        "/retskilde/documents",
        "/retskilde/documents/ast-principmeddelelse-1-20",
        "/retskilde/documents?_facet=municipality",
    ]:
        response = await site.client.get(path)
        assert response.status_code == 200, path
        # The markup from the data is there only as text (&lt;img …), never as a tag.
        assert "__retskilde_xss" in response.text, path
        assert not re.search(r"<img src=x|<svg onload|<script>window", response.text), path
    assert SCRIPT_TITLE not in (await site.client.get("/-/sok?q=fleksjob")).text


# -- CSV: formulas stay text --------------------------------------------------------------


def test_safe_cell_prefixes_exactly_the_formula_starts():
    for start in FORMULA_STARTS:
        assert safe_cell(f"{start}1") == f"'{start}1"
    assert safe_cell("Fleksjob = løntilskud") == "Fleksjob = løntilskud"
    assert safe_cell(-3) == -3
    assert safe_cell(None) is None


def _csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


@pytest.mark.parametrize(
    "path",
    ["/-/sok.csv?q=fleksjob&_size=200", "/retskilde/documents.csv?_size=max",
     "/retskilde/documents.csv?_stream=on&_col=title&_col=summary",
     "/retskilde.csv?sql=select+title,+municipality,+-3+as+n+from+documents"],
)  # fmt: skip
async def test_csv_exports_neutralise_formulas(site, path):
    response = await site.client.get(path)
    assert response.status_code == 200
    cells = _csv_cells(response.text)
    for title in FORMULA_TITLES:
        assert f"'{title}" in cells, (path, title)
    assert not [c for c in cells if c.startswith(FORMULA_STARTS) and c != "-3"]


# -- the document page's permission rules are read once ------------------------------------


async def test_table_rules_are_read_once_and_still_apply(hostile_db, monkeypatch):
    import copy

    import datasette.app

    metadata = yaml.safe_load(METADATA_PATH.read_text(encoding="utf-8"))
    metadata["databases"]["retskilde"]["tables"]["laws"]["allow"] = {"id": "ingen"}
    site = make_datasette(hostile_db)
    site._metadata_local = metadata
    page = "/retskilde/documents/ast-principmeddelelse-1-20"
    assert (await site.client.get(page)).status_code == 200
    copies = []
    real_deepcopy = copy.deepcopy
    monkeypatch.setattr(
        datasette.app.copy, "deepcopy", lambda *a, **k: copies.append(1) or real_deepcopy(*a, **k)
    )
    assert (await site.client.get(page)).status_code == 200
    assert copies == []  # Datasette copied the whole metadata three times per page before
    for _ in range(2):
        assert (await site.client.get("/retskilde/laws")).status_code == 403
