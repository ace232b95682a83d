"""Run a search against the database: the one implementation behind the site, the JSON/CSV API,
the `?_search=` filter on the documents table and `retskilde search`.

Ranking: documents whose own number is the decision number in the query come first, then those
recorded as citing it or tagged with the § asked for, then BM25 with field weights (title,
summary and keywords above the body), with historiske principmeddelelser a step below gældende
ones of equal relevance. Only reads; safe on Datasette's read-only connections.
"""

from __future__ import annotations

import html
import re
import sqlite3
import time
from dataclasses import asdict, dataclass, field

from db.analyzer import Analyzer, default_analyzer
from db.fts import FTS_COLUMNS, FTS_TABLE, SETTINGS_TABLE, VOCABULARY_TABLE
from db.query import Alternative, FieldFilter, Group, ParsedQuery, parse

# bm25 weight of each FTS column: what a document is about (title, summary, keywords) counts
# above a mention somewhere in the body.
COLUMN_WEIGHTS = {
    "title": 10.0,
    "number": 5.0,
    "summary": 5.0,
    "keywords": 5.0,
    "law_names": 2.0,
    "municipality": 2.0,
    "committee": 1.0,
    "text": 1.0,
}
HISTORISK_FACTOR = 0.8
MAX_EXPANSIONS = 30
# Rank documents that match the words as typed above those found only through compounds.
EXACT_FIRST = True
# When no document has every word, show those with some of them (with a note saying so).
RELAX_WHEN_EMPTY = True
MAX_LIMIT = 200
TIME_LIMIT_S = 2.0
SNIPPET_TOKENS = 32
FACET_FIELDS = ["doc_type", "year", "status", "law_area", "municipality", "source"]
# The query-language field each facet corresponds to, for links that narrow a search.
FACET_QUERY_FIELD = {
    "doc_type": "type",
    "year": "år",
    "status": "status",
    "law_area": "område",
    "municipality": "kommune",
    "source": "kilde",
    "topic": "emne",
}
_HIT_START, _HIT_END = "\x02", "\x03"
_TYPE_ALIASES = {
    "principafgoerelse": "principmeddelelse",
    "afgoerelse": "principmeddelelse",
    "dagsorden": "dagsordenpunkt",
    "referat": "dagsordenpunkt",
    "hoeringssvar": "udspil",
    "rapport": "analyse",
}
_YEAR_RANGE = re.compile(r"^(\d{4})\s*(?:-|\.\.|–)\s*(\d{4})$")
_YEAR_COMPARE = re.compile(r"^(<=|>=|<|>)\s*(\d{4})$")


@dataclass
class Hit:
    """One search result."""

    id: str
    title: str
    doc_type: str
    date: str | None
    url: str
    snippet: str
    score: float
    number: str | None = None
    status: str | None = None
    municipality: str | None = None
    source: str | None = None
    exact_number: bool = False


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class SearchResult:
    """The ranked page of hits, the total, the facets and any notes for the user."""

    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    limit: int = 10
    offset: int = 0
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    message: str | None = None
    relaxed: bool = False  # no document had every word; these have some of them
    fts: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Compiled:
    """A parsed query turned into FTS5 expressions and SQL conditions."""

    fts: str | None = None  # every positive group, negatives as NOT
    exact_fts: str | None = None  # the same without compounds, when that differs
    rest_fts: str | None = None  # the same without the decision-number groups
    negative_fts: str | None = None  # only the negatives, for queries without positives
    number_rowids: list[int] = field(default_factory=list)
    filters: list[str] = field(default_factory=list)  # SQL on alias "d"
    tier: str = "0"
    params: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    empty_filter: bool = False  # a filter that can match nothing (unknown kommune …)

    @property
    def has_text(self) -> bool:
        return self.fts is not None or bool(self.number_rowids)


class SearchUnavailable(RuntimeError):
    """The database has no analysed search index; the message says what to do."""


def _in_fts(param: str, negate: bool = False) -> str:
    """SQL: the row (alias d) is (or is not) among the matches of the FTS expression `param`."""
    operator = "not in" if negate else "in"
    return f"d.rowid {operator} (select rowid from {FTS_TABLE} where {FTS_TABLE} match {param})"


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _key(text: str) -> str:
    """A spelling-insensitive key: "Praksisundersøgelse" and "praksisundersoegelse" match."""
    text = default_analyzer().fold(text.strip())
    text = text.replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    return re.sub(r"[^0-9a-z]", "", text)


