"""The 98 municipalities: where each publishes its committee agendas, and whether we collect them.

The registry is data (`kommuner.json` beside this module): name, kommunekode (Danmarks
Statistik's three digits), region, agenda platform, base URL and the evidence for it. A platform
named there either has a module in `scrapers/` that reads it (`PLATFORMS`) or is listed as not
yet supported (`UNSUPPORTED`); a test holds the two lists to the data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from retskilde.scrapers.ids import slug

REGISTRY_PATH = Path(__file__).with_name("kommuner.json")
REGIONS = (
    "Region Hovedstaden",
    "Region Sjælland",
    "Region Syddanmark",
    "Region Midtjylland",
    "Region Nordjylland",
)
# platform → (what a user reads, the module that collects it)
PLATFORMS: dict[str, tuple[str, str]] = {
    "firstagenda": ("FirstAgenda Publication", "retskilde.scrapers.firstagenda"),
    "aabendagsorden": ("Åben Dagsorden", "retskilde.scrapers.aabendagsorden"),
    "kk": ("kk.dk (Drupal JSON:API)", "retskilde.scrapers.kkdk"),
    "meetingsplus": ("Formpipe Meetings+", "retskilde.scrapers.meetingsplus"),
    "aalborg": ("Aalborgs egen app", "retskilde.scrapers.aalborg"),
}
# The platforms `retskilde scrape` collects: each has a source of the same name on the runner
# (scrapers/sources/, scrapers/registry.py).
CRAWLED = frozenset(PLATFORMS)
UNSUPPORTED: dict[str, str] = {
    "hedensted": "SBSYS-modul i Umbraco (hedensted.dk)",
    "rksk": "eDoc i Dynamicweb (rksk.dk)",
    "frederikssund": "Frederikssunds egne CMS-sider",
    "ishoj": "ishoj.dk (leverandør ukendt)",
}


class UnknownKommune(Exception):
    """A municipality that is not in the registry and has no --base-url."""


@dataclass(frozen=True)
class Kommune:
    """A municipality as the scrapers use it: its key (in record ids), name and agenda site."""

    key: str
    name: str
    base_url: str
    code: str | None = None  # kommunekode, e.g. "167"
    region: str | None = None
    platform: str = "firstagenda"
    settings: dict = field(default_factory=dict, compare=False, hash=False)
    evidence: str = field(default="", compare=False)
    note: str = field(default="", compare=False)

    @property
    def collected(self) -> bool:
        """Whether `retskilde scrape` collects this municipality's agendas."""
        return self.platform in CRAWLED

    @property
    def has_parser(self) -> bool:
        """Whether Retskilde reads this municipality's platform (a module in `scrapers/`)."""
        return self.platform in PLATFORMS

    @property
    def status(self) -> str:
        """What a reader is told: collected, parser ready, or not collected."""
        if self.collected:
            return "hentes"
        return "parser klar" if self.has_parser else "hentes ikke"

    @property
    def platform_label(self) -> str:
        """The platform as a reader names it."""
        if self.platform in PLATFORMS:
            return PLATFORMS[self.platform][0]
        return UNSUPPORTED.get(self.platform, self.platform)


@cache
def _registry(path: Path) -> tuple[Kommune, ...]:
    entries = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        Kommune(
            key=entry["key"],
            name=entry["navn"],
            base_url=entry["base_url"].rstrip("/"),
            code=entry["kode"],
            region=entry["region"],
            platform=entry["platform"],
            settings=entry.get("indstillinger", {}),
            evidence=entry.get("belaeg", ""),
            note=entry.get("note", ""),
        )
        for entry in entries
    )


def all_kommuner(path: Path = REGISTRY_PATH) -> list[Kommune]:
    """Every municipality in the registry, in kommunekode order."""
    return list(_registry(path))


def load_kommuner(platform: str | None = None, path: Path = REGISTRY_PATH) -> dict[str, Kommune]:
    """The municipalities by key (on `platform` when given), in key order."""
    found = {k.key: k for k in _registry(path) if platform is None or k.platform == platform}
    return dict(sorted(found.items()))


def find_kommune(name: str, path: Path = REGISTRY_PATH) -> Kommune | None:
    """A municipality by key, name (any spelling: "Høje-Taastrup", "hoeje-taastrup") or code."""
    wanted = slug(name.strip())
    for kommune in _registry(path):
        if wanted in (kommune.key, slug(kommune.name), kommune.code):
            return kommune
    return None


def kommune_for(name: str, base_url: str | None = None, platform: str | None = None) -> Kommune:
    """The municipality `name`, its site replaced by `base_url` (a mirror, a test server)."""
    given = name.strip()
    known = find_kommune(given)
    if known is not None and platform is not None and known.platform != platform:
        if base_url is None:
            raise UnknownKommune(
                f"{known.name} Kommune bruger {known.platform_label}, ikke {platform} "
                "(ellers brug --base-url)"
            )
        known = None
    if known is None:
        if base_url is None:
            raise UnknownKommune(
                f"ukendt kommune {given!r}; se `retskilde kommuner` (ellers brug --base-url)"
            )
        name = "-".join(w.capitalize() for w in given.split("-"))
        return Kommune(slug(given), name, base_url.rstrip("/"), platform=platform or "firstagenda")
    if base_url is None:
        return known
    return Kommune(
        known.key,
        known.name,
        base_url.rstrip("/"),
        known.code,
        known.region,
        known.platform,
        known.settings,
        known.evidence,
        known.note,
    )


def in_region(region: str, path: Path = REGISTRY_PATH) -> list[Kommune]:
    """The municipalities of a region ("Nordjylland", "Region Nordjylland", "nordjylland")."""
    wanted = slug(region).removeprefix("region-")
    return [k for k in _registry(path) if slug(k.region or "").removeprefix("region-") == wanted]
