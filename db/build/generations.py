"""Two generations of the database beside the published file, so an incremental build never
copies the whole database.

The published database (`retskilde.db`) is a hard link to one of two generation files
(`.retskilde.db.gen1`, `.gen2`). A build works on the other one, the spare: the generation
published before the current one. An incremental build brings the spare up to date in place, in
SQLite transactions with a rollback journal, and publishes it by linking it to the published
name (one rename): the published file itself is never written, so a server reading it sees one
whole database until it opens the new one. Copying a 9 GB database and writing the copy to disk
took longer than the whole rest of an incremental build of 1,000 changes at a million documents.

The spare is only updated in place when the previous build left it whole (its `build_info` says
so) and no other process has it open (a server started two builds ago would otherwise see it
change); else it is first made again as a copy of the published file.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

GENERATIONS = ("gen1", "gen2")


def generation_paths(db_path: Path) -> list[Path]:
    return [db_path.with_name(f".{db_path.name}.{name}") for name in GENERATIONS]


def _inode(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino


def spare_path(db_path: Path) -> Path:
    """The generation file that is not the published database (the older one when neither is:
    a database published by other means)."""
    published = _inode(db_path)
    paths = generation_paths(db_path)
    candidates = [p for p in paths if published is None or _inode(p) != published]
    if not candidates:  # both names link the published file: free one
        paths[1].unlink()
        candidates = paths[1:]

    def age(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except FileNotFoundError:
            return float("-inf")

    return min(candidates, key=age)


def open_elsewhere(path: Path) -> bool:
    """Whether another process has `path` open (read from /proc; where there is none, assume
    it has, so the caller takes the safe way)."""
    wanted = _inode(path)
    if wanted is None:
        return False
    proc = Path("/proc")
    if not (proc / "self" / "fd").is_dir():
        return True
    own = str(os.getpid())
    for entry in proc.iterdir():
        if not entry.name.isdigit() or entry.name == own:
            continue
        try:
            descriptors = list((entry / "fd").iterdir())
        except OSError:
            continue  # gone, or another user's process (which cannot write our file either)
        for descriptor in descriptors:
            try:
                if _inode(descriptor) == wanted:
                    return True
            except OSError:
                continue
    return False


def replace_generation(new_file: Path, generation: Path) -> None:
    """Put `new_file` in the place of `generation`, without the journal a build killed while
    updating the old one left: SQLite would roll the new file back with the old file's pages."""
    for suffix in ("-journal", "-wal", "-shm"):
        generation.with_name(generation.name + suffix).unlink(missing_ok=True)
    os.replace(new_file, generation)


def copy_published(db_path: Path, spare: Path) -> None:
    """Make `spare` a copy of the published database (the slow way, when it cannot be reused)."""
    partial = spare.with_name(spare.name + ".copy")
    shutil.copyfile(db_path, partial)
    replace_generation(partial, spare)


def sync(path: Path) -> None:
    """Flush the file to disk, so a rename never publishes a half-written database."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(generation: Path, db_path: Path, link_path: Path) -> None:
    """Make `generation` the published database: a new hard link renamed over `db_path`."""
    sync(generation)
    link_path.unlink(missing_ok=True)
    try:
        os.link(generation, link_path)
    except OSError:  # a file system without hard links: publish a copy
        shutil.copyfile(generation, link_path)
        sync(link_path)
    os.replace(link_path, db_path)
    folder = os.open(db_path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself reaches the disk
    finally:
        os.close(folder)
