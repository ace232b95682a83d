"""Legal enrichment: topics, outcomes, law references, the citation graph and municipalities.

`enrich(db)` runs in the build after the documents are inserted. It reads `documents`, writes the
derived tables and columns, and is a pure function of the rows and the data files in db/data/.
"""

from __future__ import annotations

import gc
import itertools
import json
import multiprocessing
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache

import sqlite_utils

from retskilde.db.analysis.snippets import excerpt as snippet
from retskilde.db.enrich.decisions import DecisionRef, find_decisions, normalise_number
from retskilde.db.enrich.lawrefs import FoundRef, LawRef, canonical, find_refs, paragraph_label
from retskilde.db.enrich.laws import registry
from retskilde.db.enrich.municipalities import (
    MunicipalityMention,
    find_municipalities,
    municipalities,
)
from retskilde.db.enrich.outcomes import Outcome, find_outcome
from retskilde.db.enrich.scan import share_part
from retskilde.db.enrich.schema import create_enrichment_indexes, create_enrichment_tables
from retskilde.db.enrich.text import section_index, sentence_index, share_sentences
from retskilde.db.enrich.topics import Assignment, DocumentFacts, assign_topics, taxonomy
from retskilde.db.settings import can_fork, worker_count

_SOURCE = "kildens paragraf-felt"
_SOURCE_COLUMNS = "id, doc_type, number, title, summary, text, keywords, law_names, paragraph, date"


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


def _tagged_law(record: dict, date: str | None) -> str | None:
    """The id of the one law the source tags the document with, if it tags exactly one."""
    names = record.get("law_names") or []
    laws = {resolved[0].id for n in names if (resolved := registry().resolve_name(n, date))}
    return laws.pop() if len(laws) == 1 else None


def _source_refs(record: dict, date: str | None) -> list[LawRef]:
    """The references the source states in its own `paragraph` field, tied to its one law tag."""
    if not record.get("paragraph"):
        return []
    law_id = _tagged_law(record, date)
    if law_id is None:
        return []
    paragraph = record["paragraph"].strip()
    if not paragraph.startswith("§"):
        paragraph = f"§ {paragraph}"
    short_name = registry().laws[law_id].short_name
    return [f.ref for f in find_refs(f"{short_name} {paragraph}", date) if f.ref.law_id]


def _with_source_refs(found: list[FoundRef], stated: list[LawRef], raw: str | None):
    """Resolve bare citations of a paragraph the source itself ties to a law; add the rest."""
    by_paragraph = {ref.paragraph: ref.law_id for ref in stated}
    resolved = [
        replace(f, ref=replace(f.ref, law_id=by_paragraph[f.ref.paragraph]), resolution=_SOURCE)
        if f.ref.law_id is None and f.ref.paragraph in by_paragraph
        else f
        for f in found
    ]
    seen = {f.ref for f in resolved}
    extra = [(ref, raw or "") for ref in stated if ref not in seen]
    return resolved, extra


_SEE_ALSO = re.compile(r"(?i)\bse\s+også\b")


def _refs_for_topics(body: str, found: list) -> list[tuple[LawRef, str]]:
    """The citations that say what the document is about: not those in "Praksis" or "Se også"."""
    sections, sentences = section_index(body), sentence_index(body)
    see_also: dict[int, bool] = {}
    # The references of one citation ("§§ 11 og 12") share its place, and so its verdict.
    evidence: dict[tuple[int, int], str | None] = {}
    kept = []
    for f in found:
        place = (f.start, f.end)
        if place not in evidence:
            section = sections.at(f.start)
            heading = body[section.start : section.start + 40].lstrip().lower() if section else ""
            sentence = sentences.at(f.start)
            if sentence and sentence.start not in see_also:
                see_also[sentence.start] = bool(
                    _SEE_ALSO.search(body, sentence.start, sentence.end)
                )
            skip = heading.startswith("praksis") or (sentence and see_also[sentence.start])
            evidence[place] = None if skip else snippet(body, f.start, f.end, width=160)
        if evidence[place] is not None:
            kept.append((f.ref, evidence[place]))
    return kept


