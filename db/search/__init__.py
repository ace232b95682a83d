"""Run a search against the database: the one implementation behind the site, the JSON/CSV API,
the `?_search=` filter on the documents table and `retskilde search`.

Ranking: documents whose own number is the decision number in the query come first, then those
recorded as citing it or tagged with the § asked for, then BM25 with field weights (title,
summary and keywords above the body), with historiske principmeddelelser a step below gældende
ones of equal relevance. Only reads; safe on Datasette's read-only connections.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from functools import partial, wraps

import numpy as np

from retskilde.db.analysis import snippets
from retskilde.db.analysis.analyzer import Analyzer, default_analyzer
from retskilde.db.analysis.snippets import MAX_SCAN_CHARS, SNIPPET_TOKENS
from retskilde.db.search.columns import RankColumns, last_rowid, rank_columns
from retskilde.db.search.compiler import (
    PHRASE,
    Compiled,
    compile_query,
    in_fts,
    number_condition,
    query_params,
)
from retskilde.db.search.parallel import ParallelReader
from retskilde.db.search.query import FieldFilter, ParsedQuery, parse
from retskilde.db.search.timelimit import TimeLimit
from retskilde.db.sqlite import plain_rows, sqlite3
from retskilde.db.tables import (
    ATTRIBUTES_TABLE,
    FACET_COLUMNS,
    FTS_COLUMNS,
    FTS_TABLE,
    RANK_TABLE,
    SETTINGS_TABLE,
    SUBJECT_COLUMNS,
    SUBJECT_FTS_TABLE,
    TERMS_TABLE,
    TOPIC_SETS_TABLE,
)

FACET_FIELDS = FACET_COLUMNS
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
# When fewer than FILL_TO documents have every word, the page goes on with the documents that
# have most of them, marked as such (hit.partial, with a note); the exact matches come first.
RELAX_WHEN_EMPTY = True
FILL_TO = 10
MAX_LIMIT = 200
TIME_LIMIT_S = 2.0
# Longer than any search a person writes (a pasted sentence, a long OR list is ~300 characters);
# a 72 KB query took 1.1 s on the table page and gave an 11.7 MB page.
MAX_QUERY_CHARS = 500
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
# A search with more matches than this is broad. FTS5 scores every match before it keeps the
# best (1-2 µs a match over long texts), so a broad search is ranked by BM25 in the subject index
# (db/tables.py): among the documents with every group of words in their subject fields when
# they fill the page; else over the title alone while that gives BROAD_CANDIDATES matches, else
# over more fields (SUBJECT_TIERS), each checked against the whole query; a document with the
# words only in its body does not come first. Its facets, and its total unless it is one word
# without filters, are counted in rowid windows holding about FACET_SAMPLE matches and shown as
# estimates (`_count_broad`).
BROAD_MATCHES = 3_000
BROAD_CANDIDATES = 200
SUBJECT_TIERS = (
    ("title",),
    ("title", "number", "summary", "keywords"),
    ("title", "number", "summary", "keywords", "law_names", "municipality", "committee"),
)
FACET_SAMPLE = 10_000
# How the note on a broad search names the fields it ranked among.
SUBJECT_LABELS = {
    "title": "titlen",
    "number": "nummeret",
    "summary": "resuméet",
    "keywords": "emneordene",
    "law_names": "lovnavnene",
    "municipality": "kommunen",
    "committee": "udvalget",
}
# Result orders: best match first, or newest first (the feed's order; no BM25 needed, and an
# empty query then lists every document).
RELEVANCE, NEWEST = "relevans", "nyeste"
ORDERS = (RELEVANCE, NEWEST)


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
    partial: bool = False  # matches some of the words, not all ("matcher nogle af ordene")


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    estimate: bool = False  # counted on a sample of a broad search's matches ("ca.")


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
    exact_total: int = 0  # the documents with every word; `total` also counts the partial ones
    fts: str | None = None
    order: str = RELEVANCE
    # A broad search (BROAD_MATCHES): ranked among the matches with the words in `subject`
    # (the fields named), and the total an estimate when `total_estimate`.
    broad: bool = False
    subject: list[str] = field(default_factory=list)
    total_estimate: bool = False
    facets_estimate: bool = False  # the facet counts come from a sample ("ca.")

    def to_dict(self) -> dict:
        # What dataclasses.asdict gives, without its deep copy of every value (a millisecond
        # for a page of hits and a few hundred facet values, on every JSON answer).
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["hits"] = [dict(vars(hit)) for hit in self.hits]
        data["facets"] = {
            name: [dict(vars(value)) for value in values] for name, values in self.facets.items()
        }
        data["notes"], data["subject"] = list(self.notes), list(self.subject)
        return data


class SearchUnavailable(RuntimeError):
    """The database has no analysed search index; the message says what to do."""


def check_index(conn: sqlite3.Connection, analyzer: Analyzer | None = None) -> str | None:
    """A note when the index was built by another analyzer; raises if there is no index."""
    analyzer = analyzer or default_analyzer()
    tables = {name for (name,) in conn.execute("select name from sqlite_master where type='table'")}
    if not {FTS_TABLE, SETTINGS_TABLE, ATTRIBUTES_TABLE, RANK_TABLE, TOPIC_SETS_TABLE} <= tables:
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


def query_too_long(text: str | None) -> str | None:
    """The Danish message for a query over MAX_QUERY_CHARS, else None (every entry point
    asks this before it searches)."""
    if text is None or len(text) <= MAX_QUERY_CHARS:
        return None
    length = f"{len(text):,}".replace(",", ".")
    return (
        f"Søgningen er for lang ({length} tegn); den må højst være {MAX_QUERY_CHARS} tegn. "
        "Brug færre ord eller felter som type: og år: til at afgrænse."
    )


def _score_sql(table: str = FTS_TABLE, columns: list[str] = FTS_COLUMNS) -> str:
    weights = ", ".join(str(COLUMN_WEIGHTS[c]) for c in columns)
    return f"bm25({table}, {weights})"


def _snippets(
    conn: sqlite3.Connection,
    compiled: Compiled,
    rowids: list[int],
    analyzer: Analyzer,
    time_limit: TimeLimit,
) -> dict[int, str]:
    """The marked snippet of each hit's text (else its summary), made in Python from at most
    MAX_SCAN_CHARS of each; hits left when the time is up get their lead instead."""
    if compiled.fts is None or not rowids:
        return {}
    marks = ", ".join("?" for _ in rowids)
    found = {}
    for rowid, text, summary in conn.execute(
        f"select rowid, substr(text, 1, {MAX_SCAN_CHARS}), substr(summary, 1, {MAX_SCAN_CHARS}) "
        f"from documents where rowid in ({marks})",
        rowids,
    ):
        if time_limit.expired:
            break
        for candidate in (text, summary):
            made = candidate and snippets.marked(
                candidate, analyzer, compiled.terms, compiled.prefixes, SNIPPET_TOKENS
            )
            if made:
                found[rowid] = made
                break
    return found


Facets = dict[str, list[FacetValue]]


def _candidates(compiled: Compiled, scored: bool = True, window: bool = False) -> str:
    """SQL for the matching rows as (rid, score, exact), before the field filters.

    Unscored (score 0.0) for counting, which needs no BM25. `window`: only rowids between
    :rs_lo and :rs_hi (FTS5 seeks to them). With `subject_fts`, the matches of the subject index
    scored there (a broad search's candidates, db/tables.py).
    """
    if compiled.subject_fts is not None:
        score = _score_sql(SUBJECT_FTS_TABLE, SUBJECT_COLUMNS) if scored else "0.0"
        # `+rowid`: SQLite then reads every match of the whole query once into a set, instead
        # of asking FTS5 for each subject match again (a seek per word and document).
        within = (
            f" and +rowid in (select rowid from {FTS_TABLE} where {FTS_TABLE} match :rs_fts)"
            if compiled.subject_within
            else ""
        )
        return (
            f"select rowid as rid, {score} as score, 1 as exact from {SUBJECT_FTS_TABLE} "
            f"where {SUBJECT_FTS_TABLE} match :rs_subject{within}"
        )
    if compiled.fts is None:
        negative = " where " + in_fts(":rs_neg", negate=True) if compiled.negative_fts else ""
        return (
            f"select d.rowid as rid, 0.0 as score, 1 as exact from {ATTRIBUTES_TABLE} d{negative}"
        )
    score = _score_sql() if scored else "0.0"
    between = " and rowid between :rs_lo and :rs_hi" if window else ""
    matches = (
        f"select rowid as rid, {score} as score, 1 as exact "
        f"from {FTS_TABLE} where {FTS_TABLE} match :rs_fts{between}"
    )
    if compiled.exact_fts is not None and scored:
        # Compounds widen the match, but their rarity would dominate BM25: documents that
        # match the words as typed rank first, by the score of the words as typed; the rest,
        # found only through compounds, after them. Scoring the two sets apart also keeps the
        # many compound phrases out of the scoring of the (usually many more) exact matches.
        matches = (
            matches.replace(":rs_fts", ":rs_exact")
            + " union all "
            + matches.replace("1 as exact", "0 as exact").replace(":rs_fts", ":rs_compound")
        )
    if compiled.number_rowids:
        # The decision itself, when its text does not say its own number.
        matches += (
            f" union all select d.rowid, 0.0, 1 from {ATTRIBUTES_TABLE} d where "
            f"{number_condition(compiled)} and " + in_fts(":rs_fts", negate=True)
        )
    return matches


def _matches_sql(
    compiled: Compiled, scored: bool, window: bool = False, tiered: bool | None = None
) -> str:
    """SQL for the matches that pass the filters, as (rid, score, exact, tier); the tier only
    when `tiered` (by default when scored: counting needs none).

    Joined to the attribute table only when filters or tiers need it: the ranking's other
    columns (historisk, recency) and the facets come from `columns.RankColumns`.
    """
    candidates = _candidates(compiled, scored, window)
    tier = compiled.tier if (scored if tiered is None else tiered) else "0"
    if not compiled.filters and tier == "0":
        return f"select rid, score, exact, 0 as tier from ({candidates})"
    filters = "".join(f" and {f}" for f in compiled.filters)
    return (
        f"select c.rid, c.score, c.exact, {tier} as tier from ({candidates}) c "
        f"join {ATTRIBUTES_TABLE} d on d.rowid = c.rid where 1{filters}"
    )


def _rowids(conn: sqlite3.Connection, sql: str, params: dict) -> np.ndarray:
    """The rid column of `sql` as an array: joined to one string in SQLite, which is about
    twice as fast as fetching a row per match."""
    text = conn.execute(f"select group_concat(rid) from ({sql})", params).fetchone()[0]
    if not text:
        return np.zeros(0, dtype=np.int64)
    return np.fromstring(text, dtype=np.int64, sep=",")


def _ordered(
    cols: RankColumns, rows: list[tuple], order: str, count: int | None = None
) -> list[tuple]:
    """`rows` (rid, score, exact, tier) in the order of a search, the first `count` of them,
    as (rowid, score, tier, exact, recency): tier, exact match, score (BM25 with historiske a
    step down), then newest first and id (recency)."""
    if not rows:
        return []
    table = np.array(rows, dtype=np.float64).reshape(-1, 4)
    rid = table[:, 0].astype(np.int64)
    recency = cols.recency[rid]
    if order == RELEVANCE:
        score = table[:, 1] * np.where(cols.historisk[rid], HISTORISK_FACTOR, 1.0)
        places = np.lexsort((recency, score, -table[:, 2], -table[:, 3]))
    else:
        score = table[:, 1]
        places = np.argsort(recency, kind="stable")
    places = places[:count] if count is not None else places
    return [
        (int(rid[i]), float(score[i]), int(table[i, 3]), int(table[i, 2]), int(recency[i]))
        for i in places.tolist()
    ]


def _every_match(
    conn: sqlite3.Connection, compiled: Compiled, order: str
) -> tuple[list[tuple], np.ndarray]:
    """Every match, scored and ordered (see `_ordered`), and their rowids: the page and the
    counts of a search that is not broad come from the same pass."""
    rows = conn.execute(
        _matches_sql(compiled, scored=order == RELEVANCE), query_params(compiled)
    ).fetchall()
    ordered = _ordered(rank_columns(conn), rows, order)
    return ordered, np.array([row[0] for row in ordered], dtype=np.int64)


def _best(conn: sqlite3.Connection, compiled: Compiled, limit: int, offset: int) -> list[tuple]:
    """The page of the best matches (see `_ordered`) without reading every match into
    Python: SQLite keeps the best by the score FTS5 gives, and the page is final once the
    last of those kept is worse than the page's last after the historisk step (which only
    makes scores worse), else twice as many are kept."""
    needed = limit + offset
    cols = rank_columns(conn)
    params = query_params(compiled)
    sql = f"{_matches_sql(compiled, scored=True)} order by tier desc, exact desc, score"
    kept = max(2 * needed, needed + 50)
    while True:
        rows = conn.execute(f"{sql} limit {kept}", params).fetchall()
        ordered = _ordered(cols, rows, RELEVANCE, needed)
        if len(rows) < kept or len(ordered) < needed:
            return ordered[offset:]
        _, score, tier, exact, _ = ordered[-1]
        last = rows[-1]
        if (-tier, -exact, score) < (-last[3], -last[2], last[1]):
            return ordered[offset:]
        kept *= 4


def _has_topics(conn: sqlite3.Connection) -> bool:
    tables = {n for (n,) in conn.execute("select name from sqlite_master where type = 'table'")}
    return {"topics", TOPIC_SETS_TABLE} <= tables


Counts = dict[str, dict[object, int]]


def _counted(
    conn: sqlite3.Connection, rowids: np.ndarray, facets: bool, scale: float = 1.0
) -> tuple[int, Counts]:
    """The number of `rowids` and, if `facets`, the counts of each facet value and topic
    (topics only when the database has them), times `scale`."""
    if not facets:
        return round(len(rowids) * scale), {}
    total, counts = rank_columns(conn).counts(rowids, scale)
    if "topic" in counts and not _has_topics(conn):
        del counts["topic"]
    return total, counts


def _facet_values(conn: sqlite3.Connection, counts: Counts, estimate: bool = False) -> Facets:
    """The counts as labelled facet values, the most frequent first (years newest first)."""
    labels = {
        "doc_type": dict(conn.execute("select id, label from doc_types")),
        "source": dict(conn.execute("select id, label from sources")),
    }
    if "topic" in counts:
        labels["topic"] = dict(conn.execute("select id, coalesce(label, id) from topics"))
    found: Facets = {
        column: [
            FacetValue(str(value), labels.get(column, {}).get(value, str(value)), count, estimate)
            for value, count in values.items()
        ]
        for column, values in counts.items()
    }
    for column, values in found.items():
        values.sort(key=lambda v: (-int(v.value), 0) if column == "year" else (-v.count, v.label))
    return found


def _within(conn: sqlite3.Connection, work, compiled: Compiled, time_limit: TimeLimit):
    """`work(conn, compiled)` on a helper's connection, within the search's time limit."""
    with time_limit.watching(conn):
        return work(conn, compiled)


def _fts_count(conn: sqlite3.Connection, expression: str, at_most: int | None = None) -> int:
    """How many documents match `expression` (up to `at_most`); FTS5 alone, nothing scored."""
    limit = "" if at_most is None else f" limit {int(at_most)}"
    sql = f"select count(*) from (select 1 from {FTS_TABLE} where {FTS_TABLE} match ?{limit})"
    return conn.execute(sql, (expression,)).fetchone()[0]


def _count_hits(conn: sqlite3.Connection, compiled: Compiled, at_most: int) -> int:
    """How many matches pass the filters, up to `at_most`."""
    sql = f"select count(*) from ({_matches_sql(compiled, scored=False)} limit {int(at_most)})"
    return conn.execute(sql, query_params(compiled)).fetchone()[0]


def _several_groups(expression: str) -> bool:
    """Whether an FTS5 expression joins groups of words (AND, NOT, NEAR): then a subject match
    of one of its words need not match the whole of it."""
    return any(f" {word} " in expression for word in ("AND", "NOT", "NEAR"))


def _is_broad(conn: sqlite3.Connection, compiled: Compiled) -> bool:
    """More matches than BROAD_MATCHES (for several groups of words too: measured at a million,
    where four times as many took 40-50 ms to rank in full)."""
    assert compiled.fts is not None
    # The term table bounds the matches (exactly, for one word), often without counting them.
    bound = _match_bound(conn, compiled)
    if bound is not None and bound <= BROAD_MATCHES:
        return False
    if bound is not None and _SINGLE_TERM.fullmatch(compiled.fts):
        return True
    return _fts_count(conn, compiled.fts, BROAD_MATCHES + 1) > BROAD_MATCHES


def _broad(
    conn: sqlite3.Connection, compiled: Compiled, needed: int
) -> tuple[Compiled | None, tuple[str, ...]] | None:
    """For a broad search, the query for its candidates in the subject index and the fields
    they are taken from (None and no fields when too few documents have the words there);
    None when the search is not broad."""
    if compiled.fts is None or compiled.number_rowids or not _is_broad(conn, compiled):
        return None
    if SUBJECT_FTS_TABLE not in _tables(conn):
        return None, ()  # a database built before the subject index: the best of every match
    if _several_groups(compiled.fts) and " NOT " not in compiled.fts:
        # Documents with every group of words in their subject fields: they match the whole
        # query, so nothing needs checking, and there are few of them.
        columns = SUBJECT_TIERS[-1]
        every = replace(
            compiled,
            subject_fts=f"{{{' '.join(columns)}}} : ({compiled.fts})",
            subject_complete=True,
        )
        if _count_hits(conn, every, needed) >= needed:
            return every, columns
    phrases = " OR ".join(PHRASE.findall(compiled.fts))
    for number, columns in enumerate(SUBJECT_TIERS, start=1):
        subject = replace(compiled, subject_fts=f"{{{' '.join(columns)}}} : ({phrases})")
        wanted = needed if number == len(SUBJECT_TIERS) else max(needed, BROAD_CANDIDATES)
        if _count_hits(conn, subject, wanted) >= wanted:
            return subject, columns
    return None, ()


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {name for (name,) in conn.execute("select name from sqlite_master where type='table'")}


# Candidates read per round for a page of a broad search, as a multiple of the documents the
# page needs: most of them have every word too (those that do not are skipped).
_CANDIDATE_ROUNDS = (5, 40)
# Up to this many matches, a broad search of several groups reads them all once to check its
# subject matches against, instead of asking FTS5 per document (at a million: 36 vs 90 ms for
# 9,000 matches, 48 vs 46 ms for 43,000).
SCAN_MATCHES = 40_000


def _match_bound(conn: sqlite3.Connection, compiled: Compiled) -> int | None:
    """At most how many documents match the query's groups of words: the fewest of any group's,
    a group's at most the sum of its phrases', a phrase's at most its rarest word's (the term
    table); None when that cannot be known (no term table, a prefix left to FTS5)."""
    if not compiled.group_phrases or TERMS_TABLE not in _tables(conn):
        return None
    groups = []
    for phrases in compiled.group_phrases:
        if any(phrase.endswith("*") for phrase in phrases):
            return None
        groups.append([phrase[1:-1].replace('""', '"').split() for phrase in phrases])
    words = sorted({word for phrases in groups for phrase in phrases for word in phrase})
    marks = ", ".join("?" for _ in words)
    sql = f"select term, docs from {TERMS_TABLE} where term in ({marks})"
    docs = dict(conn.execute(sql, words))
    return min(
        sum(min((docs.get(word, 0) for word in phrase), default=0) for phrase in phrases)
        for phrases in groups
    )


def _few_enough_to_scan(conn: sqlite3.Connection, compiled: Compiled) -> bool:
    """Whether the query has at most SCAN_MATCHES matches: by the term table's bound, else
    (the bound is loose for several words: 58,000 for 9,000 matches) by an estimate."""
    bound = _match_bound(conn, compiled)
    if bound is not None and bound <= SCAN_MATCHES:
        return True
    assert compiled.fts is not None
    return _estimated_matches(conn, compiled.fts, last_rowid(conn)) <= SCAN_MATCHES


def _subject_page(
    conn: sqlite3.Connection, subject: Compiled, limit: int, offset: int
) -> list[tuple] | None:
    """The page of a broad search: its subject matches best first (BM25 in the subject index,
    the filters and rank as any search), each checked against the whole query in the whole
    index. None when they run out before the page is full."""
    needed = limit + offset
    assert subject.fts is not None
    # One group of words without exclusions: a document with one of them in a subject field
    # matches the whole query, and nothing needs checking; nor when every group must be there.
    if subject.subject_complete or not _several_groups(subject.fts):
        page = _best(conn, subject, limit, offset)
        return page if len(page) == limit else None
    if _few_enough_to_scan(conn, subject):
        page = _best(conn, replace(subject, subject_within=True), limit, offset)
        return page if len(page) == limit else None
    for factor in _CANDIDATE_ROUNDS:
        wanted = needed * factor + 20
        candidates = _best(conn, subject, wanted, 0)
        # Rowids we read ourselves, so they can stand in the SQL text.
        listed = ", ".join(str(int(row[0])) for row in candidates)
        matching = {
            rowid
            for (rowid,) in conn.execute(
                f"select rowid from {FTS_TABLE} where {FTS_TABLE} match ? "
                f"and rowid in ({listed or 'null'})",
                (subject.fts,),
            )
        }
        kept = [row for row in candidates if row[0] in matching]
        if len(kept) >= needed:
            return kept[offset:needed]
        if len(candidates) < wanted:
            return None
    return None


# One word alone; not a quoted phrase of several (the term table counts words, not phrases).
_SINGLE_TERM = re.compile(r'\(\("([^"* ]+)"\)\)')
WINDOWS = 100


def _single_term_total(conn: sqlite3.Connection, compiled: Compiled) -> int | None:
    """How many documents have the one word a search consists of (kept in the term table), or
    None when the search is more than one word."""
    assert compiled.fts is not None
    single = _SINGLE_TERM.fullmatch(compiled.fts)
    if not single or compiled.exact_fts is not None or TERMS_TABLE not in _tables(conn):
        return None
    row = conn.execute(
        f"select docs from {TERMS_TABLE} where term = ?", (single.group(1),)
    ).fetchone()
    return row[0] if row else 0


def _newest_matches(
    conn: sqlite3.Connection, compiled: Compiled, limit: int, offset: int
) -> list[tuple]:
    """Newest first for a broad search: the documents are read newest first (the ranking table's
    index on recency), a growing block at a time, and FTS5 says which of each block match, so
    only as many documents are looked at as the page needs. (rid, score, tier, exact, recency).
    """
    needed = limit + offset
    join, where = "", ""
    if compiled.filters:
        join = f" join {ATTRIBUTES_TABLE} d on d.doc_rowid = r.doc_rowid"
        where = " where " + " and ".join(compiled.filters)
    read = (
        f"select r.doc_rowid, r.recency from {RANK_TABLE} r{join}{where} "
        "order by r.recency limit :rs_block offset :rs_start"
    )
    params = query_params(compiled)
    found: list[tuple] = []
    start, block = 0, 64
    while len(found) < needed:
        rows = conn.execute(read, params | {"rs_block": block, "rs_start": start}).fetchall()
        if not rows:
            break
        recency = dict(rows)
        # Rowids we read ourselves, so they can stand in the SQL text.
        listed = ", ".join(str(int(rowid)) for rowid in recency)
        matched = conn.execute(
            f"select rowid from {FTS_TABLE} where {FTS_TABLE} match :rs_fts "
            f"and rowid in ({listed})",
            {"rs_fts": compiled.fts},
        )
        found += sorted((recency[rowid], rowid) for (rowid,) in matched)
        start += block
        block = min(block * 2, 8192)
    return [(rowid, 0.0, 0, 1, recency) for recency, rowid in found[offset:needed]]


def _estimated_matches(conn: sqlite3.Connection, expression: str, last: int) -> int:
    """About how many documents match `expression`: its matches in 4-8 ranges of rowids that
    together hold 2 % of the table, multiplied up (FTS5 seeks to each range)."""
    # Each range costs FTS5 a seek per phrase: fewer, longer ranges for many phrases (64 for a
    # prefix), the same 2 % of the table. The estimate only sizes the windows that are counted
    # (and decides whether all matches are read), so a few ranges do.
    ranges = max(4, min(8, 64 // max(1, len(PHRASE.findall(expression)))))
    length = max(1, last // (50 * ranges))
    step = last / ranges
    found = 0
    for number in range(ranges):
        low = int(number * step) + 1
        found += conn.execute(
            f"select count(*) from {FTS_TABLE} where {FTS_TABLE} match ? and rowid between ? and ?",
            (expression, low, low + length - 1),
        ).fetchone()[0]
    return max(BROAD_MATCHES, round(found * last / (length * ranges)))


# A broad search counted exactly (its sample would be most of its matches) is read in this
# many ranges of rowids, so the searching thread can take some of them once its page is made.
EXACT_PARTS = 8


class _Sample:
    """The counting of a broad search: about FACET_SAMPLE matches in up to WINDOWS ranges of
    rowids spread over the whole table (FTS5 seeks to each, so the cost does not grow with the
    matches), or every match when that would be most of them. The total is exact for one word
    without filters (the term table); else it is estimated from the same ranges, since counting
    a broad search exactly means reading every match (0.3 s at a million).

    A helper thread plans it (`plan`) and reads ranges (`read`); the searching thread, once
    its page, documents and snippets are made, reads the ranges left, so both cores count.
    """

    def __init__(self, compiled: Compiled, facets: bool) -> None:
        assert compiled.fts is not None
        self.compiled, self.facets = compiled, facets
        self.done: tuple[int, bool, Counts, bool] | None = None
        self.ranges: list[tuple[int, int]] = []
        self.scale = 1.0
        self.exact_total: int | None = None
        self.planned = threading.Event()
        self._lock = threading.Lock()
        self._taken = 0
        self._found: list[np.ndarray] = []

    def plan(self, conn: sqlite3.Connection) -> None:
        """The ranges to read (or the result, when nothing is to be counted); `planned` is
        set as soon as they are known, so the searching thread can read some of them."""
        try:
            self._plan(conn)
        finally:
            self.planned.set()

    def _plan(self, conn: sqlite3.Connection) -> None:
        compiled = self.compiled
        assert compiled.fts is not None
        self.exact_total = None if compiled.filters else _single_term_total(conn, compiled)
        if self.exact_total is not None and not self.facets:
            self.done = self.exact_total, False, {}, False
            return
        last = last_rowid(conn)
        matches = self.exact_total or _estimated_matches(conn, compiled.fts, last)
        phrases = max(1, len(PHRASE.findall(compiled.fts)))
        count = max(1, min(WINDOWS, max(WINDOWS // 20, 2 * WINDOWS // phrases)))
        cover = FACET_SAMPLE * last / max(1, matches)
        if cover >= last / 2:  # about as cheap to count them all, exactly
            step = last // EXACT_PARTS + 1
            self.ranges = [(low, low + step - 1) for low in range(0, last + 1, step)]
            return
        length = max(1, int(cover / count))
        step = last / count
        # Each window at a fixed pseudo-random place in its stretch: evenly spaced windows
        # would keep meeting the same place in a pattern of ids (every 10th: "punkt 1").
        place = random.Random(count * 7919 + length)
        for number in range(count):
            start = int(number * step) + 1 + place.randrange(max(1, int(step) - length + 1))
            self.ranges.append((start, start + length - 1))
        self.scale = last / (length * count)

    def read(self, conn: sqlite3.Connection) -> None:
        """Read ranges not yet taken, until none is left."""
        sql = _matches_sql(self.compiled, scored=False, window=True)
        params = query_params(self.compiled)
        while True:
            with self._lock:
                if self._taken >= len(self.ranges):
                    return
                low, high = self.ranges[self._taken]
                self._taken += 1
            found = _rowids(conn, sql, params | {"rs_lo": low, "rs_hi": high})
            with self._lock:
                self._found.append(found)

    def result(self, conn: sqlite3.Connection) -> tuple[int, bool, Counts, bool]:
        """The total, whether it is an estimate, the facet counts and whether they are
        estimates; once every range is read."""
        if self.done is not None:
            return self.done
        found = np.concatenate(self._found) if self._found else np.zeros(0, dtype=np.int64)
        total, counts = _counted(conn, found, self.facets, self.scale)
        sampled = self.scale > 1
        if self.exact_total is not None:
            return self.exact_total, False, counts, sampled
        return total, sampled, counts, sampled


def _count_broad(conn: sqlite3.Connection, sample: _Sample) -> None:
    """The helper's part of counting a broad search: plan it, then read ranges."""
    sample.plan(conn)
    sample.read(conn)