class _Compiler:
    def __init__(
        self, conn: sqlite3.Connection, parsed: ParsedQuery, analyzer: Analyzer, relaxed: bool
    ):
        self.conn = conn
        # Relaxed: any of the words instead of all of them (the fallback when all finds nothing).
        self.joiner = " OR " if relaxed else " AND "
        self.parsed = parsed
        self.analyzer = analyzer
        self.out = Compiled(notes=list(parsed.notes))
        self.tables = {
            name for (name,) in conn.execute("select name from sqlite_master where type='table'")
        }
        self.columns = {row[1] for row in conn.execute("pragma table_info(documents)")}

    def param(self, value: object) -> str:
        name = f"rs_{len(self.out.params)}"
        self.out.params[name] = value
        return f":{name}"

    # -- text -----------------------------------------------------------------------------

    def compounds(self, term: str) -> list[str]:
        if VOCABULARY_TABLE not in self.tables:
            return []
        return [
            row[0]
            for row in self.conn.execute(
                f"select term from {VOCABULARY_TABLE} where part = ? "
                "order by docs desc, term limit ?",
                (term, MAX_EXPANSIONS),
            )
        ]

    def alternative(self, alt: Alternative, expand: bool) -> list[str]:
        if alt.kind == "prefix":
            return [_quote(alt.terms[0]) + "*"]
        if alt.kind == "phrase":
            return [_quote(" ".join(alt.terms))]
        items = [_quote(alt.terms[0])]
        if alt.expand and expand:
            items += [_quote(term) for term in self.compounds(alt.terms[0])]
        return items

    def group(self, group: Group, expand: bool = True) -> str:
        items = [item for alt in group.alternatives for item in self.alternative(alt, expand)]
        return "(" + " OR ".join(dict.fromkeys(items)) + ")"

    def text(self) -> None:
        positive = [g for g in self.parsed.positive]
        rest = [g for g in positive if not g.numbers]
        negative = [self.group(g) for g in self.parsed.negative]
        not_part = f" NOT ({' OR '.join(negative)})" if negative else ""
        if positive:
            self.out.fts = "(" + self.joiner.join(self.group(g) for g in positive) + ")" + not_part
            exact = self.joiner.join(self.group(g, expand=False) for g in positive)
            exact = f"({exact}){not_part}"
            if exact != self.out.fts and EXACT_FIRST:
                self.out.exact_fts = exact
        if rest and len(rest) < len(positive):
            self.out.rest_fts = "(" + self.joiner.join(self.group(g) for g in rest) + ")" + not_part
        if negative:
            self.out.negative_fts = " OR ".join(negative)
        numbers = self.parsed.numbers
        if numbers:
            self.out.number_rowids = self.number_rowids(numbers)

    def number_rowids(self, numbers: list[str]) -> list[int]:
        rowids: list[int] = []
        for number in numbers:
            for (rowid,) in self.conn.execute(
                "select rowid from documents where number = ? or number glob ?",
                (number, f"[A-Z]*-{number}" if number[0].isdigit() else number),
            ):
                rowids.append(rowid)
        return sorted(set(rowids))

    def tier(self) -> None:
        parts = []
        if self.out.number_rowids:
            ids = ", ".join(str(r) for r in self.out.number_rowids)
            parts.append(f"4 * (d.rowid in ({ids}))")
        numbers = self.parsed.numbers
        if numbers and "citations" in self.tables:
            marks = ", ".join(self.param(n) for n in numbers)
            parts.append(
                f"2 * (d.id in (select citing_id from citations where cited_number in ({marks})))"
            )
        paragraph_checks = []
        for paragraph in self.parsed.paragraphs:
            pattern = f"*§ {paragraph.paragraph}[^0-9a-z]*"
            paragraph_checks.append(
                f"(' ' || coalesce(d.paragraph, '') || ' ') glob {self.param(pattern)}"
            )
            if "law_references" in self.tables:
                paragraph_checks.append(
                    "d.id in (select document_id from law_references where paragraph = "
                    f"{self.param(paragraph.paragraph)})"
                )
        if paragraph_checks:
            parts.append(f"({' or '.join(paragraph_checks)})")
        if parts:
            self.out.tier = " + ".join(parts)

    # -- field filters --------------------------------------------------------------------

    def filters(self) -> None:
        by_field: dict[tuple[str, bool], list[str]] = {}
        for item in self.parsed.filters:
            sql = self.filter(item)
            if sql is not None:
                by_field.setdefault((item.field, item.negated), []).append(sql)
        for (_, negated), sqls in by_field.items():
            if negated:
                self.out.filters += [f"not coalesce(({sql}), 0)" for sql in sqls]
            else:
                self.out.filters.append("(" + " or ".join(sqls) + ")")

    def note(self, message: str) -> None:
        if message not in self.out.notes:
            self.out.notes.append(message)

    def in_list(self, column: str, values: list) -> str:
        if not values:
            self.out.empty_filter = True
            return "0"
        return f"{column} in ({', '.join(self.param(v) for v in values)})"

    def match_labels(self, value: str, options: dict[str, list[str]]) -> list[str]:
        """The option ids whose id or any label matches `value` (exactly, else as a prefix)."""
        key = _key(value)
        key = _TYPE_ALIASES.get(key, key)
        if not key:
            return []
        exact = [i for i, labels in options.items() if any(_key(x) == key for x in labels)]
        if exact:
            return exact
        if len(key) < 3:
            return []
        return [i for i, labels in options.items() if any(_key(x).startswith(key) for x in labels)]

    def filter(self, item: FieldFilter) -> str | None:
        handler = getattr(self, f"filter_{_key(item.field)}")
        return handler(item)

    def filter_type(self, item: FieldFilter) -> str | None:
        rows = self.conn.execute("select id, label from doc_types")
        options = {i: [i, label] for i, label in rows}
        found = self.match_labels(item.value, options)
        if not found:
            known = ", ".join(sorted(options))
            self.note(f"Typen {item.value!r} kendes ikke og er sprunget over. Typer: {known}.")
            return None
        return self.in_list("d.doc_type", found)

    def filter_kilde(self, item: FieldFilter) -> str | None:
        rows = self.conn.execute("select id, label from sources")
        options = {i: [i, label] for i, label in rows}
        found = self.match_labels(item.value, options)
        if not found:
            known = ", ".join(sorted(options))
            self.note(f"Kilden {item.value!r} kendes ikke og er sprunget over. Kilder: {known}.")
            return None
        return self.in_list("d.source", found)

    def distinct(self, column: str) -> dict[str, list[str]]:
        rows = self.conn.execute(
            f"select distinct {column} from documents where {column} is not null"
        )
        return {str(v): [str(v)] for (v,) in rows}

    def filter_status(self, item: FieldFilter) -> str | None:
        options = {"gældende": ["gældende"], "historisk": ["historisk"]}
        found = self.match_labels(item.value, options)
        if not found:
            self.note(f"status:{item.value} kendes ikke; brug status:gældende eller historisk.")
            return None
        return self.in_list("d.status", found)

    def filter_kommune(self, item: FieldFilter) -> str | None:
        value = re.sub(r"\s+kommune$", "", item.value.strip(), flags=re.IGNORECASE)
        found = self.match_labels(value, self.distinct("municipality"))
        if not found:
            self.note(f"Der er ingen dokumenter fra {value} Kommune.")
        return self.in_list("d.municipality", found)

    def filter_udfald(self, item: FieldFilter) -> str | None:
        if "outcome" not in self.columns:
            self.note("udfald: kan ikke bruges, fordi databasen ikke har udfald endnu.")
            return None
        found = self.match_labels(item.value, self.distinct("outcome"))
        if not found:
            self.note(f"Udfaldet {item.value!r} findes ikke i databasen.")
        return self.in_list("d.outcome", found)

    def filter_omraade(self, item: FieldFilter) -> str | None:
        found = self.match_labels(item.value, self.distinct("law_area"))
        if not found:
            self.note(f"Der er ingen dokumenter fra retsområdet {item.value!r}.")
        return self.in_list("d.law_area", found)

    def filter_aar(self, item: FieldFilter) -> str | None:
        value = item.value.strip()
        if re.fullmatch(r"\d{4}", value):
            return f"d.year = {self.param(int(value))}"
        if match := _YEAR_RANGE.match(value):
            low, high = sorted(int(y) for y in match.groups())
            return f"d.year between {self.param(low)} and {self.param(high)}"
        if match := _YEAR_COMPARE.match(value):
            return f"d.year {match.group(1)} {self.param(int(match.group(2)))}"
        self.note(f"år:{value} er ikke et årstal; skriv fx år:2019, år:2015-2020 eller år:>2018.")
        return None

    def fts_column(self, column: str, value: str) -> str | None:
        terms = tuple(self.analyzer.terms(value))
        if not terms:
            return None
        members = next((g for g in self.analyzer.synonym_groups if terms in g), (terms,))
        expression = " OR ".join(_quote(" ".join(m)) for m in members)
        return (
            f"d.rowid in (select rowid from {FTS_TABLE} where {FTS_TABLE} match "
            f"{self.param(f'{column} : ({expression})')})"
        )

    def filter_emne(self, item: FieldFilter) -> str | None:
        sqls = []
        if text := self.fts_column("keywords", item.value):
            sqls.append(text)
        if {"topics", "document_topics"} <= self.tables:
            rows = self.conn.execute("select id, label from topics")
            options = {i: [i, label or ""] for i, label in rows}
            topics = self.match_labels(item.value, options)
            if topics:
                marks = ", ".join(self.param(t) for t in topics)
                sqls.append(
                    f"d.id in (select document_id from document_topics where topic_id in ({marks}))"
                )
        if not sqls:
            self.note(f"emne:{item.value} indeholder ingen ord og er sprunget over.")
            return None
        return " or ".join(sqls)

    def filter_lov(self, item: FieldFilter) -> str | None:
        sqls = []
        if text := self.fts_column("law_names", item.value):
            sqls.append(text)
        if {"laws", "law_references"} <= self.tables:
            options: dict[str, list[str]] = {}
            for row in self.conn.execute("select id, title, short_name, abbreviations from laws"):
                labels = [str(v) for v in row if v]
                labels += [a for v in row[3:] if v for a in re.split(r"[,;\[\]\"]+", str(v)) if a]
                options[row[0]] = labels
            laws = self.match_labels(item.value, options)
            if laws:
                marks = ", ".join(self.param(law) for law in laws)
                sqls.append(
                    f"d.id in (select document_id from law_references where law_id in ({marks}))"
                )
        if not sqls:
            self.note(f"lov:{item.value} indeholder ingen ord og er sprunget over.")
            return None
        return " or ".join(sqls)

    def run(self) -> Compiled:
        self.text()
        self.filters()
        self.tier()
        return self.out