def _insert_numbered_laws(db: sqlite_utils.Database, law_rows: list, known: set[str]) -> None:
    """Add the numbered regulations the texts cite ("bekendtgørelse nr. 1244 af 13. november
    2017") to `laws`; they are found while analysing, possibly in another process."""
    for row in law_rows:
        law_id = row[2]
        if law_id is None or law_id in known:
            continue
        known.add(law_id)
        short_name = row[6].split(" § ")[0]
        title = short_name[0].upper() + short_name[1:]
        db.conn.execute(
            "insert into laws (id, title, short_name, names) values (?, ?, ?, ?)",
            (law_id, title, short_name, _json([short_name])),
        )


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


@dataclass
class DocumentAnalysis:
    """Everything the enrichment finds in one document."""

    law_refs: list[FoundRef]
    metadata_refs: list[tuple[LawRef, str]]
    decisions: list[DecisionRef]
    outcome: Outcome | None
    topics: list[Assignment]
    municipalities: list[MunicipalityMention]


def analyse(record: dict) -> DocumentAnalysis:
    """Analyse one document record (title, text, doc_type, number, date, keywords …)."""
    title, text, date = record.get("title") or "", record["text"], record.get("date")
    body = f"{title}\n\n{text}" if title else text
    if title:
        # Title and text are parts of the body: scan the body once and cut their scans from it.
        share_part(body, text, len(title) + 2)
        share_part(body, title, 0)
        share_sentences(body, text)
    found, metadata = _with_source_refs(
        find_refs(body, date, about=_tagged_law(record, date)),
        _source_refs(record, date),
        record.get("paragraph"),
    )
    outcome = find_outcome(text, record.get("doc_type"))
    facts = DocumentFacts(
        title=title,
        text=text,
        doc_type=record.get("doc_type") or "",
        summary=record.get("summary"),
        keywords=list(record.get("keywords") or []),
        law_refs=_refs_for_topics(body, found) + metadata,
        outcome=outcome.outcome if outcome else None,
    )
    return DocumentAnalysis(
        law_refs=found,
        metadata_refs=metadata,
        decisions=find_decisions(body, record.get("doc_type"), record.get("number")),
        outcome=outcome,
        topics=assign_topics(facts),
        municipalities=find_municipalities(body),
    )


_LAW_COLUMNS = (
    "ordinal, document_id, law_id, paragraph, stk, nr, canonical, raw, resolution, position"
)
_INSERTS = {
    "law_references": f"insert into law_references ({_LAW_COLUMNS}) values ({', '.join('?' * 10)})",
    "citations": "insert into citations (citing_id, cited_number, cited_id, kind, raw) "
    "values (?, ?, ?, ?, ?)",
    "document_topics": "insert into document_topics (document_id, topic_id, rule, evidence) "
    "values (?, ?, ?, ?)",
    "document_municipalities": "insert into document_municipalities "
    "(document_id, municipality, mentions, evidence) values (?, ?, ?, ?)",
}


def _law_row(doc_id: str, ref: LawRef, raw: str, resolution: str | None, position) -> list:
    # The ordinal (first) is filled in when all rows of the document are known.
    law, paragraph, stk, nr = ref.law_id, ref.paragraph, ref.stk, ref.nr
    return [None, doc_id, law, paragraph, stk, nr, canonical(ref), raw, resolution, position]


# Worker processes for `enrich` when the caller does not say: this variable, else one. More
# only pays on idle cores (starting them and moving the rows costs ~0.1 s per 1,000 documents).
WORKERS_VARIABLE = "RETSKILDE_ENRICH_WORKERS"


