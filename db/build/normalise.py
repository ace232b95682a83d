"""Turn a validated Document record into a `documents` row."""

from __future__ import annotations

import json
import re
import unicodedata

from retskilde.db.build.schema import DOCUMENT_COLUMNS
from retskilde.numbers import canonical_number

_TRAILING_SPACE = re.compile(r"[ \t\u00a0]+\n")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
# Control characters are never text, and the search uses \x02/\x03 to mark hits in snippets.
# U+FFFE and U+FFFF are no characters at all, and would make the Atom feed invalid XML.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def normalise_text(text: str) -> str:
    """NFC, Unix newlines, no control characters or trailing spaces, single blank lines."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _TRAILING_SPACE.sub("\n", text)
    return _MANY_BLANK_LINES.sub("\n\n", text).strip()


def _json_list(value: list | None) -> str | None:
    if not value:
        return None
    return json.dumps(value, ensure_ascii=False)


def document_row(record: dict) -> dict:
    """The `documents` row for one record; every column present, absent values as None."""
    row = {column: record.get(column) for column in DOCUMENT_COLUMNS}
    row["title"] = normalise_text(record["title"])
    row["text"] = normalise_text(record["text"])
    if row["summary"] is not None:
        row["summary"] = normalise_text(row["summary"])
    row["year"] = int(record["date"][:4]) if record.get("date") else None
    row["number"] = canonical_number(record["number"]) if record.get("number") else None
    row["law_names"] = _json_list(record.get("law_names"))
    row["keywords"] = _json_list(record.get("keywords"))
    row["attachments"] = _json_list(record.get("attachments"))
    row["example"] = 1 if record.get("example") else 0
    return row
