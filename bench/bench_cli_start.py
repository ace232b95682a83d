"""How fast the command line starts: the median wall time of a few commands over fresh
processes, and the heavy libraries each leaves unloaded.

    .venv/bin/python bench/bench_cli_start.py [--runs 10]

The target (issue 11): `retskilde --help` and `retskilde scrape <kilde> --help` under 150 ms;
commands that do not serve never import Datasette.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = [
    ["--help"],
    ["scrape", "ast", "--help"],
    ["scrape", "star", "--help"],
    ["scrape", "firstagenda", "--help"],
    ["scrape", "kommuner", "--help"],
    ["kommuner", "--help"],
    ["validate", str(ROOT / "corpus")],
]
HEAVY = ("datasette", "bs4", "httpx", "jsonschema", "pdfminer", "docx")
# Runs the command as the console script does and reports which heavy libraries it loaded.
_CHILD = """
import json, sys
from retskilde.cli import cli
try:
    cli.main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(sys.argv[0])))
print("\\nHEAVY=" + json.dumps(heavy))
"""


def loaded(args: list[str]) -> list[str]:
    """The heavy libraries `retskilde ARGS` imports."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD.replace("sys.argv[0]", repr(json.dumps(HEAVY))), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("HEAVY="))
    return json.loads(line.removeprefix("HEAVY="))


def seconds(args: list[str], runs: int) -> float:
    times = []
    script = Path(sys.executable).with_name("retskilde")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([str(script), *args], capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    bare = statistics.median(_timed([sys.executable, "-c", "pass"]) for _ in range(args.runs))
    print(f"python uden noget: {bare * 1000:.0f} ms (median af {args.runs})")
    for command in COMMANDS:
        shown = " ".join(command).replace(str(ROOT) + "/", "")
        ms = seconds(command, args.runs) * 1000
        heavy = ", ".join(loaded(command)) or "ingen"
        print(f"retskilde {shown:<28} {ms:6.0f} ms   tunge biblioteker: {heavy}")


def _timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