def _listed(
    conn: sqlite3.Connection, compiled: Compiled, limit: int, offset: int, order: str
) -> list[tuple]:
    """The page of a search without words (filters alone, or everything newest first), which
    may match every document: SQLite keeps the page while it reads them."""
    ordering = "c.tier desc, c.exact desc, r.recency" if order == RELEVANCE else "r.recency"
    sql = (
        f"select c.rid, c.score, c.tier, c.exact, r.recency "
        f"from ({_matches_sql(compiled, False, tiered=order == RELEVANCE)}) c join {RANK_TABLE} r "
        f"on r.doc_rowid = c.rid order by {ordering} limit :rs_limit offset :rs_offset"
    )
    params = query_params(compiled) | {"rs_limit": limit, "rs_offset": offset}
    return conn.execute(sql, params).fetchall()


def _rank_and_count(
    conn: sqlite3.Connection,
    compiled: Compiled,
    result: SearchResult,
    facets: bool,
    time_limit: TimeLimit,
    parallel: ParallelReader | None = None,
) -> tuple[list[tuple], Callable[[], None]]:
    """The page (rowid, score, tier, exact, recency), and what sets the number of matches and
    the facets on `result` (whether the search is broad is set at once).

    A search that is not broad is one pass: every match scored, the page and the counts taken
    from it. A broad one ranks its subject matches (or keeps only the best of every match)
    while a helper thread, given a ParallelReader, counts a sample of its matches; the page's
    documents and snippets are made before its count is waited for.
    """
    limit, offset, order = result.limit, result.offset, result.order
    broad = None
    if order == RELEVANCE:
        broad = _broad(conn, compiled, limit + offset)
    elif compiled.fts is not None and not compiled.number_rowids and _is_broad(conn, compiled):
        broad = None, ()
    if broad is None:
        params = query_params(compiled)
        if compiled.fts is None:
            page = _listed(conn, compiled, limit, offset, order)
            rowids = _rowids(conn, _matches_sql(compiled, scored=False), params)
        else:
            ordered, rowids = _every_match(conn, compiled, order)
            page = ordered[offset : offset + limit]
        result.total, counts = _counted(conn, rowids, facets)
        result.facets = _facet_values(conn, counts)
        return page, lambda: None
    subject, columns = broad
    result.broad, result.subject = True, list(columns)
    sample = _Sample(compiled, facets)

    def count() -> None:
        if counting is None:
            _count_broad(conn, sample)
        else:
            # Until the helper has planned the ranges, or ended without (it failed, or never
            # got its connection): then there is nothing to read and its error is raised below.
            while not sample.planned.wait(0.005) and not counting.done():
                pass
            sample.read(conn)  # the ranges the helper has not taken yet
            counting.result()
        total, estimate, counts, sampled = sample.result(conn)
        result.total, result.total_estimate = total, estimate
        result.facets = _facet_values(conn, counts, estimate=sampled)
        result.facets_estimate = sampled

    counting = (
        parallel.submit(
            partial(
                _within,
                work=lambda helper, _: _count_broad(helper, sample),
                compiled=compiled,
                time_limit=time_limit,
            )
        )
        if parallel is not None
        else None
    )
    try:
        if order == RELEVANCE:
            page = _subject_page(conn, subject, limit, offset) if subject else None
            if page is None:  # too few subject matches: the best of every match
                result.subject = []
                page = _best(conn, compiled, limit, offset)
        else:
            page = _newest_matches(conn, compiled, limit, offset)
    except BaseException:
        if counting is not None:
            counting.cancel()  # if it has not started; else the time limit ends it
        raise
    return page, count


