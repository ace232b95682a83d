"""Build the SQLite database from corpus/: validate, normalise, load, index, swap in atomically."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from retskilde.contract import Problem, iter_records
from retskilde.db.build.health import LoggedRun, RunLogError, load_health, read_run_logs
from retskilde.db.build.index import index_documents, verify_index
from retskilde.db.build.listcounts import fill_list_counts
from retskilde.db.build.normalise import document_row
from retskilde.db.build.schema import create_tables, insert_lookups
from retskilde.db.build.versions import HistoryError, history_files, load_versions
from retskilde.db.enrich import EnrichReport, enrich
from retskilde.db.sqlite import sqlite3


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


def open_for_build(path: Path) -> sqlite_utils.Database:
    """A connection to a new database file that only the build writes, tuned for bulk loading."""
    db = sqlite_utils.Database(path)
    # The file is thrown away unless the whole build succeeds, so a crash needs no journal on
    # disk and no write needs to reach the disk before the end, where `_sync` flushes it once.
    db.conn.execute("pragma journal_mode = off")
    db.conn.execute("pragma synchronous = off")
    db.conn.execute("pragma cache_size = -65536")
    return db


def _sync(path: Path) -> None:
    """Flush the finished file to disk, so the rename never publishes a half-written database."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
    try:
        load_versions(db, history)
    except HistoryError as exc:
        raise BuildFileError(exc.path, exc.reason) from exc
    index_documents(db)
    return enrichment


def _counted(records: Iterable[dict], counts: Counter) -> Iterator[dict]:
    for record in records:
        counts[record["doc_type"]] += 1
        yield record


def build(corpus: Path, db_path: Path) -> BuildReport:
    """Build `db_path` from the records in `corpus`; the old file stays until the new is whole.

    The records are validated while they are loaded into a temporary file, which is thrown
    away when any of them breaks the contract.
    """
    problems: list[Problem] = []
    counts: Counter[str] = Counter()
    records = _counted(iter_records(corpus, problems), counts)
    tmp_path = _temp_path(db_path, os.getpid())
    try:
        runs = read_run_logs(corpus)
    except RunLogError as exc:
        raise BuildFileError(exc.path, f"linje {exc.line}: {exc.reason}") from exc
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        removed = remove_stale_files(db_path)
        enrichment = _write(records, problems, db_path, tmp_path, runs, history_files(corpus))
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
        db_path, sum(counts.values()), dict(sorted(counts.items())), enrichment, removed, len(runs)
    )


def _write(
    records: Iterable[dict],
    problems: list[Problem],
    db_path: Path,
    tmp_path: Path,
    runs: list[LoggedRun],
    history: dict[str, tuple[Path, list[Path]]],
) -> EnrichReport:
    # The compacted copy is written straight to a file: pysqlite3's SQLite keeps temporary
    # databases in memory, so a plain VACUUM held the whole database in RAM (2.6 GB peak at
    # 100k documents).
    vacuumed = tmp_path.with_name(tmp_path.name + ".vacuum")
    for path in (tmp_path, vacuumed):
        path.unlink(missing_ok=True)
    try:
        db = open_for_build(tmp_path)
        try:
            _load(db, records)
            if problems:
                raise InvalidCorpus(problems)
            enrichment = _derive(db, runs, history)
            db.conn.commit()
            db.conn.execute("VACUUM INTO ?", (str(vacuumed),))
        finally:
            db.conn.close()
        with closing(sqlite3.connect(vacuumed)) as conn:
            # VACUUM may renumber implicit rowids, which the external-content index relies on.
            verify_index(conn)
        _sync(vacuumed)
        os.replace(vacuumed, db_path)
    finally:
        for path in (tmp_path, vacuumed):
            path.unlink(missing_ok=True)
    return enrichment
