"""Benchmark the FirstAgenda scraper offline: parsing speed and crawl overhead per meeting.

Serves a committee list with --meetings meetings (each the recorded Hvidovre agenda, renamed)
on the local test site on 127.0.0.1 with the rate limit off, so the figures are our own cost
(parse, validate, raw snapshot, state, atomic writes), not the network's. Three runs: all new,
nothing changed (the list says so: no agenda is asked for), and every meeting republished with
the same bytes (each agenda asked for conditionally: 304). Prints figures and ratios.

    .venv/bin/python bench/bench_scrape_firstagenda.py [--meetings 200]
"""

from __future__ import annotations

import argparse
import copy
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retskilde.scrapers import firstagenda as fa  # noqa: E402
from retskilde.scrapers.fetcher import Fetcher, FetchPolicy  # noqa: E402
from retskilde.scrapers.rawstore import RawStore  # noqa: E402
from retskilde.scrapers.sources.firstagenda import AgendaOptions, crawl_firstagenda  # noqa: E402
from tests.scrapers import agendas, fakesite  # noqa: E402


def bench_parse(rounds: int) -> tuple[float, float]:
    cases = [
        (e.path.read_bytes(), e.expected["url"], e.kommune) for e in agendas.examples("dagsorden")
    ]
    items = 0
    start = time.perf_counter()
    for _ in range(rounds):
        for content, url, kommune in cases:
            items += len(fa.parse_dagsorden(content, url, kommune).records)
    seconds = time.perf_counter() - start
    return rounds * len(cases) / seconds, items / seconds


def listing(meetings: int) -> dict:
    data = agendas.listing()
    committee = copy.deepcopy(data["Udvalg"]["Udvalg 2022-2025"][0])
    template = committee["Moeder"][0]
    committee["Moeder"] = []
    for i in range(meetings):
        day = f"20{10 + i // 300:02d}-{1 + i // 25 % 12:02d}-{1 + i % 25:02d}"
        meeting = dict(template, Id=str(uuid.UUID(int=i + 1, version=4)))
        meeting["Dato"] = meeting["MeetingBeginUtc"] = f"{day}T16:00:00+01:00"
        committee["Moeder"].append(meeting)
    return {"Udvalg": {"Udvalg 2022-2025": [committee]}}


def bench_crawl(meetings: int) -> tuple[list[tuple[str, float, object]], int, int]:
    site = fakesite.FakeSite()
    server, _ = fakesite.start(site)
    runs = []
    try:
        data = listing(meetings)
        agendas.serve(site, data)
        with tempfile.TemporaryDirectory() as folder:
            corpus = Path(folder)
            kommune = fa.kommune_for("hvidovre", site.base_url)
            for label in ("all new", "unchanged list", "republished, 304"):
                if label == "republished, 304":
                    for committees in data["Udvalg"].values():
                        for committee in committees:
                            for meeting in committee["Moeder"]:
                                meeting["ReleasedDate"] = "2030-01-01T00:00:00+01:00"
                    site.add("/api/agenda/udvalgsliste", agendas.encode(data))
                fetcher = Fetcher(RawStore(corpus / "kommune" / "raw"), FetchPolicy(rate=0))
                start = time.perf_counter()
                summary = crawl_firstagenda(AgendaOptions(corpus, kommune, udvalg="."), fetcher)
                runs.append((label, time.perf_counter() - start, summary))
                fetcher.close()
                assert summary.ok, summary.failed
            on_disk = sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file())
            records = len(list((corpus / "kommune").glob("*.json")))
        return runs, on_disk, records
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=200, help="meetings on the local site")
    parser.add_argument("--rounds", type=int, default=50, help="parse rounds over the fixtures")
    args = parser.parse_args()

    meetings_per_s, records_per_s = bench_parse(args.rounds)
    runs, on_disk, records = bench_crawl(args.meetings)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(
        f"parse:  {meetings_per_s:8.0f} agendas/s, {records_per_s:8.0f} records/s "
        f"({1000 / meetings_per_s:.2f} ms per agenda)"
    )
    for label, seconds, summary in runs:
        print(
            f"crawl ({label:<17}) {args.meetings} meetings in {seconds:6.2f} s = "
            f"{args.meetings / seconds:7.0f} meetings/s; asked {summary.meetings}, "
            f"bodies {summary.fetched}, 304 {summary.not_modified}, skipped {summary.skipped}"
        )
    first, unchanged, republished = (seconds for _, seconds, _ in runs)
    print(f"ratio all-new / unchanged list: {first / unchanged:.1f}x")
    print(f"ratio all-new / republished (304): {first / republished:.1f}x")
    print(
        f"records written: {records}; corpus + raw + state on disk: {on_disk / 1e6:.2f} MB "
        f"({on_disk / args.meetings / 1024:.1f} KiB per meeting)"
    )
    live = args.meetings + 1  # one request per meeting plus the list, at 1 request per second
    print(
        f"our overhead vs. the live rate limit (1 req/s): {first / live:.3%} of the {live} s "
        "the same meetings take live"
    )
    print(f"peak memory (RSS): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
