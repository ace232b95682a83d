"""Build the SQLite database from corpus/: validate, normalise, load, index, swap in atomically."""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from retskilde.contract import Problem, iter_records
from retskilde.db.build import generations
from retskilde.db.build.filecache import (
    FileCache,
    Seen,
    cache_line,
    cache_path,
    file_stamps,
    now_ns,
    scan,
    write_cache,
)
from retskilde.db.build.health import LoggedRun, RunLogError, load_health, read_run_logs
from retskilde.db.build.incremental import (
    HASHES_TABLE,
    Changes,
    build_fingerprint,
    content_name,
    create_build_tables,
    hashed,
    read_build_info,
    read_hashes,
    record_hash,
    reusable,
    store_build_info,
    update_database,
)
from retskilde.db.build.index import index_documents, verify_index
from retskilde.db.build.listcounts import fill_list_counts
from retskilde.db.build.normalise import document_row
from retskilde.db.build.schema import create_tables, insert_lookups
from retskilde.db.build.versions import HistoryError, history_files, load_versions
from retskilde.db.enrich import EnrichReport, enrich, enrichment_report
from retskilde.db.sqlite import sqlite3
from retskilde.db.tables import ATTRIBUTES_TABLE, VERSIONS_TABLE


class InvalidCorpus(Exception):
    """The corpus has records that break the contract; nothing was built."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} fejl i korpusset")


class BuildFileError(Exception):
    """A file the build needs cannot be written or read (the database folder is not writable,
    the disk is full, …); nothing was replaced."""

    def __init__(self, path: Path | str, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


@dataclass
class BuildReport:
    db_path: Path
    documents: int
    by_doc_type: dict[str, int] = field(default_factory=dict)
    enrichment: EnrichReport | None = None
    # Temporary files of earlier builds that were killed before they could clean up.
    removed_stale: list[Path] = field(default_factory=list)
    runs: int = 0  # lines of the scrapers' run logs read into source_runs
    # None for a build from nothing; else what the incremental build applied.
    changes: Changes | None = None
    # Why a build from nothing was made when it was not asked for (no usable earlier database).
    full_reason: str | None = None


def open_for_build(path: Path) -> sqlite_utils.Database:
    """A connection to a new database file that only the build writes, tuned for bulk loading."""
    db = sqlite_utils.Database(path)
    # The file is thrown away unless the whole build succeeds, so a crash needs no journal on
    # disk and no write needs to reach the disk before the end, where `_publish` flushes it once.
    db.conn.execute("pragma journal_mode = off")
    db.conn.execute("pragma synchronous = off")
    db.conn.execute("pragma cache_size = -65536")
    return db


def open_in_place(path: Path) -> sqlite_utils.Database:
    """A connection that updates a kept database: every transaction journaled, so a build
    killed midway leaves the file as it was before that transaction."""
    db = sqlite_utils.Database(path)
    db.conn.execute("pragma journal_mode = delete")
    db.conn.execute("pragma synchronous = full")
    db.conn.execute("pragma cache_size = -65536")
    return db


def _temp_path(db_path: Path, pid: int) -> Path:
    return db_path.with_name(f".{db_path.name}.{pid}.tmp")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_stale_files(db_path: Path) -> list[Path]:
    """Remove what builds of `db_path` killed midway left behind (the temporary database, its
    compacted copy, their journals); a build still running keeps its files."""
    pattern = re.compile(
        rf"\.{re.escape(db_path.name)}\.(\d+)\.tmp(\.vacuum)?(-journal|-wal|-shm)?"
    )
    removed = []
    try:
        candidates = sorted(db_path.parent.iterdir())
    except OSError:
        return removed  # no folder yet, or unreadable: writing will say so
    for path in candidates:
        match = pattern.fullmatch(path.name)
        if match is None or _alive(int(match.group(1))):
            continue
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        removed.append(path)
    return removed


_FILE_ERRORS = ("SQLITE_CANTOPEN", "SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_PERM")


def _file_error(exc: Exception, db_path: Path) -> BuildFileError | None:
    """The BuildFileError `exc` amounts to, or None when it is not about files."""
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
        return BuildFileError(exc.filename or db_path, f"kan ikke læses eller skrives ({reason})")
    name = getattr(exc, "sqlite_errorname", "") or ""
    if isinstance(exc, sqlite3.Error) and name.startswith(_FILE_ERRORS):
        # SQLite does not say which file; the temporary files sit beside the database.
        return BuildFileError(
            db_path.parent, f"databasen kan ikke skrives i denne mappe ({exc}, {name})"
        )
    return None


def _load(db: sqlite_utils.Database, records: Iterable[dict]) -> None:
    create_tables(db)
    insert_lookups(db)
    # Records come in id order (the rowids follow it) and go in as they are read: the corpus is
    # never in memory as a whole (at 100k documents a list of it was 1.4 GB of the peak).
    db["documents"].insert_all((document_row(r) for r in records), batch_size=500)


def _derive(
    db: sqlite_utils.Database, runs: list[LoggedRun], history: dict[str, tuple[Path, list[Path]]]
) -> EnrichReport:
    """Enrichment, facet counts, the sources' health, document history and the search index."""
    enrichment = enrich(db)
    fill_list_counts(db.conn)
    load_health(db, runs)
    _load_versions(db, history)
    index_documents(db)
    return enrichment


