"""Whole STAR crawls against the local test site: overviews, pages, reports, faults, resuming."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from retskilde.cli import cli
from retskilde.scrapers.corpus import record_json
from retskilde.scrapers.rawstore import RawStore
from retskilde.scrapers.runner import CrawlError
from retskilde.scrapers.sources.star import StarOptions, crawl_star
from tests.conftest import make_record
from tests.scrapers import fakesite
from tests.scrapers.conftest import FIXED_NOW
from tests.scrapers.pdfmaker import scan_pdf
from tests.scrapers.star.documents import DOCUMENTS
from tests.scrapers.star.recorded import publications, serve, site_record

FOKUS = "/tilsyn-paa-beskaeftigelsesomraadet/tilsyn-med-kommuner/fokusrevisioner/"
ANALYSER = "/viden-og-tal/analyser/"
FLEKSJOB_PAGE = FOKUS + "ledighedsydelse-og-fleksjob/"
FLEKSJOB_PDF = "/media/48213/fokusrevision-ledighedsydelse-og-fleksjob.pdf"
PRAKTIK_PAGE = ANALYSER + "praktik-i-jobafklaringsforloeb/"
PRAKTIK_PDF = "/media/51877/analyse-praktik-i-jobafklaringsforloeb.pdf"


def records(corpus: Path) -> dict[str, dict]:
    folder = corpus / "star"
    return {p.stem: json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))}


# The overviews the recorded site has: these tests start from them (--listing); the crawl
# from the sitemap and the news items is tested in test_star_site_discovery.py.
OVERVIEWS = ((FOKUS, "fokusrevision"), (ANALYSER, "analyse"))


def crawl(site, corpus, make_fetcher, **options):
    options.setdefault("listings", OVERVIEWS)
    opts = StarOptions(corpus=corpus, base_url=site.base_url, **options)
    return crawl_star(opts, make_fetcher(corpus, source="star"), now=lambda: FIXED_NOW)


def bodies(site, start: int = 0) -> list[str]:
    return [hit.target for hit in site.hits[start:] if hit.status == 200]


def expected_records(site) -> dict[str, dict]:
    return {r.expected["id"]: site_record(r, site.base_url) for r in publications()}


def test_clean_site_gives_the_recorded_records(site, tmp_path, make_fetcher):
    serve(site)
    corpus = tmp_path / "corpus"
    summary = crawl(site, corpus, make_fetcher)
    assert summary.ok, summary.failed
    assert summary.listing_pages == 3  # two overviews, one of them on two pages
    assert summary.new == summary.total == summary.fetched == len(publications())
    written = records(corpus)
    for record_id, expected in expected_records(site).items():
        got = written[record_id]
        assert {k: v for k, v in got.items() if k != "fetched_at"} == {
            k: v for k, v in expected.items() if k != "fetched_at"
        }
        # The raw snapshot of the page is on disk, with the record's hash and fetch time.
        snapshot = RawStore(corpus / "star" / "raw").latest(got["url"])
        assert snapshot.sha256 == got["sha256"] and snapshot.fetched_at == got["fetched_at"]
    # Only each page's main report was asked for, never the appendices or other files.
    asked = {hit.path for hit in site.hits}
    assert set(DOCUMENTS) <= asked
    assert "/media/48214/kommunerapport-aarhus.pdf" not in asked
    assert not any(path.endswith(".xlsx") for path in asked)
    assert all(hit.user_agent.startswith("Retskilde/") for hit in site.hits)


def test_second_run_fetches_no_bodies_and_asks_for_no_report(site, tmp_path, make_fetcher):
    serve(site)
    corpus = tmp_path / "corpus"
    assert crawl(site, corpus, make_fetcher).ok
    before = records(corpus)
    start = len(site.hits)
    summary = crawl(site, corpus, make_fetcher)
    assert bodies(site, start) == []
    assert summary.ok and summary.fetched == 0 and summary.new == summary.changed == 0
    assert summary.not_modified == summary.unchanged == len(publications())
    asked = [hit.path for hit in site.hits[start:]]
    assert not any(path.startswith("/media/") for path in asked)  # unchanged page, same report
    assert records(corpus) == before


def test_a_changed_page_is_read_again_with_its_report(site, tmp_path, make_fetcher):
    serve(site)
    corpus = tmp_path / "corpus"
    crawl(site, corpus, make_fetcher)
    page = site.pages[PRAKTIK_PAGE]
    page.body = page.body.replace(b"18.400 forl\xc3\xb8b", b"18.450 forl\xc3\xb8b")
    if page.last_modified:
        page.last_modified = fakesite.http_date(2025, 6, 1)  # the server says it changed
    start = len(site.hits)
    summary = crawl(site, corpus, make_fetcher)
    assert summary.changed == 1 and summary.unchanged == len(publications()) - 1
    assert sorted(bodies(site, start)) == [PRAKTIK_PAGE]  # the report itself: a 304
    assert PRAKTIK_PDF in [hit.path for hit in site.hits[start:]]
    assert (
        "18.450 forløb påbegyndt"
        in records(corpus)["star-analyse-praktik-i-jobafklaringsforloeb"]["text"]
    )


def test_faults_are_survived_reported_by_url_and_never_cost_a_stored_record(
    site, tmp_path, make_fetcher, sleeps
):
    serve(site)
    scanned_page = FOKUS + "sygedagpenge-2024-scannet/"
    scanned_pdf = "/media/60001/fokusrevision-sygedagpenge-2024.pdf"
    gone_page = FOKUS + "ledige-akademikere/"
    gone_pdf = "/media/60002/analyse-ledige-akademikere.pdf"
    broken_page = FOKUS + "altid-fejl/"
    template = site.pages[FLEKSJOB_PAGE].body.decode("utf-8")

    def variant(title: str, pdf: str) -> str:
        html = template.replace("Fokusrevision af indsatsen for borgere på ledighedsydelse", title)
        return html.replace(FLEKSJOB_PDF, pdf)

    site.add(scanned_page, variant("Fokusrevision af sygedagpengesager 2024", scanned_pdf))
    site.add(scanned_pdf, scan_pdf(), content_type="application/pdf")
    site.add(gone_page, variant("Fokusrevision af ledige akademikere", gone_pdf))  # PDF: a 404
    site.add(broken_page, variant("Fokusrevision der aldrig svarer", FLEKSJOB_PDF))
    site.always[broken_page] = "500"
    listing = site.pages[FOKUS]
    links = "".join(
        f'<li><a href="{path}">{name}</a></li>'
        for path, name in [(scanned_page, "Sygedagpenge 2024"), (gone_page, "Akademikere")]
    )
    listing.body = listing.body.replace(
        b"</ul>", f"{links}<li><a href='{broken_page}'>X</a></li></ul>".encode()
    )
    site.fault(FLEKSJOB_PAGE, "500")  # once: retried
    site.fault(PRAKTIK_PAGE, "429")  # once, with Retry-After: 1
    site.fault(FLEKSJOB_PDF, "timeout")  # once: retried

    corpus = tmp_path / "corpus"
    (corpus / "star").mkdir(parents=True)
    # An earlier run had the akademiker analysis with its report's text: keep it.
    kept = make_record(
        id="star-fokusrevision-ledige-akademikere",
        source="star",
        doc_type="fokusrevision",
        title="Fokusrevision af ledige akademikere",
        url=site.url(gone_page),
        text="Sidens tekst.\n\nRapportens tekst om ledige akademikere i 2023.",
        example=None,
    )
    kept_bytes = record_json(kept)
    (corpus / "star" / "star-fokusrevision-ledige-akademikere.json").write_bytes(kept_bytes)

    summary = crawl(site, corpus, make_fetcher)

    assert not summary.ok
    failed = dict(summary.failed)
    assert set(failed) == {site.url(p) for p in (scanned_page, gone_page, broken_page)}
    # Each failure names the address that failed: the report's for a report.
    assert site.url(scanned_pdf) in failed[site.url(scanned_page)]
    assert "intet tekstlag" in failed[site.url(scanned_page)]
    assert "gemt med sidens tekst alene" in failed[site.url(scanned_page)]
    assert site.url(gone_pdf) in failed[site.url(gone_page)]
    assert "HTTP 404" in failed[site.url(gone_page)]
    assert "den gemte post er ikke ændret" in failed[site.url(gone_page)]
    assert "HTTP 500" in failed[site.url(broken_page)]

    written = records(corpus)
    # The scan's publication is findable: a record from the page's own text, never empty.
    scanned = written["star-fokusrevision-sygedagpenge-2024-scannet"]
    assert scanned["text"].startswith("STAR har gennemgået 240 sager")
    assert "Ledelsesresumé" not in scanned["text"]
    assert scanned["attachments"][0]["url"] == site.url(scanned_pdf)
    assert summary.page_text_only == 1
    # The stored record whose report is now gone is byte for byte what it was.
    kept_path = corpus / "star" / "star-fokusrevision-ledige-akademikere.json"
    assert kept_path.read_bytes() == kept_bytes
    # The faults that go away were retried, waited for, and gave their records.
    for record_id, expected in expected_records(site).items():
        assert written[record_id]["text"] == expected["text"]
    assert site.statuses(FLEKSJOB_PAGE) == [500, 200]
    assert site.statuses(PRAKTIK_PAGE) == [429, 200]
    assert site.statuses(FLEKSJOB_PDF)[-1] == 200
    assert max(sleeps.calls) >= 1.0  # Retry-After: 1
    # The scan was kept as its raw snapshot, for whoever wants to OCR it.
    assert RawStore(corpus / "star" / "raw").latest(site.url(scanned_pdf)) is not None

    # Next run: the failed ones are asked afresh (and fail again, still named); the good ones
    # cost nothing but 304s, and no stored record changes.
    start = len(site.hits)
    again = crawl(site, corpus, make_fetcher)
    assert set(dict(again.failed)) == set(failed)
    assert sorted(bodies(site, start)) == sorted([scanned_page, scanned_pdf, gone_page])
    assert records(corpus) == written

    # The scan's page changes: its page-text record follows; the kept record still stays.
    page = site.pages[scanned_page]
    page.body = page.body.replace(b"240 sager", b"250 sager")
    third = crawl(site, corpus, make_fetcher)
    assert third.changed == 1 and third.page_text_only == 1
    updated = records(corpus)["star-fokusrevision-sygedagpenge-2024-scannet"]
    assert updated["text"].startswith("STAR har gennemgået 250 sager")
    assert kept_path.read_bytes() == kept_bytes


def test_a_report_address_that_answers_with_a_web_page_is_not_taken_for_the_report(
    site, tmp_path, make_fetcher
):
    serve(site)
    site.add(FLEKSJOB_PDF, "<html><body><h1>Accepter cookies</h1><p>" + "Tekst. " * 20)
    summary = crawl(site, tmp_path / "corpus", make_fetcher, kinds=("fokusrevision",))
    assert summary.failed == [
        (
            site.url(FLEKSJOB_PAGE),
            f"rapporten {site.url(FLEKSJOB_PDF)}: adressen gav en HTML-side, ikke en PDF eller "
            "DOCX; posten er gemt med sidens tekst alene",
        )
    ]
    text = records(tmp_path / "corpus")["star-fokusrevision-ledighedsydelse-og-fleksjob"]["text"]
    assert "cookies" not in text


def test_an_overview_page_that_fails_is_reported_and_the_rest_goes_on(site, tmp_path, make_fetcher):
    serve(site)
    site.always[ANALYSER + "?side=2"] = "500"
    summary = crawl(site, tmp_path / "corpus", make_fetcher)
    assert [url for url, _ in summary.failed] == [site.url(ANALYSER + "?side=2")]
    assert "oversigtssiden" in summary.failed[0][1]
    assert summary.new == len(publications()) - 1  # the one listed only on page 2 is missing


def test_no_readable_overview_stops_the_crawl_before_anything_is_written(
    site, tmp_path, make_fetcher
):
    corpus = tmp_path / "corpus"
    with pytest.raises(CrawlError, match="ingen oversigtsside"):
        crawl(site, corpus, make_fetcher)
    assert records(corpus) == {}


def test_kind_since_limit_and_listing_narrow_the_queue(site, tmp_path, make_fetcher):
    serve(site)
    summary = crawl(site, tmp_path / "a", make_fetcher, kinds=("fokusrevision",))
    assert summary.total == 2 and set(records(tmp_path / "a")) == {
        "star-fokusrevision-ledighedsydelse-og-fleksjob",
        "star-fokusrevision-opfoelgning-i-sygedagpengesager-2019",
    }
    summary = crawl(site, tmp_path / "b", make_fetcher, since="2025-01-01")
    assert set(records(tmp_path / "b")) == {
        "star-fokusrevision-ledighedsydelse-og-fleksjob",
        "star-analyse-praktik-i-jobafklaringsforloeb",
    }
    summary = crawl(site, tmp_path / "c", make_fetcher, limit=1)
    assert summary.total == 1 and len(records(tmp_path / "c")) == 1
    summary = crawl(site, tmp_path / "d", make_fetcher, listings=((ANALYSER, None),))
    assert summary.total == 2 and summary.listing_pages == 2
    # No kind from the overview: the type comes from the pages themselves.
    assert {r["doc_type"] for r in records(tmp_path / "d").values()} == {"analyse"}


def test_an_interrupted_crawl_resumes_and_ends_with_the_same_corpus(site, tmp_path, make_fetcher):
    serve(site)
    reference = tmp_path / "uninterrupted"
    assert crawl(site, reference, make_fetcher).ok

    corpus = tmp_path / "corpus"
    reports_seen: list[str] = []

    def interrupt_at_second_report(url: str, status: int) -> None:
        if "/media/" in url:
            reports_seen.append(url)
            if len(reports_seen) == 2:
                raise KeyboardInterrupt

    opts = StarOptions(corpus=corpus, base_url=site.base_url, listings=OVERVIEWS)
    fetcher = make_fetcher(corpus, source="star", on_response=interrupt_at_second_report)
    with pytest.raises(KeyboardInterrupt):
        crawl_star(opts, fetcher, now=lambda: FIXED_NOW)
    assert 0 < len(records(corpus)) < len(records(reference))

    start = len(site.hits)
    summary = crawl_star(opts, make_fetcher(corpus, source="star"), now=lambda: FIXED_NOW)
    assert summary.ok and summary.resumed
    resumed = [hit.target for hit in site.hits[start:]]
    assert not {FOKUS, ANALYSER, ANALYSER + "?side=2"} & set(resumed)  # the stored queue is used
    assert reports_seen[0].split(site.base_url)[1] not in resumed  # finished: not asked again
    assert records(corpus) == records(reference)


def test_cli_reports_failures_by_url_and_exits_non_zero(site, tmp_path):
    serve(site)
    site.pages.pop(FLEKSJOB_PDF)
    result = CliRunner().invoke(
        cli,
        ["scrape", "star", "--base-url", site.base_url, "--corpus", str(tmp_path / "c")]
        + ["--listing", f"fokusrevision={FOKUS}", "--listing", f"analyse={ANALYSER}"]
        + ["--rate", "1000", "--retries", "0"],
    )
    assert result.exit_code == 1, result.output
    assert f"rapporten {site.url(FLEKSJOB_PDF)}: HTTP 404" in result.output
    assert "nye" in result.output and "kun sidens tekst" in result.output
    assert f"FEJL {site.url(FLEKSJOB_PAGE)}" in result.output  # one log line per publication


def test_cli_names_bad_options_clearly(tmp_path):
    runner = CliRunner()
    result = runner.invoke(
        cli, ["scrape", "star", "--listing", "rapport=/x/", "--corpus", str(tmp_path)]
    )
    assert result.exit_code == 2 and "ukendt slags 'rapport'" in result.output
    result = runner.invoke(
        cli, ["scrape", "star", "--base-url", "star.dk", "--corpus", str(tmp_path)]
    )
    assert result.exit_code == 2 and "http://" in result.output


def test_scraped_corpus_validates_and_builds(site, tmp_path, make_fetcher):
    from retskilde.contract import validate_path
    from retskilde.db.build import build

    serve(site)
    corpus = tmp_path / "corpus"
    crawl(site, corpus, make_fetcher)
    good, problems = validate_path(corpus)  # raw/ and .state/ are skipped
    assert problems == [] and len(good) == len(publications())
    report = build(corpus, tmp_path / "retskilde.db")
    assert report.by_doc_type == {"analyse": 2, "fokusrevision": 2}
