"""Speed of the Danish search on a synthetic corpus, next to Whoosh on the same documents.

For each size: index build rate (documents/s) and database size; then search latency, top 10
with snippets, p50/p95 over the same queries through (1) the bare FTS5 query with the analysed
expression, (2) db.search.search() in-process (ranking, facets, snippets), (3) Datasette's HTTP
layer: a real `datasette serve` on 127.0.0.1 with the site's plugins, asked for /-/sok.json by
an HTTP client, and (4) Whoosh with its Danish analyzer (BM25F, highlights).

    .venv/bin/python bench/bench_search.py                 # 10 000 documents
    .venv/bin/python bench/bench_search.py --sizes 10000,100000
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import sqlite3 as stdlib_sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.baselines import WhooshDanish  # noqa: E402
from bench.synthetic_search import queries, records  # noqa: E402
from retskilde.db.analysis.analyzer import default_analyzer  # noqa: E402
from retskilde.db.build import attributes, open_for_build  # noqa: E402
from retskilde.db.build.index import (  # noqa: E402
    create_index,
    fill_index,
    fill_vocabulary,
    store_settings,
    store_terms,
    verify_index,
)
from retskilde.db.build.normalise import document_row  # noqa: E402
from retskilde.db.build.schema import create_tables, insert_lookups  # noqa: E402
from retskilde.db.search import _score_sql, compile_query, search  # noqa: E402
from retskilde.db.search.parallel import ParallelReader  # noqa: E402
from retskilde.db.search.query import parse  # noqa: E402
from retskilde.db.sqlite import memory_statistics_off, sqlite3  # noqa: E402
from retskilde.db.tables import FTS_TABLE, TEXT_COLUMN  # noqa: E402
from retskilde.site import datasette_serve_args  # noqa: E402

SEED = 4
QUERY_COUNT = 200


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def timed(run, items) -> list[float]:
    times = []
    for item in items:
        start = time.perf_counter()
        run(item)
        times.append((time.perf_counter() - start) * 1000)
    return times


def build(docs: list[dict], path: Path) -> dict:
    """Build the database like db/build.py does, timing each step."""
    analyzer = default_analyzer()
    figures: dict[str, float] = {}
    db = open_for_build(path)
    start = time.perf_counter()
    create_tables(db)
    insert_lookups(db)
    db["documents"].insert_all((document_row(r) for r in docs), batch_size=500)
    db.conn.commit()
    figures["load_s"] = time.perf_counter() - start
    start = time.perf_counter()
    create_index(db.conn)
    attributes.fill_all(db.conn)
    fill_index(db.conn, analyzer)
    db.conn.commit()
    figures["index_s"] = time.perf_counter() - start
    start = time.perf_counter()
    store_terms(db.conn)
    figures["pairs"] = fill_vocabulary(db.conn, analyzer)
    store_settings(db.conn, analyzer, len(docs))
    db.conn.commit()
    figures["vocabulary_s"] = time.perf_counter() - start
    start = time.perf_counter()
    db.conn.execute("vacuum")
    verify_index(db.conn)
    figures["vacuum_s"] = time.perf_counter() - start
    db.conn.close()
    figures["bytes"] = path.stat().st_size
    # pysqlite3-binary's SQLite has no dbstat table; any SQLite can measure the file.
    with contextlib.closing(stdlib_sqlite3.connect(path)) as conn:
        try:
            figures["fts_bytes"] = conn.execute(
                "select sum(pgsize) from dbstat where name like ?", (f"{FTS_TABLE}%",)
            ).fetchone()[0]
        except stdlib_sqlite3.OperationalError:
            figures["fts_bytes"] = 0
    return figures


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_latencies(db_path: Path, texts: list[str]) -> list[float]:
    port = free_port()
    args = [sys.executable, "-m", "datasette", *datasette_serve_args(db_path)]
    args += ["--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30) as client:
            # A million documents take Datasette and the search's arrays about 12 s to open.
            started = time.monotonic()
            while True:
                try:
                    client.get("/-/versions.json")
                    break
                except httpx.TransportError:
                    if server.poll() is not None or time.monotonic() - started > 180:
                        raise RuntimeError(f"Datasette kom ikke op på {base}") from None
                    time.sleep(0.1)
            for text in texts[:20]:  # warm the page cache and Datasette's connections
                client.get("/-/sok.json", params={"q": text})

            def ask(text: str) -> None:
                response = client.get("/-/sok.json", params={"q": text})
                response.raise_for_status()

            return timed(ask, texts)
    finally:
        server.terminate()
        server.wait(timeout=10)


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run_size(size: int, tmp: Path, whoosh: bool) -> None:
    start = time.perf_counter()
    docs = list(records(size, SEED, ROOT / "corpus"))
    generated = time.perf_counter() - start
    numbers = [d["number"] for d in docs if d.get("number")]
    texts = queries(QUERY_COUNT, SEED, ROOT / "corpus", numbers)
    words = sum(d["text"].count(" ") + 1 for d in docs) / len(docs)
    print(f"== {size:,} dokumenter".replace(",", ".") + f" (gns. {words:.0f} ord i teksten) ==")
    print(f"genereret på {generated:.1f} s (seed {SEED}); {len(texts)} søgninger")

    db_path = tmp / "retskilde.db"
    f = build(docs, db_path)
    index_rate = size / f["index_s"]
    total = f["load_s"] + f["index_s"] + f["vocabulary_s"] + f["vacuum_s"]
    print(f"build: indlæs rækker {size / f['load_s']:,.0f} dok/s")
    print(
        f"       indeks (analyse + FTS5 + optimize) {index_rate:,.0f} dok/s ({f['index_s']:.1f} s)"
    )
    print(f"       ordforråd {f['vocabulary_s']:.1f} s ({f['pairs']:,} par)")
    print(f"       vacuum + tjek {f['vacuum_s']:.1f} s; i alt {size / total:,.0f} dok/s")
    fts_mb = f" (FTS-indeks {f['fts_bytes'] / 1e6:.0f} MB)" if f["fts_bytes"] else ""
    print(f"database: {f['bytes'] / 1e6:.0f} MB{fts_mb}")

    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    compiled = [compile_query(conn, parse(t)) for t in texts]
    bare = [c.fts for c in compiled if c.fts]
    sql = (
        f"select rowid, snippet({FTS_TABLE}, {TEXT_COLUMN}, '<mark>', '</mark>', '…', 32) "
        f"from {FTS_TABLE} where {FTS_TABLE} match ? order by {_score_sql()} limit 10"
    )
    results = {}
    results["FTS5-forespørgslen alene"] = timed(lambda e: conn.execute(sql, (e,)).fetchall(), bare)
    results["search() uden facetter"] = timed(lambda t: search(conn, t, facets=False), texts)
    # The site's and the CLI's call: a page with few exact matches goes on with partial ones.
    results["search() fyldt side (fill)"] = timed(
        lambda t: search(conn, t, facets=False, fill=True), texts
    )
    results["search() med facetter"] = timed(lambda t: search(conn, t), texts)
    with ParallelReader(db_path) as reader:  # as the site counts them
        results["search() facetter ved siden af"] = timed(
            lambda t: search(conn, t, parallel=reader), texts
        )
    hits = sum(search(conn, t, facets=False).total for t in texts) / len(texts)
    conn.close()
    results["Datasette HTTP /-/sok.json"] = http_latencies(db_path, texts)

    if whoosh:
        folder = tmp / "whoosh"
        start = time.perf_counter()
        index = WhooshDanish(folder)
        index.add(docs)
        whoosh_s = time.perf_counter() - start
        print(
            f"Whoosh: build {size / whoosh_s:,.0f} dok/s ({whoosh_s:.1f} s), "
            f"indeks {folder_size(folder) / 1e6:.0f} MB"
        )
        with index.searcher() as searcher:
            results["Whoosh (highlights)"] = timed(
                lambda t: index.search(t, 10, snippets=True, searcher=searcher), texts
            )
        shutil.rmtree(folder)

    print(f"søgning, top 10 med uddrag (gns. {hits:,.0f} træffere pr. søgning), ms:")
    print(f"  {'':<32} {'p50':>7} {'p95':>7} {'max':>7}")
    for name, times in results.items():
        p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
        print(f"  {name:<32} {p50:>7.1f} {p95:>7.1f} {max(times):>7.1f}")
    http = results["Datasette HTTP /-/sok.json"]
    if whoosh:
        slow = results["Whoosh (highlights)"]
        print(
            f"forhold: build {index_rate / (size / whoosh_s):.1f}x Whoosh; "
            f"p95 Whoosh / Datasette {percentile(slow, 0.95) / percentile(http, 0.95):.1f}x"
        )
    print(
        f"mål ved 100.000: build ≥ 5.000 dok/s ({index_rate:,.0f}), Datasette p95 ≤ 50 ms "
        f"({percentile(http, 0.95):.1f}), p50 ≤ 10 ms ({percentile(http, 0.5):.1f})"
    )
    print()
    db_path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000", help="kommasepareret, fx 10000,100000")
    parser.add_argument("--no-whoosh", action="store_true", help="spring Whoosh over")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # progress shows when the output is a file
    print(
        f"SQLite {sqlite3.sqlite_version} (hukommelsestælling slået fra: {memory_statistics_off}), "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPU"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            run_size(size, Path(tmp), whoosh=not args.no_whoosh)


if __name__ == "__main__":
    main()
