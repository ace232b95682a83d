"""Relevance of the Danish search, next to plain FTS5 and Whoosh, on two judged sets.

- eksempler: the sample corpus (corpus/) and the queries of bench/relevance_queries.yml;
- rigtige: the real principmeddelelser in ../shared/samples/ankestyrelsen/ indexed beside the
  sample corpus (bench/real_corpus.py), with the queries of bench/relevance_queries_real.yml
  (skipped when that folder is absent).

Each set is built with the real build, the same rows go into the baselines, and the bench prints
Recall@10, MRR@10 and nDCG@10 per system, plus variants of this search with one idea switched off,
so each idea shows its worth.

    .venv/bin/python bench/bench_relevance.py [--set eksempler|rigtige] [--per-query]
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import retskilde.db.search  # noqa: E402
import retskilde.db.search.compiler  # noqa: E402
from bench import real_corpus  # noqa: E402
from bench.baselines import PlainFts5, WhooshDanish, document_rows  # noqa: E402
from retskilde.db.analysis.analyzer import Analyzer, Lexicon  # noqa: E402
from retskilde.db.build import build  # noqa: E402
from retskilde.db.build.index import drop_index, index_documents  # noqa: E402
from retskilde.db.sqlite import sqlite3  # noqa: E402

QUERIES = Path(__file__).with_name("relevance_queries.yml")
REAL_QUERIES = Path(__file__).with_name("relevance_queries_real.yml")
K = 10


def recall(found: list[str], relevant: dict[str, int]) -> float:
    return len(set(found[:K]) & set(relevant)) / len(relevant)


def reciprocal_rank(found: list[str], relevant: dict[str, int]) -> float:
    return next((1 / rank for rank, i in enumerate(found[:K], 1) if i in relevant), 0.0)


def ndcg(found: list[str], relevant: dict[str, int]) -> float:
    gains = [2 ** relevant.get(i, 0) - 1 for i in found[:K]]
    dcg = sum(g / math.log2(rank + 1) for rank, g in enumerate(gains, 1))
    ideal = sorted((2**g - 1 for g in relevant.values()), reverse=True)[:K]
    return dcg / sum(g / math.log2(rank + 1) for rank, g in enumerate(ideal, 1))


def evaluate(run: Callable[[str], list[str]], queries: list[dict]) -> dict:
    scores = {"recall": [], "mrr": [], "ndcg": [], "per_query": []}
    for item in queries:
        found = run(item["q"])
        relevant = item["relevant"]
        scores["recall"].append(recall(found, relevant))
        scores["mrr"].append(reciprocal_rank(found, relevant))
        scores["ndcg"].append(ndcg(found, relevant))
        scores["per_query"].append(scores["ndcg"][-1])
    return {name: (sum(v) / len(v) if name != "per_query" else v) for name, v in scores.items()}


def snowball_only_db(db_path: Path, target: Path) -> tuple[Path, Analyzer]:
    """A copy of the database indexed with Snowball alone: no lexicon fixes or synonyms."""
    bare = Analyzer(Lexicon((), (), (), (), frozenset(), source=""))
    source = sqlite3.connect(db_path)
    conn = sqlite3.connect(target)
    source.backup(conn)
    source.close()
    drop_index(conn)
    import sqlite_utils

    index_documents(sqlite_utils.Database(conn), bare)
    conn.commit()
    conn.close()
    return target, bare


def retskilde_runner(
    db_path: Path, analyzer: Analyzer | None = None, **switches
) -> Callable[[str], list[str]]:
    """Run this search; `switches` set module constants of the compiler or search meanwhile."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    modules = {
        n: retskilde.db.search.compiler
        if hasattr(retskilde.db.search.compiler, n)
        else retskilde.db.search
        for n in switches
    }

    def run(query: str) -> list[str]:
        saved = {name: getattr(modules[name], name) for name in switches}
        for name, value in switches.items():
            setattr(modules[name], name, value)
        try:
            result = retskilde.db.search.search(
                conn, query, limit=K, facets=False, analyzer=analyzer, fill=True
            )
            return [hit.id for hit in result.hits]
        finally:
            for name, value in saved.items():
                setattr(modules[name], name, value)

    return run


