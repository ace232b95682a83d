"""Load on one site process: requests/s and latency for the search and a document page.

    .venv/bin/python bench/bench_load.py [--db PATH] [--connections 20] [--requests 2000]

Starts `datasette serve` exactly as `retskilde serve` does (one process) on 127.0.0.1, then
sends `--requests` requests per endpoint from `--connections` concurrent connections: first
`/-/sok.json?q=…` over a list of searches, then document pages
(`/<database>/documents/<id>`) over the database's documents. Prints requests/s, p50/p95/p99
and errors per endpoint, and the document page's cost relative to the search. Loopback only
and bounded by the request count; the client shares the machine's cores with the server, so
compare ratios across machines rather than absolute figures.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from retskilde import DEFAULT_CORPUS
from retskilde.db.sqlite import sqlite3
from retskilde.site import datasette_serve_args

HOST = "127.0.0.1"
SEARCHES = [
    "fleksjob",
    "hjemvist fleksjob",
    "hjælpemidler",
    "sygedagpenge",
    "101-17",
    "§ 112",
    "kontanthjælp formue",
    "førtidspension",
    "type:principmeddelelse fleksjob",
    "ressourceforløb",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _serve(db_path: Path, port: int) -> subprocess.Popen:
    args = [*datasette_serve_args(db_path), "--host", HOST, "--port", str(port)]
    process = subprocess.Popen([sys.executable, "-m", "datasette", *args])
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection((HOST, port), timeout=0.2).close()
            return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise SystemExit("datasette startede ikke") from None
            time.sleep(0.1)


async def _load(base: str, paths: list[str], requests: int, connections: int) -> dict:
    """Send `requests` GETs over `paths` from `connections` workers; latency per request."""
    latencies: list[float] = []
    errors = 0
    work = itertools.islice(itertools.cycle(paths), requests)
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def worker() -> None:
            nonlocal errors
            for path in work:  # shared iterator: the workers take turns
                started = time.perf_counter()
                try:
                    response = await client.get(path)
                    failed = response.status_code != 200
                except httpx.HTTPError:
                    failed = True
                latencies.append(time.perf_counter() - started)
                errors += failed

        for path in paths[: min(len(paths), connections)]:  # warm up caches and connections
            await client.get(path)
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "rps": len(latencies) / elapsed,
        "p50": cuts[49] * 1000,
        "p95": cuts[94] * 1000,
        "p99": cuts[98] * 1000,
        "errors": errors,
        "requests": len(latencies),
    }


def _cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) the process has used, from /proc (Linux); None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measured(server: subprocess.Popen, base: str, paths, requests: int, connections: int):
    """_load's figures plus the server's CPU milliseconds per request: unlike requests/s, that
    does not depend on what else the machine is doing."""
    before = _cpu_seconds(server.pid)
    result = asyncio.run(_load(base, paths, requests, connections))
    after = _cpu_seconds(server.pid)
    warmup = min(len(paths), connections)
    result["cpu_ms"] = (
        (after - before) * 1000 / (result["requests"] + warmup) if before is not None else None
    )
    return result


def _document_paths(db_path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    ids = [row[0] for row in conn.execute("select id from documents order by id")]
    conn.close()
    # Datasette names a database after its file: retskilde-1000000.db is /retskilde-1000000/.
    return [f"/{db_path.stem}/documents/{doc_id}" for doc_id in ids]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="database (default: build corpus/ in a temp dir)")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000, help="per endpoint")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db_path = args.db
        if db_path is None:
            from retskilde.db.build import build

            db_path = Path(folder) / "retskilde.db"
            build(DEFAULT_CORPUS, db_path)
        port = _free_port()
        server = _serve(db_path, port)
        try:
            base = f"http://{HOST}:{port}"
            searches = [f"/-/sok.json?q={q}" for q in SEARCHES]
            documents = _document_paths(db_path)
            results = {
                "søgning /-/sok.json": _measured(
                    server, base, searches, args.requests, args.connections
                ),
                "dokumentside": _measured(server, base, documents, args.requests, args.connections),
            }
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(
        f"\n{args.connections} forbindelser, {args.requests} forespørgsler pr. endepunkt, én proces"
    )
    print(
        f"{'endepunkt':<22} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'fejl':>6} "
        f"{'CPU ms/req':>11}"
    )
    for name, r in results.items():
        cpu = f"{r['cpu_ms']:>11.2f}" if r["cpu_ms"] is not None else f"{'-':>11}"
        print(
            f"{name:<22} {r['rps']:>8.1f} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['p99']:>8.1f} "
            f"{r['errors']:>6} {cpu}"
        )
    search, page = results["søgning /-/sok.json"], results["dokumentside"]
    ratios = f"req/s {page['rps'] / search['rps']:.2f}, p50 {page['p50'] / search['p50']:.2f}"
    if search["cpu_ms"] and page["cpu_ms"]:
        ratios += f", server-CPU pr. forespørgsel {page['cpu_ms'] / search['cpu_ms']:.2f}"
    print(f"dokumentside / søgning: {ratios}")


if __name__ == "__main__":
    main()
