"""The Danish search on the site: the search page (/-/sok, with .json and .csv of the same
results) and `?_search=` on the documents table, both through db/search.py.

The documents table's FTS index is declared so that Datasette's own search does not recognise
it (it would search unanalysed words); this plugin supplies the filter instead and tells the
table page that it can search, so the box shows the user's words back.
"""

import csv
import io
import json
import threading
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils.asgi import BadRequest, Response

from retskilde.db.search import (
    FACET_QUERY_FIELD,
    MAX_QUERY_CHARS,
    NEWEST,
    RELEVANCE,
    SearchResult,
    SearchUnavailable,
    query_too_long,
    search,
)
from retskilde.db.search.columns import rank_columns
from retskilde.db.search.compiler import candidate_condition, compile_query, query_params
from retskilde.db.search.parallel import ParallelReader
from retskilde.db.search.query import FieldFilter, parse
from retskilde.db.tables import RANK_TABLE
from retskilde.feed import CONTENT_TYPE as ATOM_CONTENT_TYPE
from retskilde.feed import Entry, atom_feed
from retskilde.site import site_database
from retskilde.spreadsheet import safe_row

PAGE_SIZE = 10
MAX_API_SIZE = 200
FEED_SIZE = 20
CSV_FIELDS = [
    "rank",
    "id",
    "title",
    "doc_type",
    "date",
    "number",
    "status",
    "municipality",
    "source",
    "url",
    "page",
    "snippet",
    "score",
]
FACET_TITLES = {
    "doc_type": "Dokumenttype",
    "year": "År",
    "status": "Status",
    "law_area": "Retsområde",
    "municipality": "Kommune",
    "source": "Kilde",
    "topic": "Emne",
}


# Helper threads per database file, which count a search's facets while Datasette's thread
# ranks it. A few are kept (tests serve many files); the oldest is closed first.
_readers: dict[str, ParallelReader] = {}
_READERS_KEPT = 4
_readers_lock = threading.Lock()


def _parallel_reader(db) -> ParallelReader | None:
    if db.is_memory or not db.path:
        return None
    with _readers_lock:  # Datasette runs searches in several threads
        reader = _readers.get(db.path)
        if reader is None:
            if len(_readers) >= _READERS_KEPT:
                _readers.pop(next(iter(_readers))).close()
            reader = _readers[db.path] = ParallelReader(db.path, immutable=not db.is_mutable)
        return reader


def _int_arg(request, name, default, low, high):
    try:
        value = int(request.args.get(name, default))
    except (TypeError, ValueError):
        value = default
    return max(low, min(value, high))


def _filter_term(field, value):
    value = str(value)
    return (
        f'{field}:"{value}"' if any(c.isspace() or c in ',"' for c in value) else f"{field}:{value}"
    )


def _query_string(q: str, order: str, **more) -> str:
    """The URL query of a search: the words, and the order when it is not the default."""
    params = {"q": q} | ({"sort": order} if order != RELEVANCE else {}) | more
    return urlencode(params)


def _facet_view(result: SearchResult, q: str, path: str):
    facets = []
    for column, values in result.facets.items():
        field = FACET_QUERY_FIELD[column]
        items = []
        for value in values:
            term = _filter_term(field, value.value)
            selected = term in q.split() or term in q
            new_q = q.replace(term, " ").strip() if selected else f"{q.strip()} {term}".strip()
            new_q = " ".join(new_q.split())
            items.append(
                {
                    "label": value.label,
                    "count": value.count,
                    "estimate": value.estimate,
                    "selected": selected,
                    "href": f"{path}?{_query_string(new_q, result.order)}",
                }
            )
        facets.append(
            {"column": column, "title": FACET_TITLES.get(column, column), "values": items}
        )
    return facets


def _hit_dicts(datasette, db_name, result: SearchResult):
    table_url = datasette.urls.table(db_name, "documents")
    hits = []
    for position, hit in enumerate(result.hits, start=result.offset + 1):
        item = {"rank": position, **hit.__dict__}
        item["page"] = f"{table_url}/{hit.id}"
        hits.append(item)
    return hits


