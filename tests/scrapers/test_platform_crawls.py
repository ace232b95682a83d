"""Whole crawls of the agenda platforms against their recorded pages on the local site: the
records written are exactly the ones the parser tests expect from the same pages; selection by
committee; a municipality on another platform is refused; every run is logged per
municipality. Resuming, 304s, robots and failures are tests/scrapers/test_crawl_behaviour.py's,
run over every registered source."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from retskilde.cli import cli
from retskilde.scrapers.kommuner import find_kommune
from retskilde.scrapers.runlog import read_runs
from tests.scrapers.platform_sites import KOMMUNE, SERVERS

HERE = Path(__file__).parent
# Platform → (the expected result of a recorded page, the site the expected file names).
EXPECTED = {
    "aabendagsorden": (
        "aabendagsorden/glostrup-social-og-sundhedsudvalget-2025-11-12",
        "https://dagsorden.glostrup.dk",
    ),
    "kk": ("kk/socialudvalget-2025-12-03-referat-punkt-2", "https://www.kk.dk"),
    "meetingsplus": (
        "meetingsplus/arbejdsmarkedsudvalget-2025-11-24-referat",
        "https://billund.meetingsplus.dk",
    ),
    "aalborg": (
        "aalborg/job-og-velfaerdsudvalget-2026-03-12",
        "https://apps.aalborgkommune.dk",
    ),
}
# What only the crawl knows: when it fetched, and which bytes (the page, or the minutes PDF).
VOLATILE = ("fetched_at", "sha256")


def _run(name: str, site, corpus: Path, *extra: str):
    args = ["scrape", name, "--kommune", KOMMUNE[name], "--base-url", site.base_url]
    args += ["--corpus", str(corpus), "--rate", "1000", "--retries", "0", *extra]
    return CliRunner().invoke(cli, args)


def _records(corpus: Path) -> dict[str, dict]:
    return {
        p.stem: json.loads(p.read_text("utf-8"))
        for p in sorted((corpus / "kommune").glob("*.json"))
    }


def _stable(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in VOLATILE}


@pytest.mark.parametrize("name", sorted(SERVERS))
def test_a_crawl_writes_exactly_the_records_the_recorded_pages_give(name, site, tmp_path):
    SERVERS[name](site)
    corpus = tmp_path / "corpus"
    result = _run(name, site, corpus)
    assert result.exit_code == 0, result.output
    written = _records(corpus)
    path, origin = EXPECTED[name]
    text = (HERE / f"{path}.expected.json").read_text("utf-8")
    expected = json.loads(text.replace(origin, site.base_url))
    assert expected["records"]
    for record in expected["records"]:
        assert _stable(written[record["id"]]) == _stable(record)
    # Closed items are never stored.
    assert not set(expected["closed"]) & set(written)
    kommune = find_kommune(KOMMUNE[name])
    assert all(r["municipality_code"] == kommune.code for r in written.values())


@pytest.mark.parametrize("name", sorted(SERVERS))
def test_the_run_is_logged_under_the_municipality(name, site, tmp_path):
    SERVERS[name](site)
    corpus = tmp_path / "corpus"
    assert _run(name, site, corpus).exit_code == 0
    runs = read_runs(corpus)
    assert [(run.source, run.municipality) for run in runs] == [("kommune", KOMMUNE[name])]
    assert runs[0].new == len(_records(corpus)) and runs[0].failed == []


@pytest.mark.parametrize("name", sorted(SERVERS))
def test_udvalg_selects_the_committees(name, site, tmp_path):
    SERVERS[name](site)
    result = _run(name, site, tmp_path / "corpus", "--udvalg", "^ingen sådan udvalg$")
    # Nothing selected is a failure naming where discovery started, never a quiet success.
    assert result.exit_code == 1
    assert "fandt ingen adresser" in result.output
    assert _records(tmp_path / "corpus") == {}


def test_a_municipality_on_another_platform_is_refused(site, tmp_path):
    result = CliRunner().invoke(
        cli, ["scrape", "aabendagsorden", "--kommune", "hvidovre", "--corpus", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "Hvidovre Kommune bruger FirstAgenda Publication" in result.output
