"""Benchmark the Ankestyrelsen scraper offline: parsing speed and crawl overhead per page.

Runs against the recorded pages in tests/scrapers/ast/, served by the local test site on
127.0.0.1 with the rate limit off, so the figures are our own cost per page (parse, validate,
raw snapshot, state, atomic write), not the network's. Prints figures and ratios.

    .venv/bin/python bench/bench_scrape_ast.py [--pages 300]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retskilde.scrapers import ast  # noqa: E402
from retskilde.scrapers.fetcher import Fetcher, FetchPolicy  # noqa: E402
from retskilde.scrapers.rawstore import RawStore  # noqa: E402
from retskilde.scrapers.sources.ast import CrawlOptions, crawl_ast  # noqa: E402
from tests.scrapers import fakesite  # noqa: E402
from tests.scrapers.conftest import fixtures  # noqa: E402

PAGE = "/for-myndigheder/principmeddelelser/2024/ankestyrelsens-principmeddelelse-{n}-om-bench"


def bench_parse(rounds: int) -> float:
    pages = [(f.html.read_bytes(), f.expected["url"]) for f in fixtures()]
    start = time.perf_counter()
    for _ in range(rounds):
        for content, url in pages:
            ast.parse(content, url, fetched_at="2026-01-01T00:00:00+00:00")
    return rounds * len(pages) / (time.perf_counter() - start)


def bench_crawl(pages: int) -> tuple[float, float, int, int]:
    template = next(f for f in fixtures() if f.kind == "principmeddelelse").html.read_text("utf-8")
    site = fakesite.FakeSite()
    server, _ = fakesite.start(site)
    try:
        for i in range(pages):
            number = f"{i + 1}-24"
            site.add(PAGE.format(n=number), template.replace("14-24", number))
        site.sitemap()
        with tempfile.TemporaryDirectory() as folder:
            corpus = Path(folder)
            timings = []
            for _ in range(2):
                fetcher = Fetcher(RawStore(corpus / "ast" / "raw"), FetchPolicy(rate=0))
                start = time.perf_counter()
                summary = crawl_ast(
                    CrawlOptions(corpus, site.base_url, kinds=("principmeddelelse",)), fetcher
                )
                timings.append(time.perf_counter() - start)
                fetcher.close()
                assert summary.ok
            on_disk = sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file())
            records = len(list((corpus / "ast").glob("*.json")))
        return timings[0], timings[1], on_disk, records
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300, help="pages on the local site")
    parser.add_argument("--rounds", type=int, default=50, help="parse rounds over the fixtures")
    args = parser.parse_args()

    per_second = bench_parse(args.rounds)
    first, second, on_disk, records = bench_crawl(args.pages)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    live_seconds = args.pages / 1.0  # the default politeness: 1 request per second

    print(f"parse:  {per_second:8.0f} pages/s  ({1000 / per_second:.2f} ms per page)")
    for label, seconds in (("crawl 1 (all new)", first), ("crawl 2 (all 304)", second)):
        rate = args.pages / seconds
        print(f"{label:<23} {args.pages} pages in {seconds:6.2f} s = {rate:7.0f} pages/s")
    print(f"ratio first/second run: {first / second:.1f}x")
    print(
        f"records written: {records}; corpus + raw + state on disk: {on_disk / 1e6:.2f} MB "
        f"({on_disk / args.pages / 1024:.1f} KiB per page)"
    )
    print(
        f"our overhead vs. the live rate limit (1 req/s): {first / live_seconds:.3%} "
        f"of the {live_seconds:.0f} s the same pages take live"
    )
    print(f"peak memory (RSS): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
