"""Legal enrichment: topics, outcomes, law references, the citation graph and municipalities.

`enrich(db)` runs in the build after the documents are inserted. It reads `documents`, writes the
derived tables and columns, and is a pure function of the rows and the data files in db/data/.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field

import sqlite_utils

from db.enrich.decisions import find_decisions, normalise_number
from db.enrich.lawrefs import LawRef, canonical, find_refs, paragraph_label
from db.enrich.laws import registry
from db.enrich.municipalities import find_municipalities, municipalities
from db.enrich.outcomes import find_outcome
from db.enrich.schema import create_enrichment_tables
from db.enrich.topics import DocumentFacts, assign_topics, taxonomy

_SOURCE_COLUMNS = (
    "id, doc_type, number, title, summary, text, keywords, law_names, paragraph, date"
)


@dataclass
class EnrichReport:
    documents: int = 0
    law_references: int = 0
    unresolved_law_references: int = 0
    citations: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)
    topics: Counter = field(default_factory=Counter)


def _json(values: list[str]) -> str | None:
    return json.dumps(values, ensure_ascii=False) if values else None


def _paragraph_sort_key(label: str) -> tuple:
    law, _, paragraph = label.partition(" § ")
    number = re.match(r"\d+", paragraph)
    return (law, int(number.group()) if number else 0, paragraph)


def _metadata_refs(row: dict, date: str | None, found: list) -> list:
    """References the source states in its own `paragraph` field, tied to its one law tag."""
    if not row.get("paragraph"):
        return []
    names = json.loads(row["law_names"]) if row.get("law_names") else []
    laws = {resolved[0].id for n in names if (resolved := registry().resolve_name(n, date))}
    prefix = registry().laws[laws.pop()].short_name + " " if len(laws) == 1 else ""
    paragraph = row["paragraph"].strip()
    if not paragraph.startswith("§"):
        paragraph = f"§ {paragraph}"
    seen = {f.ref for f in found}
    return [
        (ref, row["paragraph"])
        for ref in (f.ref for f in find_refs(prefix + paragraph, date))
        if ref not in seen and ref.law_id is not None
    ]


def _insert_reference_data(db: sqlite_utils.Database) -> None:
    db["topics"].insert_all(
        {"id": t.id, "label": t.label, "description": t.description, "parent": t.parent}
        for t in taxonomy()
    )
    db["laws"].insert_all(
        {
            "id": law.id,
            "title": law.title,
            "short_name": law.short_name,
            "abbreviations": _json(list(law.abbreviations)),
            "names": _json(list(law.names)),
            "valid_from": law.valid_from,
            "valid_to": law.valid_to,
            "replaced_by": law.replaced_by,
            "note": " ".join(law.note.split()) if law.note else None,
        }
        for law in registry().laws.values()
    )
    db["municipalities"].insert_all(
        {"name": m.name, "official": m.official, "region": m.region} for m in municipalities()
    )


def _number_index(db: sqlite_utils.Database) -> dict[str, str]:
    """Decision number → document id, principmeddelelser first, then by id."""
    index: dict[str, str] = {}
    for doc_id, number in db.execute(
        "select id, number from documents where number is not null "
        "order by doc_type != 'principmeddelelse', id"
    ):
        try:
            index.setdefault(normalise_number(number), doc_id)
        except ValueError:
            continue
    return index


def enrich(db: sqlite_utils.Database) -> EnrichReport:
    """Create and fill the enrichment tables from the `documents` already in `db`."""
    create_enrichment_tables(db)
    _insert_reference_data(db)
    numbers = _number_index(db)
    labels = {t.id: t.label for t in taxonomy()}
    report = EnrichReport()
    law_rows, citation_rows, topic_rows, municipality_rows, updates = [], [], [], [], []
    cursor = db.execute(f"select {_SOURCE_COLUMNS} from documents order by id")
    columns = [c[0] for c in cursor.description]
    for values in cursor.fetchall():
        row = dict(zip(columns, values, strict=True))
        report.documents += 1
        doc_id, date = row["id"], row["date"]
        body = f"{row['title']}\n\n{row['text']}"

        found = find_refs(body, date)
        refs: list[tuple[LawRef, str]] = [(f.ref, f.raw) for f in found]
        for f in found:
            law_rows.append(
                {
                    "document_id": doc_id,
                    "law_id": f.ref.law_id,
                    "paragraph": f.ref.paragraph,
                    "stk": f.ref.stk,
                    "nr": f.ref.nr,
                    "canonical": canonical(f.ref),
                    "raw": f.raw,
                    "resolution": f.resolution,
                    "position": f.start,
                }
            )
        for ref, raw in _metadata_refs(row, date, found):
            refs.append((ref, raw))
            law_rows.append(
                {
                    "document_id": doc_id,
                    "law_id": ref.law_id,
                    "paragraph": ref.paragraph,
                    "stk": ref.stk,
                    "nr": ref.nr,
                    "canonical": canonical(ref),
                    "raw": raw,
                    "resolution": "kildens paragraf-felt",
                    "position": None,
                }
            )

        for ref in find_decisions(body, row["doc_type"], row["number"]):
            citation_rows.append(
                {
                    "citing_id": doc_id,
                    "cited_number": ref.number,
                    "cited_id": numbers.get(ref.number),
                    "kind": ref.kind,
                    "raw": ref.raw,
                }
            )
            report.citations[ref.kind] += 1

        outcome = find_outcome(row["text"], row["doc_type"])
        if outcome:
            report.outcomes[outcome.outcome] += 1

        keywords = json.loads(row["keywords"]) if row["keywords"] else []
        facts = DocumentFacts(
            title=row["title"],
            text=row["text"],
            doc_type=row["doc_type"],
            summary=row["summary"],
            keywords=keywords,
            law_refs=refs,
            outcome=outcome.outcome if outcome else None,
        )
        assignments = assign_topics(facts)
        for a in assignments:
            topic_rows.append(
                {"document_id": doc_id, "topic_id": a.topic_id, "rule": a.rule, "evidence": a.evidence}
            )
            report.topics[a.topic_id] += 1

        mentions = find_municipalities(body)
        by_name: dict[str, list] = {}
        for mention in mentions:
            by_name.setdefault(mention.name, []).append(mention)
        for name in sorted(by_name):
            municipality_rows.append(
                {
                    "document_id": doc_id,
                    "municipality": name,
                    "mentions": len(by_name[name]),
                    "evidence": by_name[name][0].raw,
                }
            )

        resolved = [ref for ref, _ in refs if ref.law_id]
        short_names = sorted({registry().laws[ref.law_id].short_name for ref in resolved})
        paragraphs = sorted({paragraph_label(ref) for ref in resolved}, key=_paragraph_sort_key)
        updates.append(
            (
                outcome.outcome if outcome else None,
                outcome.sentence if outcome else None,
                _json([labels[a.topic_id] for a in assignments]),
                _json(short_names),
                _json(paragraphs),
                _json(sorted(by_name)),
                doc_id,
            )
        )

    for number, row in enumerate(law_rows, start=1):
        row["id"] = number
    report.law_references = len(law_rows)
    report.unresolved_law_references = sum(1 for r in law_rows if r["law_id"] is None)
    db["law_references"].insert_all(law_rows, batch_size=1000)
    db["citations"].insert_all(citation_rows, batch_size=1000)
    db["document_topics"].insert_all(topic_rows, batch_size=1000)
    db["document_municipalities"].insert_all(municipality_rows, batch_size=1000)
    db.conn.executemany(
        "update documents set outcome = ?, outcome_sentence = ?, topics = ?, cited_laws = ?, "
        "cited_paragraphs = ?, mentioned_municipalities = ? where id = ?",
        updates,
    )
    return report
