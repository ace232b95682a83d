"""The build at scale: time, peak memory and database size for N synthetic documents.

    .venv/bin/python bench/bench_scale.py --n 20000 50000 [--baseline main]

For each N, writes a corpus of N synthetic records (bench/synthetic_search.py, with the
realistic length mix: short agenda items, longer decisions, reports of many pages) as one file
per record, then runs `db.build.build` on it in a fresh process and prints the wall time, the
peak resident memory of the build process (and of the largest worker it forked) and the size
of the database. With `--baseline REV`, the same corpus is built by revision REV's code (a
`git archive` of it, in its own process) beside this tree's, and the two databases are compared
(identical file, or identical SQL dump). Peak memory that stays put while N grows is the point:
the target is ≤ 1.5 GB at 1,000,000 documents.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synthetic_search import REALISTIC_LENGTHS, records  # noqa: E402
from retskilde import DEFAULT_CORPUS  # noqa: E402

SEED = 16
# Run in a fresh interpreter whose sys.path starts with the tree to measure, so the peak is the
# build's alone and a baseline's modules never mix with this tree's.
_CHILD = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from retskilde.db.build import build
start = time.perf_counter()
report = build(Path(sys.argv[2]), Path(sys.argv[3]))
seconds = time.perf_counter() - start
print(json.dumps({
    "seconds": seconds,
    "documents": report.documents,
    "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "worker_peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
}))
"""


def write_corpus(folder: Path, count: int) -> int:
    """`count` synthetic records as files under `folder`/<source>/; returns the bytes written."""
    written = 0
    for record in records(count, SEED, DEFAULT_CORPUS, lengths=REALISTIC_LENGTHS):
        path = folder / record["source"] / f"{record['id']}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps(record, ensure_ascii=False).encode()
        path.write_bytes(data)
        written += len(data)
    return written


def run_build(tree: Path, corpus: Path, db_path: Path) -> dict:
    """Build `db_path` from `corpus` with the code in `tree`, in a child process."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    output = subprocess.run(
        [sys.executable, "-c", _CHILD, str(tree), str(corpus), str(db_path)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = json.loads(output.splitlines()[-1])
    result["size"] = db_path.stat().st_size
    return result


def checkout(rev: str, target: Path) -> Path:
    """The files of git revision `rev` under `target` (what the build reads: code, schema)."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "db", "retskilde", "corpus/document.schema.json"],
        check=True,
        capture_output=True,
    ).stdout
    target.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _dump_hash(path: Path) -> str:
    from retskilde.db.sqlite import sqlite3

    digest = hashlib.sha256()
    conn = sqlite3.connect(path)
    try:
        for line in conn.iterdump():
            digest.update(line.encode("utf-8", "surrogatepass"))
    finally:
        conn.close()
    return digest.hexdigest()


def same_database(first: Path, second: Path) -> str:
    if _file_hash(first) == _file_hash(second):
        return "identisk fil"
    if _dump_hash(first) == _dump_hash(second):
        return "identisk dump"
    return "FORSKELLIGE"


def _line(label: str, result: dict) -> str:
    return (
        f"  {label:<14}{result['seconds']:7.1f} s  {result['documents'] / result['seconds']:6.0f}"
        f" dok/s  top {result['peak_kb'] / 1024:6.0f} MB (største worker "
        f"{result['worker_peak_kb'] / 1024:4.0f} MB)  database {result['size'] / 1e6:6.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--n", type=int, nargs="+", default=[1_000_000], help="antal syntetiske dokumenter"
    )
    parser.add_argument("--baseline", metavar="REV", help="git-revision at sammenligne med")
    args = parser.parse_args()
    print("Fuld build af et syntetisk korpus (én fil pr. dokument), i en proces for sig:")
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        work = Path(tmp)
        baseline = checkout(args.baseline, work / "baseline") if args.baseline else None
        peaks: list[tuple[int, dict]] = []
        for count in args.n:
            corpus = work / f"corpus-{count}"
            start = time.perf_counter()
            size = write_corpus(corpus, count)
            print(
                f"{count:,} dokumenter, {size / 1e6:,.0f} MB JSON "
                f"(skrevet på {time.perf_counter() - start:.0f} s)"
            )
            ours = run_build(ROOT, corpus, work / "this.db")
            print(_line("denne gren:", ours))
            peaks.append((count, ours))
            if baseline is not None:
                before = run_build(baseline, corpus, work / "baseline.db")
                print(_line(f"{args.baseline}:", before))
                print(
                    f"  forhold: top {before['peak_kb'] / ours['peak_kb']:.1f} × lavere, tid "
                    f"{ours['seconds'] / before['seconds']:.2f} × den gamle; databaserne: "
                    f"{same_database(work / 'this.db', work / 'baseline.db')}"
                )
                (work / "baseline.db").unlink()
            (work / "this.db").unlink()
            subprocess.run(["rm", "-rf", str(corpus)], check=True)
        print("Trinvis build ved siden af den fulde: bench/bench_incremental.py")
        if len(peaks) > 1:
            (small, first), (large, last) = peaks[0], peaks[-1]
            print(
                f"Top-hukommelse {small:,} → {large:,} dokumenter ({large / small:.1f} ×): "
                f"{first['peak_kb'] / 1024:.0f} → {last['peak_kb'] / 1024:.0f} MB "
                f"({last['peak_kb'] / first['peak_kb']:.2f} ×)"
            )


if __name__ == "__main__":
    main()
