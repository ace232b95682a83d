"""The sources there are: name → module. Each module holds one `source`, a `Source`.

A name, not an import, so `retskilde --help` does not load every parser; `load` imports one.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retskilde.scrapers.sources.base import Source

SOURCES = {
    "ast": "retskilde.scrapers.sources.ast",
    "star": "retskilde.scrapers.sources.star",
    "firstagenda": "retskilde.scrapers.sources.firstagenda",
    "aabendagsorden": "retskilde.scrapers.sources.aabendagsorden",
    "kk": "retskilde.scrapers.sources.kk",
    "meetingsplus": "retskilde.scrapers.sources.meetingsplus",
    "aalborg": "retskilde.scrapers.sources.aalborg",
}


def load(name: str) -> Source:
    """The source called `name` (a key of SOURCES)."""
    source = importlib.import_module(SOURCES[name]).source
    if source.name != name:
        raise RuntimeError(f"{SOURCES[name]} defines the source {source.name!r}, not {name!r}")
    return source


def all_sources() -> list[Source]:
    """Every source, in the registry's order."""
    return [load(name) for name in SOURCES]