def _counted(records: Iterable[dict], counts: Counter) -> Iterator[dict]:
    for record in records:
        counts[record["doc_type"]] += 1
        yield record


def build(corpus: Path, db_path: Path, full: bool = False) -> BuildReport:
    """Build `db_path` from the records in `corpus`; the old file stays until the new is whole.

    The records are validated while they are loaded into a temporary file, which is thrown
    away when any of them breaks the contract. When `db_path` holds a database built by the
    same code (its build fingerprint), a copy of it is brought up to date with the records
    that are new, changed or gone (db/build/incremental.py), unless `full`; the rows are the same.
    """
    problems: list[Problem] = []
    counts: Counter[str] = Counter()
    records = _counted(iter_records(corpus, problems), counts)
    tmp_path = _temp_path(db_path, os.getpid())
    try:
        runs = read_run_logs(corpus)
    except RunLogError as exc:
        raise BuildFileError(exc.path, f"linje {exc.line}: {exc.reason}") from exc
    fingerprint = build_fingerprint()
    reason = None if full else reusable(db_path, fingerprint)
    changes = None
    started_ns = now_ns()
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        removed = remove_stale_files(db_path)
        bookkeeping = (runs, history_files(corpus))
        if full or reason is not None:
            enrichment, hashes = _write(
                records, problems, db_path, tmp_path, bookkeeping, fingerprint
            )
            files = [
                cache_line(name, stamp, stem, hashes[stem])
                for name, stem, stamp in file_stamps(corpus)
                if stem in hashes
            ]
        else:
            cache = FileCache.load(cache_path(db_path), fingerprint)
            seen = scan(corpus, problems, cache, record_hash)
            enrichment, changes = _update(
                seen, problems, db_path, tmp_path, bookkeeping, fingerprint
            )
            files = changes.files
            counts.update(dict(_doc_type_counts(db_path)))
        _write_file_cache(db_path, fingerprint, started_ns, files)
    except (OSError, sqlite3.Error) as exc:
        error = _file_error(exc, db_path)
        if error is None:
            raise
        # A broken corpus is reported as such even when the database cannot be written either.
        for _ in records:
            pass
        if problems:
            raise InvalidCorpus(problems) from None
        raise error from exc
    return BuildReport(
        db_path,
        sum(counts.values()),
        dict(sorted(counts.items())),
        enrichment,
        removed,
        len(runs),
        changes,
        reason,
    )


def _load_versions(db: sqlite_utils.Database, history: dict) -> None:
    try:
        load_versions(db, history)
    except HistoryError as exc:
        raise BuildFileError(exc.path, exc.reason) from exc


def _doc_type_counts(db_path: Path) -> list[tuple[str, int]]:
    # From the narrow attribute table: `documents` carries every text (13 GB at a million).
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute(
            f"select doc_type, count(*) from {ATTRIBUTES_TABLE} group by 1"
        ).fetchall()


