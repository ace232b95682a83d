"""Recorded pages of the agenda platforms (written for the project) beside their expected result."""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent
FETCHED_AT = "2026-01-15T09:00:00+00:00"


def expected_path(path: Path) -> Path:
    return path.with_name(path.stem + ".expected.json")


def recorded(platform: str) -> list[Path]:
    """Every recorded page of `platform`, each of which must have its expected result."""
    return sorted(
        p
        for p in (HERE / platform).glob("*")
        if p.suffix in (".json", ".html", ".pdf", ".docx") and not p.name.endswith(".expected.json")
    )


def expected(path: Path) -> dict:
    return json.loads(expected_path(path).read_text("utf-8"))


def result_dict(result) -> dict:
    """An AgendaResult as the expected files hold it."""
    return {"records": result.records, "closed": result.closed, "empty": result.empty}
