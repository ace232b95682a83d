"""What the last build read from each record file, so the next one need not read it again.

Reading and validating every record is most of an incremental build's time at scale (0.3 ms a
record: five minutes at a million). A file whose path, size, inode, mtime and ctime are those
the last build saw holds the record it read then; its id and hash are taken from here. The
ctime cannot be set back by a program (unlike the mtime, which `cp -p` and `rsync -t` keep), and
a file changed while the last build was running is never trusted ("racy": its times are not
older than that build's start), so a changed file is always read. This is a cache beside the
database (`.<db name>.files`), never part of it: the database stays a function of the records;
without the cache (or with `--full`) every file is read, with the same result.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from retskilde.contract import Problem, read_record, record_file_names

_VERSION = "1"
# File times come from a coarse clock: a file written just after a build started may carry a
# time a little before it.
_MARGIN_NS = 1_000_000_000


@dataclass(frozen=True)
class Seen:
    """A record file as the build found it: the record when it was read, else None."""

    path: str
    id: str
    hash: str | None  # None until read
    record: dict | None
    stamp: tuple[int, int, int, int]


def cache_path(db_path: Path) -> Path:
    return db_path.with_name(f".{db_path.name}.files")


def _stamp(stat: os.stat_result) -> tuple[int, int, int, int]:
    return (stat.st_size, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns)


def cache_line(name: str, stamp: tuple[int, int, int, int], record_id: str, digest: str) -> str:
    """A file's line in the cache (without its newline); "" for a name that cannot stand in
    one (such a file is simply read every time). At a million files the next cache is held as
    these lines: one string each instead of a tuple of seven objects (350 MB less)."""
    if "\t" in name or "\n" in name:
        return ""
    return f"{name}\t{stamp[0]}\t{stamp[1]}\t{stamp[2]}\t{stamp[3]}\t{record_id}\t{digest}"


class FileCache:
    """path -> "size, inode, mtime, ctime, id, hash" (tab-separated, as in the file), from the
    last build, with the time it started: kept as read, parsed for the files asked about."""

    def __init__(self, started_ns: int, entries: dict[str, str]):
        self.started_ns = started_ns
        self.entries = entries

    @classmethod
    def load(cls, path: Path, fingerprint: str) -> FileCache:
        """The cache at `path` when it was written by a build with `fingerprint`, else empty."""
        try:
            with path.open(encoding="utf-8") as file:
                header = file.readline().rstrip("\n").split("\t")
                if header[:2] != [_VERSION, fingerprint]:
                    return cls(0, {})
                entries = {}
                for line in file:
                    name, rest = line.rstrip("\n").split("\t", 1)
                    if rest.count("\t") != 5:
                        raise ValueError(line)
                    entries[name] = rest
                return cls(int(header[2]), entries)
        except (OSError, ValueError, IndexError, UnicodeDecodeError):
            return cls(0, {})

    def known(self, name: str, stamp: tuple[int, int, int, int]) -> tuple[str, str] | None:
        entry = self.entries.get(name)
        if entry is None:
            return None
        try:
            size, ino, mtime, ctime, record_id, digest = entry.split("\t")
            cached = (int(size), int(ino), int(mtime), int(ctime))
        except ValueError:
            return None
        if cached != stamp:
            return None
        # Times not older than the build that read the file: it may have changed since.
        if max(stamp[2], stamp[3]) >= self.started_ns - _MARGIN_NS:
            return None
        return record_id, digest


def write_cache(path: Path, fingerprint: str, started_ns: int, lines: Iterable[str]) -> None:
    """Write the cache atomically; `lines` are `cache_line`s of every record file."""
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as file:
        file.write(f"{_VERSION}\t{fingerprint}\t{started_ns}\n")
        for line in lines:
            if line:
                file.write(line + "\n")
    os.replace(tmp, path)


def scan(corpus: Path, problems: list[Problem], cache: FileCache, hash_of) -> Iterator[Seen]:
    """The record files under `corpus` in id order, each read only when the cache does not know
    it; ids checked for clashes as `iter_records` does."""
    names = record_file_names(corpus, problems) if corpus.is_dir() else [str(corpus)]
    listed = len(problems)
    if not names and not problems:
        problems.append(Problem(str(corpus), "(mappe)", "ingen dokumenter (*.json) fundet"))
    # By id (the file's stem), then by path as Path orders it (part by part: a separator
    # below every other character orders the same). One string per key, not a tuple with a
    # list of parts: that sort alone held 400 MB at a million files.
    names.sort(key=lambda name: f"{os.path.basename(name)[:-5]}\0{name.replace(os.sep, chr(1))}")
    previous: tuple[str, str] | None = None
    for name in names:
        try:
            stamp = _stamp(os.stat(name))
        except OSError:
            stamp = (-1, -1, -1, -1)
        known = cache.known(name, stamp)
        if known is not None:
            record_id, digest = known
            record = None
        else:
            record, file_problems = read_record(Path(name))
            problems.extend(file_problems)
            if record is None:
                continue
            record_id, digest = record["id"], hash_of(record)
        if previous is not None and record_id == previous[0]:
            problems.append(Problem(name, "id", f"{record_id!r} findes også i {previous[1]}"))
            continue
        previous = (record_id, name)
        yield Seen(name, record_id, digest, record, stamp)
    problems[listed:] = sorted(problems[listed:], key=lambda problem: Path(problem.location))


def file_stamps(corpus: Path) -> Iterator[tuple[str, str, tuple[int, int, int, int]]]:
    """(path, stem, stamp) of every record file under `corpus` (after a build read them all)."""
    names = record_file_names(corpus, []) if corpus.is_dir() else [str(corpus)]
    for name in names:
        try:
            yield name, os.path.basename(name)[:-5], _stamp(os.stat(name))
        except OSError:
            continue


def now_ns() -> int:
    return time.time_ns()
