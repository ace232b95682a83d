"""Turn a parsed query into what SQLite runs: FTS5 expressions over the analysed index (with
compounds from `search_vocabulary` and the lexicon's synonyms) and SQL conditions for the field
filters, resolved against this database's own values and, when present, the enrichment tables.
Values always travel as bound parameters; the SQL text holds only names and numbers we made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from retskilde.db.analysis.analyzer import Analyzer, default_analyzer
from retskilde.db.search.query import MAX_GROUPS, Alternative, FieldFilter, Group, ParsedQuery
from retskilde.db.sqlite import sqlite3
from retskilde.db.tables import (
    ATTRIBUTES_TABLE,
    FTS_TABLE,
    SETTINGS_TABLE,
    TERMS_TABLE,
    VOCABULARY_TABLE,
)
from retskilde.numbers import canonical_number

# Compounds added per query word, the most common first: each one is another phrase BM25
# scores on every match (at 100,000 documents, 30 made the median search twice as slow as 10).
MAX_EXPANSIONS = 10
# A word in this share of the documents (and at least COMMON_MIN_DOCS) is common: it finds
# plenty as it is, and each compound would be scored on all of its matches.
COMMON_SHARE = 0.01
COMMON_MIN_DOCS = 50
# The words a `prefix*` stands for at most, the most common first (`prefix_terms`).
MAX_PREFIX_TERMS = 64
# Rank documents that match the words as typed above those found only through compounds.
EXACT_FIRST = True
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
class Compiled:
    """A parsed query turned into FTS5 expressions and SQL conditions."""

    fts: str | None = None  # every positive group, negatives as NOT
    exact_fts: str | None = None  # the same without compounds, when that differs
    rest_fts: str | None = None  # the same without the decision-number groups
    negative_fts: str | None = None  # only the negatives, for queries without positives
    group_fts: list[str] = field(default_factory=list)  # relaxed: each positive group alone
    # A broad search ranks only the matches of this expression (db/search/__init__.py).
    subject_fts: str | None = None
    # Every match of subject_fts matches the whole query (no document needs checking).
    subject_complete: bool = False
    # A broad search's subject matches are taken only among the matches of `fts`.
    subject_within: bool = False
    # The phrases (as FTS5 strings) of each positive group, for a bound on the matches.
    group_phrases: list[list[str]] = field(default_factory=list)
    number_rowids: list[int] = field(default_factory=list)
    filters: list[str] = field(default_factory=list)  # SQL on alias "d"
    tier: str = "0"
    params: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # What a positive match looks like, for highlighting without FTS5 (see db/snippets.py).
    terms: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)


def in_fts(param: str, negate: bool = False) -> str:
    """SQL: the row (alias d) is (or is not) among the matches of the FTS expression `param`."""
    operator = "not in" if negate else "in"
    return f"d.rowid {operator} (select rowid from {FTS_TABLE} where {FTS_TABLE} match {param})"


# A quoted FTS5 phrase, with its prefix star if any.
PHRASE = re.compile(r'"(?:[^"]|"")*"\*?')


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
        self.relaxed = relaxed
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
        """The compounds a word also finds: always for the lexicon's parts; for other words
        only while the word itself is rare, where compounds add recall rather than cost."""
        if VOCABULARY_TABLE not in self.tables:
            return []
        limit = None if term in self.analyzer.compound_parts else self.common_from()
        return [
            row[0]
            for row in self.conn.execute(
                f"select term from {VOCABULARY_TABLE} where part = ? "
                "and (? is null or part_docs < ?) order by docs desc, term limit ?",
                (term, limit, limit, MAX_EXPANSIONS),
            )
        ]

    def common_from(self) -> int:
        """The document count from which a (non-lexicon) word counts as common."""
        row = self.conn.execute(
            f"select value from {SETTINGS_TABLE} where key = 'documents'"
        ).fetchone()
        return max(COMMON_MIN_DOCS, int(int(row[0]) * COMMON_SHARE)) if row else COMMON_MIN_DOCS

    def prefix_terms(self, prefix: str) -> list[str] | None:
        """The index's words that start with `prefix`, the most common first, or None when the
        database keeps no word list. FTS5 answers `prefix*` by merging the lists of every such
        word before it returns the first match, again for every seek (2 s at a million
        documents); the words themselves are ordinary phrases it reads lazily."""
        if TERMS_TABLE not in self.tables:
            return None
        rows = self.conn.execute(
            f"select term from {TERMS_TABLE} where term >= ? and term < ? "
            "order by docs desc, term limit ?",
            (prefix, prefix + "\U0010ffff", MAX_PREFIX_TERMS + 1),
        ).fetchall()
        terms = [term for (term,) in rows]
        if len(terms) > MAX_PREFIX_TERMS:
            self.note(
                f"{prefix}* passer på mange ord; søgningen bruger de {MAX_PREFIX_TERMS} "
                "hyppigste. Skriv flere bogstaver for at få resten med."
            )
            terms = terms[:MAX_PREFIX_TERMS]
        return terms

    def alternative(self, alt: Alternative, expand: bool) -> list[str]:
        if alt.kind == "prefix":
            self.out.prefixes.add(alt.terms[0])
            words = self.prefix_terms(alt.terms[0])
            if words is None:
                return [_quote(alt.terms[0]) + "*"]
            # No word at all: a phrase no document has, so the group finds nothing.
            return [_quote(word) for word in words] or [_quote(alt.terms[0])]
        self.out.terms.update(alt.terms)
        if alt.kind == "phrase":
            return [_quote(" ".join(alt.terms))]
        terms = [alt.terms[0]]
        if alt.expand and expand:
            terms += self.compounds(alt.terms[0])
            self.out.terms.update(terms)
        return [_quote(term) for term in terms]

    def group(self, group: Group, expand: bool = True) -> str:
        items = [item for alt in group.alternatives for item in self.alternative(alt, expand)]
        if group.paragraph is not None and len(group.paragraph.spellings) > 1:
            items += self.other_spellings(group.paragraph)
        return "(" + " OR ".join(dict.fromkeys(items)) + ")"

    def other_spellings(self, paragraph) -> list[str]:
        """ "§ 68a" also as "§ 68 a" and the other way round, with its stk. and nr."""
        rest = (["stk", paragraph.stk] if paragraph.stk else []) + (
            ["nr", paragraph.nr] if paragraph.nr else []
        )
        return [
            _quote(" ".join(self.analyzer.term(t) for t in [*form.split(), *rest]))
            for form in paragraph.spellings
            if form != paragraph.paragraph
        ]

    def text(self) -> None:
        positive = [g for g in self.parsed.positive]
        rest = [g for g in positive if not g.numbers]
        negative = [self.group(g) for g in self.parsed.negative]
        # Negative groups say what is not there; they are never highlighted.
        self.out.terms.clear()
        self.out.prefixes.clear()
        not_part = f" NOT ({' OR '.join(negative)})" if negative else ""
        if positive:
            groups = [self.group(g) for g in positive]
            self.out.group_phrases = [PHRASE.findall(g) for g in groups]
            self.out.fts = "(" + self.joiner.join(groups) + ")" + not_part
            if self.relaxed:
                self.out.group_fts = groups
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
        """The documents whose own number is one of `numbers` (any written form); a number
        without series also finds it with one ("28-95" finds D-28-95)."""
        rowids: list[int] = []
        for number in map(canonical_number, numbers):
            series = f"[A-Z]*-{number}" if number[0].isdigit() else number
            if {FTS_TABLE, ATTRIBUTES_TABLE} <= self.tables:
                # The number's words in the index's number field, then the exact number: the
                # series pattern begins with a character class, which no index on the number
                # can seek to, and reading every number took 80 ms at a million.
                words = " ".join(self.analyzer.term(t) for t in self.analyzer.tokens(number))
                rows = self.conn.execute(
                    f"select a.doc_rowid from {FTS_TABLE} f join {ATTRIBUTES_TABLE} a "
                    f"on a.doc_rowid = f.rowid where {FTS_TABLE} match ? "
                    "and (a.number = ? or a.number glob ?)",
                    (f"number : {_quote(words)}", number, series),
                )
            else:
                rows = self.conn.execute(
                    "select rowid from documents where number = ? or number glob ?",
                    (number, series),
                )
            rowids += [found for (found,) in rows]
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
        tagged_checks = []
        cited_checks = []
        for paragraph in self.parsed.paragraphs:
            # The source's tag may write a letter paragraph with or without the space.
            for form in paragraph.spellings:
                pattern = f"*§ {form}[^0-9a-z]*"
                tagged_checks.append(
                    f"(' ' || coalesce(d.paragraph, '') || ' ') glob {self.param(pattern)}"
                )
            if "law_references" in self.tables:
                # Through the index on (law_id, paragraph): a seek per law and one for the
                # references without a law, where `paragraph = ?` alone read every reference
                # (0.2 s at a million documents).
                mark = self.param(paragraph.spellings[0])
                cited_checks.append(
                    "d.id in (select document_id from law_references where law_id in "
                    f"(select id from laws) and paragraph = {mark} union all "
                    "select document_id from law_references where law_id is null "
                    f"and paragraph = {mark})"
                )
        # The source's own paragraph tag says what the decision is about; a citation in the
        # text only says the paragraph is mentioned, so the tag weighs more.
        if tagged_checks:
            parts.append(f"2 * ({' or '.join(tagged_checks)})")
        if cited_checks:
            parts.append(f"({' or '.join(cited_checks)})")
        if parts:
            self.out.tier = " + ".join(parts)
        if self.out.group_fts:
            # Relaxed: the documents with most of the words first, then by score.
            matched = " + ".join(
                f"(d.rowid in (select rowid from {FTS_TABLE} where {FTS_TABLE} match "
                f"{self.param(expression)}))"
                for expression in self.out.group_fts
            )
            self.out.tier = f"({self.out.tier}) * {MAX_GROUPS + 1} + {matched}"

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

    def distinct(self, column: str, table: str = ATTRIBUTES_TABLE) -> dict[str, list[str]]:
        """The values of a column, as options for match_labels."""
        if table not in self.tables:
            table = "documents"
        rows = self.conn.execute(
            f"select distinct {column} from {table} where {column} is not null"
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
        found = self.match_labels(item.value, self.distinct("outcome", "documents"))
        if not found:
            self.note(f"Udfaldet {item.value!r} findes ikke i databasen.")
        return f"d.rowid in (select rowid from documents where {self.in_list('outcome', found)})"

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
            present = {row[1] for row in self.conn.execute("pragma table_info(laws)")}
            wanted = ["id", "title", "short_name", "abbreviations", "names"]
            columns = ", ".join(c for c in wanted if c in present)
            options: dict[str, list[str]] = {}
            for row in self.conn.execute(f"select {columns} from laws"):
                # Lists (abbreviations, names) are JSON text; each entry is a name of its own.
                options[row[0]] = [
                    part for v in row if v for part in re.split(r"[,;\[\]\"]+", str(v)) if part
                ]
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
        text = in_fts(":rs_fts")
        if compiled.number_rowids:
            text = f"({text} or {number_condition(compiled)})"
        parts.append(text)
    elif compiled.negative_fts is not None:
        parts.append(in_fts(":rs_neg", negate=True))
    parts += compiled.filters
    sql = " and ".join(parts) or "1"
    return re.sub(r"\bd\.", f"{alias}.", sql) if alias != "d" else sql


def number_condition(compiled: Compiled) -> str:
    ids = ", ".join(str(r) for r in compiled.number_rowids)
    condition = f"d.rowid in ({ids})"
    if compiled.rest_fts is not None:
        condition += " and " + in_fts(":rs_rest")
    elif compiled.negative_fts is not None:
        condition += " and " + in_fts(":rs_neg", negate=True)
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
        params["rs_compound"] = f"({compiled.fts}) NOT ({compiled.exact_fts})"
    if compiled.negative_fts is not None:
        params["rs_neg"] = compiled.negative_fts
    if compiled.subject_fts is not None:
        params["rs_subject"] = compiled.subject_fts
    return params
