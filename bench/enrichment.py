"""Precision and recall of the legal enrichment on the labelled set in bench/enrichment_data/.

    .venv/bin/python bench/enrichment.py            # both splits, with the misses of each
    .venv/bin/python bench/enrichment.py --quiet    # figures only

Every item runs through `db.enrich.analyse`, the same function the build uses. The `dev` split was
used while writing the rules; the `test` split was written at the same time and kept out of that
work, so its figures are the honest ones. The `real` labels are the decision and law references of
the real principmeddelelser in ../shared/samples/ankestyrelsen/ (bench/real_corpus.py), written by
hand before the rules were changed to find them; that part is skipped when the folder is absent.
Also prints throughput on the sample corpus and on
adversarial input (the parser's regexes are bounded, so time grows linearly with text length).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import real_corpus  # noqa: E402
from retskilde.db.enrich import analyse  # noqa: E402
from retskilde.db.enrich.lawrefs import canonical, find_refs  # noqa: E402

DATA = ROOT / "bench" / "enrichment_data"
SPLITS = ("dev", "test")


class Score:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0
        self.misses: list[str] = []

    def add(self, item_id: str, gold: set, found: set) -> None:
        self.tp += len(gold & found)
        self.fp += len(found - gold)
        self.fn += len(gold - found)
        for value in sorted(found - gold):
            self.misses.append(f"{item_id}: fandt ekstra {value!r}")
        for value in sorted(gold - found):
            self.misses.append(f"{item_id}: manglede {value!r}")

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _load(split: str, name: str) -> list[dict]:
    return yaml.safe_load((DATA / split / f"{name}.yml").read_text(encoding="utf-8")) or []


def _record(item: dict) -> dict:
    return {
        "id": item["id"],
        "title": item.get("title", ""),
        "text": item["text"],
        "doc_type": item.get("doc_type"),
        "number": item.get("number"),
        "date": item.get("date"),
        "keywords": item.get("keywords", []),
    }


def evaluate(split: str) -> dict[str, Score]:
    scores = {name: Score() for name in ("laws", "decisions", "outcomes", "topics")}
    sentence_ok = Counter()
    for item in _load(split, "citations"):
        result = analyse(_record(item))
        found_laws = {canonical(f.ref) for f in result.law_refs}
        found_decisions = {f"{d.number} {d.kind}" for d in result.decisions}
        scores["laws"].add(item["id"], set(item["laws"]), found_laws)
        scores["decisions"].add(item["id"], set(item["decisions"]), found_decisions)
    for item in _load(split, "outcomes"):
        result = analyse(_record(item))
        found = {result.outcome.outcome} if result.outcome else set()
        gold = {item["outcome"]} if item["outcome"] else set()
        scores["outcomes"].add(item["id"], gold, found)
        if gold and gold == found:
            sentence_ok[item["sentence"] in result.outcome.sentence] += 1
    for item in _load(split, "topics"):
        result = analyse(_record(item))
        scores["topics"].add(item["id"], set(item["topics"]), {a.topic_id for a in result.topics})
    scores["outcomes"].sentence_ok = sentence_ok
    return scores


def evaluate_real() -> dict[str, Score] | None:
    """Law and decision references on the real texts, or None without ../shared/samples."""
    if not real_corpus.available():
        return None
    records = real_corpus.real_records()
    scores = {"laws": Score(), "decisions": Score()}
    for item in _load("real", "citations"):
        record = records[item["file"]]
        result = analyse(record)
        found_laws = {canonical(f.ref) for f in result.law_refs}
        found_decisions = {f"{d.number} {d.kind}" for d in result.decisions}
        scores["laws"].add(record["id"], set(item["laws"]), found_laws)
        scores["decisions"].add(record["id"], set(item["decisions"]), found_decisions)
    return scores


def _label_counts(split: str) -> dict[str, int]:
    citations = _load(split, "citations")
    return {
        "laws": sum(len(i["laws"]) for i in citations),
        "decisions": sum(len(i["decisions"]) for i in citations),
        "outcomes": sum(1 for i in _load(split, "outcomes") if i["outcome"]),
        "topics": sum(len(i["topics"]) for i in _load(split, "topics")),
    }


NAMES = {
    "laws": "lovhenvisninger",
    "decisions": "afgørelseshenvisninger",
    "outcomes": "udfald",
    "topics": "emner",
}


def _throughput() -> list[str]:
    from retskilde import DEFAULT_CORPUS

    records = [json.loads(p.read_text("utf-8")) for p in sorted(DEFAULT_CORPUS.glob("*/*.json"))]
    chars = sum(len(r["text"]) for r in records)
    start = time.perf_counter()
    for record in records:
        analyse(record)
    corpus_seconds = time.perf_counter() - start
    lines = [
        f"korpus: {len(records)} dokumenter, {chars:,} tegn på {corpus_seconds:.2f} s "
        f"= {len(records) / corpus_seconds:.0f} dok/s, "
        f"{chars / corpus_seconds / 1e6:.2f} mio. tegn/s"
    ]
    normal = " ".join(r["text"] for r in records)
    normal = (normal * (1 + 200_000 // len(normal)))[:200_000]
    baseline = _time(normal)
    lines.append(f"almindelig tekst, {len(normal):,} tegn: {baseline * 1000:.0f} ms")
    # Linear work: four times the text takes about four times as long.
    for unit in ADVERSARIAL_UNITS:
        small, large = unit * (50_000 // len(unit)), unit * (200_000 // len(unit))
        t_small, t_large = _time(small), _time(large)
        per_char = (t_large / len(large)) / (baseline / len(normal))
        lines.append(
            f"modstræbende {unit.strip()!r} × {len(large) // len(unit):,}: "
            f"{t_large * 1000:.0f} ms, "
            f"{t_large / t_small:.1f} × tiden for en fjerdedel så lang tekst, "
            f"{per_char:.1f} × tiden pr. tegn for almindelig tekst"
        )
    return lines


ADVERSARIAL_UNITS = [
    "§ ",
    "§ 1, stk. 1, 2, ",
    "principmeddelelse 1-11, ",
    "Kasserede: 1-11: x. ",
    "Ankestyrelsen hjemviste sagen, ",
    "serviceloven og aktivloven. § 1 ",
    "servicelovens ",
    "Fleksjob og begrundelse\n\n",
]


def _time(text: str) -> float:
    start = time.perf_counter()
    find_refs(text)
    analyse({"id": "x", "title": "", "text": text, "doc_type": "principmeddelelse"})
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="kun tallene, ikke fejlene")
    args = parser.parse_args()
    results = {split: evaluate(split) for split in SPLITS}
    counts = {split: _label_counts(split) for split in SPLITS}
    print("Berigelse: præcision og genkaldelse på det mærkede sæt (bench/enrichment_data/)\n")
    header = f"{'kategori':<24}{'sæt':<6}{'mærker':>8}{'TP':>6}{'FP':>5}{'FN':>5}"
    print(header + f"{'præcision':>11}{'genkaldelse':>13}{'F1':>7}")
    for name, label in NAMES.items():
        for split in (*SPLITS, "i alt"):
            if split == "i alt":
                score = Score()
                for s in SPLITS:
                    score.tp += results[s][name].tp
                    score.fp += results[s][name].fp
                    score.fn += results[s][name].fn
                labels = sum(counts[s][name] for s in SPLITS)
            else:
                score, labels = results[split][name], counts[split][name]
            print(
                f"{label:<24}{split:<6}{labels:>8}{score.tp:>6}{score.fp:>5}{score.fn:>5}"
                f"{score.precision:>11.3f}{score.recall:>13.3f}{score.f1:>7.3f}"
            )
    for split in SPLITS:
        ok = results[split]["outcomes"].sentence_ok
        if ok:
            print(
                f"udfald ({split}): den rigtige sætning i {ok[True]} af {ok[True] + ok[False]} "
                "korrekte udfald"
            )
    total = {k: sum(counts[s][k] for s in SPLITS) for k in NAMES}
    print(
        f"\nMærker i alt: {total['laws'] + total['decisions']} henvisninger "
        f"({total['laws']} lov, {total['decisions']} afgørelse), {total['outcomes']} udfald, "
        f"{total['topics']} emnetildelinger"
    )
    if not args.quiet:
        for split in SPLITS:
            misses = [m for name in NAMES for m in results[split][name].misses]
            print(f"\nFejl i {split} ({len(misses)}):")
            for miss in misses:
                print(f"  {miss}")
    real = evaluate_real()
    print("\nRigtige principmeddelelser (mærker i bench/enrichment_data/real/):")
    if real is None:
        print("  mappen findes ikke; springes over")
    else:
        for name in ("decisions", "laws"):
            score = real[name]
            labels = score.tp + score.fn
            print(
                f"{NAMES[name]:<24}{'real':<6}{labels:>8}{score.tp:>6}{score.fp:>5}{score.fn:>5}"
                f"{score.precision:>11.3f}{score.recall:>13.3f}{score.f1:>7.3f}"
            )
        if not args.quiet:
            misses = [m for name in ("decisions", "laws") for m in real[name].misses]
            print(f"\nFejl i real ({len(misses)}):")
            for miss in misses:
                print(f"  {miss}")
    print("\nHastighed (samme maskine, samme kørsel):")
    for line in _throughput():
        print(f"  {line}")


if __name__ == "__main__":
    main()