def _write_file_cache(db_path: Path, fingerprint: str, started_ns: int, files: list) -> None:
    """Write the next build's file cache; without it that build only reads every file."""
    try:
        write_cache(cache_path(db_path), fingerprint, started_ns, files)
    except OSError:
        cache_path(db_path).unlink(missing_ok=True)


def _publish(generation: Path, db_path: Path, link_path: Path) -> None:
    with closing(sqlite3.connect(generation)) as conn:
        # VACUUM may renumber implicit rowids, which the external-content index relies on.
        verify_index(conn)
    generations.publish(generation, db_path, link_path)


def _write(
    records: Iterable[dict],
    problems: list[Problem],
    db_path: Path,
    tmp_path: Path,
    bookkeeping: tuple[list[LoggedRun], dict[str, tuple[Path, list[Path]]]],
    fingerprint: str,
) -> tuple[EnrichReport, dict[str, str]]:
    # The compacted copy is written straight to a file: pysqlite3's SQLite keeps temporary
    # databases in memory, so a plain VACUUM held the whole database in RAM (2.6 GB peak at
    # 100k documents).
    vacuumed = tmp_path.with_name(tmp_path.name + ".vacuum")
    for path in (tmp_path, vacuumed):
        path.unlink(missing_ok=True)
    try:
        db = open_for_build(tmp_path)
        try:
            hashes: list[tuple[str, str]] = []
            _load(db, hashed(records, hashes))
            if problems:
                raise InvalidCorpus(problems)
            create_build_tables(db.conn)
            db.conn.executemany(f"insert into {HASHES_TABLE} values (?, ?)", hashes)
            store_build_info(db.conn, fingerprint, "fuld", generation=content_name(hashes))
            enrichment = _derive(db, *bookkeeping)
            db.conn.commit()
            db.conn.execute("VACUUM INTO ?", (str(vacuumed),))
        finally:
            db.conn.close()
        spare = generations.spare_path(db_path)
        generations.replace_generation(vacuumed, spare)
        _publish(spare, db_path, tmp_path)
    finally:
        for path in (tmp_path, vacuumed):
            path.unlink(missing_ok=True)
    return enrichment, dict(hashes)


def _update(
    seen: Iterable[Seen],
    problems: list[Problem],
    db_path: Path,
    tmp_path: Path,
    bookkeeping: tuple[list[LoggedRun], dict[str, tuple[Path, list[Path]]]],
    fingerprint: str,
) -> tuple[EnrichReport, Changes]:
    """Bring the spare generation of the database at `db_path` up to date with `records` in
    place (made again from the published file first when it cannot be reused), then publish it.
    """
    tmp_path.unlink(missing_ok=True)
    try:
        started = time.perf_counter()
        spare = generations.spare_path(db_path)
        published_info = read_build_info(db_path)
        follows = read_build_info(spare).get("generation") == published_info.get("previous")
        if (
            follows
            and reusable(spare, fingerprint) is None
            and not generations.open_elsewhere(spare)
        ):
            published: dict[str, str] | None = read_hashes(db_path)
            catch_up = json.loads(published_info.get("changed_ids", "[]"))
        else:
            generations.copy_published(db_path, spare)
            published, catch_up = None, []
        copied = time.perf_counter() - started
        db = open_in_place(spare)
        try:
            changes = update_database(db, seen, problems, published, catch_up)
            if changes is None:
                raise InvalidCorpus(problems)
            changes.seconds["kopiere databasen"] = copied
            started = time.perf_counter()
            for table in ("source_runs", "source_health"):
                db[table].drop(ignore=True)
            load_health(db, bookkeeping[0])
            db[VERSIONS_TABLE].drop(ignore=True)
            _load_versions(db, bookkeeping[1])
            enrichment = enrichment_report(db)
            store_build_info(
                db.conn,
                fingerprint,
                "trinvis",
                previous=published_info.get("generation", ""),
                changed_ids=changes.new + changes.changed + changes.deleted,
            )
            db.conn.commit()
            started = changes.lap("kildernes sundhed", started)
        finally:
            db.conn.close()
        _publish(spare, db_path, tmp_path)
        changes.lap("tjekke og udgive", started)
    finally:
        tmp_path.unlink(missing_ok=True)
    return enrichment, changes