def _document_rows(values: tuple) -> tuple:
    """The derived rows of one `documents` row (in `_SOURCE_COLUMNS` order), ready to insert.

    Returns (law rows, citation rows without cited_id, topic rows, municipality rows, update).
    A plain function of plain values, so worker processes can run it.
    """
    row = dict(zip(_COLUMN_NAMES, values, strict=True))
    for name in ("keywords", "law_names"):
        row[name] = json.loads(row[name]) if row[name] else []
    doc_id = row["id"]
    result = analyse(row)
    law_rows = [_law_row(doc_id, f.ref, f.raw, f.resolution, f.start) for f in result.law_refs]
    law_rows += [_law_row(doc_id, ref, raw, _SOURCE, None) for ref, raw in result.metadata_refs]
    # Numbered within the document, so a reference keeps its key while other documents come,
    # change or go (an incremental build renumbers nothing).
    for ordinal, law_row in enumerate(law_rows, start=1):
        law_row[0] = ordinal
    citation_rows = [(doc_id, ref.number, ref.kind, ref.raw) for ref in result.decisions]
    topic_rows = [(doc_id, a.topic_id, a.rule, a.evidence) for a in result.topics]
    by_name: dict[str, list[MunicipalityMention]] = {}
    for mention in result.municipalities:
        by_name.setdefault(mention.name, []).append(mention)
    municipality_rows = [
        (doc_id, name, len(by_name[name]), by_name[name][0].raw) for name in sorted(by_name)
    ]
    refs = [f.ref for f in result.law_refs] + [ref for ref, _ in result.metadata_refs]
    resolved = [ref for ref in refs if ref.law_id]
    short_names = sorted({registry().law(ref.law_id).short_name for ref in resolved})
    paragraphs = sorted({paragraph_label(ref) for ref in resolved}, key=_paragraph_sort_key)
    labels = _labels()
    outcome = result.outcome
    update = (
        outcome.outcome if outcome else None,
        outcome.sentence if outcome else None,
        _json([labels[a.topic_id] for a in result.topics]),
        _json(short_names),
        _json(paragraphs),
        _json(sorted(by_name)),
        doc_id,
    )
    return law_rows, citation_rows, topic_rows, municipality_rows, update


_COLUMN_NAMES = tuple(c.strip() for c in _SOURCE_COLUMNS.split(","))


@cache
def _labels() -> dict[str, str]:
    return {t.id: t.label for t in taxonomy()}


def _workers(workers: int | None) -> int:
    if workers is None:
        workers = worker_count(WORKERS_VARIABLE, 1)
    # Workers are forked so they inherit the compiled patterns; without fork, one process.
    if not can_fork():
        return 1
    return max(1, workers)


# Documents analysed and stored per round: the texts of the whole corpus are never in memory at
# once (at 100k documents that was 1.3 GB of the build's peak).
_BATCH = 2000


