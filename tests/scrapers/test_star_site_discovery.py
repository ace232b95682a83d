"""The STAR crawl as a first live run meets the site: publications found in the sitemap, or,
without one, in the search page window by window, and in news items that announce a report;
nothing guessed, and a site where nothing can be found is a loud failure."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from retskilde.cli import cli
from retskilde.scrapers import star_discovery
from retskilde.scrapers.runlog import read_runs
from retskilde.scrapers.runner import CrawlError
from retskilde.scrapers.sources.star import StarOptions, crawl_star
from tests.scrapers.conftest import FIXED_NOW
from tests.scrapers.star.recorded import news, publications, serve, site_record

NEWS_ID = "star-fokusrevision-ny-fokusrevision-viser-at-kommunerne-foelger-op-paa-ressourceforloeb"
NEWS_PDF = "/media/51122/fokusrevision-ressourceforloeb-2025.pdf"


def records(corpus: Path) -> dict[str, dict]:
    folder = corpus / "star"
    return {p.stem: json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))}


def crawl(site, corpus, make_fetcher, **options):
    opts = StarOptions(corpus=corpus, base_url=site.base_url, **options)
    return crawl_star(opts, make_fetcher(corpus, source="star"), now=lambda: FIXED_NOW)


def without_fetched_at(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "fetched_at"}


def announcing() -> dict:
    return next(r.expected for r in news() if r.expected["record"] is not None)


def test_the_sitemap_finds_every_publication_and_the_news_item_with_its_report(
    site, tmp_path, make_fetcher
):
    serve(site)
    corpus = tmp_path / "corpus"
    summary = crawl(site, corpus, make_fetcher)
    assert summary.ok, summary.failed
    assert summary.method == "sitemap" and summary.listing_pages == 1
    written = records(corpus)
    for recorded in publications():
        expected = site_record(recorded, site.base_url)
        assert without_fetched_at(written[expected["id"]]) == without_fetched_at(expected)
    # The news item is the fokusrevision it announces: its own text, then the report's.
    page_record = json.loads(
        json.dumps(announcing()["record"]).replace("https://star.dk", site.base_url)
    )
    got = written[NEWS_ID]
    assert got["doc_type"] == "fokusrevision" and got["date"] == "2025-12-09"
    assert got["text"].startswith(page_record["text"])
    assert "kun i 52 procent var indsatsdelen" in got["text"]  # from the report
    assert set(written) == {r.expected["id"] for r in publications()} | {NEWS_ID}
    # No overview page was guessed, and the webinar news item (no announcing slug) not read.
    asked = {hit.path for hit in site.hits}
    assert not any(path.endswith(("/fokusrevisioner/", "/analyser/")) for path in asked)
    assert not any("webinar" in path for path in asked)
    assert NEWS_PDF in asked


def test_a_second_run_skips_unchanged_lastmod_and_revalidates_the_rest(
    site, tmp_path, make_fetcher
):
    serve(site)
    corpus = tmp_path / "corpus"
    first = crawl(site, corpus, make_fetcher)
    before = records(corpus)
    start = len(site.hits)
    second = crawl(site, corpus, make_fetcher)
    assert second.ok
    # Every other sitemap entry has a <lastmod>, unchanged: no request for those pages.
    assert second.skipped >= 1 and second.skipped + second.total == first.total
    bodies = [hit.path for hit in site.hits[start:] if hit.status == 200]
    assert bodies == []  # the sitemap and the rest: 304s
    assert second.new == second.changed == 0
    assert records(corpus) == before
    # The run log counts the skipped pages as unchanged, per kind.
    runs = [run for run in read_runs(corpus) if run.started == second_started(corpus)]
    assert {run.kind for run in runs} == {"fokusrevision", "analyse"}
    assert sum(run.unchanged for run in runs) == first.total


def second_started(corpus: Path) -> str:
    return read_runs(corpus)[-1].started


def _search_page(paths: list[tuple[str, str, str]]) -> bytes:
    items = "".join(
        f'<li><a href="{path}"><h2>{title}</h2></a>'
        f'<span class="search-module__result-tags">{tags}</span></li>'
        for path, title, tags in paths
    )
    return f'<html><body><ul id="SearchResultArea">{items}</ul></body></html>'.encode()


def test_without_a_sitemap_the_search_page_is_read_window_by_window(site, tmp_path, make_fetcher):
    serve(site)
    site.pages.pop("/sitemap.xml")
    since = date(2025, 10, 16)
    windows = star_discovery.search_windows(since, FIXED_NOW.date())
    assert len(windows) == 1  # a quarter: one search page
    fokus = next(r for r in publications() if r.kind == "fokusrevision")
    analyse = next(r for r in publications() if r.kind == "analyse")
    page = _search_page(
        [
            (fokus.path, fokus.expected["title"], "Tilsyn / Fokusrevisioner /"),
            (analyse.path, analyse.expected["title"], "Viden og tal / Analyser /"),
            ("/ydelser/sygedagpenge/", "Sygedagpenge", "Ydelser /"),
        ]
    )
    url = star_discovery.search_url(site.base_url, *windows[0])
    site.add(url.removeprefix(site.base_url), page)
    corpus = tmp_path / "corpus"
    summary = crawl(site, corpus, make_fetcher, since=since.isoformat())
    # The missing sitemap is how the site may be: not a failure when the search finds them.
    assert summary.ok, summary.failed
    assert summary.method == "søgning" and summary.total == 2
    assert set(records(corpus)) == {fokus.expected["id"], analyse.expected["id"]}


def test_a_site_with_neither_sitemap_nor_search_stops_loudly_and_writes_nothing(
    site, tmp_path, make_fetcher
):
    corpus = tmp_path / "corpus"
    with pytest.raises(CrawlError) as raised:
        crawl(site, corpus, make_fetcher, since="2025-10-16")
    message = str(raised.value)
    assert "fandt ingen fokusrevisioner eller analyser" in message
    assert site.url("/sitemap.xml") in message and "/soeg/?q=*" in message
    assert records(corpus) == {}


def test_a_news_item_that_announces_nothing_is_left_out_not_stored(site, tmp_path, make_fetcher):
    serve(site)
    # An announcing slug, but the page announces no publication and links no report.
    path = "/om-styrelsen/nyt/nyheder/2026/01/ny-analyse-af-ledighed-kommer-i-foraaret/"
    site.add(
        path,
        "<html><main><h1>Tal om ledighed i januar</h1><p>12-01-2026</p>"
        "<p>Eksempel: Ledigheden faldt en smule i december, viser de foreløbige tal.</p>"
        "</main></html>",
    )
    sitemap = site.pages["/sitemap.xml"]
    sitemap.body = sitemap.body.replace(
        b"</urlset>", f"<url><loc>{site.base_url}{path}</loc></url></urlset>".encode()
    )
    corpus = tmp_path / "corpus"
    summary = crawl(site, corpus, make_fetcher)
    assert summary.ok, summary.failed
    assert summary.not_announcing == 1
    assert not any("ledighed-kommer" in record_id for record_id in records(corpus))


def test_kind_narrows_what_discovery_queues(site, tmp_path, make_fetcher):
    serve(site)
    corpus = tmp_path / "corpus"
    summary = crawl(site, corpus, make_fetcher, kinds=("analyse",))
    assert summary.ok, summary.failed
    assert {r["doc_type"] for r in records(corpus).values()} == {"analyse"}
    runs = read_runs(corpus)
    assert [run.kind for run in runs] == ["analyse"]


def test_the_cli_runs_discovery_by_default_and_check_shows_each_kind(site, tmp_path):
    serve(site)
    corpus = tmp_path / "c"
    base = ["scrape", "star", "--base-url", site.base_url, "--corpus", str(corpus)]
    fast = ["--rate", "1000", "--retries", "0"]
    result = CliRunner().invoke(cli, [*base, "--check", *fast])
    assert result.exit_code == 0, result.output
    assert "fokusrevision: 3 adresser  [OK]" in result.output  # two pages, one news item
    assert f"  fra {site.url('/sitemap.xml')}" in result.output
    assert not corpus.exists()
    result = CliRunner().invoke(cli, [*base, *fast])
    assert result.exit_code == 0, result.output
    assert NEWS_ID in records(corpus)


def test_a_run_with_failures_shows_on_the_health_table_after_the_build(
    site, tmp_path, make_fetcher
):
    from retskilde.db.build import build
    from retskilde.db.sqlite import sqlite3

    serve(site)
    site.pages.pop(NEWS_PDF)
    corpus = tmp_path / "corpus"
    summary = crawl(site, corpus, make_fetcher)
    assert not summary.ok
    build(corpus, tmp_path / "retskilde.db")
    conn = sqlite3.connect(tmp_path / "retskilde.db")
    status, failures, failed, new = conn.execute(
        "select status, last_failures, last_failed, last_new from source_health where id = 'star'"
    ).fetchone()
    assert status == "fejl i seneste kørsel" and failures == 1
    assert json.loads(failed)[0]["url"] == site.url(
        "/om-styrelsen/nyt/nyheder/2025/12/"
        "ny-fokusrevision-viser-at-kommunerne-foelger-op-paa-ressourceforloeb/"
    )
    assert NEWS_PDF in json.loads(failed)[0]["reason"]
    assert new == summary.new
