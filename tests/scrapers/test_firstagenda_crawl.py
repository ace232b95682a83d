"""Whole FirstAgenda crawls against a local site that replays recorded answers, with faults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from retskilde.cli import cli
from retskilde.scrapers import firstagenda as fa
from retskilde.scrapers.rawstore import RawStore
from retskilde.scrapers.runner import CrawlError
from retskilde.scrapers.sources.firstagenda import AgendaOptions, crawl_firstagenda
from tests.conftest import make_record
from tests.scrapers import agendas
from tests.scrapers.conftest import FIXED_NOW

M_BIU = "6b1f0e2c-3a47-4d8e-9f15-2c7a9b0d4e61"  # recorded: 2 records, 2 empty, 1 closed
M_TILLAEG = "2e4a6c8e-0f1b-4d3e-9a5c-7e9b1d3f5a82"  # recorded: 1 record
M_OCT = "2e4a6c8e-0a2c-4e4a-9b6c-8e0a2c4e6a32"
M_JAN = "0c2e4a6c-8e0a-4c2e-9a4c-6e8a0c2e4a10"
M_DEC = "3f5b7d9f-1b3d-4f5b-8c7d-9f1b3d5f7b43"
M_2024 = "4a6c8e0a-2c4e-4a6c-9d8e-0a2c4e6a8c54"
M_PLAN = "5b7d9f1b-3d5f-4b7d-8e9f-1b3d5f7d9e65"  # By- og Planudvalget: not ours by default
M_CLOSED = "1d3f5b7d-9f1b-4d3f-8a5b-7d9f1b3d5f21"  # "Lukket referat"
SELECTED = {M_BIU, M_TILLAEG, M_OCT, M_JAN, M_DEC, M_2024}
# Each selected meeting built from the template gives its 2 records; the recorded ones 2 and 1.
RECORDS_PER_MEETING = {m: 2 for m in SELECTED} | {M_TILLAEG: 1}


def records(corpus: Path) -> dict[str, bytes]:
    folder = corpus / "kommune"
    return (
        {p.name: p.read_bytes() for p in sorted(folder.glob("*.json"))} if folder.exists() else {}
    )


def options(site, corpus: Path, **kwargs) -> AgendaOptions:
    return AgendaOptions(corpus=corpus, kommune=agendas.site_kommune(site), **kwargs)


def crawl(site, corpus, make_fetcher, fetcher_kwargs=None, **kwargs):
    fetcher = make_fetcher(corpus, source="kommune", **(fetcher_kwargs or {}))
    return crawl_firstagenda(options(site, corpus, **kwargs), fetcher, now=lambda: FIXED_NOW)


def asked(site, since: int = 0) -> list[str]:
    return [hit.path for hit in site.hits[since:] if hit.path != "/robots.txt"]


def test_clean_site_gives_one_record_per_open_item_with_content(site, tmp_path, make_fetcher):
    served = agendas.serve(site)
    corpus = tmp_path / "corpus"
    summary = crawl(site, corpus, make_fetcher)
    assert summary.ok and summary.meetings == len(SELECTED) == summary.fetched
    assert summary.new == sum(RECORDS_PER_MEETING.values()) == len(records(corpus))
    assert summary.closed == len(SELECTED) - 1  # every template meeting has one closed item
    assert summary.empty == 2 * (len(SELECTED) - 1)
    paths = asked(site)
    assert paths[0] == "/api/agenda/udvalgsliste"
    assert {p.rsplit("/", 1)[-1] for p in paths[1:]} == SELECTED
    assert agendas.agenda_path(M_PLAN) not in paths and agendas.agenda_path(M_CLOSED) not in paths

    kommune = agendas.site_kommune(site)
    written = records(corpus)
    for meeting_id in SELECTED:
        url = site.url(agendas.agenda_path(meeting_id))
        snapshot = RawStore(corpus / "kommune" / "raw").latest(url)
        content = agendas.encode(served[meeting_id])
        # The record is what the pure parser makes of the bytes the site served.
        expected = fa.parse_dagsorden(content, url, kommune, fetched_at=snapshot.fetched_at)
        for record in expected.records:
            assert json.loads(written[record["id"] + ".json"]) == record
            assert record["sha256"] == snapshot.sha256
            assert record["url"] == f"{site.base_url}/vis?id={meeting_id}"
        for left_out in expected.closed + expected.empty:
            assert f"{left_out}.json" not in written
    # The recorded answers give the recorded records (ids and text), served from here.
    for name in ("hvidovre-beskaeftigelse-referat", "hvidovre-social-tillaegsdagsorden"):
        for want in agendas.example(name).expected["records"]:
            got = json.loads(written[want["id"] + ".json"])
            assert got["text"] == want["text"] and got["title"] == want["title"]
    assert all(hit.user_agent.startswith("Retskilde/") for hit in site.hits)


def test_second_run_fetches_no_bodies_and_a_republished_meeting_is_read_again(
    site, tmp_path, make_fetcher
):
    data = agendas.listing()
    agendas.serve(site, data)
    corpus = tmp_path / "corpus"
    crawl(site, corpus, make_fetcher)
    before = records(corpus)

    start = len(site.hits)
    summary = crawl(site, corpus, make_fetcher)
    assert [h.path for h in site.hits[start:] if h.status == 200] == []
    assert asked(site, start) == ["/api/agenda/udvalgsliste"]  # answered 304
    assert summary.ok and summary.skipped == len(SELECTED) and summary.meetings == 0
    assert summary.new == summary.changed == summary.fetched == 0
    assert records(corpus) == before

    # The agenda of 1 December becomes minutes: the list says so, and only that meeting is read.
    meeting = next(m for m in agendas.listed_meetings(data) if m["Id"] == M_DEC)
    for committees in data["Udvalg"].values():
        for committee in committees:
            for m in committee["Moeder"]:
                if m["Id"] == M_DEC:
                    m["Navn"], m["ReleasedDate"] = "Referat", "2025-12-03T10:00:00+01:00"
    agenda = agendas.agenda_for({**meeting, "Navn": "Referat"})
    agenda["Dagsordenpunkter"][1]["Navn"] += " (rettet)"
    site.add("/api/agenda/udvalgsliste", agendas.encode(data), content_type="application/json")
    site.add(agendas.agenda_path(M_DEC), agendas.encode(agenda), content_type="application/json")
    start = len(site.hits)
    summary = crawl(site, corpus, make_fetcher)
    assert asked(site, start) == ["/api/agenda/udvalgsliste", agendas.agenda_path(M_DEC)]
    # Both records of the meeting are rewritten: they carry the new answer's sha256.
    assert summary.changed == 2 and summary.skipped == 5 and summary.new == 0
    after = records(corpus)
    prefix = "hvidovre-social-og-sundhedsudvalget-2025-12-01-punkt-"
    retitled, other = (json.loads(after[f"{prefix}{n}.json"]) for n in (2, 3))
    assert retitled["title"].endswith("(rettet)")
    assert other["text"] == json.loads(before[f"{prefix}3.json"])["text"]
    assert other["sha256"] == retitled["sha256"] != json.loads(before[f"{prefix}3.json"])["sha256"]
    assert after.keys() == before.keys()


def test_faults_are_survived_reported_and_never_cost_a_stored_record(
    site, tmp_path, make_fetcher, sleeps
):
    agendas.serve(site)
    site.fault(agendas.agenda_path(M_BIU), "500")
    site.fault(agendas.agenda_path(M_TILLAEG), "429")
    site.fault(agendas.agenda_path(M_OCT), "malformed")
    site.always[agendas.agenda_path(M_JAN)] = "500"
    site.add(
        agendas.agenda_path(M_2024),
        b'{"Dagsordenpunkter": [{"Navn": ',
        content_type="application/json",
    )
    corpus = tmp_path / "corpus"
    # Records an earlier run wrote for the meetings that now fail: they must stay as they are.
    kept = {
        rid: make_record(id=rid, source="kommune", doc_type="dagsordenpunkt", example=None)
        for rid in (
            "hvidovre-beskaeftigelses-og-integrationsudvalget-2026-01-13-punkt-2",
            "hvidovre-social-og-sundhedsudvalget-2024-03-05-punkt-3",
        )
    }
    folder = corpus / "kommune"
    folder.mkdir(parents=True)
    for rid, record in kept.items():
        (folder / f"{rid}.json").write_text(json.dumps(record, ensure_ascii=False), "utf-8")
    before = records(corpus)

    summary = crawl(site, corpus, make_fetcher)

    failed = dict(summary.failed)
    assert set(failed) == {site.url(agendas.agenda_path(m)) for m in (M_OCT, M_JAN, M_2024)}
    assert "ikke gyldig JSON" in failed[site.url(agendas.agenda_path(M_OCT))]
    assert "HTTP 500" in failed[site.url(agendas.agenda_path(M_JAN))]
    assert "ikke gyldig JSON" in failed[site.url(agendas.agenda_path(M_2024))]
    written = records(corpus)
    for name, data in before.items():
        assert written[name] == data, f"{name} blev ændret af en fejlet hentning"
    # 500 once and 429 once are retried; 429 came with Retry-After: 1 and was honoured.
    assert site.statuses(agendas.agenda_path(M_BIU)) == [500, 200]
    assert site.statuses(agendas.agenda_path(M_TILLAEG)) == [429, 200]
    assert max(sleeps.calls) >= 1.0
    ids = {name.removesuffix(".json") for name in written}
    for want in agendas.example("hvidovre-beskaeftigelse-referat").expected["records"]:
        assert want["id"] in ids
    # The item with empty Felter and the closed item of the recorded meeting: not written.
    assert "hvidovre-beskaeftigelses-og-integrationsudvalget-2025-11-04-punkt-4" not in ids
    assert "hvidovre-beskaeftigelses-og-integrationsudvalget-2025-11-04-punkt-5" not in ids
    # The broken answer is kept raw for inspection.
    raw = RawStore(corpus / "kommune" / "raw")
    assert raw.latest(site.url(agendas.agenda_path(M_2024))) is not None

    # Next run: the cut-short answer is fetched afresh (not replayed from a 304) and now works;
    # the still-broken meetings are reported again, and nothing good is lost.
    start = len(site.hits)
    again = crawl(site, corpus, make_fetcher)
    assert {url for url, _ in again.failed} == {
        site.url(agendas.agenda_path(m)) for m in (M_JAN, M_2024)
    }
    assert site.statuses(agendas.agenda_path(M_OCT))[-1] == 200
    assert again.new == 2 and agendas.agenda_path(M_BIU) not in asked(site, start)
    for name, data in written.items():
        assert records(corpus)[name] == data


def test_an_interrupted_crawl_resumes_and_ends_with_the_same_corpus(site, tmp_path, make_fetcher):
    agendas.serve(site)
    reference = tmp_path / "uninterrupted"
    assert crawl(site, reference, make_fetcher).ok

    corpus = tmp_path / "corpus"
    seen: list[str] = []

    def interrupt_after_three(url: str, status: int) -> None:
        if "/api/agenda/dagsorden/" in url:
            seen.append(url)
            if len(seen) == 3:
                raise KeyboardInterrupt

    start = len(site.hits)
    with pytest.raises(KeyboardInterrupt):
        crawl(site, corpus, make_fetcher, {"on_response": interrupt_after_three})
    assert 0 < len(records(corpus)) < len(records(reference))
    interrupted = asked(site, start)
    assert interrupted[0] == "/api/agenda/udvalgsliste" and len(interrupted) == 4

    resumed_from = len(site.hits)
    summary = crawl(site, corpus, make_fetcher)
    assert summary.ok and summary.resumed
    resumed = asked(site, resumed_from)
    assert "/api/agenda/udvalgsliste" not in resumed  # the stored queue is used
    finished_before = interrupted[1:-1]  # the third was cut off mid-meeting
    assert interrupted[-1] in resumed
    for path in finished_before:
        assert path not in resumed  # done before the interrupt: not asked again
    assert records(corpus).keys() == records(reference).keys()
    for name, data in records(reference).items():
        mine, theirs = json.loads(records(corpus)[name]), json.loads(data)
        assert {k: v for k, v in mine.items() if k != "fetched_at"} == {
            k: v for k, v in theirs.items() if k != "fetched_at"
        }


def test_a_site_that_wants_its_cookie_first_is_asked_again_with_it(site, tmp_path, make_fetcher):
    agendas.serve(site)
    site.cookie = "FirstAgendaAnonym=eksempel"
    corpus = tmp_path / "corpus"
    summary = crawl(site, corpus, make_fetcher, since="2025-12-01")
    assert summary.ok and summary.new == 5
    # Without the cookie the list redirects to the front page, which sets it; then it answers.
    assert site.statuses("/api/agenda/udvalgsliste") == [302, 200]
    assert all(status == 200 for status in site.statuses(agendas.agenda_path(M_DEC)))
    # A new process has no cookie: the front page is fetched in full (a 304 sets no cookie),
    # the list asked again unconditionally, and the unchanged meetings are not asked at all.
    start = len(site.hits)
    again = crawl(site, corpus, make_fetcher, since="2025-12-01")
    assert again.ok and again.skipped == 3
    assert [(h.path, h.status) for h in site.hits[start:] if h.path != "/robots.txt"] == [
        ("/api/agenda/udvalgsliste", 302),
        ("/", 200),
        ("/", 200),
        ("/api/agenda/udvalgsliste", 200),
    ]


def test_since_limit_and_udvalg_narrow_the_queue(site, tmp_path, make_fetcher):
    agendas.serve(site)
    summary = crawl(site, tmp_path / "a", make_fetcher, since="2025-11-01")
    assert summary.meetings == 4
    assert all(
        json.loads(d)["meeting_date"] >= "2025-11-01" for d in records(tmp_path / "a").values()
    )
    summary = crawl(site, tmp_path / "b", make_fetcher, limit=2)
    assert summary.meetings == 2
    # Newest first: --limit takes the meetings a reader most likely looks for.
    dates = {json.loads(d)["meeting_date"] for d in records(tmp_path / "b").values()}
    assert dates == {"2026-01-13", "2025-12-01"}
    summary = crawl(site, tmp_path / "c", make_fetcher, udvalg="plan")
    assert summary.meetings == 1
    assert {json.loads(d)["committee"] for d in records(tmp_path / "c").values()} == {
        "By- og Planudvalget"
    }


def test_two_meetings_of_one_committee_on_one_day_get_apart_ids(site, tmp_path, make_fetcher):
    data = agendas.listing()
    committee = data["Udvalg"]["Udvalg 2022-2025"][0]
    extra = dict(committee["Moeder"][0], Id="7c9e1a3c-5e7a-4c9e-8a1c-3e5a7c9e1a77")
    extra["Dato"] = extra["MeetingBeginUtc"] = "2025-11-04T08:30:00+01:00"
    committee["Moeder"].append(extra)
    agendas.serve(site, data)
    corpus = tmp_path / "corpus"
    summary = crawl(site, corpus, make_fetcher, since="2025-11-04", udvalg="beskæftigelse")
    assert summary.ok
    ids = sorted(name.removesuffix(".json") for name in records(corpus) if "2025-11-04" in name)
    assert ids == [
        "hvidovre-beskaeftigelses-og-integrationsudvalget-2025-11-04-kl0830-punkt-2",
        "hvidovre-beskaeftigelses-og-integrationsudvalget-2025-11-04-kl0830-punkt-3",
        "hvidovre-beskaeftigelses-og-integrationsudvalget-2025-11-04-kl1600-punkt-2",
        "hvidovre-beskaeftigelses-og-integrationsudvalget-2025-11-04-kl1600-punkt-3",
    ]


def test_a_missing_committee_list_stops_the_crawl_before_anything_is_written(
    site, tmp_path, make_fetcher
):
    with pytest.raises(CrawlError, match="udvalgslisten"):
        crawl(site, tmp_path / "corpus", make_fetcher)
    assert records(tmp_path / "corpus") == {}


def test_scraped_corpus_validates_and_builds(site, tmp_path, make_fetcher):
    from retskilde.contract import validate_path
    from retskilde.db.build import build

    agendas.serve(site)
    corpus = tmp_path / "corpus"
    crawl(site, corpus, make_fetcher)
    good, problems = validate_path(corpus)  # raw/ and .state/ are skipped
    assert problems == [] and len(good) == sum(RECORDS_PER_MEETING.values())
    assert build(corpus, tmp_path / "retskilde.db").documents == len(good)


def _cli(site, corpus, *extra):
    args = ["scrape", "firstagenda", "--kommune", "hvidovre", "--base-url", site.base_url]
    args += ["--corpus", str(corpus), "--rate", "1000", "--retries", "0", *extra]
    return CliRunner().invoke(cli, args)


def test_cli_reports_failures_by_url_and_exits_non_zero(site, tmp_path):
    agendas.serve(site)
    site.always[agendas.agenda_path(M_JAN)] = "500"
    result = _cli(site, tmp_path / "c")
    assert result.exit_code == 1
    assert f"{site.url(agendas.agenda_path(M_JAN))}: HTTP 500" in result.output
    assert "nye punkter" in result.output and "lukkede punkter" in result.output
    assert f"FEJL {site.url(agendas.agenda_path(M_JAN))}" in result.output
    result = _cli(site, tmp_path / "c", "--udvalg", "social", "--since", "2025-12-01")
    assert result.exit_code == 0, result.output
    assert "Kørsel færdig" in result.output


def test_cli_names_bad_options_clearly(site, tmp_path):
    result = CliRunner().invoke(cli, ["scrape", "firstagenda", "--kommune", "ukendtby"])
    assert result.exit_code == 2 and "ukendt kommune" in result.output
    result = _cli(site, tmp_path, "--udvalg", "social(")
    assert result.exit_code == 2 and "ugyldigt regulært udtryk" in result.output
    result = _cli(site, tmp_path)  # nothing served: no committee list
    assert result.exit_code == 1 and "udvalgslisten" in result.output
    assert "ikke ændret" in result.output
