"""Throughput of the enrichment step of the build (`enrich(db)`) on a synthetic corpus.

    .venv/bin/python bench/enrichment_speed.py                  # 5,000 documents
    .venv/bin/python bench/enrichment_speed.py --docs 20000
    .venv/bin/python bench/enrichment_speed.py --baseline main  # also time main's db/ + ratio

The corpus is the sample corpus's paragraphs recombined with a fixed seed (bench/synthetic.py).
The documents are inserted first; only `enrich(db)` is timed, the same call the build makes, in
a fresh in-memory database each round; the best of `--rounds` is reported, with one process
(the default) and with `--workers` processes (RETSKILDE_ENRICH_WORKERS; pays on idle cores).
With `--baseline REF` the same benchmark runs in a subprocess on the `db/` package of that git
revision (its default `enrich(db)`), so all figures come from the same machine and corpus.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _measure(docs: int, rounds: int, profile: bool, workers: int | None = None) -> dict:
    import sqlite_utils

    from bench.synthetic import synthetic_rows
    from retskilde.db.build.schema import create_tables, insert_lookups
    from retskilde.db.enrich import enrich

    rows = synthetic_rows(docs)
    chars = sum(len(r["text"]) + len(r["title"] or "") for r in rows)
    best = float("inf")
    for _ in range(rounds):
        db = sqlite_utils.Database(memory=True)
        create_tables(db)
        insert_lookups(db)
        db["documents"].insert_all(rows, batch_size=500)
        profiler = cProfile.Profile() if profile else None
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        enrich(db) if workers is None else enrich(db, workers=workers)
        if profiler:
            profiler.disable()
        best = min(best, time.perf_counter() - start)
        db.close()
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return {"docs": docs, "chars": chars, "seconds": best}


def _baseline(ref: str, docs: int, rounds: int) -> dict:
    """Run this benchmark on the db/ package of git revision `ref`, in a subprocess."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", ref, "db"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        env = {**os.environ, "PYTHONPATH": tmp}
        command = [sys.executable, __file__, "--docs", str(docs), "--rounds", str(rounds)]
        output = subprocess.run(
            [*command, "--json"], env=env, check=True, capture_output=True, text=True
        ).stdout
        return json.loads(output.splitlines()[-1])


def _line(label: str, result: dict) -> str:
    seconds = result["seconds"]
    return (
        f"{label:<11}{result['docs']:,} dokumenter, {result['chars'] / 1e6:.1f} mio. tegn på "
        f"{seconds:.2f} s = {result['docs'] / seconds:,.0f} dok/s, "
        f"{result['chars'] / seconds / 1e6:.2f} mio. tegn/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=5000, help="antal syntetiske dokumenter")
    parser.add_argument("--rounds", type=int, default=3, help="kørsler; den bedste tæller")
    parser.add_argument("--baseline", metavar="REF", help="git-revision at sammenligne med")
    parser.add_argument("--profile", action="store_true", help="cProfile af hver kørsel")
    parser.add_argument("--workers", type=int, default=2, help="processer i den parallelle måling")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # The db/ package on PYTHONPATH (a baseline checkout) wins over this worktree's.
    sys.path.append(str(ROOT))
    if args.json:
        print(json.dumps(_measure(args.docs, args.rounds, args.profile)))
        return
    print("Berigelse (enrich(db)) på et syntetisk korpus, bedste af", args.rounds, "kørsler:")
    single = _measure(args.docs, args.rounds, args.profile, workers=1)
    print(f"  {_line('1 proces:', single)}")
    workers = args.workers
    parallel = _measure(args.docs, args.rounds, args.profile, workers) if workers > 1 else single
    if workers > 1:
        print(f"  {_line(f'{workers} proc.:', parallel)}")
    if args.baseline:
        before = _baseline(args.baseline, args.docs, args.rounds)
        print(f"  {_line(args.baseline + ':', before)}")
        print(
            f"  forhold: {before['seconds'] / single['seconds']:.1f} × hurtigere i én proces, "
            f"{before['seconds'] / parallel['seconds']:.1f} × med {workers} processer"
        )


if __name__ == "__main__":
    main()
