"""Tables and columns the enrichment adds to the database, with explicit types and indexes."""

from __future__ import annotations

import sqlite_utils

# Derived columns on `documents`; JSON lists feed Datasette's array facets.
DOCUMENT_COLUMNS: dict[str, type] = {
    "outcome": str,
    "outcome_sentence": str,
    "topics": str,
    "cited_laws": str,
    "cited_paragraphs": str,
    "mentioned_municipalities": str,
}


# Both directions of "replaces" as one list of (replaced, replacing) pairs, with where it was read.
REPLACEMENTS_VIEW = """
create view replacements as
select replaced_number, max(replaced_id) as replaced_id,
       replacing_number, max(replacing_id) as replacing_id,
       group_concat(found_in, ', ') as found_in, min(raw) as raw
  from (
    select c.cited_number as replaced_number, c.cited_id as replaced_id,
           d.number as replacing_number, c.citing_id as replacing_id,
           c.citing_id as found_in, c.raw as raw
      from citations c join documents d on d.id = c.citing_id
     where c.kind = 'replaces'
    union all
    select d.number, c.citing_id, c.cited_number, c.cited_id, c.citing_id, c.raw
      from citations c join documents d on d.id = c.citing_id
     where c.kind = 'replaced_by'
  )
 group by replaced_number, replacing_number
"""


# Created after the rows are in: building an index once is faster than keeping it up to date.
ENRICHMENT_INDEXES: list[tuple[str, list[str]]] = [
    ("document_topics", ["topic_id"]),
    # Covering for the law page's counts per paragraph (datasette_plugins/retskilde_laws.py).
    ("law_references", ["law_id", "paragraph", "document_id"]),
    ("law_references", ["canonical"]),
    ("citations", ["cited_number"]),
    ("citations", ["cited_id"]),
    ("citations", ["kind"]),
    ("document_municipalities", ["municipality"]),
    ("documents", ["outcome"]),
    # Covering for the decision-number index the enrichment reads (`_number_index`): without it
    # an incremental build read every row of `documents`, texts and all, twice (15 s at a million).
    ("documents", ["number", "doc_type", "id"]),
    # Covering indexes for the list facets of the documents table page
    # (datasette_plugins/retskilde_facets.py): their query reads the narrow index, not every row
    # with its whole text (100k synthetic documents: cited_laws 158 -> 12 ms, cited_paragraphs
    # 143 -> 25 ms, topics 587 -> 284 ms, keywords 422 -> 152 ms).
    ("documents", ["topics"]),
    ("documents", ["cited_laws"]),
    ("documents", ["cited_paragraphs"]),
]


def create_enrichment_indexes(db: sqlite_utils.Database) -> None:
    """The indexes on the enrichment tables and columns, once they are filled."""
    for table, columns in ENRICHMENT_INDEXES:
        db[table].create_index(columns)


def create_enrichment_tables(db: sqlite_utils.Database) -> None:
    """Create the topic, law, citation and municipality tables and the derived document columns
    (without indexes: see `create_enrichment_indexes`)."""
    db["topics"].create(
        {"id": str, "label": str, "description": str, "parent": str},
        pk="id",
        not_null={"label"},
        foreign_keys=[("parent", "topics", "id")],
    )
    db["document_topics"].create(
        {"document_id": str, "topic_id": str, "rule": str, "evidence": str},
        pk=("document_id", "topic_id"),
        not_null={"rule"},
        foreign_keys=[("document_id", "documents", "id"), ("topic_id", "topics", "id")],
    )
    db["laws"].create(
        {
            "id": str,
            "title": str,
            "short_name": str,
            "abbreviations": str,
            "names": str,
            "valid_from": str,
            "valid_to": str,
            "replaced_by": str,
            "note": str,
        },
        pk="id",
        not_null={"title", "short_name"},
        foreign_keys=[("replaced_by", "laws", "id")],
    )
    # Keyed by document and place in it, not by a running number over the corpus: a key that
    # stays put while other documents change lets the incremental build leave the rows alone.
    db["law_references"].create(
        {
            "document_id": str,
            "ordinal": int,
            "law_id": str,
            "paragraph": str,
            "stk": int,
            "nr": int,
            "canonical": str,
            "raw": str,
            "resolution": str,
            "position": int,
        },
        pk=("document_id", "ordinal"),
        not_null={"document_id", "paragraph", "canonical"},
        foreign_keys=[("document_id", "documents", "id"), ("law_id", "laws", "id")],
    )
    db["citations"].create(
        {"citing_id": str, "cited_number": str, "cited_id": str, "kind": str, "raw": str},
        pk=("citing_id", "cited_number"),
        not_null={"kind"},
        foreign_keys=[("citing_id", "documents", "id"), ("cited_id", "documents", "id")],
    )
    db["municipalities"].create(
        {"name": str, "official": str, "region": str}, pk="name", not_null={"official", "region"}
    )
    db["document_municipalities"].create(
        {"document_id": str, "municipality": str, "mentions": int, "evidence": str},
        pk=("document_id", "municipality"),
        foreign_keys=[
            ("document_id", "documents", "id"),
            ("municipality", "municipalities", "name"),
        ],
    )
    for column, kind in DOCUMENT_COLUMNS.items():
        db["documents"].add_column(column, kind)
    db.execute(REPLACEMENTS_VIEW)
