"""A synthetic Danish corpus for speed benchmarks, generated from the sample corpus's vocabulary.

Deterministic for a given seed. Words are drawn with a Zipf-like distribution from the words of
corpus/ plus compounds made from them (Danish text has a long tail of compounds), in sentences
and paragraphs with § citations, decision numbers and figures sprinkled in, so the index sees
the shapes real documents have. Not text anyone should read.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import Counter
from collections.abc import Iterator
from itertools import accumulate
from pathlib import Path

DOC_TYPES = [
    ("principmeddelelse", "ast", 0.25),
    ("nyhed", "ast", 0.08),
    ("artikel", "ast", 0.04),
    ("praksisundersoegelse", "ast", 0.05),
    ("tilsynsudtalelse", "ast", 0.05),
    ("fokusrevision", "star", 0.04),
    ("analyse", "star", 0.04),
    ("dagsordenpunkt", "kommune", 0.38),
    ("notat", "kommune", 0.05),
    ("udspil", "organisation", 0.02),
]
MUNICIPALITIES = [
    "Aarhus", "Aalborg", "Herning", "Hvidovre", "Esbjerg", "Odense", "Randers", "Viborg",
    "Vejle", "Guldborgsund", "København", "Frederiksberg", "Kolding", "Horsens", "Silkeborg",
    "Næstved", "Holbæk", "Roskilde", "Svendborg", "Ringkøbing-Skjern",
]  # fmt: skip
LAW_AREAS = [
    "Beskæftigelse", "Forsørgelse", "Sygedagpenge", "Pension", "Handicap og hjælpemidler",
    "Børn og unge", "Arbejdsskade", "Forvaltningsret",
]  # fmt: skip
_WORD = re.compile(r"[^\W\d_]{2,}")


class Vocabulary:
    """Words with Zipf-like weights: the sample corpus's words, then compounds of them."""

    def __init__(self, corpus: Path, rng: random.Random, compounds: int = 40_000):
        counts: Counter[str] = Counter()
        keywords: Counter[str] = Counter()
        laws: Counter[str] = Counter()
        for path in sorted(corpus.rglob("*.json")):
            if path.name.endswith(".schema.json"):
                continue
            record = json.loads(path.read_text(encoding="utf-8"))
            counts.update(w.lower() for w in _WORD.findall(record.get("text", "")))
            keywords.update(record.get("keywords") or [])
            laws.update(record.get("law_names") or [])
        words = [w for w, _ in counts.most_common()]
        heads = [w for w in words if len(w) >= 5][:3000]
        made = set()
        while len(made) < compounds:
            left, right = rng.choice(heads), rng.choice(heads)
            if left != right:
                made.add(left + rng.choice(["", "s", "e"]) + right)
        self.words = words + sorted(made)
        # Zipf: weight 1/(rank + 2.7); the compounds sit in the long tail.
        self.cum_weights = list(accumulate(1 / (rank + 2.7) for rank in range(len(self.words))))
        self.keywords = [k for k, _ in keywords.most_common()]
        self.laws = [k for k, _ in laws.most_common()]
        self.rng = rng

    def sample(self, k: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum_weights, k=k)


def _sentence(vocab: Vocabulary, rng: random.Random) -> str:
    words = vocab.sample(rng.randint(7, 20))
    roll = rng.random()
    if roll < 0.06:
        words.insert(
            rng.randint(0, len(words)), f"§ {rng.randint(1, 180)}, stk. {rng.randint(1, 5)}"
        )
    elif roll < 0.09:
        words.insert(
            rng.randint(0, len(words)),
            f"principmeddelelse {rng.randint(1, 150)}-{rng.randint(5, 25):02d}",
        )
    elif roll < 0.15:
        words.insert(rng.randint(0, len(words)), f"{rng.randint(2, 9999)}")
    text = " ".join(words)
    if rng.random() < 0.3:
        cut = rng.randint(1, len(words) - 1)
        text = " ".join(words[:cut]) + ", " + " ".join(words[cut:])
    return text[0].upper() + text[1:] + "."


def _paragraphs(vocab: Vocabulary, rng: random.Random, words: int) -> str:
    paragraphs, total = [], 0
    while total < words:
        paragraph = [_sentence(vocab, rng) for _ in range(rng.randint(2, 6))]
        total += sum(s.count(" ") + 1 for s in paragraph)
        paragraphs.append(" ".join(paragraph))
    return "\n\n".join(paragraphs)


