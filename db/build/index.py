"""The Danish full-text index over `documents`, and the vocabulary the query side expands with.

`documents_fts` is an FTS5 table with external content: the original text stays in `documents`,
and what is indexed is the analysed term stream from db/analyzer.py, one term per token. FTS5
reads the original text back (tokenized with the same `unicode61` settings) for `snippet()` and
`highlight()`, so the marks land on the words the document actually uses.

The content table is named as `content='documents'` on purpose: Datasette and sqlite-utils only
recognise `content="documents"` or `content=[documents]`, so neither offers to search, populate
or rebuild this index with unanalysed text. Never run the FTS5 rebuild or integrity-check
commands on it, nor sqlite-utils `enable_fts`/`populate_fts`/`rebuild_fts`: they would read the
original text and index it unanalysed. `verify_index` checks that the index still holds analysed
terms at the positions of the original words.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from multiprocessing.pool import AsyncResult

import sqlite_utils

from retskilde.db.analysis.analyzer import Analyzer, default_analyzer
from retskilde.db.analysis.tokenchars import FTS_TOKENIZE
from retskilde.db.build import attributes
from retskilde.db.settings import can_fork, worker_count
from retskilde.db.sqlite import sqlite3
from retskilde.db.tables import (
    ATTRIBUTE_COLUMNS,
    ATTRIBUTES_TABLE,
    FACET_COLUMNS,
    FACET_KEYS_TABLE,
    FTS_COLUMNS,
    FTS_TABLE,
    RANK_TABLE,
    SEARCH_TABLES,
    SETTINGS_TABLE,
    SUBJECT_COLUMNS,
    SUBJECT_FTS_TABLE,
    TERMS_TABLE,
    TOPIC_SETS_TABLE,
    VOCABULARY_TABLE,
)

_BATCH = 1000
# FTS5 keeps this much of the index in memory before it writes a segment (its default is 1 MB).
# Fewer, larger segments while loading: the load is twice as fast and 'optimize' has less to
# merge (bench/bench_search.py). Set back to the default once the index is whole.
LOAD_HASH_SIZE = 64 * 1024 * 1024
DEFAULT_HASH_SIZE = 1024 * 1024
# Parts shorter than this only expand when the lexicon names them (no "syg" -> "sygedagpenge").
MIN_PART_LENGTH = 5
MIN_REST_LENGTH = 3
LINKING_LETTERS = ("s", "e")


class IndexMismatch(RuntimeError):
    """The index does not hold the analysed terms of the documents it points at."""


def create_index(conn: sqlite3.Connection) -> None:
    """Create the empty search tables: both FTS5 indexes, the vocabulary and term tables, the
    settings, and the attribute, facet, ranking and topic tables."""
    for table, columns in ((FTS_TABLE, FTS_COLUMNS), (SUBJECT_FTS_TABLE, SUBJECT_COLUMNS)):
        conn.execute(
            f"create virtual table {table} using fts5({', '.join(columns)}, "
            f"content='documents', content_rowid='rowid', tokenize='{FTS_TOKENIZE}')"
        )
    conn.execute(
        f"create table {VOCABULARY_TABLE} (part text not null, term text not null, "
        "docs integer not null, part_docs integer not null, primary key (part, term)) "
        "without rowid"
    )
    conn.execute(
        f"create table {TERMS_TABLE} (term text primary key, docs integer not null) without rowid"
    )
    conn.execute(f"create table {SETTINGS_TABLE} (key text primary key, value text not null)")
    columns = ", ".join(ATTRIBUTE_COLUMNS)
    conn.execute(
        f"create table {ATTRIBUTES_TABLE} (doc_rowid integer primary key, {columns}, "
        "facet_key integer not null, recency integer, topic_key integer not null default 0)"
    )
    conn.execute(
        f"create table {FACET_KEYS_TABLE} (facet_key integer primary key, "
        f"{', '.join(FACET_COLUMNS)})"
    )
    conn.execute(
        f"create table {RANK_TABLE} (doc_rowid integer primary key, facet_key integer not null, "
        "historisk integer not null, recency integer not null, "
        "topic_key integer not null default 0)"
    )
    # Newest first without sorting every match: a broad search reads documents in this order
    # and asks FTS5 which of them match (db/search/__init__.py).
    conn.execute(f"create index {RANK_TABLE}_recency on {RANK_TABLE}(recency)")
    conn.execute(
        f"create table {TOPIC_SETS_TABLE} (topic_key integer not null, topic_id text not null, "
        "primary key (topic_key, topic_id)) without rowid"
    )


def drop_index(conn: sqlite3.Connection) -> None:
    """Remove the search index, so `index_documents` can build it anew (with another analyzer)."""
    for table in SEARCH_TABLES:
        conn.execute(f"drop table if exists {table}")


def store_settings(conn: sqlite3.Connection, analyzer: Analyzer, documents: int) -> None:
    """Record what the index was built with, for the search to check and cache by."""
    conn.executemany(
        f"insert or replace into {SETTINGS_TABLE}(key, value) values (?, ?)",
        [
            ("analyzer", analyzer.fingerprint),
            ("tokenize", FTS_TOKENIZE),
            ("documents", str(documents)),
        ],
    )


def analysed_rows(rows: Iterable[tuple], analyzer: Analyzer) -> Iterator[tuple]:
    """(rowid, *FTS_COLUMNS) rows with every text replaced by its analysed terms."""
    stream = analyzer.stream
    for rowid, *texts in rows:
        yield (rowid, *[stream(text) if text else "" for text in texts])


# The analysis runs in this many forked processes while this one feeds FTS5, unless the caller
# or $RETSKILDE_INDEX_WORKERS says otherwise; 0 analyses in this process. The index is the same.
INDEX_WORKERS_VARIABLE = "RETSKILDE_INDEX_WORKERS"
# Below this many documents, starting processes costs more than it saves.
_PARALLEL_MINIMUM = 4 * _BATCH
_worker_analyzer: Analyzer | None = None


def index_workers(workers: int | None = None) -> int:
    """How many processes analyse text while the index is filled (0: this process does)."""
    if workers is None:
        # One core feeds FTS5; the analysis, the larger half of the work, gets the others.
        workers = worker_count(INDEX_WORKERS_VARIABLE, (os.cpu_count() or 1) - 1)
    return max(0, workers) if can_fork() else 0


def _start_worker(analyzer: Analyzer) -> None:
    global _worker_analyzer
    _worker_analyzer = analyzer


def _encoded_rows(rows: list[tuple], analyzer: Analyzer) -> list[tuple]:
    """`analysed_rows` for rows whose texts are UTF-8 bytes, answered in UTF-8 bytes."""
    stream = analyzer.encoded_stream
    return [
        (rowid, *[stream(value.decode()) if value else b"" for value in values])
        for rowid, *values in rows
    ]


def _analyse_in_worker(rows: list[tuple]) -> list[tuple]:
    assert _worker_analyzer is not None
    return _encoded_rows(rows, _worker_analyzer)


def analysed_batches(
    batches: Iterable[list[tuple]], analyzer: Analyzer, workers: int
) -> Iterator[list[tuple]]:
    """`analysed_rows` of each batch, in order; analysed by `workers` forked processes if any.

    With workers, the texts travel as UTF-8 bytes both ways (read with `cast(… as blob)`,
    inserted with `cast(? as text)`): the process that feeds FTS5 is the bottleneck, and bytes
    cross the process boundary and SQLite's bindings as plain copies, where text would be
    decoded and encoded again on each side.
    """
    if workers <= 0:
        for rows in batches:
            yield list(analysed_rows(rows, analyzer))
        return
    # Forked, the workers inherit the analyzer with its lexicon and cache instead of a copy.
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_start_worker, initargs=(analyzer,)) as pool:
        pending: deque[AsyncResult] = deque()
        for rows in batches:
            pending.append(pool.apply_async(_analyse_in_worker, (rows,)))
            # Two batches a worker in flight: enough to keep them busy, little held in memory.
            if len(pending) >= 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def fill_index(
    conn: sqlite3.Connection, analyzer: Analyzer, workers: int | None = None, batch: int = _BATCH
) -> int:
    """Insert the analysed text of every document; returns the number of documents.

    `workers`: processes that analyse the text meanwhile; by default `index_workers()` when
    there are enough documents to pay for starting them, else none.
    """
    if workers is None:
        # Read the setting even when it goes unused, so a bad value is reported on any corpus.
        configured = index_workers()
        total = conn.execute("select count(*) from documents").fetchone()[0]
        workers = configured if total >= _PARALLEL_MINIMUM else 0
    else:
        workers = index_workers(workers)
    # Merging segments while loading is wasted work: 'optimize' merges everything once below.
    for table in (FTS_TABLE, SUBJECT_FTS_TABLE):
        conn.execute(f"insert into {table}({table}, rank) values ('automerge', 0)")
        conn.execute(
            f"insert into {table}({table}, rank) values ('hashsize', ?)", (LOAD_HASH_SIZE,)
        )
    read = conn.cursor()
    wire = "cast({} as blob)" if workers else "{}"
    selected = ", ".join(wire.format(column) for column in FTS_COLUMNS)
    read.execute(f"select rowid, {selected} from documents order by rowid")
    inserts = _inserts(workers > 0)
    count = 0
    batches = iter(lambda: read.fetchmany(batch), [])
    for rows in analysed_batches(batches, analyzer, workers):
        _write_both(conn, inserts, rows)
        count += len(rows)
    for table in (FTS_TABLE, SUBJECT_FTS_TABLE):
        conn.execute(f"insert into {table}({table}) values ('optimize')")
        conn.execute(f"insert into {table}({table}, rank) values ('automerge', 4)")
        conn.execute(
            f"insert into {table}({table}, rank) values ('hashsize', ?)", (DEFAULT_HASH_SIZE,)
        )
    return count


def _write_both(conn: sqlite3.Connection, statements: tuple[str, str], rows: list[tuple]) -> None:
    """Run `_inserts`' two statements on analysed rows: whole rows into the whole index, the
    same rows without the text (the last value) into the subject index."""
    whole, subject = statements
    conn.executemany(whole, rows)
    conn.executemany(subject, [row[:-1] for row in rows])


def _inserts(as_bytes: bool = False, delete: bool = False) -> tuple[str, str]:
    """The INSERTs that add (or with `delete`, take out) a row of analysed terms in the whole
    index and in the subject index; `as_bytes`: the terms come as UTF-8 bytes."""
    statements = []
    for table, columns in ((FTS_TABLE, FTS_COLUMNS), (SUBJECT_FTS_TABLE, SUBJECT_COLUMNS)):
        marks = ", ".join("cast(? as text)" if as_bytes else "?" for _ in columns)
        command = f"{table}, " if delete else ""
        value = "'delete', " if delete else ""
        statements.append(
            f"insert into {table}({command}rowid, {', '.join(columns)}) values ({value}?, {marks})"
        )
    return statements[0], statements[1]


def index_terms(conn: sqlite3.Connection) -> dict[str, int]:
    """Every term in the index with the number of documents that contain it."""
    conn.execute(
        f"create virtual table if not exists temp.{FTS_TABLE}_terms "
        f"using fts5vocab(main, {FTS_TABLE}, 'row')"
    )
    try:
        return dict(conn.execute(f"select term, doc from temp.{FTS_TABLE}_terms"))
    finally:
        conn.execute(f"drop table temp.{FTS_TABLE}_terms")


def _left_part(left: str, terms: dict[str, int], analyzer: Analyzer) -> str | None:
    """The indexed term a compound's first part stands for ("hjemvisnings" -> "hjemvis")."""
    candidates = [left]
    if left[-1] in LINKING_LETTERS:
        candidates.append(left[:-1])
    for candidate in candidates:
        if len(candidate) < MIN_REST_LENGTH:
            continue
        term = analyzer.term(candidate)
        if term in terms or term in analyzer.compound_parts:
            return term
    return None


