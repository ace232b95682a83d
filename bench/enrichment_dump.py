"""Dump everything the enrichment produces, so a refactoring can be shown to change no result.

    .venv/bin/python bench/enrichment_dump.py /tmp/before.txt
    ... change the code ...
    .venv/bin/python bench/enrichment_dump.py /tmp/after.txt && cmp /tmp/before.txt /tmp/after.txt

The dump holds the enrichment tables and columns of a build of the sample corpus and of a
synthetic corpus (bench/synthetic.py), and `analyse` of every labelled text in
bench/enrichment_data/ and of the adversarial inputs in bench/enrichment.py.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import sys
import tempfile
from pathlib import Path

import sqlite_utils

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synthetic import synthetic_rows  # noqa: E402
from retskilde import DEFAULT_CORPUS  # noqa: E402
from retskilde.db.build import build  # noqa: E402
from retskilde.db.build.schema import create_tables, insert_lookups  # noqa: E402
from retskilde.db.enrich import analyse, enrich  # noqa: E402

TABLES = {
    "topics": "id",
    "laws": "id",
    "municipalities": "name",
    "document_topics": "document_id, topic_id",
    "law_references": "id",
    "citations": "citing_id, cited_number, kind",
    "document_municipalities": "document_id, municipality",
}
DOCUMENT_COLUMNS = (
    "id, outcome, outcome_sentence, topics, cited_laws, cited_paragraphs, mentioned_municipalities"
)


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_enrichment", ROOT / "bench/enrichment.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _dump_db(db: sqlite_utils.Database, name: str, out) -> None:
    for table, order in TABLES.items():
        for row in db.execute(f"select * from {table} order by {order}"):
            out.write(f"{name}\t{table}\t{row!r}\n")
    for row in db.execute(f"select {DOCUMENT_COLUMNS} from documents order by id"):
        out.write(f"{name}\tdocuments\t{row!r}\n")


def _dump_sample_build(out) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sample.db"
        build(DEFAULT_CORPUS, path)
        db = sqlite_utils.Database(path)
        _dump_db(db, "sample", out)
        db.close()


def _dump_synthetic(count: int, out) -> None:
    db = sqlite_utils.Database(memory=True)
    create_tables(db)
    insert_lookups(db)
    db["documents"].insert_all(synthetic_rows(count), batch_size=500)
    enrich(db)
    _dump_db(db, "synthetic", out)


def _dump_analyses(out) -> None:
    bench = _bench_module()
    for split in bench.SPLITS:
        for name in ("citations", "outcomes", "topics"):
            for item in bench._load(split, name):
                result = analyse(bench._record(item))
                out.write(f"bench\t{split}/{name}/{item['id']}\t{result!r}\n")
    for unit in bench.ADVERSARIAL_UNITS:
        text = unit * (5_000 // len(unit))
        result = analyse({"id": "x", "title": "", "text": text, "doc_type": "principmeddelelse"})
        out.write(f"adversarial\t{unit!r}\t{result!r}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--synthetic", type=int, default=2000, help="syntetiske dokumenter")
    args = parser.parse_args()
    with args.output.open("w", encoding="utf-8") as out:
        _dump_sample_build(out)
        _dump_synthetic(args.synthetic, out)
        _dump_analyses(out)
    digest = hashlib.sha256(args.output.read_bytes()).hexdigest()
    lines = args.output.read_text(encoding="utf-8").count("\n")
    print(f"{args.output}: {lines:,} linjer, sha256 {digest}")


if __name__ == "__main__":
    main()
