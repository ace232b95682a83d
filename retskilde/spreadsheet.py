"""CSV cells that a spreadsheet shows as text, never runs as a formula.

A title such as `=HYPERLINK("http://…","Klik")` would be a live formula when the CSV is opened in
Excel or LibreOffice. A cell that starts with a character a spreadsheet reads as the start of a
formula (`=`, `+`, `-`, `@`, tab, carriage return) gets an apostrophe in front, which the
spreadsheet shows as text and does not display (OWASP's advice for CSV injection). Numbers are
left alone: only text cells are changed, so -3 stays a number.
"""

from __future__ import annotations

import csv
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """`value`, with an apostrophe in front when it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """A `csv.writer` whose rows pass through `safe_cell`; returns what the writer returns
    (Datasette's streaming writer returns a coroutine to await)."""

    def __init__(self, out, *args, **kwargs) -> None:
        self._writer = csv.writer(out, *args, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def safe_row(row: dict) -> dict:
    return {key: safe_cell(value) for key, value in row.items()}