def _batches(db: sqlite_utils.Database) -> Iterator[list[tuple]]:
    """The documents' source columns in id order, `_BATCH` at a time.

    Each batch is a query of its own (after the last id seen), so no read is open while the
    batch's results are written to `documents`.
    """
    last = ""
    while True:
        rows = db.execute(
            f"select {_SOURCE_COLUMNS} from documents where id > ? order by id limit ?",
            (last, _BATCH),
        ).fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _analysed(batches: Iterator[list[tuple]], workers: int) -> Iterator[list[tuple]]:
    """`_document_rows` of every row of every batch, in order; in `workers` forked processes
    when above one."""
    if workers <= 1:
        for rows in batches:
            yield [_document_rows(values) for values in rows]
        return
    first = next(batches, None)
    if first is None:
        return
    # Compile the patterns and load the data files once, before the workers inherit them.
    _document_rows(first[0])
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        for rows in itertools.chain([first], batches):
            chunk = max(1, min(64, len(rows) // workers // 8))
            yield pool.map(_document_rows, rows, chunksize=chunk)


def enrich(db: sqlite_utils.Database, workers: int | None = None) -> EnrichReport:
    """Create and fill the enrichment tables from the `documents` already in `db`.

    `workers`: processes that analyse the documents (default: $RETSKILDE_ENRICH_WORKERS or 1);
    the result is the same for any number.
    """
    # The analysis makes many small objects and no reference cycles: the cyclic garbage
    # collector would only re-scan the growing lists of rows (a few per cent of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _enrich(db, workers)
    finally:
        if collecting:
            gc.enable()


def _enrich(db: sqlite_utils.Database, workers: int | None) -> EnrichReport:
    create_enrichment_tables(db)
    _insert_reference_data(db)
    report = EnrichReport()
    _store(db, _analysed(_batches(db), _workers(workers)), set(registry().laws), report)
    create_enrichment_indexes(db)
    return report


def _store(
    db: sqlite_utils.Database,
    analysed_batches: Iterator[list[tuple]],
    known_laws: set[str],
    report: EnrichReport,
) -> None:
    """Insert the derived rows of the analysed documents and update their derived columns."""
    numbers = _number_index(db)
    for analysed in analysed_batches:
        law_rows, citation_rows, topic_rows, municipality_rows, updates = [], [], [], [], []
        for laws, citations, topics, places, update in analysed:
            report.documents += 1
            law_rows += laws
            for doc_id, number, kind, raw in citations:
                citation_rows.append((doc_id, number, numbers.get(number), kind, raw))
                report.citations[kind] += 1
            if update[0]:
                report.outcomes[update[0]] += 1
            topic_rows += topics
            report.topics.update(topic_id for _, topic_id, _, _ in topics)
            municipality_rows += places
            updates.append(update)
        report.law_references += len(law_rows)
        _insert_numbered_laws(db, law_rows, known_laws)
        report.unresolved_law_references += sum(1 for r in law_rows if r[2] is None)
        for table, rows in (
            ("law_references", law_rows),
            ("citations", citation_rows),
            ("document_topics", topic_rows),
            ("document_municipalities", municipality_rows),
        ):
            db.conn.executemany(_INSERTS[table], rows)
        db.conn.executemany(
            "update documents set outcome = ?, outcome_sentence = ?, topics = ?, "
            "cited_laws = ?, cited_paragraphs = ?, mentioned_municipalities = ? where id = ?",
            updates,
        )


# The tables that hold rows derived from one document each, with the column naming it.
DOCUMENT_TABLES = (
    ("law_references", "document_id"),
    ("citations", "citing_id"),
    ("document_topics", "document_id"),
    ("document_municipalities", "document_id"),
)


def forget_documents(db: sqlite_utils.Database, ids: list[str]) -> None:
    """Remove what the enrichment derived from the documents `ids` (before they change or go)."""
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for table, column in DOCUMENT_TABLES:
            db.conn.execute(f"delete from {table} where {column} in ({marks})", chunk)


def _batches_of(db: sqlite_utils.Database, ids: list[str]) -> Iterator[list[tuple]]:
    """The source columns of the documents `ids` (sorted), `_BATCH` at a time."""
    ids = sorted(ids)
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        marks = ", ".join("?" for _ in chunk)
        yield db.execute(
            f"select {_SOURCE_COLUMNS} from documents where id in ({marks}) order by id", chunk
        ).fetchall()


def enrich_documents(
    db: sqlite_utils.Database,
    ids: list[str],
    affected_numbers: set[str],
    workers: int | None = None,
) -> None:
    """Enrich the documents `ids` of a database enriched before (their old derived rows already
    removed by `forget_documents`), then bring the rest up to date with them: the citations of
    the decision numbers in `affected_numbers` (numbers that came, went or moved) point at the
    document that now has the number, and numbered laws no document cites any more are gone.

    The rows are those `enrich` would make from the same documents.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        known_laws = {law_id for (law_id,) in db.execute("select id from laws")}
        batches = _analysed(_batches_of(db, ids), _workers(workers) if len(ids) > _BATCH else 1)
        _store(db, batches, known_laws, EnrichReport())
    finally:
        if collecting:
            gc.enable()
    numbers = _number_index(db)
    keys = set()
    for number in affected_numbers:
        try:
            keys.add(normalise_number(number))
        except ValueError:
            continue
    db.conn.executemany(
        "update citations set cited_id = ? where cited_number = ? and cited_id is not ?",
        [(numbers.get(key), key, numbers.get(key)) for key in sorted(keys)],
    )
    registered = sorted(registry().laws)
    marks = ", ".join("?" for _ in registered)
    # A lookup in the (law_id, …) index per law, not a list of every reference's law.
    db.conn.execute(
        f"delete from laws where id not in ({marks}) and not exists "
        "(select 1 from law_references r where r.law_id = laws.id)",
        registered,
    )


def enrichment_report(db: sqlite_utils.Database) -> EnrichReport:
    """The report `enrich` would give for the database as it now is."""
    report = EnrichReport()
    report.documents = db.execute("select count(*) from documents").fetchone()[0]
    report.law_references, report.unresolved_law_references = db.execute(
        "select count(*), count(*) - count(law_id) from law_references"
    ).fetchone()
    report.citations.update(dict(db.execute("select kind, count(*) from citations group by 1")))
    report.outcomes.update(
        dict(
            db.execute(
                "select outcome, count(*) from documents where outcome is not null group by 1"
            )
        )
    )
    report.topics.update(
        dict(db.execute("select topic_id, count(*) from document_topics group by 1"))
    )
    return report