def compile_query(
    conn: sqlite3.Connection,
    parsed: ParsedQuery,
    analyzer: Analyzer | None = None,
    relaxed: bool = False,
) -> Compiled:
    """Turn a parsed query into FTS5 expressions and SQL conditions for this database."""
    return _Compiler(conn, parsed, analyzer or default_analyzer(), relaxed).run()


def candidate_condition(compiled: Compiled, alias: str = "d") -> str:
    """A SQL condition on `documents` (as `alias`) that holds for exactly the matching rows."""
    parts = []
    if compiled.fts is not None:
        text = _in_fts(":rs_fts")
        if compiled.number_rowids:
            text = f"({text} or {_number_condition(compiled)})"
        parts.append(text)
    elif compiled.negative_fts is not None:
        parts.append(_in_fts(":rs_neg", negate=True))
    parts += compiled.filters
    sql = " and ".join(parts) or "1"
    return re.sub(r"\bd\.", f"{alias}.", sql) if alias != "d" else sql


def _number_condition(compiled: Compiled) -> str:
    ids = ", ".join(str(r) for r in compiled.number_rowids)
    condition = f"d.rowid in ({ids})"
    if compiled.rest_fts is not None:
        condition += " and " + _in_fts(":rs_rest")
    elif compiled.negative_fts is not None:
        condition += " and " + _in_fts(":rs_neg", negate=True)
    return condition


