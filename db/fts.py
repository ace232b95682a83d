"""The full-text index over `documents`.

Plain FTS5 with unicode61 for now; `remove_diacritics 0` keeps æ, ø and å distinct from a and o.
The Danish analyzer replaces the tokenizer here and nowhere else.
"""

from __future__ import annotations

import sqlite_utils

FTS_COLUMNS = ["title", "summary", "text"]
FTS_TOKENIZE = "unicode61 remove_diacritics 0"


def index_documents(db: sqlite_utils.Database) -> None:
    """Create and fill `documents_fts` from the `documents` table."""
    db["documents"].enable_fts(FTS_COLUMNS, tokenize=FTS_TOKENIZE, create_triggers=False)
    db["documents_fts"].optimize()
