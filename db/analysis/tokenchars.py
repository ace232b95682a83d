"""Which characters SQLite's FTS5 `unicode61` tokenizer treats as part of a token.

The analyzer must split text into exactly the tokens FTS5 sees, or `snippet()` would highlight
the wrong words. A token starts with a letter, digit or private-use character and continues
through those and through combining diacritics. SQLite's character tables (an older Unicode,
with unassigned code points counted as letters) differ from Python's `unicodedata`, so both sets
are read off SQLite itself and kept in `unicode61_tokenchars.txt`. Regenerate with
`python -m db.tokenchars > db/unicode61_tokenchars.txt`; a test fails when it is out of date.
"""

from __future__ import annotations

import re
import sys
from functools import cache
from pathlib import Path

from retskilde.db.sqlite import sqlite3

RANGES_PATH = Path(__file__).with_name("unicode61_tokenchars.txt")
FTS_TOKENIZE = "unicode61 remove_diacritics 0"
MAX_CODE_POINT = 0x10FFFF
_SURROGATES = range(0xD800, 0xE000)

Ranges = tuple[tuple[int, int], ...]


def _ranges(flags: dict[int, bool], last: int) -> Ranges:
    ranges: list[tuple[int, int]] = []
    start = None
    for cp in range(last + 2):
        if flags.get(cp) and start is None:
            start = cp
        elif not flags.get(cp) and start is not None:
            ranges.append((start, cp - 1))
            start = None
    return tuple(ranges)


def probe_token_chars(last: int = MAX_CODE_POINT) -> tuple[Ranges, Ranges]:
    """Ask this process's SQLite: (characters that start a token, characters inside one)."""
    code_points = [cp for cp in range(last + 1) if cp not in _SURROGATES]
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(f"create virtual table probe using fts5(x, tokenize='{FTS_TOKENIZE}')")
        conn.execute("create virtual table probe_terms using fts5vocab(probe, 'instance')")
        # Row 2n+1 is the character alone: one token when it can start a token. Row 2n+2 is
        # "q<c>q": one token when the character can continue a token, two ("q", "q") when not.
        rows = ((2 * cp + 1, chr(cp)) for cp in code_points)
        conn.executemany("insert into probe(rowid, x) values (?, ?)", rows)
        rows = ((2 * cp + 2, f"q{chr(cp)}q") for cp in code_points)
        conn.executemany("insert into probe(rowid, x) values (?, ?)", rows)
        counts = dict(conn.execute("select doc, count(*) from probe_terms group by doc"))
    finally:
        conn.close()
    starts = {cp: counts.get(2 * cp + 1) == 1 for cp in code_points}
    inside = {cp: counts.get(2 * cp + 2) == 1 for cp in code_points}
    return _ranges(starts, last), _ranges(inside, last)


@cache
def token_char_ranges() -> tuple[Ranges, Ranges]:
    """The shipped tables: (token-start ranges, token-continuation ranges)."""
    sections: dict[str, list[tuple[int, int]]] = {"start": [], "inside": []}
    current = None
    for line in RANGES_PATH.read_text(encoding="ascii").splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            continue
        low, _, high = line.partition("-")
        sections[current].append((int(low, 16), int(high or low, 16)))  # type: ignore[index]
    return tuple(sections["start"]), tuple(sections["inside"])


def _char_class(ranges: Ranges) -> str:
    items = []
    for low, high in ranges:
        item = re.escape(chr(low))
        if high != low:
            item += "-" + re.escape(chr(high))
        items.append(item)
    return "[" + "".join(items) + "]"


@cache
def token_pattern() -> re.Pattern[str]:
    """A regex whose matches are exactly the tokens `unicode61` finds in a text."""
    start, inside = token_char_ranges()
    return re.compile(f"{_char_class(start)}{_char_class(inside)}*")


# Below U+0300 (Latin, the letters of Danish text) a token is a plain run of token characters,
# and a small character class is several times faster for Python's regex engine than the full
# table; texts with no token character at or above U+0300 can use it.
FAST_LIMIT = 0x300
_HIGH = re.compile(f"[^\\x00-{re.escape(chr(FAST_LIMIT - 1))}]")


@cache
def fast_token_pattern() -> re.Pattern[str]:
    """The token regex for texts whose token characters are all below U+0300."""
    start, _ = token_char_ranges()
    low = tuple((a, min(b, FAST_LIMIT - 1)) for a, b in start if a < FAST_LIMIT)
    return re.compile(_char_class(low) + "+")


@cache
def latin1_token_table() -> bytes:
    """A `bytes.translate` table for Latin-1 text: token characters to lower case, others to " ".

    Text that encodes as Latin-1 has no character at or above U+0300, so its tokens are the runs
    `fast_token_pattern()` finds; translating and splitting the encoded bytes finds the same runs,
    lower-cased, several times faster than the regex.
    """
    table = bytearray(b" " * 256)
    start, _ = token_char_ranges()
    for low, high in start:
        for code_point in range(low, min(high, 255) + 1):
            lower = chr(code_point).lower()
            # Every Latin-1 token character lower-cases to one Latin-1 character (checked in tests).
            table[code_point] = ord(lower) if len(lower) == 1 and ord(lower) < 256 else code_point
    return bytes(table)


@cache
def _token_char() -> re.Pattern[str]:
    return re.compile(_char_class(token_char_ranges()[1]))


def pattern_for(text: str) -> re.Pattern[str]:
    """The fastest regex that finds exactly `unicode61`'s tokens in this text."""
    high = _HIGH.findall(text)
    if high and _token_char().search("".join(set(high))):
        return token_pattern()
    return fast_token_pattern()


def main() -> None:
    start, inside = probe_token_chars()
    out = sys.stdout
    out.write(f"# Token characters of FTS5 '{FTS_TOKENIZE}' (db/tokenchars.py)\n")
    for name, ranges in (("start", start), ("inside", inside)):
        out.write(f"[{name}]\n")
        for low, high in ranges:
            out.write(f"{low:04X}\n" if low == high else f"{low:04X}-{high:04X}\n")


if __name__ == "__main__":
    main()
