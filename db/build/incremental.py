"""The incremental build: bring a copy of the previous database up to date with the corpus.

Each document's record has a hash (`document_hashes`); a record whose hash is unchanged is not
read into the database, analysed, enriched or indexed again. New, changed and deleted records
are applied to `documents`, the enrichment's tables, the search index and the tables computed
from the whole corpus, so the result holds the same rows a full build of the same corpus gives
(tests/test_incremental_build.py compares the two). Only the previous database's own build
fingerprint may be reused: a build whose code or data files differ starts from nothing.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

import retskilde
from retskilde.contract import read_record
from retskilde.db.analysis.analyzer import default_analyzer
from retskilde.db.build.filecache import Seen, cache_line
from retskilde.db.build.index import reindex_documents, unindex_documents
from retskilde.db.build.normalise import document_row
from retskilde.db.build.schema import DOCUMENT_COLUMNS
from retskilde.db.enrich import (
    enrich_documents,
    forget_documents,
)
from retskilde.db.sqlite import sqlite3
from retskilde.db.tables import LIST_COLUMNS, LIST_COUNTS_TABLE

HASHES_TABLE = "document_hashes"
BUILD_INFO_TABLE = "build_info"
# Rows of build_info that say how a database was built, not what it holds.
BUILD_INFO_KEYS = ("fingerprint", "mode", "generation", "previous", "changed_ids")
# The mode of a kept generation while a build updates it: until the build stores its own mode
# at the end, the file may hold some of the changes and not others.
UNFINISHED = "ufærdig"
_PACKAGE = Path(retskilde.__file__).resolve().parent
_ROOT = _PACKAGE.parent
# What the database's rows are computed with: the build's code and data files, the record
# contract and the decision numbers. Any change to them makes the next build a full one. The
# search (db/search/) only reads the rows: a change there needs no new build.
_BUILD_FILES = ("db", "retskilde/contract.py", "retskilde/numbers.py")
_NOT_BUILD = ("db/search",)
_BATCH = 500


def _build_files() -> list[Path]:
    files = []
    for name in _BUILD_FILES:
        path = _ROOT / name
        if path.is_dir():
            skipped = [_ROOT / name for name in _NOT_BUILD]
            files += [
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix in {".py", ".yml", ".txt", ".json"}
                and not any(folder in p.parents for folder in skipped)
            ]
        elif path.exists():
            files.append(path)
    files.append(Path(retskilde.SCHEMA_PATH))
    return sorted(set(files))


def build_fingerprint() -> str:
    """A hash of everything the rows of a database depend on besides the corpus."""
    digest = hashlib.sha256()
    for path in _build_files():
        digest.update(str(path.relative_to(_ROOT) if _ROOT in path.parents else path).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    digest.update(default_analyzer().fingerprint.encode())
    # FTS5's unicode61 tokenizer and the JSON functions come with SQLite, the table layout with
    # sqlite-utils: another version may index or store the same rows differently.
    digest.update(
        f"\0sqlite {sqlite3.sqlite_version}\0sqlite-utils {_sqlite_utils_version()}".encode()
    )
    return digest.hexdigest()


def _sqlite_utils_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sqlite-utils")
    except PackageNotFoundError:  # pragma: no cover - installed beside the build, always
        return "ukendt"


def record_hash(record: dict) -> str:
    """sha256 of the record in one canonical form (sorted keys, no spacing)."""
    canonical = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def create_build_tables(conn: sqlite3.Connection) -> None:
    conn.execute(
        f"create table if not exists {HASHES_TABLE} (id text primary key, sha256 text not null) "
        "without rowid"
    )
    conn.execute(
        f"create table if not exists {BUILD_INFO_TABLE} (key text primary key, value text not null)"
    )


def store_build_info(
    conn: sqlite3.Connection,
    fingerprint: str,
    mode: str,
    previous: str | None = None,
    changed_ids: list[str] | None = None,
    generation: str | None = None,
) -> None:
    """Say how the database was built: the code's fingerprint, the mode, a name for this
    generation, and for an incremental build the generation it followed and the ids it changed
    (what the generation before must catch up on, db/build/generations.py)."""
    conn.execute(f"delete from {BUILD_INFO_TABLE} where key in ('previous', 'changed_ids')")
    # A full build names its generation by its content, so building twice gives the same file.
    generation = generation or uuid.uuid4().hex
    rows = [("fingerprint", fingerprint), ("mode", mode), ("generation", generation)]
    if previous is not None:
        rows += [("previous", previous), ("changed_ids", json.dumps(changed_ids or []))]
    conn.executemany(f"insert or replace into {BUILD_INFO_TABLE}(key, value) values (?, ?)", rows)


def content_name(hashes: list[tuple[str, str]]) -> str:
    """A name for the generation holding the records with these (id, hash) pairs."""
    digest = hashlib.sha256()
    for doc_id, record_digest in sorted(hashes):
        digest.update(f"{doc_id}\0{record_digest}\n".encode())
    return digest.hexdigest()[:32]


def read_build_info(db_path: Path) -> dict[str, str]:
    """The build_info rows of the database at `db_path` (empty when there are none)."""
    try:
        with closing(sqlite3.connect(f"file:{db_path.resolve()}?mode=ro", uri=True)) as conn:
            return dict(conn.execute(f"select key, value from {BUILD_INFO_TABLE}"))
    except sqlite3.Error:
        return {}


def read_hashes(db_path: Path) -> dict[str, str]:
    with closing(sqlite3.connect(f"file:{db_path.resolve()}?mode=ro", uri=True)) as conn:
        return dict(conn.execute(f"select id, sha256 from {HASHES_TABLE}"))


def hashed(records: Iterable[dict], hashes: list[tuple[str, str]]) -> Iterable[dict]:
    """The records, with (id, hash) of each appended to `hashes` (of a full build)."""
    for record in records:
        hashes.append((record["id"], record_hash(record)))
        yield record


def reusable(db_path: Path, fingerprint: str) -> str | None:
    """Why the database at `db_path` cannot be updated in place, or None when it can."""
    if not db_path.exists():
        return "der er ingen tidligere database"
    try:
        uri = f"file:{db_path.resolve()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as conn:
            tables = {name for (name,) in conn.execute("select name from sqlite_master")}
            if not {HASHES_TABLE, BUILD_INFO_TABLE, "documents"} <= tables:
                return "den tidligere database har ingen byggeoplysninger"
            stored = dict(conn.execute(f"select key, value from {BUILD_INFO_TABLE}"))
    except sqlite3.Error as exc:
        return f"den tidligere database kan ikke læses ({exc})"
    if stored.get("fingerprint") != fingerprint:
        return "koden, skemaet, analysen eller berigelsen er ændret siden den tidligere build"
    if stored.get("mode") == UNFINISHED:
        return "den tidligere build af denne fil blev ikke færdig"
    return None


@dataclass
class Changes:
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    read: int = 0  # record files read (the others were known from the file cache)
    # Records added, replaced or removed in the generation updated (it may be a build behind
    # the published database, so this can exceed the changes reported above).
    applied: int = 0
    # The file cache's line of every record file (filecache.cache_line), for the next build.
    files: list[str] = field(default_factory=list, repr=False)
    # Seconds per step, for bench/bench_incremental.py.
    seconds: dict[str, float] = field(default_factory=dict)

    def lap(self, step: str, started: float) -> float:
        now = time.perf_counter()
        self.seconds[step] = self.seconds.get(step, 0.0) + now - started
        return now


def _select_in(conn: sqlite3.Connection, sql: str, ids: list[str]) -> Iterator[tuple]:
    """The rows of `sql` (with `{marks}` where the list of ids goes) for `ids`, _BATCH ids at a
    time, so no statement has more parameters than SQLite allows."""
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        yield from conn.execute(sql.format(marks=", ".join("?" for _ in chunk)), chunk)


def _rowids(conn: sqlite3.Connection, ids: list[str]) -> list[int]:
    sql = "select rowid from documents where id in ({marks})"
    return [rowid for (rowid,) in _select_in(conn, sql, ids)]


def _numbers(conn: sqlite3.Connection, ids: list[str]) -> set[str]:
    sql = "select number from documents where number is not null and id in ({marks})"
    return {n for (n,) in _select_in(conn, sql, ids)}


def _list_values(conn: sqlite3.Connection, ids: list[str], sign: int) -> None:
    """Add `sign` × the list values of the documents `ids` to temp.list_delta."""
    present = {row[1] for row in conn.execute("select * from pragma_table_info('documents')")}
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        marks = ", ".join("?" for _ in chunk)
        for column in LIST_COLUMNS:
            if column not in present:
                continue
            conn.execute(
                "insert into temp.list_delta select ?, value, ? * count(distinct d.rowid) "
                f"from documents d, json_each(d.{column}) j where j.type = 'text' "
                f"and d.id in ({marks}) group by j.value",
                (column, sign, *chunk),
            )


def _apply_list_delta(conn: sqlite3.Connection) -> None:
    conn.execute(
        f"insert into {LIST_COUNTS_TABLE}(list, value, documents) "
        "select list, value, sum(delta) from temp.list_delta where true group by list, value "
        "having sum(delta) != 0 "
        "on conflict(list, value) do update set documents = documents + excluded.documents"
    )
    conn.execute(f"delete from {LIST_COUNTS_TABLE} where documents = 0")
    conn.execute("drop table temp.list_delta")


def _spare_hashes(conn: sqlite3.Connection, ids: list[str]) -> dict[str, str]:
    sql = f"select id, sha256 from {HASHES_TABLE} where id in ({{marks}})"
    return dict(_select_in(conn, sql, ids))


def update_database(
    db: sqlite_utils.Database,
    files: Iterable[Seen],
    problems: list,
    published: dict[str, str] | None = None,
    catch_up: Iterable[str] = (),
) -> Changes | None:
    """Apply the record files (db/build/filecache.py's `scan`) to `db`, a kept generation of
    the database. Returns None when the records have problems (nothing is written then).

    `published`: id -> hash of the published database, when `db` is the generation before it
    (else `db` holds what is published); it is used up (a million entries are not copied).
    `catch_up`: the ids that build changed. The changes reported are those against the
    published database; what `db` gets is what it lacks.
    """
    conn = db.conn
    old = (
        published
        if published is not None
        else dict(conn.execute(f"select id, sha256 from {HASHES_TABLE}"))
    )
    catch_up = set(catch_up)
    changes = Changes()
    started = time.perf_counter()
    # id -> (hash, record or None, file) of every record the generation may lack.
    wanted: dict[str, tuple[str, dict | None, str]] = {}
    for seen in files:
        previous = old.pop(seen.id, None)
        changes.read += seen.record is not None
        changes.files.append(cache_line(seen.path, seen.stamp, seen.id, seen.hash or ""))
        if previous == seen.hash:
            changes.unchanged += 1
            if seen.id in catch_up:
                wanted[seen.id] = (seen.hash, seen.record, seen.path)
            continue
        record = seen.record
        if record is None:
            # The cache names a record this database does not hold: read it after all.
            record, file_problems = read_record(Path(seen.path))
            changes.read += 1
            problems.extend(file_problems)
            if record is None:
                continue
        digest = record_hash(record)
        changes.files[-1] = cache_line(seen.path, seen.stamp, seen.id, digest)
        (changes.new if previous is None else changes.changed).append(record["id"])
        wanted[record["id"]] = (digest, record, seen.path)
    if problems:
        return None
    changes.deleted = sorted(old)
    # What this generation lacks: the changes against the published database, and those the
    # published one got from the build before.
    ids = sorted(set(wanted) | set(changes.deleted) | catch_up)
    have = _spare_hashes(conn, ids)
    new_ids, changed_ids, deleted_ids = [], [], []
    rows: list[dict] = []
    hashes: list[tuple[str, str]] = []
    for doc_id in ids:
        entry = wanted.get(doc_id)
        if entry is None:
            if doc_id in have:
                deleted_ids.append(doc_id)
            continue
        digest, record, path = entry
        if have.get(doc_id) == digest:
            continue
        if record is None:
            record, file_problems = read_record(Path(path))
            changes.read += 1
            if record is None:
                problems.extend(file_problems)
                return None
        (new_ids if doc_id not in have else changed_ids).append(doc_id)
        rows.append(document_row(record))
        hashes.append((doc_id, digest))
    changes.applied = len(new_ids) + len(changed_ids) + len(deleted_ids)
    started = changes.lap("læse og hashe poster", started)
    if not changes.applied:
        return changes  # the documents and all that is computed from them stay as they are
    # Committed before anything else is written: if the build stops midway (some statements
    # commit on their own), the file says so and is not reused as it is.
    conn.execute(f"update {BUILD_INFO_TABLE} set value = ? where key = 'mode'", (UNFINISHED,))
    conn.commit()
    touched = changed_ids + deleted_ids
    analyzer = default_analyzer()
    conn.execute(
        "create temp table list_delta (list text not null, value text not null, delta integer)"
    )
    _list_values(conn, touched, -1)
    numbers = _numbers(conn, touched)
    dates = unindex_documents(conn, sorted(_rowids(conn, touched)), analyzer)
    forget_documents(db, touched)
    started = changes.lap("fjerne gamle rækker", started)
    for start in range(0, len(deleted_ids), _BATCH):
        chunk = deleted_ids[start : start + _BATCH]
        marks = ", ".join("?" for _ in chunk)
        conn.execute(f"delete from documents where id in ({marks})", chunk)
        conn.execute(f"delete from {HASHES_TABLE} where id in ({marks})", chunk)
    # Changed documents keep their row (and rowid); every column is written anew, the
    # enrichment's own columns included (they are filled again below).
    columns = list(DOCUMENT_COLUMNS)
    derived = [
        row[1]
        for row in conn.execute("select * from pragma_table_info('documents')")
        if row[1] not in DOCUMENT_COLUMNS
    ]
    assignments = ", ".join([f"{c} = :{c}" for c in columns] + [f"{c} = null" for c in derived])
    changed = set(changed_ids)
    conn.executemany(
        f"update documents set {assignments} where id = :id",
        [row for row in rows if row["id"] in changed],
    )
    marks = ", ".join(f":{c}" for c in columns)
    conn.executemany(
        f"insert into documents ({', '.join(columns)}) values ({marks})",
        [row for row in rows if row["id"] not in changed],
    )
    conn.executemany(f"insert or replace into {HASHES_TABLE} values (?, ?)", hashes)
    analysed = new_ids + changed_ids
    started = changes.lap("skrive dokumenter", started)
    numbers |= {row["number"] for row in rows if row["number"]}
    enrich_documents(db, analysed, numbers)
    started = changes.lap("berige", started)
    _list_values(conn, analysed, 1)
    _apply_list_delta(conn)
    started = changes.lap("nummerere og tælle", started)
    reindex_documents(conn, _rowids(conn, analysed), analyzer, dates)
    changes.lap("indeksere og søgetabeller", started)
    return changes
