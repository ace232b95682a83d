"""What every source's crawl promises, run against each registered source on the local site:
a crawl killed with SIGKILL or stopped with Ctrl-C resumes where it stopped and ends with the
corpus an uninterrupted crawl gives; a second run downloads no page again (304 or an unchanged
listing); robots.txt is obeyed and its refusals named; a page that fails later never costs its
stored records."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest
from click.testing import CliRunner

from retskilde import PROJECT_ROOT
from retskilde.cli import cli
from retskilde.scrapers import registry
from tests.scrapers import agendas, fakesite
from tests.scrapers.conftest import serve_fixtures
from tests.scrapers.platform_sites import DISCOVERY, KOMMUNE, SERVERS
from tests.scrapers.star.recorded import publications
from tests.scrapers.star.recorded import serve as serve_star
from tests.scrapers.test_firstagenda_crawl import M_TILLAEG, SELECTED
from tests.scrapers.test_star_crawl import PRAKTIK_PDF


@dataclass(frozen=True)
class SourceSite:
    """How one source's recorded site is put on the local server."""

    folder: str  # <corpus>/<folder>/
    args: tuple[str, ...]  # options the source's command needs besides --base-url
    serve: Callable[[fakesite.FakeSite], list[str]]  # puts the site up; the pages' paths
    held: Callable[[list[str]], str]  # a request mid-crawl to hold while the crawl is killed
    discovery: tuple[str, ...]  # what a resumed crawl must not ask for again


def _serve_ast(site) -> list[str]:
    return list(serve_fixtures(site))


def _serve_star(site) -> list[str]:
    serve_star(site)
    return [recorded.path for recorded in publications()]


def _serve_agendas(site) -> list[str]:
    agendas.serve(site)
    return [agendas.agenda_path(meeting) for meeting in sorted(SELECTED)]


def _platform_site(name: str) -> SourceSite:
    """An agenda platform's recorded site: its municipality, its pages, the last one held."""
    return SourceSite(
        "kommune",
        ("--kommune", KOMMUNE[name]),
        lambda site: SERVERS[name](site).pages,
        lambda pages: pages[-1],
        DISCOVERY[name],
    )


SITES = {
    **{name: _platform_site(name) for name in SERVERS},
    "ast": SourceSite("ast", (), _serve_ast, lambda pages: pages[-1], ("/sitemap.xml",)),
    "star": SourceSite("star", (), _serve_star, lambda _: PRAKTIK_PDF, ("/sitemap.xml",)),
    "firstagenda": SourceSite(
        "kommune",
        ("--kommune", "hvidovre"),
        _serve_agendas,
        lambda _: agendas.agenda_path(M_TILLAEG),  # third in the queue (newest first)
        ("/api/agenda/udvalgsliste",),
    ),
}


def test_every_registered_source_is_in_this_suite():
    assert set(SITES) == set(registry.SOURCES)


def _args(name: str, site, corpus: Path) -> list[str]:
    return [
        "scrape",
        name,
        *SITES[name].args,
        "--base-url",
        site.base_url,
        "--corpus",
        str(corpus),
        "--rate",
        "1000",
        "--retries",
        "0",
    ]


def _run(name: str, site, corpus: Path):
    return CliRunner().invoke(cli, _args(name, site, corpus))


def _records(name: str, corpus: Path) -> dict[str, bytes]:
    folder = corpus / SITES[name].folder
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.json"))}


def _without_fetched_at(name: str, corpus: Path) -> dict[str, bytes]:
    return {
        key: b"\n".join(line for line in data.splitlines() if b'"fetched_at"' not in line)
        for key, data in _records(name, corpus).items()
    }


SOURCES = sorted(SITES)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "Ctrl-C"])
@pytest.mark.parametrize("name", SOURCES)
def test_a_stopped_crawl_resumes_where_it_stopped(name, how, site, tmp_path):
    pages = SITES[name].serve(site)
    reference = tmp_path / "uninterrupted"
    assert _run(name, site, reference).exit_code == 0
    corpus = tmp_path / "corpus"
    held = SITES[name].held(pages)
    site.fault(held, "hold")  # the server keeps this request open until the test says so
    command = [sys.executable, "-c", "from retskilde.cli import cli; cli()"]
    command += _args(name, site, corpus) + ["--timeout", "10"]
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        assert site.held.wait(30), "the crawl never reached the held request"
        process.send_signal(how)  # a crash, or a user's Ctrl-C
        _, stderr = process.communicate(timeout=10)
    finally:
        site.release.set()
        if process.poll() is None:
            process.kill()
            process.wait()
    if how == signal.SIGKILL:
        assert process.returncode == -signal.SIGKILL
    else:
        assert process.returncode == 130
        assert "Kør samme kommando igen" in stderr.decode("utf-8")
    partial = _records(name, corpus)
    assert 0 < len(partial) < len(_records(name, reference))

    resumed_from = len(site.hits)
    result = _run(name, site, corpus)
    assert result.exit_code == 0, result.output
    assert "Genoptaget" in result.output
    resumed = [hit.target for hit in site.hits[resumed_from:]]
    assert not set(SITES[name].discovery) & set(resumed)
    assert held in resumed
    # Nothing finished before the stop is asked for again.
    done = {urlparse(json.loads(data)["url"]).path for data in partial.values()}
    assert not done & set(resumed) - {held}
    assert _without_fetched_at(name, corpus) == _without_fetched_at(name, reference)


@pytest.mark.parametrize("name", SOURCES)
def test_a_second_run_downloads_no_page_again(name, site, tmp_path):
    pages = SITES[name].serve(site)
    corpus = tmp_path / "corpus"
    assert _run(name, site, corpus).exit_code == 0
    before = _records(name, corpus)
    start = len(site.hits)
    result = _run(name, site, corpus)
    assert result.exit_code == 0, result.output
    bodies = [hit.target for hit in site.hits[start:] if hit.status == 200]
    assert not set(bodies) & set(pages)
    assert _records(name, corpus) == before


@pytest.mark.parametrize("name", SOURCES)
def test_robots_txt_refusals_are_obeyed_and_named(name, site, tmp_path):
    pages = SITES[name].serve(site)
    refused = pages[0]
    site.add("/robots.txt", f"User-agent: *\nDisallow: {refused}\n", content_type="text/plain")
    result = _run(name, site, tmp_path / "corpus")
    assert "afvist af robots.txt" in result.output
    assert f"    {site.url(refused)}" in result.output.splitlines()
    assert refused not in [hit.target for hit in site.hits]


@pytest.mark.parametrize("name", SOURCES)
def test_a_page_that_fails_later_keeps_its_stored_records(name, site, tmp_path):
    pages = SITES[name].serve(site)
    corpus = tmp_path / "corpus"
    assert _run(name, site, corpus).exit_code == 0
    before = _records(name, corpus)
    for page in pages:
        site.always[page] = "500"
    # Without its crawl state every page is asked for again, and every one fails.
    shutil.rmtree(corpus / ".state")
    result = _run(name, site, corpus)
    assert result.exit_code == 1
    for page in pages:
        assert f"{site.url(page)}: HTTP 500" in result.output
    assert _records(name, corpus) == before
