"""Record ids: readable ASCII slugs, cut to the contract's length without ever colliding."""

from __future__ import annotations

import hashlib
import re

MAX_ID_LENGTH = 200  # the contract's maxLength for `id`


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens (æ→ae, ø→oe, å→aa)."""
    text = text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9]+", "-", text)).strip("-")


def bounded_id(record_id: str, max_length: int = MAX_ID_LENGTH) -> str:
    """`record_id`, or when too long its start plus a hash of the whole (two cut ids differ)."""
    if len(record_id) <= max_length:
        return record_id
    digest = hashlib.sha1(record_id.encode("utf-8")).hexdigest()[:10]
    return f"{record_id[: max_length - 11].rstrip('-')}-{digest}"