def compound_pairs(terms: dict[str, int], analyzer: Analyzer) -> set[tuple[str, str]]:
    """(part, compound) pairs: a compound is a term that splits into two known parts.

    "Known" means the part is itself a term of the index (or named in the lexicon), so
    "fleksjobordning" = "fleksjob" + "ordning" counts, "kommunikation" = "kommun" + "ikation" does
    not. Linking letters (s, e) between the parts are allowed.
    """
    pairs: set[tuple[str, str]] = set()
    lexicon_parts = analyzer.compound_parts
    for term in terms:
        if len(term) < 2 * MIN_REST_LENGTH or not term.isalpha():
            continue
        for cut in range(MIN_REST_LENGTH, len(term) - MIN_REST_LENGTH + 1):
            # The end must be known (a term, or a lexicon part); the start is known when its
            # analysed form is a term. A lexicon part at the end may follow any modifier
            # ("princip" + "afgør"), so "pension" + "ist" is no compound but this is.
            right = term[cut:]
            if right not in terms and right not in lexicon_parts:
                continue
            left_part = _left_part(term[:cut], terms, analyzer)
            if left_part is None and right not in lexicon_parts:
                continue
            if left_part is not None and (
                len(left_part) >= MIN_PART_LENGTH or left_part in lexicon_parts
            ):
                pairs.add((left_part, term))
            if len(right) >= MIN_PART_LENGTH or right in lexicon_parts:
                pairs.add((right, term))
    return {(part, term) for part, term in pairs if part != term}


