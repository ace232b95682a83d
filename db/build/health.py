"""The sources' health: the scrapers' run logs (`<corpus>/.runs/*.jsonl`) as two tables, so the
site can show when a source has gone quiet instead of leaving a silent gap.

`source_runs` holds every logged line (one source, kind and municipality in one run);
`source_health` one row per source (and per municipality for the agendas): its last run, what
that run found and failed, when something new last came, and the newest document the database
has from it. Sources and municipalities that are collected but have never run are there too
("aldrig kørt"). Nothing here reads the clock: how many days ago is worked out when the page is
shown, so the build stays a function of the corpus.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from retskilde.scrapers.kommuner import all_kommuner

RUNS_FOLDER = ".runs"
# The fields each log line has, as the scrapers write them (scrapers/runlog.py, KindRun); a test
# keeps the two in step.
RUN_FIELDS = (
    "source",
    "kind",
    "started",
    "finished",
    "municipality",
    "discovered",
    "fetched",
    "new",
    "changed",
    "unchanged",
    "failed",
)
REQUIRED_FIELDS = ("source", "kind", "started", "finished")
# The record sources a scraper collects (not brought in by `retskilde import`): each has a
# health row even before its first run. The agendas' rows are per collected municipality.
SCRAPED_SOURCES = ("ast", "star")
AGENDA_SOURCE = "kommune"

NEVER_RUN = "aldrig kørt"
FAILED = "fejl i seneste kørsel"
OK = "ok"


class RunLogError(Exception):
    """A line of a run log that cannot be read; names the file and line."""

    def __init__(self, path: Path, line: int, reason: str):
        self.path, self.line, self.reason = path, line, reason
        super().__init__(f"{path}:{line}: {reason}")


@dataclass(frozen=True)
class LoggedRun:
    """One line of a run log."""

    source: str
    kind: str
    started: str
    finished: str
    municipality: str | None
    discovered: int | None
    fetched: int
    new: int
    changed: int
    unchanged: int
    failed: list[dict]


def _int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} skal være et ikke-negativt heltal, ikke {value!r}")
    return value


def _run_of(data: object) -> LoggedRun:
    if not isinstance(data, dict):
        raise ValueError("linjen er ikke et JSON-objekt")
    missing = [name for name in REQUIRED_FIELDS if not isinstance(data.get(name), str)]
    if missing:
        raise ValueError(f"mangler {', '.join(missing)}")
    failed = data.get("failed") or []
    if not isinstance(failed, list) or not all(
        isinstance(f, dict) and isinstance(f.get("url"), str) for f in failed
    ):
        raise ValueError("failed skal være en liste af {url, reason}")
    discovered = data.get("discovered")
    return LoggedRun(
        source=data["source"],
        kind=data["kind"],
        started=data["started"],
        finished=data["finished"],
        municipality=data.get("municipality") or None,
        discovered=None if discovered is None else _int(discovered, "discovered"),
        fetched=_int(data.get("fetched", 0), "fetched"),
        new=_int(data.get("new", 0), "new"),
        changed=_int(data.get("changed", 0), "changed"),
        unchanged=_int(data.get("unchanged", 0), "unchanged"),
        failed=[{"url": f["url"], "reason": str(f.get("reason", ""))} for f in failed],
    )


def read_run_logs(corpus: Path) -> list[LoggedRun]:
    """Every line of every run log, file by file in name order. A last line without its
    newline is a run killed while writing it and is left out; any other bad line is an error
    naming its file and line."""
    runs: list[LoggedRun] = []
    for path in sorted((corpus / RUNS_FOLDER).glob("*.jsonl")):
        text = path.read_text("utf-8")
        lines = text.split("\n")
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                runs.append(_run_of(json.loads(line)))
            except ValueError as exc:
                if number == len(lines) and not text.endswith("\n"):
                    continue  # cut off mid-write
                raise RunLogError(path, number, f"ulæselig linje i kørselsloggen ({exc})") from exc
    return runs


HEALTH_COLUMNS = {
    "id": str,
    "source": str,
    "municipality": str,
    "municipality_name": str,
    "municipality_code": str,
    "region": str,
    "status": str,
    "last_started": str,
    "last_finished": str,
    "last_discovered": int,
    "last_fetched": int,
    "last_new": int,
    "last_changed": int,
    "last_unchanged": int,
    "last_failures": int,
    "last_failed": str,
    "last_new_at": str,
    "runs": int,
    "documents": int,
    "newest_document_id": str,
    "newest_document_title": str,
    "newest_document_date": str,
}
RUN_COLUMNS = {
    "id": int,
    "source": str,
    "municipality": str,
    "kind": str,
    "started": str,
    "finished": str,
    "discovered": int,
    "fetched": int,
    "new": int,
    "changed": int,
    "unchanged": int,
    "failures": int,
    "failed": str,
}


def _key(source: str, municipality: str | None) -> str:
    return f"{source}/{municipality}" if municipality else source


def _health_row(
    key: str, source: str, municipality: str | None, runs: list[LoggedRun]
) -> dict[str, object]:
    row: dict[str, object] = {"id": key, "source": source, "municipality": municipality}
    row["runs"] = len({run.started for run in runs})
    if not runs:
        row["status"] = NEVER_RUN
        return row
    last_started = max(run.started for run in runs)
    last = [run for run in runs if run.started == last_started]
    failed = [{"kind": run.kind, **f} for run in last for f in run.failed]
    discovered = [run.discovered for run in last if run.discovered is not None]
    with_new = [run.finished for run in runs if run.new]
    row.update(
        status=FAILED if failed else OK,
        last_started=last_started,
        last_finished=max(run.finished for run in last),
        last_discovered=sum(discovered) if discovered else None,
        last_fetched=sum(run.fetched for run in last),
        last_new=sum(run.new for run in last),
        last_changed=sum(run.changed for run in last),
        last_unchanged=sum(run.unchanged for run in last),
        last_failures=len(failed),
        last_failed=json.dumps(failed, ensure_ascii=False) if failed else None,
        last_new_at=max(with_new) if with_new else None,
    )
    return row


# Over the (source, municipality_code, date) index: no scan of the documents.
_OF_SOURCE = "source = ?"
_OF_MUNICIPALITY = "source = ? and municipality_code = ?"


def _documents(db: sqlite_utils.Database, where: str, params: tuple) -> dict[str, object]:
    count = db.conn.execute(f"select count(*) from documents where {where}", params).fetchone()
    newest = db.conn.execute(
        f"select id, title, date from documents where {where} and date is not null "
        "order by date desc, id desc limit 1",
        params,
    ).fetchone()
    found: dict[str, object] = {"documents": count[0]}
    if newest is not None:
        found.update(
            newest_document_id=newest[0],
            newest_document_title=newest[1],
            newest_document_date=newest[2],
        )
    return found


def load_health(db: sqlite_utils.Database, runs: list[LoggedRun]) -> None:
    """Create and fill `source_runs` and `source_health` from the run logs' lines (see
    `read_run_logs`) and the documents table."""
    db["source_runs"].create(RUN_COLUMNS, pk="id")
    db["source_runs"].insert_all(
        {
            "id": number,
            "source": run.source,
            "municipality": run.municipality,
            "kind": run.kind,
            "started": run.started,
            "finished": run.finished,
            "discovered": run.discovered,
            "fetched": run.fetched,
            "new": run.new,
            "changed": run.changed,
            "unchanged": run.unchanged,
            "failures": len(run.failed),
            "failed": json.dumps(run.failed, ensure_ascii=False) if run.failed else None,
        }
        for number, run in enumerate(runs, 1)
    )
    kommuner = {k.key: k for k in all_kommuner()}
    expected = {_key(source, None): (source, None) for source in SCRAPED_SOURCES}
    for kommune in kommuner.values():
        if kommune.collected:
            expected[_key(AGENDA_SOURCE, kommune.key)] = (AGENDA_SOURCE, kommune.key)
    by_key: dict[str, list[LoggedRun]] = {}
    for run in runs:
        key = _key(run.source, run.municipality)
        expected.setdefault(key, (run.source, run.municipality))
        by_key.setdefault(key, []).append(run)
    rows = []
    for key, (source, municipality) in sorted(expected.items()):
        row = _health_row(key, source, municipality, by_key.get(key, []))
        kommune = kommuner.get(municipality or "")
        if municipality is None:
            row.update(_documents(db, _OF_SOURCE, (source,)))
        elif kommune is not None:
            row.update(
                municipality_name=kommune.name,
                municipality_code=kommune.code,
                region=kommune.region,
                **_documents(db, _OF_MUNICIPALITY, (source, kommune.code)),
            )
        else:
            row["municipality_name"] = municipality  # a site given with --base-url
        rows.append(row)
    db["source_health"].create(HEALTH_COLUMNS, pk="id")
    db["source_health"].insert_all(rows)
    db["source_health"].create_index(["source", "municipality_name"])
