"""Template helpers for the readable document page (row-retskilde-documents.html)."""

import json

from datasette import hookimpl

from retskilde.db.analysis.headings import is_heading
from retskilde.db.tables import DOC_TYPES, SOURCES

SOURCE_LABELS = {source_id: label for source_id, label, _, _ in SOURCES}
DOC_TYPE_LABELS = {type_id: label for type_id, label, _ in DOC_TYPES}


def paragraphs(text):
    """Split plain text into (kind, text) blocks: 'heading' or 'paragraph'."""
    blocks = []
    for block in (text or "").split("\n\n"):
        block = block.strip()
        if not block:
            continue
        kind = "heading" if is_heading(block) else "paragraph"
        blocks.append((kind, block))
    return blocks


def from_json(value):
    """Parse a JSON list column; anything else gives an empty list."""
    if not value:
        return []
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return []
    return parsed if isinstance(parsed, list) else []


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["paragraphs"] = paragraphs
    env.filters["from_json"] = from_json
    env.filters["source_label"] = lambda value: SOURCE_LABELS.get(value, value)
    env.filters["doc_type_label"] = lambda value: DOC_TYPE_LABELS.get(value, value)