def store_terms(conn: sqlite3.Connection) -> None:
    """Fill the term table from the whole index (a full build)."""
    conn.execute(f"delete from {TERMS_TABLE}")
    conn.executemany(
        f"insert into {TERMS_TABLE}(term, docs) values (?, ?)", sorted(index_terms(conn).items())
    )


def document_terms(rows: Iterable[tuple]) -> Counter[str]:
    """How many of the analysed rows (rowid, *FTS_COLUMNS streams) have each term: what the
    index's document counts change by when they are added or removed."""
    counts: Counter[str] = Counter()
    for _, *streams in rows:
        counts.update(set(" ".join(stream for stream in streams if stream).split()))
    return counts


def update_terms(conn: sqlite3.Connection, delta: Counter[str]) -> None:
    """Add `delta` (documents per term, negative for removed ones) to the term table."""
    conn.executemany(
        f"insert into {TERMS_TABLE}(term, docs) values (?, ?) "
        "on conflict(term) do update set docs = docs + excluded.docs",
        sorted((term, count) for term, count in delta.items() if count),
    )
    conn.execute(f"delete from {TERMS_TABLE} where docs <= 0")


def fill_vocabulary(conn: sqlite3.Connection, analyzer: Analyzer) -> int:
    """Store which indexed compounds contain which parts; returns the number of pairs."""
    terms = dict(conn.execute(f"select term, docs from {TERMS_TABLE}"))
    pairs = sorted(compound_pairs(terms, analyzer))
    conn.execute(f"delete from {VOCABULARY_TABLE}")
    conn.executemany(
        f"insert into {VOCABULARY_TABLE}(part, term, docs, part_docs) values (?, ?, ?, ?)",
        ((part, term, terms[term], terms.get(part, 0)) for part, term in pairs),
    )
    return len(pairs)