def _run(
    conn: sqlite3.Connection,
    compiled: Compiled,
    result: SearchResult,
    facets: bool,
    analyzer: Analyzer,
    time_limit: TimeLimit,
    parallel: ParallelReader | None = None,
) -> tuple[list, dict[int, str]]:
    """The ranked page with its documents and snippets; sets the total and facets on `result`."""
    page, count = _rank_and_count(conn, compiled, result, facets, time_limit, parallel)
    try:
        rowids = [row[0] for row in page]
        documents = {}
        if rowids:
            marks = ", ".join("?" for _ in rowids)
            for row in conn.execute(
                "select rowid, id, title, doc_type, date, url, number, status, municipality, "
                f"source, coalesce(summary, substr(text, 1, 1000)) from documents "
                f"where rowid in ({marks})",
                rowids,
            ):
                documents[row[0]] = row
        rows = [(*documents[rid], score, tier) for rid, score, tier, *_ in page if rid in documents]
        found = _snippets(conn, compiled, rowids, analyzer, time_limit)
    finally:
        # Also when the snippets failed: a helper still counting finishes (or is stopped by the
        # time limit) before the search answers.
        count()
    return rows, found


def broad_note(result: SearchResult) -> str | None:
    """What a broad search did, in Danish, for the page (None when nothing needs saying)."""
    counted = ""
    if result.total_estimate or result.facets_estimate:
        estimate = "Antallet og tallene" if result.total_estimate else "Tallene"
        counted = (
            f" {estimate} ved filtrene er skønnet ud fra et udsnit. Flere ord eller et filter "
            "gør søgningen præcis."
        )
    if not result.subject:  # newest first, or ranked in full: the order is exact
        return f"Søgningen er bred.{counted}" if counted else None
    fields = [SUBJECT_LABELS[c] for c in result.subject]
    named = fields[0] if len(fields) == 1 else ", ".join(fields[:-1]) + " eller " + fields[-1]
    return (
        f"Søgningen er bred, så træfferne er rangeret efter ordene i {named}; dokumenter, der "
        f"kun nævner dem i teksten, kommer ikke øverst.{counted}"
    )


