"""The page "Kildernes tilstand" (/-/kilder, and /-/kilder.json): for every source, and every
municipality whose agendas are collected, the last run, what it found and failed, when
something new last came and the newest document, read from source_health. How many days ago is
worked out here, at page time, so the database stays the same from one day to the next."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from datasette import hookimpl
from datasette.utils.asgi import Response

from retskilde.site import site_database

# A source that has not run, or brought nothing new, for longer than this is marked quiet.
QUIET_AFTER_DAYS = 14

_HEALTH = """
select h.*, coalesce(s.label, h.source) as source_label
  from source_health h left join sources s on s.id = h.source
 order by h.municipality is not null, h.municipality_name, h.id
"""


def _day(stamp: str | None) -> date | None:
    if not stamp:
        return None
    try:
        return date.fromisoformat(stamp[:10])
    except ValueError:
        return None


def _days_since(stamp: str | None, today: date) -> int | None:
    day = _day(stamp)
    return None if day is None else max(0, (today - day).days)


def _failures(text: str | None) -> list[dict]:
    if not text:
        return []
    try:
        found = json.loads(text)
    except ValueError:
        return []
    return [f for f in found if isinstance(f, dict)] if isinstance(found, list) else []


def health_rows(rows: list[dict], today: date) -> list[dict]:
    """The table's rows with days since the last run and since something new, and whether
    the source has gone quiet."""
    shown = []
    for row in rows:
        item = dict(row)
        item["failures"] = _failures(row.get("last_failed"))
        item["days_since_run"] = _days_since(row.get("last_finished"), today)
        item["days_since_new"] = _days_since(row.get("last_new_at"), today)
        since_run = item["days_since_run"]
        item["quiet"] = since_run is not None and since_run > QUIET_AFTER_DAYS
        shown.append(item)
    return shown


async def kilder(request, datasette):
    db = site_database(datasette)
    today = datetime.now(UTC).date()
    if not await db.table_exists("source_health"):
        rows: list[dict] = []
    else:
        rows = [dict(r) for r in (await db.execute(_HEALTH)).rows]
    shown = health_rows(rows, today)
    if request.url_vars.get("format") == "json":
        for item in shown:
            item.pop("last_failed", None)
        return Response.json(
            {"today": today.isoformat(), "quiet_after_days": QUIET_AFTER_DAYS, "sources": shown}
        )
    sources = [row for row in shown if not row.get("municipality")]
    municipalities = [row for row in shown if row.get("municipality")]
    context = {
        "database": db.name,
        "metadata": datasette.metadata(),
        "today": today,
        "quiet_after_days": QUIET_AFTER_DAYS,
        "sources": sources,
        "municipalities": municipalities,
        "never_run": sum(1 for row in shown if row.get("status") == "aldrig kørt"),
        "failing": sum(1 for row in shown if row.get("last_failures")),
        "quiet": sum(1 for row in shown if row["quiet"]),
        "json_url": datasette.urls.path("/-/kilder.json"),
    }
    return Response.html(await datasette.render_template("kilder.html", context, request=request))


@hookimpl
def register_routes():
    return [(r"^/-/kilder(\.(?P<format>json))?$", kilder)]