def index_documents(db: sqlite_utils.Database, analyzer: Analyzer | None = None) -> None:
    """Create and fill `documents_fts` and `search_vocabulary` from the `documents` table."""
    analyzer = analyzer or default_analyzer()
    conn = db.conn
    create_index(conn)
    attributes.fill_all(conn)
    documents = fill_index(conn, analyzer)
    store_terms(conn)
    fill_vocabulary(conn, analyzer)
    store_settings(conn, analyzer, documents)


def _sample_rowids(conn: sqlite3.Connection, samples: int) -> list[int]:
    total = conn.execute("select count(*) from documents").fetchone()[0]
    step = max(1, total // samples)
    return [
        rowid
        for (rowid,) in conn.execute(
            "select rowid from documents where rowid % ? = 0 or rowid = 1 limit ?",
            (step, samples),
        )
    ]


# What verify_index reads of each sampled text: this many bytes at each end, and the index's
# terms for this many tokens there, whatever the size of the text. highlight() over a whole
# text costs the square of how often the highlighted word recurs in it (30 s for one 5 MB
# repetitive text); a phrase query costs the length of its words' position lists in the one
# document (bench/bench_verify.py measures both).
VERIFY_WINDOW = 6000
VERIFY_PHRASE = 8
_WINDOWS = "verify_windows"


def _whole_tokens(window: str, analyzer: Analyzer, cut_start: bool, cut_end: bool) -> list[str]:
    """The tokens of `window`, without one cut in two by the window's start or end."""
    found = list(analyzer.finditer(window))
    if cut_start and found and found[0][0] == 0:
        found = found[1:]
    if cut_end and found and found[-1][1] == len(window):
        found = found[:-1]
    return [token for _, _, token in found]


def _phrase(analyzer: Analyzer, tokens: list[str]) -> str:
    # Terms are token characters only, so none can close the quotes.
    return '"' + " ".join(analyzer.term(token) for token in tokens) + '"'


def _check_tokenizer(conn: sqlite3.Connection, analyzer: Analyzer, windows: list[tuple]) -> None:
    """The old whole-text proof, on the windows only: index each window's analysed stream in a
    temporary FTS5 table over the window's text, and check that highlight() marks exactly the
    words whose term was searched. FTS5 reads the window with `unicode61`, so this fails when
    the analyzer's tokens are not the tokens FTS5 sees (which would shift every snippet)."""
    try:
        conn.execute(f"create temp table {_WINDOWS} (text text)")
        conn.execute(
            f"create virtual table temp.{_WINDOWS}_fts using fts5(text, content='{_WINDOWS}', "
            f"content_rowid='rowid', tokenize='{FTS_TOKENIZE}')"
        )
        for number, (_, window) in enumerate(windows, start=1):
            conn.execute(f"insert into {_WINDOWS}(rowid, text) values (?, ?)", (number, window))
            conn.execute(
                f"insert into {_WINDOWS}_fts(rowid, text) values (?, ?)",
                (number, analyzer.stream(window)),
            )
        for number, (doc_id, window) in enumerate(windows, start=1):
            tokens = analyzer.tokens(window)
            # The last token: a misaligned tokenizer shows most clearly at the end.
            term = analyzer.term(tokens[-1])
            row = conn.execute(
                f"select highlight({_WINDOWS}_fts, 0, char(2), char(3)) from {_WINDOWS}_fts "
                f"where {_WINDOWS}_fts match ? and rowid = ?",
                (f'"{term}"', number),
            ).fetchone()
            marked = (
                [] if row is None else [p.split("\x03", 1)[0] for p in row[0].split("\x02")[1:]]
            )
            wrong = [word for word in marked if analyzer.term(word) != term]
            expected = sum(1 for token in tokens if analyzer.term(token) == term)
            if wrong or len(marked) != expected:
                raise IndexMismatch(
                    f"{doc_id}: søgning på {term!r} markerer {marked[:5]!r} i stedet for de ord, "
                    "der er indekseret; analysen deler ikke teksten i de ord, FTS5 ser"
                )
    finally:
        conn.execute(f"drop table if exists temp.{_WINDOWS}_fts")
        conn.execute(f"drop table if exists temp.{_WINDOWS}")


def verify_index(
    conn: sqlite3.Connection, analyzer: Analyzer | None = None, samples: int = 25
) -> int:
    """Check, on a sample of documents, that the index holds the analysed terms of their text.

    For each sampled document, in time bounded whatever the size of its text: the index must
    hold the analysed terms of its first words at the first positions (`^"…"`) and those of its
    last words as a phrase, under its rowid; and the analyzer must split the start and the end
    of the text into the words FTS5 sees there. Raises IndexMismatch naming the document when
    the index and `documents` disagree (text indexed unanalysed, rowids changed, a different
    analyzer or tokenizer). Returns the documents checked.
    """
    analyzer = analyzer or default_analyzer()
    documents = conn.execute("select count(*) from documents").fetchone()[0]
    ranked = conn.execute(f"select count(*) from {RANK_TABLE}").fetchone()[0]
    if ranked != documents:
        raise IndexMismatch(f"{RANK_TABLE} har {ranked} rækker, documents har {documents}")
    # FTS5 keeps one size row per indexed document.
    subject = conn.execute(f"select count(*) from {SUBJECT_FTS_TABLE}_docsize").fetchone()[0]
    if subject != documents:
        raise IndexMismatch(
            f"{SUBJECT_FTS_TABLE} har {subject} dokumenter, documents har {documents}"
        )
    checked = 0
    windows: list[tuple[str, str]] = []
    for rowid in _sample_rowids(conn, samples):
        # In bytes, not characters: SQLite would count the characters of the whole text to
        # find the last ones. A character cut in two at the window's edge is dropped.
        doc_id, head, tail = conn.execute(
            "select id, substr(cast(text as blob), 1, ?1), "
            "case when length(cast(text as blob)) > ?1 then substr(cast(text as blob), -?1) end "
            "from documents where rowid = ?2",
            (VERIFY_WINDOW, rowid),
        ).fetchone()
        head = (head or b"").decode("utf-8", "ignore")
        tail = tail.decode("utf-8", "ignore") if tail is not None else None
        copied = conn.execute(
            f"select id from {ATTRIBUTES_TABLE} where doc_rowid = ?", (rowid,)
        ).fetchone()
        if copied is None or copied[0] != doc_id:
            raise IndexMismatch(f"{doc_id}: {ATTRIBUTES_TABLE} passer ikke til documents")
        first = _whole_tokens(head, analyzer, cut_start=False, cut_end=tail is not None)
        last = _whole_tokens(tail or head, analyzer, cut_start=tail is not None, cut_end=False)
        checks = []
        if first:
            checks.append((f"text : ^{_phrase(analyzer, first[:VERIFY_PHRASE])}", "de første"))
        if last:
            checks.append((f"text : {_phrase(analyzer, last[-VERIFY_PHRASE:])}", "de sidste"))
        if not checks:
            continue
        for query, where in checks:
            found = conn.execute(
                f"select 1 from {FTS_TABLE} where {FTS_TABLE} match ? and rowid = ?",
                (query, rowid),
            ).fetchone()
            if found is None:
                raise IndexMismatch(
                    f"{doc_id}: indekset har ikke termerne for tekstens {where} ord "
                    f"({query[:80]}); indekset passer ikke til teksten"
                )
        windows.extend((doc_id, w) for w in (head, tail) if w and analyzer.tokens(w))
        checked += 1
    if windows:
        _check_tokenizer(conn, analyzer, windows)
    return checked


def _indexed_rows(conn: sqlite3.Connection, rowids: list[int]) -> Iterator[list[tuple]]:
    """(rowid, *FTS_COLUMNS) of the documents `rowids`, a batch at a time."""
    columns = ", ".join(FTS_COLUMNS)
    for start in range(0, len(rowids), _BATCH):
        chunk = rowids[start : start + _BATCH]
        marks = ", ".join("?" for _ in chunk)
        yield conn.execute(
            f"select rowid, {columns} from documents where rowid in ({marks}) order by rowid",
            chunk,
        ).fetchall()


def unindex_documents(conn: sqlite3.Connection, rowids: list[int], analyzer: Analyzer) -> set:
    """Take the documents `rowids` out of the index and the search's tables, while `documents`
    still holds the text they were indexed with (an external-content index is told exactly
    which terms to remove). Returns their dates, for `reindex_documents`."""
    deletes = _inserts(delete=True)
    removed: Counter[str] = Counter()
    for rows in _indexed_rows(conn, rowids):
        analysed = list(analysed_rows(rows, analyzer))
        _write_both(conn, deletes, analysed)
        removed.update(document_terms(analysed))
    update_terms(conn, Counter({term: -count for term, count in removed.items()}))
    return attributes.forget_attributes(conn, rowids)


def reindex_documents(
    conn: sqlite3.Connection, rowids: list[int], analyzer: Analyzer, dates: set
) -> None:
    """Index the documents `rowids` (new, or taken out by `unindex_documents` before they
    changed) and give them their rows in the search's tables; the documents of the `dates`
    the removed ones had, and of the new ones', are numbered again by recency. Then the
    vocabulary and the settings. The rows come out as `index_documents` makes them; only the
    index's segments may be laid out differently."""
    inserts = _inserts()
    added: Counter[str] = Counter()
    for rows in _indexed_rows(conn, sorted(rowids)):
        analysed = list(analysed_rows(rows, analyzer))
        _write_both(conn, inserts, analysed)
        added.update(document_terms(analysed))
    update_terms(conn, added)
    dates = dates | attributes.fill_attributes(conn, rowids)
    attributes.refresh_recency(conn, dates)
    attributes.fill_topics(conn, rowids)
    attributes.finish_keys(conn)
    fill_vocabulary(conn, analyzer)
    documents = conn.execute("select count(*) from documents").fetchone()[0]
    store_settings(conn, analyzer, documents)
