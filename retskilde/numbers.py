"""Ankestyrelsen's decision numbers: one grammar and one canonical form for every stage.

A number is an optional series of one to three letters, a running number and a two-digit year:
"101-17", "014-24", "C-34-07", "D-28-95". Texts and users write it with an introducer or a prefix
("principafgørelse 101-17", "AFG.101-17", "SM D-28-95"); the canonical form, which records,
the database and the search use, has the series in capitals and the running number without leading
zeros: "101-17", "14-24", "D-28-95". The scrapers (record numbers), the record schema (its pattern
is `SCHEMA_PATTERN`), the build, the enrichment (cited numbers) and the query parser all use it.
"""

from __future__ import annotations

import re

SERIES = r"[A-ZÆØ]{1,3}"
# The number as written in a text (series in capitals), without what introduces it.
NUMBER = rf"(?:{SERIES}-)?\d{{1,4}}-\d{{2}}"
# The same with named parts, for patterns that take the number apart (case-insensitive there).
NUMBER_PARTS = rf"(?:(?P<series>{SERIES})-)?(?P<running>\d{{1,4}})-(?P<year>\d{{2}})"
CANONICAL = rf"(?:{SERIES}-)?(?:0|[1-9]\d{{0,3}})-\d{{2}}"
# A record carries the number as its source writes it ("014-24" too); the build stores it
# canonical (db/normalise.py), so corpora written before the canonical form stay valid.
SCHEMA_PATTERN = f"^{NUMBER}$"

_WRITTEN = re.compile(rf"(?<![\w-]){NUMBER_PARTS}(?![\d])", re.IGNORECASE)


def canonical_parts(series: str | None, running: str, year: str) -> str:
    """The canonical number from its parts: ("d", "028", "95") -> "D-28-95"."""
    prefix = f"{series.rstrip('-').upper()}-" if series else ""
    return f"{prefix}{int(running)}-{year}"


def canonical_number(written: str) -> str:
    """The canonical form of the first number in `written` ("AFG.101-17" -> "101-17",
    "SM d-28-95" -> "D-28-95", "principafgørelse 014-24" -> "14-24"); ValueError without one."""
    match = _WRITTEN.search(written)
    if not match:
        raise ValueError(f"intet afgørelsesnummer i {written!r}")
    return canonical_parts(match.group("series"), match.group("running"), match.group("year"))


def is_canonical(number: str) -> bool:
    return re.fullmatch(CANONICAL, number) is not None