# Words per text by type for a realistic length mix (`records(..., lengths=REALISTIC_LENGTHS)`):
# agenda items are short, decisions longer, reports and analyses run to many pages.
REALISTIC_LENGTHS = {
    "dagsordenpunkt": (60, 400),
    "nyhed": (150, 500),
    "principmeddelelse": (300, 1500),
    "praksisundersoegelse": (1500, 6000),
    "fokusrevision": (1500, 6000),
    "analyse": (1500, 6000),
    "udspil": (1000, 4000),
}


def records(
    count: int, seed: int, corpus: Path, lengths: dict[str, tuple[int, int]] | None = None
) -> Iterator[dict]:
    """`count` synthetic Document records (valid against the contract), the same for a seed.

    `lengths`: (fewest, most) words of text by doc_type; 150-700 for a type not named.
    """
    rng = random.Random(seed)
    vocab = Vocabulary(corpus, rng)
    type_weights = list(accumulate(w for _, _, w in DOC_TYPES))
    per_year: Counter[int] = Counter()
    for index in range(count):
        doc_type, source, _ = rng.choices(DOC_TYPES, cum_weights=type_weights)[0]
        year = rng.randint(2005, 2025)
        text = _paragraphs(vocab, rng, rng.randint(*(lengths or {}).get(doc_type, (150, 700))))
        title_words = vocab.sample(rng.randint(5, 12))
        record = {
            "id": f"syn-{doc_type}-{index}",
            "source": source,
            "doc_type": doc_type,
            "title": " ".join(title_words).capitalize(),
            "url": f"https://eksempel.retskilde.dk/syntetisk/{index}",
            "fetched_at": "2026-11-24T08:00:00+00:00",
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
            "text": text,
            "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "keywords": sorted(set(rng.sample(vocab.keywords[:300], rng.randint(2, 5)))),
            "law_area": rng.choice(LAW_AREAS),
            "example": True,
        }
        if rng.random() < 0.7:
            record["summary"] = _sentence(vocab, rng) + " " + _sentence(vocab, rng)
        if doc_type == "principmeddelelse":
            # Ankestyrelsen numbers its decisions from 1 each year: 1-17, 2-17, …
            per_year[year] += 1
            # Beyond 9,999 in a year (only a million-document corpus gets there) a series
            # letter keeps the numbers unique and within the grammar: A-1-17, B-1-17, …
            series, running = divmod(per_year[year] - 1, 9999)
            prefix = f"{chr(ord('A') + series - 1)}-" if series else ""
            number = f"{prefix}{running + 1}-{year % 100:02d}"
            record["number"] = number
            record["status"] = "gældende" if rng.random() < 0.8 else "historisk"
            record["paragraph"] = f"§ {rng.randint(1, 180)}, stk. {rng.randint(1, 5)}"
            record["law_names"] = sorted(set(rng.sample(vocab.laws, rng.randint(1, 2))))
            record["title"] = f"Principmeddelelse {number} om {record['title'].lower()}"
        if source == "kommune":
            record["municipality"] = rng.choice(MUNICIPALITIES)
            record["committee"] = "Beskæftigelsesudvalget"
        yield record


def queries(count: int, seed: int, corpus: Path, numbers: list[str]) -> list[str]:
    """Realistic searches over a synthetic corpus: 1-3 words, numbers, §, filters, prefixes."""
    rng = random.Random(seed + 1)
    vocab = Vocabulary(corpus, rng, compounds=0)
    middle = [w for w in vocab.words[40:4000] if len(w) >= 4]
    out = []
    for _ in range(count):
        roll = rng.random()
        words = " ".join(rng.sample(middle, rng.choice([1, 2, 2, 2, 3, 3])))
        if roll < 0.10 and numbers:
            out.append(rng.choice(numbers))
        elif roll < 0.18:
            out.append(f"{rng.choice(middle)} § {rng.randint(1, 180)}")
        elif roll < 0.26:
            out.append(f"{words} type:principmeddelelse")
        elif roll < 0.32:
            out.append(f"{rng.choice(middle)[:5]}*")
        elif roll < 0.36:
            out.append(f'"{rng.choice(middle)} {rng.choice(middle)}" OR {rng.choice(middle)}')
        else:
            out.append(words)
    return out
