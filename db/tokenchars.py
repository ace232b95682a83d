"""Which characters SQLite's FTS5 `unicode61` tokenizer treats as part of a token.

The analyzer must split text into exactly the tokens FTS5 sees, or `snippet()` would highlight
the wrong words. SQLite's own character tables (an older Unicode version, with unassigned code
points counted as token characters) differ from Python's `unicodedata`, so the table is read off
SQLite itself and kept in `unicode61_tokenchars.txt`. Regenerate it with
`python -m db.tokenchars > db/unicode61_tokenchars.txt`; a test fails when it is out of date.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from functools import cache
from pathlib import Path

RANGES_PATH = Path(__file__).with_name("unicode61_tokenchars.txt")
FTS_TOKENIZE = "unicode61 remove_diacritics 0"
_SURROGATES = range(0xD800, 0xE000)


def probe_token_char_ranges(tokenize: str = FTS_TOKENIZE) -> list[tuple[int, int]]:
    """Ask this process's SQLite which code points are token characters, as inclusive ranges."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(f"create virtual table probe using fts5(x, tokenize='{tokenize}')")
        conn.execute("create virtual table probe_terms using fts5vocab(probe, 'instance')")
        # "q<c>q" is one token when <c> is a token character and two ("q", "q") when it is not.
        conn.executemany(
            "insert into probe(rowid, x) values (?, ?)",
            ((cp + 1, f"q{chr(cp)}q") for cp in range(0x110000) if cp not in _SURROGATES),
        )
        tokens_per_row = dict(conn.execute("select doc, count(*) from probe_terms group by doc"))
    finally:
        conn.close()
    ranges: list[tuple[int, int]] = []
    start = None
    for cp in range(0x110001):
        is_token = cp < 0x110000 and tokens_per_row.get(cp + 1) == 1
        if is_token and start is None:
            start = cp
        elif not is_token and start is not None:
            ranges.append((start, cp - 1))
            start = None
    return ranges


@cache
def token_char_ranges() -> tuple[tuple[int, int], ...]:
    """The shipped table of token-character ranges."""
    ranges = []
    for line in RANGES_PATH.read_text(encoding="ascii").splitlines():
        if line and not line.startswith("#"):
            low, _, high = line.partition("-")
            ranges.append((int(low, 16), int(high or low, 16)))
    return tuple(ranges)


def _class_item(low: int, high: int) -> str:
    if low == high:
        return re.escape(chr(low))
    return f"{re.escape(chr(low))}-{re.escape(chr(high))}"


@cache
def token_pattern() -> re.Pattern[str]:
    """A regex whose matches are exactly the tokens `unicode61` finds in a text."""
    items = "".join(_class_item(low, high) for low, high in token_char_ranges())
    return re.compile(f"[{items}]+")


def main() -> None:
    sys.stdout.write(f"# Token characters of FTS5 '{FTS_TOKENIZE}' (db/tokenchars.py)\n")
    for low, high in probe_token_char_ranges():
        sys.stdout.write(f"{low:04X}\n" if low == high else f"{low:04X}-{high:04X}\n")


if __name__ == "__main__":
    main()