async def sok(request, datasette):
    fmt = request.url_vars.get("format") or "html"
    q = request.args.get("q", "")
    too_long = query_too_long(q)
    if too_long and fmt == "json":
        data = SearchResult(query=q[:MAX_QUERY_CHARS], message=too_long).to_dict()
        data.pop("fts", None)
        return Response.json(data, status=400)
    if too_long and fmt != "html":
        return Response.text(too_long, status=400)
    # A feed lists the newest matches; elsewhere the reader picks the order.
    order = NEWEST if fmt == "atom" or request.args.get("sort") == NEWEST else RELEVANCE
    db = site_database(datasette)
    if fmt == "html":
        limit = PAGE_SIZE
        page = _int_arg(request, "side", 1, 1, 1000)
        offset = (page - 1) * limit
    else:
        default_size = FEED_SIZE if fmt == "atom" else PAGE_SIZE
        limit = _int_arg(request, "_size", default_size, 1, MAX_API_SIZE)
        offset = _int_arg(request, "_offset", 0, 0, 100_000)
    types = [FieldFilter("type", t) for t in request.args.getlist("type") if t]

    def run(conn):
        # With no words, the newest documents; by relevance there is nothing to rank.
        if not q.strip() and not types and order == RELEVANCE:
            return SearchResult(query=q, limit=limit, offset=offset)
        return search(
            conn,
            q,
            filters=types,
            limit=limit,
            offset=offset,
            facets=fmt in ("html", "json"),
            parallel=_parallel_reader(db),
            order=order,
            fill=True,
        )

    if too_long:  # the page says so, like any query it cannot search, with the start in the box
        q = q[:MAX_QUERY_CHARS]
        result = SearchResult(query=q, message=too_long)
    else:
        try:
            result = await db.execute_fn(run)
        except SearchUnavailable as exc:
            result = SearchResult(query=q, message=str(exc))
    hits = _hit_dicts(datasette, db.name, result)
    if fmt == "atom":
        return await _feed(request, datasette, db, q, result, hits)
    if fmt == "json":
        data = result.to_dict()
        data["hits"] = hits
        data.pop("fts", None)
        return Response.json(data, headers={"Access-Control-Allow-Origin": "*"})
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(safe_row(hit) for hit in hits)
        return Response(
            out.getvalue(),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'inline; filename="retskilde-soegning.csv"'},
        )
    path = datasette.urls.path("/-/sok")
    query_string = _query_string(q, order)
    labels = {}
    if await db.table_exists("doc_types"):  # an old or foreign database gets the message only
        labels = {
            row["id"]: row["label"] for row in await db.execute("select id, label from doc_types")
        }
    page = offset // PAGE_SIZE + 1
    context = {
        "metadata": datasette.metadata(),
        "q": q,
        "result": result,
        "hits": hits,
        "type_labels": labels,
        "facets": _facet_view(result, q, path),
        "json_url": f"{datasette.urls.path('/-/sok.json')}?{query_string}",
        "csv_url": f"{datasette.urls.path('/-/sok.csv')}?{query_string}&_size={MAX_API_SIZE}",
        "atom_url": f"{datasette.urls.path('/-/sok.atom')}?{urlencode({'q': q})}",
        "order": order,
        "order_urls": {
            RELEVANCE: f"{path}?{_query_string(q, RELEVANCE)}",
            NEWEST: f"{path}?{_query_string(q, NEWEST)}",
        },
        "previous_url": f"{path}?{_query_string(q, order, side=page - 1)}" if page > 1 else None,
        "next_url": (
            f"{path}?{_query_string(q, order, side=page + 1)}"
            if result.total > offset + len(result.hits)
            else None
        ),
        "table_url": datasette.urls.table(db.name, "documents"),
    }
    return Response.html(await datasette.render_template("sok.html", context, request=request))


async def _feed(request, datasette, db, q: str, result: SearchResult, hits: list[dict]):
    """The search's newest matches as Atom; a message (bad query, no index) as the subtitle."""
    labels: dict[str, dict[str, str]] = {"doc_types": {}, "sources": {}}
    for table in labels:
        if await db.table_exists(table):
            rows = await db.execute(f"select id, label from {table}")
            labels[table] = {row["id"]: row["label"] for row in rows}
    entries = [
        Entry(
            id=hit["url"],
            title=hit["title"],
            page_url=datasette.absolute_url(request, hit["page"]),
            source_url=hit["url"],
            date=hit["date"],
            summary_html=hit["snippet"],
            author=labels["sources"].get(hit["source"], hit["source"] or "Retskilde"),
            category=labels["doc_types"].get(hit["doc_type"], hit["doc_type"]),
        )
        for hit in hits
    ]
    site = datasette.metadata("title") or "Retskilde"
    title = f"{site}: {q.strip()}" if q.strip() else f"{site}: nyeste dokumenter"
    page = f"{datasette.urls.path('/-/sok')}?{_query_string(q, NEWEST)}"
    body = atom_feed(
        title,
        feed_url=datasette.absolute_url(request, request.full_path),
        page_url=datasette.absolute_url(request, page),
        entries=entries,
        subtitle=result.message,
    )
    return Response(body, content_type=ATOM_CONTENT_TYPE)


@hookimpl
def startup(datasette):
    # The ranking table's arrays are read before the first search, not during it (2.7 s at a
    # million documents): a copy behind a load balancer is ready when it answers.
    async def inner():
        db = site_database(datasette)
        if db is not None and not db.is_memory and await db.table_exists(RANK_TABLE):
            await db.execute_fn(rank_columns)

    return inner


@hookimpl
def register_routes():
    return [(r"^/-/sok(\.(?P<format>json|csv|atom))?$", sok)]


@hookimpl(trylast=True)
def filters_from_request(request, database, table, datasette):
    # trylast: Datasette's own search filter runs first and reports supports_search=False,
    # because it does not recognise the analysed index; this answer must win.
    if table != "documents":
        return None

    async def inner():
        text = request.args.get("_search")
        if text is None:
            return FilterArguments([], extra_context={"supports_search": True})
        too_long = query_too_long(text)
        if too_long:
            raise BadRequest(too_long)
        db = datasette.get_database(database)

        def compile_text(conn):
            parsed = parse(text)
            if parsed.is_empty:
                return None, {}, parsed.notes
            compiled = compile_query(conn, parsed)
            return (
                candidate_condition(compiled, "documents"),
                query_params(compiled),
                compiled.notes,
            )

        where, params, notes = await db.execute_fn(compile_text)
        context = {"supports_search": True, "search": text}
        quoted = json.dumps(text, ensure_ascii=False)
        remark = f" ({' '.join(notes)})" if notes else ""
        if where is None:
            return FilterArguments([], {}, [f"søgningen {quoted} har ingen ord{remark}"], context)
        description = f"søgningen matcher {quoted}{remark}"
        return FilterArguments([where], params, [description], context)

    return inner
