"""A larger corpus for the enrichment benchmarks: the sample corpus's paragraphs, recombined.

Each synthetic document keeps the metadata of one sample document (type, title, keywords, summary,
number, paragraph field) and gets as many paragraphs as that document has, drawn at random from
the whole sample corpus with a fixed seed, so the same call always gives the same corpus.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

from retskilde import DEFAULT_CORPUS  # noqa: E402
from retskilde.db.build.normalise import document_row  # noqa: E402


def sample_records(corpus: Path = DEFAULT_CORPUS) -> list[dict]:
    """The sample corpus's records, normalised the way the build stores them, by id."""
    records = [json.loads(p.read_text("utf-8")) for p in sorted(corpus.glob("*/*.json"))]
    return sorted((document_row(r) for r in records), key=lambda r: r["id"])


def synthetic_rows(count: int, seed: int = 20240601, corpus: Path = DEFAULT_CORPUS) -> list[dict]:
    """`count` document rows made of the sample corpus's paragraphs, the same for the same seed."""
    base = sample_records(corpus)
    paragraphs = [p for row in base for p in row["text"].split("\n\n") if p.strip()]
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        template = base[rng.randrange(len(base))]
        size = max(1, template["text"].count("\n\n") + 1 + rng.randint(-2, 2))
        row = dict(template)
        row["id"] = f"syn-{i:06d}-{template['id']}"
        row["text"] = "\n\n".join(rng.choice(paragraphs) for _ in range(size))
        rows.append(row)
    return rows
