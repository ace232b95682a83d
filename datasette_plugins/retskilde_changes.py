"""Document history on the site: "Ændringer" on the document page, and the changes as an Atom
feed (/-/aendringer.atom) beside the search's feed of new documents (/-/sok.atom)."""

from __future__ import annotations

from html import escape

from datasette import hookimpl
from datasette.utils.asgi import Response

from retskilde.feed import CONTENT_TYPE, Entry, atom_feed
from retskilde.site import site_database

FEED_SIZE = 50
_OF_DOCUMENT = """
select fetched_at, previous_fetched_at, status_before, status_after, title_changed,
       title_before, text_chars_before, text_chars_after
  from versions where document_id = :id order by fetched_at desc
"""
_NEWEST = """
select v.document_id, v.fetched_at, v.status_before, v.status_after, v.title_changed,
       v.title_before, v.text_chars_before, v.text_chars_after,
       d.title, d.url, d.source, d.doc_type
  from versions v join documents d on d.id = v.document_id
 order by v.fetched_at desc, v.document_id limit :size
"""


def _number(value: int | None) -> str:
    return f"{value:,}".replace(",", ".") if value is not None else "?"


def change_summary(row: dict) -> str:
    """What changed, in one line of plain text."""
    parts = []
    if row["status_before"] != row["status_after"]:
        parts.append(f"status {row['status_before'] or 'ingen'} → {row['status_after'] or 'ingen'}")
    if row["title_changed"]:
        parts.append(f"titlen var «{row['title_before']}»")
    if row["text_chars_before"] != row["text_chars_after"]:
        parts.append(
            f"teksten {_number(row['text_chars_before'])} → {_number(row['text_chars_after'])} tegn"
        )
    return "; ".join(parts) or "teksten er ændret"


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["change_summary"] = change_summary


@hookimpl
def extra_template_vars(datasette, database, table):
    async def versions(document_id):
        if table != "documents" or not database:
            return []
        db = datasette.get_database(database)
        if not await db.table_exists("versions"):
            return []
        rows = await db.execute(_OF_DOCUMENT, {"id": document_id})
        return [dict(row) for row in rows]

    return {"versions": versions}


async def aendringer(request, datasette):
    db = site_database(datasette)
    rows = []
    if await db.table_exists("versions"):
        rows = [dict(r) for r in await db.execute(_NEWEST, {"size": FEED_SIZE})]
    labels: dict[str, dict[str, str]] = {"doc_types": {}, "sources": {}}
    for table in labels:
        if await db.table_exists(table):
            labels[table] = {
                r["id"]: r["label"] for r in await db.execute(f"select * from {table}")
            }
    entries = []
    for row in rows:
        page = datasette.urls.row(db.name, "documents", row["document_id"])
        summary = change_summary(row)
        entries.append(
            Entry(
                # One entry per change: the document's address and when the change was seen.
                id=f"{row['url']}#aendret-{row['fetched_at']}",
                title=f"{row['title']} ({summary})",
                page_url=datasette.absolute_url(request, page),
                source_url=row["url"],
                date=row["fetched_at"],
                summary_html=escape(summary),
                author=labels["sources"].get(row["source"], row["source"] or "Retskilde"),
                category=labels["doc_types"].get(row["doc_type"], row["doc_type"]),
            )
        )
    site = datasette.metadata("title") or "Retskilde"
    body = atom_feed(
        f"{site}: ændrede dokumenter",
        feed_url=datasette.absolute_url(request, request.full_path),
        page_url=datasette.absolute_url(request, datasette.urls.table(db.name, "versions")),
        entries=entries,
        subtitle="Dokumenter, der er ændret, fx blevet historiske, nyeste først.",
    )
    return Response(body, content_type=CONTENT_TYPE)


@hookimpl
def register_routes():
    return [(r"^/-/aendringer\.atom$", aendringer)]
