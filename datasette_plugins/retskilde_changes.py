"""Document history on the site: the document page's "Ændringer" (from the versions table), and
the Atom feed of changes, `/-/aendringer.atom` (`?kun=historisk`: only what became historisk),
beside the feed of new documents (`/-/sok.atom`)."""

from __future__ import annotations

from html import escape

from datasette import hookimpl
from datasette.utils.asgi import Response

from retskilde.db.tables import DOC_TYPES, SOURCES, VERSIONS_TABLE
from retskilde.feed import CONTENT_TYPE, Entry, atom_feed
from retskilde.site import site_database

FEED_SIZE = 50
_CHANGES = f"""
select changed_at, previous_fetched_at, status_before, status_after, title_before,
       title_changed, text_chars_before, text_chars_after, description
  from {VERSIONS_TABLE} where document_id = :id order by changed_at desc, id desc
"""
_FEED = f"""
select v.document_id, v.changed_at, v.description, v.status_before, v.status_after,
       d.title, d.url, d.source, d.doc_type
  from {VERSIONS_TABLE} v join documents d on d.id = v.document_id
 where (:historisk = 0 or (v.status_after = 'historisk' and
        coalesce(v.status_before, '') != 'historisk'))
 order by v.changed_at desc, v.id desc
 limit {FEED_SIZE}
"""
SOURCE_LABELS = {source_id: label for source_id, label, _, _ in SOURCES}
DOC_TYPE_LABELS = {type_id: label for type_id, label, _ in DOC_TYPES}


@hookimpl
def extra_template_vars(datasette, database, table):
    async def changes(document_id):
        if table != "documents" or not database:
            return []
        db = datasette.get_database(database)
        if not await db.table_exists(VERSIONS_TABLE):
            return []
        result = await db.execute(_CHANGES, {"id": document_id})
        return [dict(row) for row in result.rows]

    return {"changes": changes}


async def aendringer(request, datasette):
    db = site_database(datasette)
    only_historisk = request.args.get("kun") == "historisk"
    rows = []
    if await db.table_exists(VERSIONS_TABLE):
        result = await db.execute(_FEED, {"historisk": int(only_historisk)})
        rows = [dict(row) for row in result.rows]
    table_url = datasette.urls.table(db.name, "documents")
    entries = [
        Entry(
            id=f"{row['url']}#aendret-{row['changed_at']}",
            title=f"{row['title']}: {row['description']}",
            page_url=datasette.absolute_url(
                request, datasette.urls.row(db.name, "documents", row["document_id"])
            ),
            source_url=row["url"],
            date=(row["changed_at"] or "")[:10] or None,
            summary_html=escape(row["description"]),
            author=SOURCE_LABELS.get(row["source"], row["source"]),
            category=DOC_TYPE_LABELS.get(row["doc_type"], row["doc_type"]),
        )
        for row in rows
    ]
    what = "Hvad er blevet historisk" if only_historisk else "Ændringer i dokumenterne"
    path = "/-/aendringer.atom" + ("?kun=historisk" if only_historisk else "")
    body = atom_feed(
        f"{what} – Retskilde",
        datasette.absolute_url(request, datasette.urls.path(path)),
        datasette.absolute_url(request, table_url),
        entries,
        subtitle="Nye versioner af dokumenter: status, titel og tekst, som kilderne ændrede dem.",
    )
    return Response(body, content_type=CONTENT_TYPE)


@hookimpl
def register_routes():
    return [(r"^/-/aendringer\.atom$", aendringer)]
