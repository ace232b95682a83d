"""Render the JSON list columns of `documents` as readable lists instead of raw JSON."""

import json

from datasette import hookimpl
from markupsafe import Markup, escape

from retskilde.db.tables import LIST_COLUMNS


@hookimpl
def render_cell(value, column, table):
    if table != "documents" or not isinstance(value, str) or not value.startswith("["):
        return None
    try:
        items = json.loads(value)
    except ValueError:
        return None
    if column in LIST_COLUMNS:
        return ", ".join(str(item) for item in items)
    if column == "attachments":
        links = [
            f'<a href="{escape(a.get("url", ""))}">{escape(a.get("title", ""))}</a>'
            for a in items
            if isinstance(a, dict)
        ]
        return Markup("<br>".join(links))
    return None