def query_params(compiled: Compiled) -> dict[str, object]:
    """The named parameters `candidate_condition` and the ranking queries use."""
    params = dict(compiled.params)
    if compiled.fts is not None:
        params["rs_fts"] = compiled.fts
    if compiled.rest_fts is not None:
        params["rs_rest"] = compiled.rest_fts
    if compiled.exact_fts is not None:
        params["rs_exact"] = compiled.exact_fts
    if compiled.negative_fts is not None:
        params["rs_neg"] = compiled.negative_fts
    return params


def check_index(conn: sqlite3.Connection, analyzer: Analyzer | None = None) -> str | None:
    """A note when the index was built by another analyzer; raises if there is no index."""
    analyzer = analyzer or default_analyzer()
    tables = {name for (name,) in conn.execute("select name from sqlite_master where type='table'")}
    if FTS_TABLE not in tables or SETTINGS_TABLE not in tables:
        raise SearchUnavailable(
            "Databasen har ikke det danske søgeindeks. Byg den igen med `retskilde build`."
        )
    row = conn.execute(f"select value from {SETTINGS_TABLE} where key = 'analyzer'").fetchone()
    if row is None or row[0] != analyzer.fingerprint:
        return (
            "Søgeindekset er bygget med en anden udgave af den danske analyse; "
            "resultaterne kan være ufuldstændige, indtil databasen bygges igen."
        )
    return None


