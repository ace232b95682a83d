"""The README's platform table and its "N af 98 kommuner hentes" are the registry's numbers:
a municipality moved to another platform, or a platform newly collected, must show there."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from retskilde.scrapers.kommuner import all_kommuner

README = Path(__file__).resolve().parents[2] / "README.md"
# | label | `source` | count | status |  (the not-yet-collected row has "–" for its source)
_ROW = re.compile(
    r"^\|[^|]+\|\s*(`(?P<source>[a-z]+)`|–)\s*\|\s*(?P<count>\d+)\s*\|\s*(?P<status>[^|]+)\|"
)


def _table() -> tuple[dict[str, int], int]:
    collected: dict[str, int] = {}
    not_collected = 0
    for line in README.read_text("utf-8").splitlines():
        row = _ROW.match(line)
        if row is None:
            continue
        if row["source"]:
            collected[row["source"]] = int(row["count"])
        else:
            not_collected += int(row["count"])
    return collected, not_collected


def test_the_readme_counts_each_platform_as_the_registry_does():
    kommuner = all_kommuner()
    by_platform = Counter(k.platform for k in kommuner if k.collected)
    collected, not_collected = _table()
    assert collected == dict(by_platform)
    assert not_collected == sum(not k.collected for k in kommuner)
    total = sum(by_platform.values())
    assert f"**{total} af {len(kommuner)} kommuner hentes.**" in README.read_text("utf-8")
