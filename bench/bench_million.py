"""The whole pipeline at scale in one run: a corpus of N synthetic documents (default 1,000,000),
its full build (time, peak memory), an incremental build of 1,000 changes, the database's size
and the search through Datasette's HTTP layer (p50/p95/p99).

    .venv/bin/python bench/bench_million.py                       # 1,000,000 documents
    .venv/bin/python bench/bench_million.py --n 20000             # a quick run
    .venv/bin/python bench/bench_million.py --workdir /data/bench # keep corpus and database

Each build runs in a fresh process, so its peak resident memory is its own (the largest worker
it forked is printed beside it). With `--workdir`, what is already there is reused (a corpus of
the same N, its database), so the expensive first steps run once; `--skip` leaves steps out.
Today's figures for the same N, where the code before the streaming build could finish, are in
the README (it held every record in memory: 1.4 GB at 100,000 documents).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench_incremental, bench_scale  # noqa: E402
from bench.bench_search import http_latencies, percentile  # noqa: E402
from bench.synthetic_search import queries  # noqa: E402
from retskilde import DEFAULT_CORPUS  # noqa: E402

STEPS = ("full", "incremental", "search")
QUERY_COUNT = 300
SEED = 1205
TARGETS = "mål: peak ≤ 1.500 MB, trinvis ≤ 60 s, Datasette p50 ≤ 20 ms og p95 ≤ 100 ms"


def _corpus(work: Path, count: int) -> Path:
    corpus = work / f"corpus-{count}"
    marker = corpus / ".complete"
    if marker.exists():
        print(f"korpus: {count:,} dokumenter genbrugt fra {corpus}")
        return corpus
    shutil.rmtree(corpus, ignore_errors=True)
    start = time.perf_counter()
    size = bench_scale.write_corpus(corpus, count)
    marker.write_text(str(count))
    print(
        f"korpus: {count:,} dokumenter, {size / 1e6:,.0f} MB JSON "
        f"(skrevet på {time.perf_counter() - start:.0f} s)"
    )
    return corpus


def _full(corpus: Path, db_path: Path) -> None:
    db_path.unlink(missing_ok=True)
    result = bench_scale.run_build(ROOT, corpus, db_path)
    print(
        f"fuld build: {result['seconds']:.1f} s ({result['documents'] / result['seconds']:,.0f} "
        f"dok/s), peak {result['peak_kb'] / 1024:,.0f} MB (største worker "
        f"{result['worker_peak_kb'] / 1024:,.0f} MB)"
    )


def _incremental(corpus: Path, db_path: Path, changes: int, label: str) -> None:
    bench_incremental.change_corpus(corpus, changes, random.Random(SEED + time.time_ns()))
    result = bench_incremental.run_build(corpus, db_path, "incremental")
    if not result["applied"]:
        print(
            f"trinvis build ({label}): blev en fuld build ({result['seconds']:.1f} s): koden er "
            "ændret, siden databasen blev bygget; kør igen uden --skip full"
        )
        return
    new, changed, deleted = result["applied"]
    print(
        f"trinvis build ({label}): {result['seconds']:.1f} s for {changes:,} ændringer "
        f"({new} nye, {changed} ændrede, {deleted} slettede), peak "
        f"{result['peak_kb'] / 1024:,.0f} MB"
    )
    for step, seconds in result["steps"].items():
        print(f"    {step:<28}{seconds:6.2f} s")


def _search(db_path: Path) -> None:
    from retskilde.db.sqlite import sqlite3

    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    numbers = [n for (n,) in conn.execute("select number from documents where number is not null")]
    conn.close()
    texts = queries(QUERY_COUNT, SEED, DEFAULT_CORPUS, numbers)
    times = http_latencies(db_path, texts)
    p50, p95, p99 = (percentile(times, f) for f in (0.5, 0.95, 0.99))
    print(
        f"Datasette HTTP /-/sok.json, {len(texts)} søgninger: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
        f"p99 {p99:.1f} ms, max {max(times):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="antal syntetiske dokumenter")
    parser.add_argument("--changes", type=int, default=1_000)
    parser.add_argument("--workdir", type=Path, help="behold korpus og database her")
    parser.add_argument("--skip", nargs="*", choices=STEPS, default=[])
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    with tempfile.TemporaryDirectory(prefix="bench-million-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        corpus = _corpus(work, args.n)
        db_path = work / f"retskilde-{args.n}.db"
        if "full" not in args.skip or not db_path.exists():
            _full(corpus, db_path)
        print(f"database: {db_path.stat().st_size / 1e6:,.0f} MB")
        if "incremental" not in args.skip:
            # The first after a full build makes the spare generation as a copy of the
            # database (db/build/generations.py); from the second on it is updated in place.
            _incremental(corpus, db_path, args.changes, "første efter en fuld")
            _incremental(corpus, db_path, args.changes, "de følgende")
        if "search" not in args.skip:
            _search(db_path)
        print(TARGETS)


if __name__ == "__main__":
    main()