def _score_sql() -> str:
    weights = ", ".join(str(COLUMN_WEIGHTS[c]) for c in FTS_COLUMNS)
    return f"bm25({FTS_TABLE}, {weights})"


def _ranked_rows(conn: sqlite3.Connection, compiled: Compiled, limit: int, offset: int) -> list:
    filters = "".join(f" and {f}" for f in compiled.filters)
    columns = (
        "d.rowid, d.id, d.title, d.doc_type, d.date, d.url, d.number, d.status, "
        "d.municipality, d.source, coalesce(d.summary, substr(d.text, 1, 1000))"
    )
    params = query_params(compiled) | {"rs_limit": limit, "rs_offset": offset}
    if compiled.fts is None:
        negative = " and " + _in_fts(":rs_neg", negate=True) if compiled.negative_fts else ""
        sql = (
            f"select {columns}, 0.0 as score, 0 as tier from documents d "
            f"where 1{negative}{filters} "
            "order by d.date desc, d.id limit :rs_limit offset :rs_offset"
        )
        return conn.execute(sql, params).fetchall()
    union = ""
    if compiled.number_rowids:
        union = (
            f" union all select d.rowid, 0.0, 0 from documents d where "
            f"{_number_condition(compiled)} and " + _in_fts(":rs_fts", negate=True)
        )
    matches = (
        f"select rowid as rid, {_score_sql()} as score, 1 as exact "
        f"from {FTS_TABLE} where {FTS_TABLE} match :rs_fts"
    )
    if compiled.exact_fts is not None:
        # Compounds widen the match, but their rarity would dominate BM25: documents that
        # match the words as typed rank first, by the score of the words as typed.
        exact = matches.replace(":rs_fts", ":rs_exact")
        matches = (
            "select f.rid, coalesce(e.score, f.score) as score, e.rid is not null as exact "
            f"from ({matches}) f left join ({exact}) e on e.rid = f.rid"
        )
    sql = (
        f"select {columns}, c.score * (case when d.status = 'historisk' then {HISTORISK_FACTOR} "
        f"else 1.0 end) as score, {compiled.tier} as tier "
        f"from ({matches}{union}) as c "
        f"join documents d on d.rowid = c.rid where 1{filters} "
        "order by tier desc, c.exact desc, score, d.date desc, d.id "
        "limit :rs_limit offset :rs_offset"
    )
    return conn.execute(sql, params).fetchall()


def _mark(text: str) -> str:
    text = html.escape(" ".join(text.split()), quote=False)
    return text.replace(_HIT_START, "<mark>").replace(_HIT_END, "</mark>")


def _lead(text: str | None, words: int = SNIPPET_TOKENS) -> str:
    parts = (text or "").split()
    return html.escape(" ".join(parts[:words]) + (" …" if len(parts) > words else ""), quote=False)


def _snippets(conn: sqlite3.Connection, compiled: Compiled, rowids: list[int]) -> dict[int, str]:
    if compiled.fts is None or not rowids:
        return {}
    text_col, summary_col = FTS_COLUMNS.index("text"), FTS_COLUMNS.index("summary")
    marks = f"char({ord(_HIT_START)}), char({ord(_HIT_END)}), '…', {SNIPPET_TOKENS}"
    ids = ", ".join(str(r) for r in rowids)
    rows = conn.execute(
        f"select rowid, snippet({FTS_TABLE}, {text_col}, {marks}), "
        f"snippet({FTS_TABLE}, {summary_col}, {marks}) from {FTS_TABLE} "
        f"where {FTS_TABLE} match :rs_fts and rowid in ({ids})",
        {"rs_fts": compiled.fts},
    )
    found = {}
    for rowid, text, summary in rows:
        for candidate in (text, summary):
            if candidate and _HIT_START in candidate:
                found[rowid] = _mark(candidate)
                break
    return found


Facets = dict[str, list[FacetValue]]


