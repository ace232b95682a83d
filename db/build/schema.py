"""The database schema: explicit tables, column types and indexes, plus the lookup rows."""

from __future__ import annotations

import sqlite_utils

from retskilde.db.tables import DOC_TYPES, SOURCES

DOCUMENT_COLUMNS: dict[str, type] = {
    "id": str,
    "source": str,
    "doc_type": str,
    "number": str,
    "title": str,
    "date": str,
    "year": int,
    "status": str,
    "municipality": str,
    "municipality_code": str,
    "committee": str,
    "meeting_date": str,
    "item_number": int,
    "case_number": str,
    "decision": str,
    "journal_number": str,
    "paragraph": str,
    "law_area": str,
    "authority": str,
    "law_names": str,
    "keywords": str,
    "summary": str,
    "text": str,
    "html": str,
    "attachments": str,
    "url": str,
    "published": str,
    "fetched_at": str,
    "sha256": str,
    "issuer": str,
    "imported_file": str,
    "example": int,
}

DOCUMENT_INDEXES: list[list[str]] = [
    ["source"],
    ["doc_type"],
    ["year"],
    ["date"],
    ["municipality"],
    # The sources' health page: documents and the newest one per source and municipality.
    ["source", "municipality_code", "date"],
    ["law_area"],
    ["status"],
    ["number"],
    # Covering index for the keywords list facet (datasette_plugins/retskilde_facets.py).
    ["keywords"],
]


def create_tables(db: sqlite_utils.Database) -> None:
    """Create every table and index of an empty database."""
    db["sources"].create(
        {"id": str, "label": str, "description": str, "homepage": str}, pk="id", not_null={"label"}
    )
    db["doc_types"].create({"id": str, "label": str, "description": str}, pk="id")
    db["documents"].create(
        DOCUMENT_COLUMNS,
        pk="id",
        not_null={"source", "doc_type", "title", "url", "text", "fetched_at", "sha256"},
        foreign_keys=[("source", "sources", "id"), ("doc_type", "doc_types", "id")],
    )
    for columns in DOCUMENT_INDEXES:
        db["documents"].create_index(columns)


def insert_lookups(db: sqlite_utils.Database) -> None:
    """Fill the small lookup tables that label facet values."""
    db["sources"].insert_all(
        {"id": i, "label": label, "description": d, "homepage": h} for i, label, d, h in SOURCES
    )
    db["doc_types"].insert_all(
        {"id": i, "label": label, "description": d} for i, label, d in DOC_TYPES
    )
