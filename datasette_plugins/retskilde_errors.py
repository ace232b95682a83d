"""Bad request parameters get a 400 with a Danish message instead of Datasette's 500.

Datasette answers some parameters it cannot use (`_sort=rank`, `_through=[`) with an internal
server error. Those are the reader's mistakes, not the server's: they are answered here as
Datasette would answer any bad request (400, JSON for .json, the error page otherwise), with a
message that says what to do. Every other error is left to Datasette.
"""

import json
import re

from datasette import hookimpl
from datasette.handle_exception import handle_exception as datasette_error_page
from datasette.views.base import DatasetteError

from retskilde.db.sqlite import sqlite3

TITLE = "Ugyldig forespørgsel"
_SORT = re.compile(r"^Cannot sort table by (.*)$", re.DOTALL)
# What Datasette's reading of `_through` raises on anything but the JSON object it expects.
_THROUGH_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError)


def danish_message(request, exception: Exception) -> str | None:
    """The Danish message for an error caused by the request's parameters, else None."""
    message = str(getattr(exception, "message", exception))
    if isinstance(exception, DatasetteError) and exception.status == 500:
        sort = _SORT.match(message)
        if sort:
            if sort.group(1) == "rank" and request.args.get("_search"):
                return (
                    "Tabellen sorteres efter en kolonne, ikke efter relevans (rank). "
                    "Søgningen sorteret efter relevans er /-/sok?q=…"
                )
            return (
                f"Tabellen kan ikke sorteres efter {sort.group(1)!r}: "
                "_sort og _sort_desc skal være en af tabellens kolonner."
            )
        if message.startswith("Cannot use _sort and _sort_desc"):
            return "Brug enten _sort eller _sort_desc, ikke begge."
    if "_through" in request.args and isinstance(exception, _THROUGH_ERRORS):
        return (
            '_through skal være et JSON-objekt som {"table": "…", "column": "…", "value": "…"} '
            "for en tabel, der henviser til denne."
        )
    facet_objects = [
        k
        for k in request.args
        if k.startswith("_facet") and request.args[k].lstrip().startswith("{")
    ]
    if facet_objects and isinstance(exception, _THROUGH_ERRORS):
        return (
            f"{facet_objects[0]}: en facet angives med et kolonnenavn, fx "
            "_facet=doc_type eller _facet_liste=topics."
        )
    if isinstance(exception, json.JSONDecodeError):
        lists = sorted(k for k in request.args if k.endswith(("__in", "__notin")))
        return (
            f'{", ".join(lists) or "Parameteren"}: en liste skrives som JSON, fx ["a", "b"], '
            "eller som værdier adskilt af komma: a,b."
        )
    if isinstance(exception, sqlite3.DataError):
        if "too big" in message:  # SQLite's length limit (retskilde_limits)
            return (
                "Forespørgslen giver en for stor værdi (en tekst eller blob over grænsen). "
                "Vælg kortere værdier, eller hent hele databasen som fil (/retskilde.db)."
            )
        return message  # retskilde_limits' own, in Danish
    return None


@hookimpl
def handle_exception(datasette, request, exception):
    message = danish_message(request, exception)
    if message is None:
        return None
    return datasette_error_page(
        datasette, request, DatasetteError(message, title=TITLE, status=400)
    )