def _facets(conn: sqlite3.Connection, compiled: Compiled) -> tuple[int, Facets]:
    condition = candidate_condition(compiled)
    params = query_params(compiled)
    columns = ", ".join(f"d.{c}" for c in FACET_FIELDS)
    selects = " union all ".join(
        f"select '{c}', {c}, count(*) from hits group by 2" for c in FACET_FIELDS
    )
    rows = conn.execute(
        f"with hits as materialized (select {columns} from documents d where {condition}) "
        f"{selects}",
        params,
    ).fetchall()
    labels = {
        "doc_type": dict(conn.execute("select id, label from doc_types")),
        "source": dict(conn.execute("select id, label from sources")),
    }
    facets: dict[str, list[FacetValue]] = {c: [] for c in FACET_FIELDS}
    total = 0
    for column, value, count in rows:
        if column == "doc_type":
            total += count
        if value is None:
            continue
        label = labels.get(column, {}).get(value, str(value))
        facets[column].append(FacetValue(str(value), label, count))
    for column, values in facets.items():
        values.sort(key=lambda v: (-int(v.value), 0) if column == "year" else (-v.count, v.label))
    return total, {c: v for c, v in facets.items() if v}


def _run(
    conn: sqlite3.Connection, compiled: Compiled, result: SearchResult, facets: bool
) -> tuple[list, dict[int, str]]:
    """The ranked page and its snippets; sets the total (and facets) on `result`."""
    rows = _ranked_rows(conn, compiled, result.limit, result.offset)
    snippets = _snippets(conn, compiled, [row[0] for row in rows])
    if facets:
        result.total, result.facets = _facets(conn, compiled)
    else:
        result.total = conn.execute(
            f"select count(*) from documents d where {candidate_condition(compiled)}",
            query_params(compiled),
        ).fetchone()[0]
    return rows, snippets


def _with_time_limit(conn: sqlite3.Connection, seconds: float):
    deadline = time.monotonic() + seconds
    conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 20_000)


def search(
    conn: sqlite3.Connection,
    text: str,
    *,
    filters: list[FieldFilter] | None = None,
    limit: int = 10,
    offset: int = 0,
    facets: bool = True,
    analyzer: Analyzer | None = None,
) -> SearchResult:
    """Search the database; any text gives hits or a Danish message, never an exception.

    Raises SearchUnavailable only when the database has no analysed index at all.
    """
    analyzer = analyzer or default_analyzer()
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    result = SearchResult(query=text or "", limit=limit, offset=offset)
    stale = check_index(conn, analyzer)
    parsed = parse(text or "", analyzer)
    parsed.filters += filters or []
    if parsed.is_empty:
        result.notes = parsed.notes
        result.message = "Skriv et eller flere søgeord, fx: hjemvist fleksjob eller 101-17."
        return result
    compiled = compile_query(conn, parsed, analyzer)
    result.notes = compiled.notes + ([stale] if stale else [])
    _with_time_limit(conn, TIME_LIMIT_S)
    try:
        rows, snippets = _run(conn, compiled, result, facets)
        if result.total == 0 and len(parsed.positive) > 1 and RELAX_WHEN_EMPTY:
            relaxed = compile_query(conn, parsed, analyzer, relaxed=True)
            relaxed_rows, relaxed_snippets = _run(conn, relaxed, result, facets)
            if result.total:
                compiled, rows, snippets = relaxed, relaxed_rows, relaxed_snippets
                result.relaxed = True
                result.notes.append(
                    "Ingen dokumenter indeholder alle ordene; her er dem, der har nogle af dem."
                )
    except sqlite3.OperationalError as exc:
        if "interrupt" in str(exc):
            result.message = "Søgningen tog for lang tid. Prøv med flere eller mere præcise ord."
            return result
        raise
    finally:
        conn.set_progress_handler(None, 0)
    result.fts = compiled.fts
    exact = set(compiled.number_rowids)
    for row in rows:
        rowid, doc_id, title, doc_type, date, url, number, status, municipality, source = row[:10]
        summary, score = row[10], row[11]
        result.hits.append(
            Hit(
                id=doc_id,
                title=title,
                doc_type=doc_type,
                date=date,
                url=url,
                snippet=snippets.get(rowid) or _lead(summary) or "",
                score=round(-score, 4) + 0.0,
                number=number,
                status=status,
                municipality=municipality,
                source=source,
                exact_number=rowid in exact,
            )
        )
    if result.total == 0 and not result.message:
        result.message = f"Ingen dokumenter matcher {text.strip()!r}."
    return result
