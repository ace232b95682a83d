"""A source or kind that finds nothing, or whose pages give no records, is a failure named by
the URL it started from; every run leaves one line per kind in <corpus>/.runs/."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from retskilde.cli import cli
from retskilde.scrapers import firstagenda as fa
from retskilde.scrapers import registry
from retskilde.scrapers.runlog import read_runs, runs_path
from retskilde.scrapers.runner import Parsed
from retskilde.scrapers.sources.ast import CrawlOptions, crawl_ast
from retskilde.scrapers.sources.firstagenda import AgendaOptions, crawl_firstagenda
from tests.scrapers import agendas
from tests.scrapers.conftest import FIXED_NOW, serve_fixtures
from tests.scrapers.platform_sites import SERVERS

PM = "/for-myndigheder/principmeddelelser/2024/ankestyrelsens-principmeddelelse-14-24"


def _ast(site, corpus, make_fetcher, **options):
    opts = CrawlOptions(corpus=corpus, base_url=site.base_url, **options)
    return crawl_ast(opts, make_fetcher(corpus), now=lambda: FIXED_NOW)


def _only_one_kind(site) -> None:
    served = serve_fixtures(site)
    site.sitemap([path for path, f in served.items() if f.kind == "principmeddelelse"])


def test_a_kind_the_sitemap_does_not_list_is_a_failure_named_by_the_sitemap(
    site, tmp_path, make_fetcher
):
    _only_one_kind(site)
    summary = _ast(site, tmp_path / "corpus", make_fetcher)
    assert summary.new >= 1 and not summary.ok
    sitemap = site.url("/sitemap.xml")
    assert sorted(summary.failed) == sorted(
        (sitemap, f"fandt ingen adresser af slagsen {kind!r}")
        for kind in ("nyhed", "artikel", "praksisundersoegelse", "tilsynsudtalelse")
    )


def test_an_empty_sitemap_fails_the_cli_with_the_sitemap_named(site, tmp_path):
    site.sitemap([])
    corpus = tmp_path / "corpus"
    result = CliRunner().invoke(
        cli,
        ["scrape", "ast", "--base-url", site.base_url, "--corpus", str(corpus), "--rate", "1000"],
    )
    assert result.exit_code == 1
    assert f"{site.url('/sitemap.xml')}: fandt ingen adresser af slagsen 'principmeddelelse'" in (
        result.output
    )
    assert not list((corpus / "ast").glob("*.json"))


def test_pages_that_give_no_records_are_a_failure(site, tmp_path, make_fetcher, monkeypatch):
    agendas.serve(site)
    monkeypatch.setattr(
        fa, "parse_dagsorden", lambda *a, **k: fa.AgendaResult(meeting=None, records=[])
    )
    corpus = tmp_path / "corpus"
    options = AgendaOptions(corpus=corpus, kommune=agendas.site_kommune(site))
    fetcher = make_fetcher(corpus, source="kommune")
    summary = crawl_firstagenda(options, fetcher, now=lambda: FIXED_NOW)
    start = fa.udvalgsliste_url(site.base_url)
    assert summary.meetings > 0 and not summary.ok
    [(url, reason)] = summary.failed
    assert url == start and reason.endswith("af slagsen 'moede' gav ingen poster")


def test_a_committee_list_without_our_committees_is_a_failure(site, tmp_path, make_fetcher):
    agendas.serve(site)
    corpus = tmp_path / "corpus"
    options = AgendaOptions(corpus=corpus, kommune=agendas.site_kommune(site), udvalg="ingen-sådan")
    summary = crawl_firstagenda(options, make_fetcher(corpus, source="kommune"))
    assert summary.failed == [
        (fa.udvalgsliste_url(site.base_url), "fandt ingen adresser af slagsen 'moede'")
    ]


def test_every_run_appends_one_line_per_kind_to_the_run_log(site, tmp_path, make_fetcher):
    _only_one_kind(site)
    corpus = tmp_path / "corpus"
    first = _ast(site, corpus, make_fetcher)
    _ast(site, corpus, make_fetcher)
    lines = runs_path(corpus, "ast").read_text("utf-8").splitlines()
    assert len(lines) == 2 * 5  # two runs, five kinds
    runs = read_runs(corpus)
    by_kind = {run.kind: run for run in runs[:5]}
    pm = by_kind["principmeddelelse"]
    assert (pm.source, pm.municipality, pm.new, pm.discovered) == (
        "ast",
        None,
        first.new,
        first.new,
    )
    assert pm.fetched == first.new and pm.failed == []
    assert pm.started <= pm.finished
    assert by_kind["nyhed"].discovered == 0
    assert by_kind["nyhed"].failed == [
        {"url": site.url("/sitemap.xml"), "reason": "fandt ingen adresser af slagsen 'nyhed'"}
    ]
    again = {run.kind: run for run in runs[5:]}["principmeddelelse"]
    assert again.new == 0 and again.unchanged == first.new and again.fetched == 0


def test_an_agenda_run_is_logged_per_municipality(site, tmp_path, make_fetcher):
    agendas.serve(site)
    corpus = tmp_path / "corpus"
    kommune = agendas.site_kommune(site)
    options = AgendaOptions(corpus=corpus, kommune=kommune)
    summary = crawl_firstagenda(options, make_fetcher(corpus, source="kommune"))
    [run] = read_runs(corpus)
    assert runs_path(corpus, f"firstagenda-{kommune.key}").exists()
    assert (run.source, run.kind, run.municipality) == ("kommune", "moede", kommune.key)
    assert run.new == summary.new and run.discovered >= summary.meetings


def test_a_damaged_run_log_line_is_named_by_file_and_line(tmp_path):
    path = runs_path(tmp_path, "ast")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"source": "ast"}) + "\n{ikke json\n", "utf-8")
    with pytest.raises(ValueError, match=f"^{re.escape(str(path))}:1: "):
        read_runs(tmp_path)


@pytest.mark.parametrize("name", sorted(SERVERS))
def test_an_agenda_platform_whose_pages_give_no_records_fails_naming_where_it_started(
    name, site, tmp_path, monkeypatch
):
    served = SERVERS[name](site)
    source = registry.load(name)
    monkeypatch.setattr(type(source), "parsed", lambda self, *a, **k: Parsed(records=[]))
    corpus = tmp_path / "corpus"
    args = ["scrape", name, "--kommune", served.kommune, "--base-url", site.base_url]
    result = CliRunner().invoke(cli, [*args, "--corpus", str(corpus), "--rate", "1000"])
    assert result.exit_code == 1
    [kind] = source.kinds
    assert f"af slagsen {kind!r} gav ingen poster" in result.output
    assert site.url(served.discovery[0]) in result.output
    assert not list((corpus / "kommune").glob("*.json"))
    [run] = read_runs(corpus)
    assert run.municipality == served.kommune and run.failed
