"""Whole crawls against a local site on 127.0.0.1 that replays recorded pages and injects faults."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest
from click.testing import CliRunner

from retskilde.cli import cli
from retskilde.scrapers import ast
from retskilde.scrapers.corpus import record_json
from retskilde.scrapers.rawstore import RawStore
from retskilde.scrapers.sources.ast import CrawlError, CrawlOptions, crawl_ast
from tests.conftest import make_record
from tests.scrapers.ast_reports import REPORT_PATH, praksisundersoegelse_fleksjob, report_paragraphs
from tests.scrapers.conftest import FIXED_NOW, fixtures, serve_fixtures
from tests.scrapers.pdfmaker import scan_pdf

PM = (
    "/for-myndigheder/principmeddelelser/2024/ankestyrelsens-principmeddelelse-{n}-om-hjaelpemidler"
)
TEMPLATE = next(f for f in fixtures() if f.html.stem == "14-24-ortopaedisk-fodtoej")


def variant(number: str, *, status: str = "Gældende") -> str:
    """The 14-24 page renumbered (and maybe with another status): one more decision for the site."""
    html = TEMPLATE.html.read_text("utf-8").replace("14-24", number)
    return html.replace(">Gældende<", f">{status}<")


def records(corpus: Path) -> dict[str, bytes]:
    folder = corpus / "ast"
    return (
        {p.name: p.read_bytes() for p in sorted(folder.glob("*.json"))} if folder.exists() else {}
    )


# A site with pages of one kind only is crawled for that kind (any other would be silent).
PM_ONLY = ("principmeddelelse",)
PRAKSIS_ONLY = ("praksisundersoegelse",)


def fixed_now():
    return FIXED_NOW


def crawl(site, corpus, make_fetcher, **options):
    opts = CrawlOptions(corpus=corpus, base_url=site.base_url, **options)
    return crawl_ast(opts, make_fetcher(corpus), now=fixed_now)


def path_of(url: str) -> str:
    return urlparse(url).path


def test_clean_site_gives_the_recorded_records(site, tmp_path, make_fetcher):
    served = serve_fixtures(site)
    corpus = tmp_path / "corpus"
    summary = crawl(site, corpus, make_fetcher)
    assert summary.ok and summary.new == len(served) == summary.fetched
    written = records(corpus)
    assert len(written) == len(served)
    for path, fixture in served.items():
        record = json.loads(written[fixture.expected["id"] + ".json"])
        url = site.url(path)
        # Same page, served from here: the record is what the pure parser makes of those bytes,
        # and a praksisundersøgelse's report text after the page's.
        parsed = ast.parse(fixture.html.read_bytes(), url, fetched_at=record["fetched_at"])
        reports = [report_paragraphs()] if ast.report_attachments(parsed) else []
        assert record == ast.with_reports(parsed, reports)
        expected = {k: v for k, v in fixture.expected.items() if k not in ("url", "attachments")}
        if reports:
            expected["text"] = "\n\n".join([expected["text"], *report_paragraphs()])
        assert {k: record[k] for k in expected if k != "html"} == {
            k: v for k, v in expected.items() if k != "html"
        }
        # The raw snapshot the record came from is on disk, with its hash.
        snapshot = RawStore(corpus / "ast" / "raw").latest(url)
        assert snapshot.sha256 == record["sha256"] and snapshot.status == 200
        assert snapshot.fetched_at == record["fetched_at"]
    assert all(hit.user_agent.startswith("Retskilde/") for hit in site.hits)


def test_second_run_without_changes_fetches_no_bodies(site, tmp_path, make_fetcher):
    served = serve_fixtures(site)
    corpus = tmp_path / "corpus"
    crawl(site, corpus, make_fetcher)
    before = records(corpus)
    first_run = len(site.hits)
    summary = crawl(site, corpus, make_fetcher)
    second = site.hits[first_run:]
    assert [hit.path for hit in second if hit.status == 200] == []
    assert summary.ok and summary.fetched == 0 and summary.new == summary.changed == 0
    assert summary.not_modified + summary.skipped == len(served)
    assert summary.skipped >= 1 and summary.not_modified >= 1  # both ways of knowing are used
    assert records(corpus) == before


FAULTY = {
    "timeout-once": ("40-24", ["timeout"]),
    "429-once": ("42-24", ["429"]),
    "reset-once": ("44-24", ["reset"]),
    "500-once": ("49-24", ["500"]),
}


def test_faults_are_survived_reported_and_never_cost_a_stored_record(
    site, tmp_path, make_fetcher, sleeps
):
    served = serve_fixtures(site)
    for number, faults in FAULTY.values():
        path = PM.format(n=number)
        site.add(path, variant(number))
        site.fault(path, *faults)
    broken = {
        "500": PM.format(n="41-24"),
        "reset": PM.format(n="43-24"),
        "no-decision": PM.format(n="47-24"),
        "404": PM.format(n="48-24"),
    }
    site.add(broken["500"], variant("41-24"))
    site.always[broken["500"]] = "500"
    site.add(broken["reset"], variant("43-24"))
    site.always[broken["reset"]] = "reset"
    site.add(
        broken["no-decision"],
        "<html><main><h1>Siden blev ikke fundet</h1><p>Prøv søgningen.</p></main></html>",
    )
    # Windows-1252 bytes: once declared as UTF-8 (header and meta), once declared in <meta> only.
    wrong_header = PM.format(n="45-24")
    site.add(wrong_header, variant("45-24").encode("cp1252"))
    meta_only = PM.format(n="46-24")
    site.add(
        meta_only,
        variant("46-24").replace('charset="utf-8"', 'charset="windows-1252"').encode("cp1252"),
        content_type="text/html",
    )
    blocked = "/privat/principmeddelelser/2024/ankestyrelsens-principmeddelelse-50-24"
    site.add(blocked, variant("50-24"))
    paths = [*served, *(PM.format(n=n) for n, _ in FAULTY.values()), *broken.values()]
    site.sitemap([*paths, wrong_header, meta_only, blocked])

    corpus = tmp_path / "corpus"
    kept = {
        "ast-principmeddelelse-41-24": make_record(id="ast-principmeddelelse-41-24", example=None),
        "ast-principmeddelelse-47-24": make_record(id="ast-principmeddelelse-47-24", example=None),
        "ast-principmeddelelse-48-24": make_record(id="ast-principmeddelelse-48-24", example=None),
        "ast-nyhed-andet": make_record(id="ast-nyhed-andet", doc_type="nyhed", example=None),
    }
    (corpus / "ast").mkdir(parents=True)
    for record_id, record in kept.items():
        (corpus / "ast" / f"{record_id}.json").write_bytes(record_json(record))
    # Earlier runs knew these URLs as the records above: a failure now must not touch them.
    state_before = {name: data for name, data in records(corpus).items()}

    summary = crawl(site, corpus, make_fetcher)

    assert not summary.ok
    assert {url for url, _ in summary.failed} == {site.url(p) for p in broken.values()}
    reasons = dict(summary.failed)
    assert "HTTP 500" in reasons[site.url(broken["500"])]
    assert "forbindelsesfejl" in reasons[site.url(broken["reset"])]
    assert "ingen principmeddelelse" in reasons[site.url(broken["no-decision"])]
    assert "HTTP 404" in reasons[site.url(broken["404"])]
    assert summary.blocked == [site.url(blocked)]
    assert blocked not in [hit.path for hit in site.hits]

    written = records(corpus)
    for name, data in state_before.items():
        assert written[name] == data, f"{name} blev ændret af en fejlet hentning"
    for number, _ in FAULTY.values():
        assert f"ast-principmeddelelse-{number}.json" in written
    for fixture in served.values():
        assert f"{fixture.expected['id']}.json" in written
    assert summary.new == len(served) + len(FAULTY) + 2

    reference = json.loads(written["ast-principmeddelelse-40-24.json"])["text"]
    for number in ("45-24", "46-24"):
        text = json.loads(written[f"ast-principmeddelelse-{number}.json"])["text"]
        assert text == reference.replace("40-24", number)
        assert "fastslår" in text and "\ufffd" not in text

    # 429 came with Retry-After: 1; the fetcher waited at least that long before asking again.
    assert max(sleeps.calls) >= 1.0
    assert site.statuses(PM.format(n="42-24")) == [429, 200]
    assert site.statuses(PM.format(n="40-24")) == [None, 200]

    # The broken pages' raw responses are kept for inspection (the no-decision page's body too).
    raw = RawStore(corpus / "ast" / "raw")
    assert raw.latest(site.url(broken["no-decision"])) is not None

    # Nothing changed on the server: the second run downloads no bodies and still reports the
    # broken pages (they are still broken), leaving every good record as it was.
    first_run = len(site.hits)
    again = crawl(site, corpus, make_fetcher)
    assert [hit.path for hit in site.hits[first_run:] if hit.status == 200] == []
    assert {url for url, _ in again.failed} == {site.url(p) for p in broken.values()}
    assert records(corpus) == written


def test_a_status_change_updates_the_record_in_place(site, tmp_path, make_fetcher):
    path = PM.format(n="14-24")
    site.add(path, variant("14-24"), lastmod="2025-01-01")
    site.sitemap()
    corpus = tmp_path / "corpus"
    crawl(site, corpus, make_fetcher)
    assert json.loads(records(corpus)["ast-principmeddelelse-14-24.json"])["status"] == "gældende"

    site.add(path, variant("14-24", status="Historisk"), lastmod="2025-06-01")
    site.sitemap()
    summary = crawl(site, corpus, make_fetcher)
    assert summary.changed == 1 and summary.new == 0
    after = records(corpus)
    assert list(after) == ["ast-principmeddelelse-14-24.json"]
    assert json.loads(after["ast-principmeddelelse-14-24.json"])["status"] == "historisk"


def test_a_changed_lastmod_is_refetched_and_an_unchanged_one_is_not(site, tmp_path, make_fetcher):
    a, b = PM.format(n="1-25"), PM.format(n="2-25")
    site.add(a, variant("1-25"), lastmod="2025-01-01", etag=False)
    site.add(b, variant("2-25"), lastmod="2025-01-01", etag=False)
    site.sitemap()
    corpus = tmp_path / "corpus"
    crawl(site, corpus, make_fetcher)
    site.pages[b].lastmod = "2025-02-01"
    site.sitemap()
    first_run = len(site.hits)
    summary = crawl(site, corpus, make_fetcher)
    asked = [hit.path for hit in site.hits[first_run:] if hit.path != "/robots.txt"]
    assert asked == ["/sitemap.xml", b]
    assert summary.skipped == 1 and summary.unchanged == 1


def test_kind_since_and_limit_narrow_the_queue(site, tmp_path, make_fetcher):
    served = serve_fixtures(site)
    for fixture_path in served:
        site.pages[fixture_path].lastmod = "2024-01-01"
    news = next(p for p, f in served.items() if f.kind == "nyhed")
    site.pages[news].lastmod = "2025-06-01"
    site.sitemap()
    corpus = tmp_path / "corpus"
    summary = crawl(site, corpus, make_fetcher, kinds=("nyhed", "artikel"), since="2025-01-01")
    assert summary.total == 1 and list(records(corpus)) == [served[news].expected["id"] + ".json"]
    summary = crawl(site, tmp_path / "other", make_fetcher, limit=2)
    assert summary.total == 2 and len(records(tmp_path / "other")) == 2


def test_a_missing_sitemap_stops_the_crawl_before_anything_is_written(site, tmp_path, make_fetcher):
    corpus = tmp_path / "corpus"
    with pytest.raises(CrawlError, match="sitemap"):
        crawl(site, corpus, make_fetcher)
    assert records(corpus) == {}


def test_an_interrupted_crawl_resumes_and_ends_with_the_same_corpus(site, tmp_path, make_fetcher):
    serve_fixtures(site)
    for n in ("1-25", "2-25", "3-25"):
        site.add(PM.format(n=n), variant(n))
    site.sitemap()
    reference = tmp_path / "uninterrupted"
    assert crawl(site, reference, make_fetcher).ok

    corpus = tmp_path / "corpus"
    pages_seen: list[str] = []

    def interrupt_after_three(url: str, status: int) -> None:
        if url.endswith("sitemap.xml") or url.endswith("robots.txt"):
            return
        pages_seen.append(url)
        if len(pages_seen) == 3:
            raise KeyboardInterrupt

    start = len(site.hits)
    opts = CrawlOptions(corpus=corpus, base_url=site.base_url)
    with pytest.raises(KeyboardInterrupt):
        crawl_ast(opts, make_fetcher(corpus, on_response=interrupt_after_three), now=fixed_now)
    assert 0 < len(records(corpus)) < len(records(reference))

    resumed_from = len(site.hits)
    summary = crawl_ast(opts, make_fetcher(corpus), now=fixed_now)
    assert summary.ok and summary.resumed
    resumed_paths = [hit.path for hit in site.hits[resumed_from:]]
    assert "/sitemap.xml" not in resumed_paths  # the stored queue is used, not a new sitemap
    finished_before = [site.url(hit.path) for hit in site.hits[start:resumed_from]][:-1]
    for url in pages_seen[:2]:
        assert url in finished_before
        assert path_of(url) not in resumed_paths  # done before the interrupt: not asked again
    assert records(corpus) == records(reference)


def _without_fetched_at(folder: Path) -> dict[str, dict]:
    out = {}
    for name, data in records(folder).items():
        record = json.loads(data)
        record.pop("fetched_at")
        out[name] = record
    return out


def test_cli_reports_failures_by_url_and_exits_non_zero(site, tmp_path):
    serve_fixtures(site)
    missing = PM.format(n="48-24")
    site.sitemap([*site.pages, missing])
    result = CliRunner().invoke(
        cli,
        [
            "scrape",
            "ast",
            "--base-url",
            site.base_url,
            "--corpus",
            str(tmp_path / "c"),
            "--rate",
            "1000",
            "--retries",
            "0",
        ],
    )
    assert result.exit_code == 1
    assert f"{site.url(missing)}: HTTP 404" in result.output
    assert "nye" in result.output and "fejl" in result.output
    # Without a terminal the progress is plain log lines, one per page.
    assert f"FEJL {site.url(missing)}" in result.output


def test_cli_kind_choices_are_the_scraper_kinds():
    command = cli.get_command(None, "scrape").get_command(None, "ast")
    kind = next(p for p in command.params if p.name == "kinds")
    assert tuple(kind.type.choices) == ast.KINDS


def test_cli_without_a_sitemap_says_so_and_exits_non_zero(site, tmp_path):
    result = CliRunner().invoke(
        cli,
        ["scrape", "ast", "--base-url", site.base_url, "--corpus", str(tmp_path), "--retries", "0"]
        + ["--rate", "1000"],
    )
    assert result.exit_code == 1
    assert "sitemap" in result.output and "ikke ændret" in result.output


def test_scraped_corpus_validates_and_builds(site, tmp_path, make_fetcher):
    from retskilde.contract import validate_path
    from retskilde.db.build import build

    served = serve_fixtures(site)
    corpus = tmp_path / "corpus"
    crawl(site, corpus, make_fetcher)
    good, problems = validate_path(corpus)  # raw/ and .state/ are skipped
    assert problems == [] and len(good) == len(served)
    report = build(corpus, tmp_path / "retskilde.db")
    assert report.documents == len(served)


def test_two_pages_claiming_one_decision_number_do_not_overwrite_each_other(
    site, tmp_path, make_fetcher
):
    first, second = PM.format(n="14-24"), "/for-myndigheder/principmeddelelser/2024/kopi-af-14-24"
    site.add(first, variant("14-24"))
    site.add(second, variant("14-24").replace("ortopædisk fodtøj er", "en kopi siger"))
    site.sitemap([first, second])
    corpus = tmp_path / "corpus"
    summary = crawl(site, corpus, make_fetcher, kinds=PM_ONLY)
    assert summary.new == 1
    assert [url for url, _ in summary.failed] == [site.url(second)]
    assert "samme id (ast-principmeddelelse-14-24)" in summary.failed[0][1]
    stored = json.loads(records(corpus)["ast-principmeddelelse-14-24.json"])
    assert stored["url"] == site.url(first)


def test_an_old_address_redirecting_to_a_listed_page_is_an_alias_not_a_clash(
    site, tmp_path, make_fetcher
):
    new, old = PM.format(n="14-24"), "/for-myndigheder/principmeddelelser/2023/gammel-14-24"
    site.add(new, variant("14-24"))
    site.sitemap([new, old])
    site.redirects[old] = new
    summary = crawl(site, tmp_path / "corpus", make_fetcher, kinds=PM_ONLY)
    assert summary.ok and summary.new == 1 and summary.unchanged == 1


def test_a_parser_crash_on_one_page_is_reported_and_the_crawl_goes_on(
    site, tmp_path, make_fetcher, monkeypatch
):
    odd, fine = PM.format(n="1-25"), PM.format(n="2-25")
    site.add(odd, variant("1-25"))
    site.add(fine, variant("2-25"))
    site.sitemap([odd, fine])
    real_parse = ast.parse

    def parse(content, url, *args, **kwargs):
        if url.endswith(odd):
            raise AttributeError("'NoneType' object has no attribute 'name'")
        return real_parse(content, url, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", parse)
    summary = crawl(site, tmp_path / "corpus", make_fetcher, kinds=PM_ONLY)
    assert [url for url, _ in summary.failed] == [site.url(odd)]
    assert "AttributeError" in summary.failed[0][1]
    assert list(records(tmp_path / "corpus")) == ["ast-principmeddelelse-2-25.json"]


PRAKSIS = next(f for f in fixtures() if f.kind == "praksisundersoegelse")
PRAKSIS_ID = PRAKSIS.expected["id"] + ".json"


def _serve_praksis(site, report: bytes | None) -> str:
    """Only the praksisundersøgelse page, with `report` behind its link (None: 404)."""
    site.add(PRAKSIS.path, PRAKSIS.html.read_bytes(), lastmod="2025-01-15", etag=False)
    site.sitemap()
    if report is not None:
        site.add(REPORT_PATH, report, content_type="application/pdf")
    return PRAKSIS.path


def test_a_praksisundersoegelse_gets_its_report_text_but_not_its_appendix(
    site, tmp_path, make_fetcher
):
    _serve_praksis(site, praksisundersoegelse_fleksjob())
    corpus = tmp_path / "corpus"
    summary = crawl(site, corpus, make_fetcher, kinds=PRAKSIS_ONLY)
    assert summary.ok and summary.new == 1
    text = json.loads(records(corpus)[PRAKSIS_ID])["text"]
    assert text.startswith(PRAKSIS.expected["text"])
    assert text.endswith("\n\n".join(report_paragraphs()))
    # The report once (its second link is the same address); the appendix never.
    asked = [hit.path for hit in site.hits]
    assert asked.count(REPORT_PATH) == 1
    assert not any("bilag" in path.lower() for path in asked)


def test_a_report_that_fails_is_named_by_url_and_read_on_the_next_run(site, tmp_path, make_fetcher):
    _serve_praksis(site, None)
    corpus = tmp_path / "corpus"
    summary = crawl(site, corpus, make_fetcher, kinds=PRAKSIS_ONLY)
    [(url, reason)] = summary.failed
    assert url == site.url(PRAKSIS.path)
    assert site.url(REPORT_PATH) in reason and "HTTP 404" in reason
    assert "posten er gemt uden rapportens tekst" in reason
    # The page's own text is stored meanwhile, so the study can be found.
    assert json.loads(records(corpus)[PRAKSIS_ID])["text"] == PRAKSIS.expected["text"]
    site.add(REPORT_PATH, praksisundersoegelse_fleksjob(), content_type="application/pdf")
    summary = crawl(site, corpus, make_fetcher, kinds=PRAKSIS_ONLY)
    assert summary.ok and summary.changed == 1
    text = json.loads(records(corpus)[PRAKSIS_ID])["text"]
    assert text.endswith(report_paragraphs()[-1])


@pytest.mark.parametrize("broken", ["500", "scan", "html"])
def test_a_stored_record_with_its_report_survives_a_report_that_later_fails(
    site, tmp_path, make_fetcher, broken
):
    path = _serve_praksis(site, praksisundersoegelse_fleksjob())
    corpus = tmp_path / "corpus"
    crawl(site, corpus, make_fetcher, kinds=PRAKSIS_ONLY)
    before = records(corpus)[PRAKSIS_ID]
    # The page changes, and its report can no longer be read.
    changed = PRAKSIS.html.read_text("utf-8").replace("120 afgørelser", "121 afgørelser")
    site.add(path, changed, lastmod="2025-02-01", etag=False)
    site.sitemap()
    if broken == "500":
        site.always[REPORT_PATH] = "500"
    elif broken == "scan":
        site.add(REPORT_PATH, scan_pdf(), content_type="application/pdf")
    else:
        site.add(REPORT_PATH, "<html><body>Log ind</body></html>")
    summary = crawl(site, corpus, make_fetcher, **({"kinds": ("praksisundersoegelse",)}))
    [(url, reason)] = summary.failed
    assert site.url(REPORT_PATH) in reason and "den gemte post er ikke ændret" in reason
    assert records(corpus)[PRAKSIS_ID] == before