def run_set(corpus: Path, queries: list[dict], tmp: Path) -> tuple[int, dict, list[str]]:
    """Build `corpus`, run `queries` through every system; (documents, results, system names)."""
    db_path = tmp / "retskilde.db"
    report = build(corpus, db_path)
    rows = document_rows(db_path)
    plain = PlainFts5()
    plain.add(rows)
    whoosh = WhooshDanish(tmp / "whoosh")
    whoosh.add(rows)
    bare_path, bare = snowball_only_db(db_path, tmp / "snowball.db")
    systems = {
        "Retskilde (denne søgning)": retskilde_runner(db_path),
        "  uden leksikon (kun Snowball)": retskilde_runner(bare_path, bare),
        "  uden sammensatte ord": retskilde_runner(db_path, MAX_EXPANSIONS=0),
        "  uden ord-som-skrevet først": retskilde_runner(db_path, EXACT_FIRST=False),
        "  uden 'nogle af ordene'": retskilde_runner(db_path, RELAX_WHEN_EMPTY=False),
        PlainFts5.name: plain.search,
        WhooshDanish.name: whoosh.search,
    }
    results = {name: evaluate(run, queries) for name, run in systems.items()}
    return report.documents, results, list(systems)


def report_set(title: str, documents: int, queries: list[dict], results: dict, per_query: bool):
    print(f"{title}: {len(queries)} bedømte søgninger over {documents} dokumenter, top {K}")
    print()
    print(f"{'system':<32} {'Recall@10':>10} {'MRR@10':>8} {'nDCG@10':>8}")
    for name, r in results.items():
        print(f"{name:<32} {r['recall']:>10.3f} {r['mrr']:>8.3f} {r['ndcg']:>8.3f}")
    ours = results["Retskilde (denne søgning)"]
    print()
    for name in (PlainFts5.name, WhooshDanish.name):
        base = results[name]
        ratios = [ours[m] / base[m] if base[m] else float("inf") for m in ("recall", "mrr", "ndcg")]
        print(f"Retskilde / {name}: " + ", ".join(f"{r:.2f}x" for r in ratios))
    if per_query:
        print()
        names = list(results)
        print("nDCG@10 pr. søgning: " + " | ".join(names))
        for index, item in enumerate(queries):
            values = "  ".join(f"{results[n]['per_query'][index]:.2f}" for n in names)
            print(f"{values}  {item['q']}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-query", action="store_true", help="nDCG@10 for every query")
    parser.add_argument(
        "--set", choices=("eksempler", "rigtige"), action="append", help="kun dette sæt"
    )
    args = parser.parse_args()
    chosen = args.set or ["eksempler", "rigtige"]
    if "eksempler" in chosen:
        queries = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
        with tempfile.TemporaryDirectory() as tmp:
            documents, results, _ = run_set(ROOT / "corpus", queries, Path(tmp))
        report_set("Eksempelsættet (corpus/)", documents, queries, results, args.per_query)
    if "rigtige" in chosen:
        if not real_corpus.available():
            print(f"Rigtige tekster: {real_corpus.REAL_DIR} findes ikke; springes over.")
            return
        queries = yaml.safe_load(REAL_QUERIES.read_text(encoding="utf-8"))
        with tempfile.TemporaryDirectory() as tmp:
            corpus = real_corpus.write_corpus(Path(tmp) / "corpus")
            documents, results, _ = run_set(corpus, queries, Path(tmp))
        title = "Rigtige principmeddelelser (../shared/samples/ankestyrelsen/ + corpus/)"
        report_set(title, documents, queries, results, args.per_query)


if __name__ == "__main__":
    main()