def _documents(count: int) -> str:
    return "dokument" if count == 1 else "dokumenter"


def _fill(
    conn: sqlite3.Connection,
    compiled: Compiled,
    parsed: ParsedQuery,
    result: SearchResult,
    analyzer: Analyzer,
    shown: int,
    time_limit: TimeLimit,
) -> tuple[list, dict[int, str]]:
    """The documents with some of the words (most first) after the few with all of them:
    the rows that complete this page, and their snippets. Adds their number to `result.total`.
    """
    exact_rowids = _rowids(conn, _matches_sql(compiled, scored=False), query_params(compiled))
    relaxed = compile_query(conn, parsed, analyzer, relaxed=True)
    if len(exact_rowids):
        relaxed.filters.append(f"d.rowid not in ({', '.join(map(str, exact_rowids.tolist()))})")
    wanted = result.limit - shown
    more = SearchResult(
        query=result.query,
        limit=max(1, wanted),
        offset=max(0, result.offset - result.exact_total),
        order=result.order,
    )
    rows, snippets = _run(conn, relaxed, more, False, analyzer, time_limit)
    result.total += more.total
    return (rows if wanted > 0 else []), snippets


def _plain_rows(function: Callable) -> Callable:
    """Run `function(conn, ...)` with `conn` giving plain tuples (db/sqlite.py `plain_rows`)."""

    @wraps(function)
    def with_plain_rows(conn: sqlite3.Connection, *args, **kwargs):
        with plain_rows(conn):
            return function(conn, *args, **kwargs)

    return with_plain_rows


