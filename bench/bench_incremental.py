"""The incremental build beside the full build: 1,000 changed records on N synthetic documents.

    .venv/bin/python bench/bench_incremental.py --n 5000 20000 [--changes 1000]

For each N, writes a corpus of N synthetic records (bench/bench_scale.py's writer), builds it
from nothing, then changes `--changes` records (of them a tenth deleted, a tenth new, the rest
with a changed text, title or status; seeded), and builds again twice, each in a fresh
process: once incrementally on the first database, once from nothing (`full=True`). Prints
both times, their ratio, the incremental build's time per step, and whether the two databases
hold the same rows (tests/test_incremental_build.py's canonical dump). With two or more N, the
incremental time is fitted as a + b·N (the steps that read every record or every row grow with
N; the analysis of the changed records does not) and extrapolated to 1,000,000 documents.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_scale import write_corpus  # noqa: E402

SEED = 1205
TARGET_N = 1_000_000
TARGET_SECONDS = 60
_CHILD = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from retskilde.db.build import build
start = time.perf_counter()
report = build(Path(sys.argv[2]), Path(sys.argv[3]), full=sys.argv[4] == "full")
seconds = time.perf_counter() - start
changes = report.changes
print(json.dumps({
    "seconds": seconds,
    "documents": report.documents,
    "steps": changes.seconds if changes else {},
    "applied": [len(changes.new), len(changes.changed), len(changes.deleted)] if changes else [],
    "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
}))
"""


def run_build(corpus: Path, db_path: Path, mode: str) -> dict:
    output = subprocess.run(
        [sys.executable, "-c", _CHILD, str(ROOT), str(corpus), str(db_path), mode],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.splitlines()[-1])


def change_corpus(corpus: Path, changes: int, rng: random.Random) -> None:
    """Delete a tenth of `changes` records, add a tenth, change the rest."""
    files = sorted(corpus.rglob("*.json"))
    chosen = rng.sample(files, changes - changes // 10)
    deleted, changed = chosen[: changes // 10], chosen[changes // 10 :]
    for path in deleted:
        path.unlink()
    for number, path in enumerate(changed):
        record = json.loads(path.read_text(encoding="utf-8"))
        kind = number % 3
        if kind == 0:
            record["text"] += "\n\nÆndret: sagen er genoptaget efter serviceloven § 112."
        elif kind == 1:
            record["title"] += " (ændret)"
        else:
            record["status"] = "historisk"
        path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    for number, path in enumerate(rng.sample(changed, changes // 10)):
        record = json.loads(path.read_text(encoding="utf-8"))
        record["id"] = f"{record['id']}-ny-{number}"
        record["text"] = f"Ny version {number}.\n\n{record['text']}"
        (path.parent / f"{record['id']}.json").write_text(
            json.dumps(record, ensure_ascii=False), encoding="utf-8"
        )


def main() -> None:
    from tests.test_incremental_build import canonical_dump

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[5_000, 20_000])
    parser.add_argument("--changes", type=int, default=1_000)
    args = parser.parse_args()
    rng = random.Random(SEED)
    fitted: list[tuple[int, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-incremental-") as tmp:
        work = Path(tmp)
        for count in args.n:
            corpus = work / f"corpus-{count}"
            started = time.perf_counter()
            write_corpus(corpus, count)
            print(f"{count:,} dokumenter (skrevet på {time.perf_counter() - started:.0f} s)")
            first = run_build(corpus, work / "site.db", "full")
            print(f"  fuld build:            {first['seconds']:7.1f} s")
            change_corpus(corpus, args.changes, rng)
            incremental = run_build(corpus, work / "site.db", "incremental")
            full = run_build(corpus, work / "full.db", "full")
            new, changed, deleted = incremental["applied"]
            print(
                f"  trinvis build:         {incremental['seconds']:7.1f} s  "
                f"({new} nye, {changed} ændrede, {deleted} slettede)"
            )
            print(f"  fuld build bagefter:   {full['seconds']:7.1f} s")
            print(f"  forhold: trinvis tager {incremental['seconds'] / full['seconds']:.2f} × fuld")
            for step, seconds in incremental["steps"].items():
                print(f"    {step:<28}{seconds:6.2f} s")
            same = canonical_dump(work / "site.db") == canonical_dump(work / "full.db")
            print(f"  samme rækker som fuld build: {'ja' if same else 'NEJ'}")
            fitted.append((count, incremental["seconds"]))
            for name in ("site.db", "full.db"):
                (work / name).unlink()
            subprocess.run(["rm", "-rf", str(corpus)], check=True)
    if len(fitted) >= 2:
        (n1, t1), (n2, t2) = fitted[0], fitted[-1]
        per_document = (t2 - t1) / (n2 - n1)
        fixed = t1 - per_document * n1
        estimate = fixed + per_document * TARGET_N
        print(
            f"Trinvis build med {args.changes:,} ændringer, lineært fra {n1:,} og {n2:,}: "
            f"{fixed:.1f} s + {per_document * 1000:.2f} s pr. 1.000 dokumenter → "
            f"~{estimate:.0f} s ved {TARGET_N:,} (mål ≤ {TARGET_SECONDS} s)"
        )


if __name__ == "__main__":
    main()
