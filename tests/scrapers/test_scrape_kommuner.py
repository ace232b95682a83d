"""`retskilde scrape kommuner`: many municipalities in one run, each on its own local site (as
each has its own host), side by side; a failing one never stops the others; one summary line
per municipality; selection by name, region and platform."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from retskilde.cli import cli
from retskilde.scrapers.fetcher import FetchPolicy
from retskilde.scrapers.kommuner import all_kommuner
from retskilde.scrapers.kommuner_crawl import (
    Interrupted,
    SelectionError,
    StoppableFetcher,
    crawl_all,
    select,
)
from retskilde.scrapers.rawstore import RawStore
from tests.scrapers import agendas, fakesite
from tests.scrapers.platform_sites import serve_aabendagsorden

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Three FirstAgenda municipalities, one on Åben Dagsorden, one whose site answers nothing.
WORKING = ("hvidovre", "albertslund", "aarhus")


@pytest.fixture
def sites():
    started = []

    def start() -> fakesite.FakeSite:
        site = fakesite.FakeSite()
        server, thread = fakesite.start(site)
        started.append((site, server, thread))
        return site

    yield start
    for site, server, thread in started:
        site.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def municipalities(sites, tmp_path) -> Path:
    """Five municipalities on five local sites; the file mapping them for --base-url-file."""
    urls = {}
    for key in WORKING:
        site = sites()
        agendas.serve(site)
        urls[key] = site.base_url
    glostrup = sites()
    serve_aabendagsorden(glostrup)
    urls["glostrup"] = glostrup.base_url
    urls["broendby"] = sites().base_url  # nothing there: no committee list
    path = tmp_path / "adresser.json"
    path.write_text(json.dumps(urls), "utf-8")
    return path


def _run(urls: Path, corpus: Path, *extra: str):
    args = ["scrape", "kommuner", "--base-url-file", str(urls), "--corpus", str(corpus)]
    args += ["--rate", "1000", "--retries", "0", "--hosts", "3", *extra]
    return CliRunner().invoke(cli, args)


def _kommuner_args(*keys: str) -> list[str]:
    return [arg for key in keys for arg in ("--kommune", key)]


def _record_prefixes(corpus: Path) -> set[str]:
    return {p.name.split("-", 1)[0] for p in (corpus / "kommune").glob("*.json")}


def test_one_failing_municipality_never_stops_the_others(municipalities, tmp_path):
    corpus = tmp_path / "corpus"
    keys = (*WORKING, "glostrup", "broendby")
    result = _run(municipalities, corpus, *_kommuner_args(*keys))
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line[:1].isalpha()]
    by_name = {line.split()[0]: line for line in lines if line.split()[0] != "I"}
    assert {"Hvidovre", "Albertslund", "Aarhus", "Glostrup", "Brøndby"} <= set(by_name)
    assert "FEJL" in by_name["Brøndby"] and "udvalgslisten" in by_name["Brøndby"]
    for name in ("Hvidovre", "Albertslund", "Aarhus", "Glostrup"):
        assert by_name[name].endswith("ok"), by_name[name]
    assert "I alt 5 kommuner" in result.output and "1 kommuner med fejl" in result.output
    assert _record_prefixes(corpus) == {"hvidovre", "albertslund", "aarhus", "glostrup"}
    # Every municipality has its own run log line(s), the failing one included.
    logs = {p.stem for p in (corpus / ".runs").glob("*.jsonl")}
    assert {"firstagenda-hvidovre", "aabendagsorden-glostrup"} <= logs


def test_a_second_run_resumes_nothing_and_changes_nothing(municipalities, tmp_path):
    corpus = tmp_path / "corpus"
    args = _kommuner_args(*WORKING, "glostrup")
    assert _run(municipalities, corpus, *args).exit_code == 0
    before = {p.name: p.read_bytes() for p in (corpus / "kommune").glob("*.json")}
    result = _run(municipalities, corpus, *args)
    assert result.exit_code == 0, result.output
    assert "nye     0  ændrede    0" in result.output
    assert {p.name: p.read_bytes() for p in (corpus / "kommune").glob("*.json")} == before


def test_region_and_platform_narrow_the_selection():
    nordjylland = select(region="Nordjylland")
    assert nordjylland and all(k.region == "Region Nordjylland" for k in nordjylland)
    assert "aalborg" in {k.key for k in nordjylland}
    aaben = select(platform="aabendagsorden")
    assert {k.key for k in aaben} == {"glostrup", "syddjurs"}
    both = select(region="Hovedstaden", platform="aabendagsorden")
    assert [k.key for k in both] == ["glostrup"]
    everything = select()
    assert len(everything) == sum(k.collected for k in all_kommuner()) >= 92


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"names": ["hedensted"]}, "endnu ikke henter"),
        ({"names": ["atlantis"]}, "ukendt kommune"),
        ({"region": "Bornholm-regionen"}, "ukendt region"),
        ({"platform": "sbsys"}, "ukendt platform"),
    ],
)
def test_what_cannot_be_collected_is_refused_clearly(kwargs, message):
    with pytest.raises(SelectionError, match=message):
        select(**kwargs)


def test_the_command_refuses_with_exit_code_2(tmp_path):
    result = CliRunner().invoke(
        cli, ["scrape", "kommuner", "--kommune", "hedensted", "--corpus", str(tmp_path)]
    )
    assert result.exit_code == 2 and "endnu ikke henter" in result.output


def test_check_tries_each_municipality_and_writes_nothing(municipalities, tmp_path):
    corpus = tmp_path / "corpus"
    result = _run(
        municipalities, corpus, "--check", *_kommuner_args("hvidovre", "glostrup", "broendby")
    )
    assert result.exit_code == 1
    lines = {line.split()[0]: line for line in result.output.splitlines() if line.strip()}
    assert lines["Hvidovre"].endswith("[OK]") and lines["Glostrup"].endswith("[OK]")
    assert "FEJL" in lines["Brøndby"]
    assert not corpus.exists()


def _records(corpus: Path, key: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (corpus / "kommune").glob(f"{key}-*.json")}


def test_an_interrupted_run_resumes_where_each_municipality_stopped(municipalities, tmp_path):
    urls = json.loads(municipalities.read_text("utf-8"))
    chosen = select(WORKING, base_urls=urls)  # by name: Aarhus, Albertslund, Hvidovre
    stop = threading.Event()
    agendas_asked = []

    class CtrlCAtHvidovresSecondMeeting(StoppableFetcher):
        def get(self, url, **kwargs):
            if url.startswith(urls["hvidovre"]) and "/api/agenda/dagsorden/" in url:
                agendas_asked.append(url)
                if len(agendas_asked) == 2:
                    raise KeyboardInterrupt
            return super().get(url, **kwargs)

    def make_fetcher(raw: Path) -> StoppableFetcher:
        policy = FetchPolicy(rate=1000, max_retries=0)
        return CtrlCAtHvidovresSecondMeeting(RawStore(raw), policy, stop=stop)

    corpus = tmp_path / "corpus"
    values = {"udvalg": None, "bilag": False}
    with pytest.raises(Interrupted) as caught:
        crawl_all(chosen, corpus, values, None, None, make_fetcher, hosts=1, stop=stop)
    assert stop.is_set()
    assert [run.kommune.key for run in caught.value.runs] == ["aarhus", "albertslund"]
    partial = _records(corpus, "hvidovre")

    # The same municipalities crawled in one go: what the resumed run must end with.
    whole = tmp_path / "whole"
    assert _run(municipalities, whole, *_kommuner_args(*WORKING)).exit_code == 0
    assert partial and set(partial) < set(_records(whole, "hvidovre"))

    result = _run(municipalities, corpus, *_kommuner_args(*WORKING))
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines() if line.strip()}
    assert lines["Hvidovre"].endswith("ok (genoptaget)"), lines["Hvidovre"]
    assert "nye     0" in lines["Aarhus"] and "genoptaget" not in lines["Aarhus"]
    assert set(_records(corpus, "hvidovre")) == set(_records(whole, "hvidovre"))
    # The page asked for when Ctrl-C came was never marked failed: no failure was reported.
    assert "Fejl i" not in result.output


def test_ctrl_c_stops_every_crawl_at_its_next_page_and_a_rerun_finishes_them(sites, tmp_path):
    urls = {}
    for key in WORKING:
        site = sites()
        meetings = agendas.serve(site)
        urls[key] = site.base_url
        if key == "hvidovre":
            hvidovre = site
            for meeting_id in meetings:  # whichever agenda is asked for first waits
                site.fault(agendas.agenda_path(meeting_id), "pause")
    addresses = tmp_path / "adresser.json"
    addresses.write_text(json.dumps(urls), "utf-8")
    corpus = tmp_path / "corpus"
    command = [sys.executable, "-c", "from retskilde.cli import cli; cli()", "scrape", "kommuner"]
    command += ["--base-url-file", str(addresses), "--corpus", str(corpus), "--rate", "1000"]
    command += ["--retries", "0", "--timeout", "20", *_kommuner_args(*WORKING)]
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    safety = threading.Timer(60, hvidovre.release.set)  # a hung test still ends
    safety.start()
    try:
        assert hvidovre.held.wait(30), "Hvidovre's crawl never reached the held agenda"
        process.send_signal(signal.SIGINT)  # the user's Ctrl-C
        said = []
        while not any("Stopper" in line for line in said):
            line = process.stderr.readline().decode("utf-8")
            assert line, f"stopped without saying so: {said}"
            said.append(line)
        hvidovre.release.set()  # the page under way is answered; the next is never asked for
        _, stderr = process.communicate(timeout=30)
    finally:
        safety.cancel()
        hvidovre.release.set()
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130
    assert "Kør samme kommando igen" in stderr.decode("utf-8")
    partial = _records(corpus, "hvidovre")
    asked = [hit.path for hit in hvidovre.hits if "/api/agenda/dagsorden/" in hit.path]
    assert len(asked) == 1, asked
    hvidovre.faults.clear()

    whole = tmp_path / "whole"
    assert _run(addresses, whole, *_kommuner_args(*WORKING)).exit_code == 0
    assert partial and set(partial) < set(_records(whole, "hvidovre"))

    result = _run(addresses, corpus, *_kommuner_args(*WORKING))
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines() if line.strip()}
    assert lines["Hvidovre"].endswith("ok (genoptaget)"), lines["Hvidovre"]
    for key in WORKING:
        assert set(_records(corpus, key)) == set(_records(whole, key)), key
