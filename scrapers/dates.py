"""Danish dates as the sources write them, read into ISO form: one parser for every source.

Forms seen on the real sites and in real documents: "20.02.2025" (ast.dk metadata box),
"09-01-2026" and "12-12-2023" (the date line under a title on ast.dk and star.dk),
"2025-11-19" (ISO, `<time datetime>`), "20. februar 2025", "14. dec. 2016" (old star.dk),
"26/5 2014", and a month alone, "maj 2014" (a report's cover).
"""

from __future__ import annotations

import re
from datetime import date

MONTH_NAMES = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)
# Full names and the abbreviations in use ("jan.", "sept.", "dec"); "maj" is its own abbreviation.
_MONTH_NUMBERS: dict[str, int] = {}
for _number, _name in enumerate(MONTH_NAMES, start=1):
    _MONTH_NUMBERS[_name] = _number
    _MONTH_NUMBERS[_name[:3]] = _number
_MONTH_NUMBERS["sept"] = 9
# Longest first, so "september" is not read as "sep" followed by "tember".
_MONTH_WORD = "(" + "|".join(sorted(_MONTH_NUMBERS, key=len, reverse=True)) + ")"

_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
# "20.02.2025", "20. 02. 2025", "09-01-2026", "26/5 2014", "26/5-2014".
_NUMERIC = re.compile(r"(?<![\d.-])(\d{1,2})(?:\.\s?|-|/)(\d{1,2})(?:\.\s?|-|/|\s)(\d{4})(?!\d)")
_WORDS = re.compile(rf"(?<!\d)(\d{{1,2}})\.?\s+{_MONTH_WORD}\.?\s+(\d{{4}})(?!\d)", re.I)
_MONTH_YEAR = re.compile(rf"(?<![\w.])({_MONTH_WORD})\.?\s+(\d{{4}})(?!\d)", re.I)


def _valid(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """The first full date in `text`, in any of the forms above, as YYYY-MM-DD (else None)."""
    candidates: list[tuple[int, int, int, int]] = []
    for match in _ISO.finditer(text):
        year, month, day = (int(g) for g in match.groups())
        candidates.append((match.start(), year, month, day))
    for match in _NUMERIC.finditer(text):
        day, month, year = (int(g) for g in match.groups())
        candidates.append((match.start(), year, month, day))
    for match in _WORDS.finditer(text):
        candidates.append(
            (
                match.start(),
                int(match.group(3)),
                _MONTH_NUMBERS[match.group(2).lower()],
                int(match.group(1)),
            )
        )
    for _, year, month, day in sorted(candidates):
        if iso := _valid(year, month, day):
            return iso
    return None


def parse_month(text: str) -> tuple[int, int] | None:
    """The first month named with a year ("maj 2014", "dec. 2016") as (year, month), else None."""
    match = _MONTH_YEAR.search(text)
    if match is None:
        return None
    return int(match.group(3)), _MONTH_NUMBERS[match.group(2).lower()]


def is_date_only(text: str) -> bool:
    """True when `text` is nothing but a date (a page's date line, to keep it out of the text)."""
    stripped = text.strip()
    if not stripped or len(stripped) > 40:
        return False
    for pattern in (_ISO, _NUMERIC, _WORDS):
        match = pattern.fullmatch(stripped)
        if match:
            return parse_date(stripped) is not None
    return False
