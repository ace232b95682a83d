"""What counts as a heading in a document's plain text: one definition for the document page
(datasette_plugins/retskilde_document_page.py) and the enrichment (db/enrich/text.py)."""

from __future__ import annotations

MAX_CHARS = 70
MAX_WORDS = 8
_CLOSING = ".:;,!?"


def is_heading(block_text: str) -> bool:
    """A short one-line block without closing punctuation reads as a heading ("Praksis",
    "Den konkrete sag", "Sag nr. 2"); a block that starts with a digit is a numbered item
    ("3. Bilag om § 112", "15-14: …"), not a heading."""
    stripped = block_text.strip()
    return (
        2 <= len(stripped) <= MAX_CHARS
        and len(stripped.split()) <= MAX_WORDS
        and stripped[-1] not in _CLOSING
        and not stripped[0].isdigit()
        and "\n" not in stripped
    )