@_plain_rows
def search(
    conn: sqlite3.Connection,
    text: str,
    *,
    filters: list[FieldFilter] | None = None,
    limit: int = 10,
    offset: int = 0,
    facets: bool = True,
    analyzer: Analyzer | None = None,
    parallel: ParallelReader | None = None,
    order: str = RELEVANCE,
    fill: bool = False,
) -> SearchResult:
    """Search the database; any text gives hits or a Danish message, never an exception.

    `fill`: when fewer than FILL_TO documents have every word, go on with those that have most
    of them (hit.partial); the site, its JSON and the CLI ask for it. Without it, only a search
    where no document has every word shows those with some of them.
    `parallel`: helper threads on the same database that count the facets meanwhile.
    `order`: RELEVANCE, or NEWEST (then an empty query lists every document, newest first).
    Raises SearchUnavailable only when the database has no analysed index at all.
    """
    analyzer = analyzer or default_analyzer()
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    order = order if order in ORDERS else RELEVANCE
    too_long = query_too_long(text)
    if too_long:
        return SearchResult(
            query=text[:MAX_QUERY_CHARS], limit=limit, offset=offset, message=too_long
        )
    result = SearchResult(query=text or "", limit=limit, offset=offset, order=order)
    partial_rowids: set[int] = set()
    stale = check_index(conn, analyzer)
    parsed = parse(text or "", analyzer)
    parsed.filters += filters or []
    # Newest first, no words at all list everything; words that come to nothing ("*") do not.
    if parsed.is_empty and (order == RELEVANCE or (text or "").strip()):
        result.notes = parsed.notes
        result.message = "Skriv et eller flere søgeord, fx: hjemvist fleksjob eller 101-17."
        return result
    compiled = compile_query(conn, parsed, analyzer)
    result.notes = compiled.notes + ([stale] if stale else [])
    time_limit = TimeLimit(TIME_LIMIT_S)
    try:
        with time_limit.watching(conn):
            rows, found = _run(conn, compiled, result, facets, analyzer, time_limit, parallel)
            result.exact_total = result.total
            relax = (
                RELAX_WHEN_EMPTY
                and order == RELEVANCE
                and len(parsed.positive) > 1
                and result.total < (FILL_TO if fill else 1)
            )
            if relax and result.total == 0:
                relaxed = compile_query(conn, parsed, analyzer, relaxed=True)
                relaxed_rows, relaxed_snippets = _run(
                    conn, relaxed, result, facets, analyzer, time_limit, parallel
                )
                if result.total:
                    compiled, rows, found = relaxed, relaxed_rows, relaxed_snippets
                    partial_rowids = {row[0] for row in rows}
                    result.relaxed = True
                    result.notes.append(
                        "Ingen dokumenter indeholder alle ordene; her er dem, der har nogle af dem."
                    )
            elif relax:
                more, more_snippets = _fill(
                    conn, compiled, parsed, result, analyzer, len(rows), time_limit
                )
                rows += more
                found.update(more_snippets)
                partial_rowids = {row[0] for row in more}
                if result.total > result.exact_total:
                    result.notes.append(
                        f"Kun {result.exact_total} {_documents(result.exact_total)} indeholder "
                        "alle ordene; derefter følger dem, der matcher nogle af ordene."
                    )
    except sqlite3.OperationalError as exc:
        if "interrupt" in str(exc):
            result.message = "Søgningen tog for lang tid. Prøv med flere eller mere præcise ord."
            return result
        raise
    finally:
        time_limit.stop()
    result.fts = compiled.fts
    if result.broad and (note := broad_note(result)):
        result.notes.append(note)
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
                snippet=found.get(rowid) or snippets.lead(summary) or "",
                score=round(-score, 4) + 0.0,
                number=number,
                status=status,
                municipality=municipality,
                source=source,
                exact_number=rowid in exact,
                partial=rowid in partial_rowids,
            )
        )
    if result.total == 0 and not result.message:
        result.message = f"Ingen dokumenter matcher {text.strip()!r}."
    return result
