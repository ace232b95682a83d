"""What the build's index check (db.fts.verify_index) costs per document as texts grow.

For each size: a database with one document whose text is one word repeated that many times
(the worst case for FTS5's highlight(), whose cost grows with the square of a word's
repetitions), beside a few ordinary documents, indexed as the build does; then the time
verify_index takes over all of them (the long document is always in its sample).

    .venv/bin/python bench/bench_verify.py                 # 10 000, 40 000, 80 000 repetitions
    .venv/bin/python bench/bench_verify.py --sizes 20000,160000
    .venv/bin/python bench/bench_verify.py --baseline REV  # the same against an older db/
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ORDINARY = (
    "Ankestyrelsen fandt, at kommunen ikke havde oplyst sagen tilstrækkeligt, før den "
    "traf afgørelse om fleksjob. Sagen blev derfor hjemvist til fornyet behandling. "
)


def measure(root: Path, sizes: list[int], word: str) -> dict[int, float]:
    """Seconds verify_index takes with `root`'s db/ for a repeated text of each size."""
    sys.path.insert(0, str(root))
    import sqlite_utils

    from retskilde.db.build.index import index_documents, verify_index
    from retskilde.db.build.normalise import document_row
    from retskilde.db.build.schema import create_tables, insert_lookups
    from tests.conftest import make_record

    seconds = {}
    for size in sizes:
        db = sqlite_utils.Database(memory=True)
        create_tables(db)
        insert_lookups(db)
        texts = [(word + " ") * size, *(ORDINARY * (i + 1) for i in range(4))]
        rows = [
            document_row(make_record(id=f"ast-principmeddelelse-{i}-99", number=f"{i}-99", text=t))
            for i, t in enumerate(texts, start=1)
        ]
        db["documents"].insert_all(rows)
        index_documents(db)
        started = time.perf_counter()
        verify_index(db.conn)
        seconds[size] = time.perf_counter() - started
    return seconds


def baseline(revision: str, sizes: list[int], word: str) -> dict[int, float]:
    """`measure` with db/ (and the test helpers) as they were at `revision`, in a subprocess."""
    archive = subprocess.run(
        ["git", "archive", revision, "db", "tests/conftest.py", "tests/__init__.py", "retskilde"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        (Path(folder) / "corpus").symlink_to(ROOT / "corpus")
        script = (
            "import json, sys; sys.path.insert(0, sys.argv[1]); "
            "from bench.bench_verify import measure; "
            "print(json.dumps(measure(__import__('pathlib').Path(sys.argv[2]), "
            "json.loads(sys.argv[3]), sys.argv[4])))"
        )
        output = subprocess.run(
            [sys.executable, "-c", script, str(ROOT), folder, json.dumps(sizes), word],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    return {int(size): value for size, value in json.loads(output).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,40000,80000", help="repetitions, comma-separated")
    parser.add_argument("--word", default="fleksjob")
    parser.add_argument("--baseline", help="a git revision to measure too (e.g. HEAD~1)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    now = measure(ROOT, sizes, args.word)
    before = baseline(args.baseline, sizes, args.word) if args.baseline else {}
    print(f"{'repetitions':>12} {'text MB':>8} {'verify_index s':>15}", end="")
    print(f" {'baseline s':>11} {'ratio':>7}" if before else "")
    for size in sizes:
        megabytes = (len(args.word) + 1) * size / 1e6
        print(f"{size:>12} {megabytes:>8.2f} {now[size]:>15.3f}", end="")
        if before:
            print(f" {before[size]:>11.3f} {before[size] / max(now[size], 1e-6):>6.0f}x")
        else:
            print()
    first, last = sizes[0], sizes[-1]
    if len(sizes) > 1:
        print(
            f"growth {first} -> {last} repetitions ({last / first:.0f}x the text): "
            f"{now[last] / max(now[first], 1e-6):.1f}x the time"
            + (f" (baseline {before[last] / max(before[first], 1e-6):.1f}x)" if before else "")
        )


if __name__ == "__main__":
    main()
