"""One loader for every source's recorded pages: (page, expected record) per kind.

Three file conventions are known, by folder under tests/scrapers/:
- `<kind>/<name>.html` beside `<name>.json` (ast, star);
- `<kind>/<name>.json` beside `<name>.expected.json` (FirstAgenda's API answers);
- one flat folder per agenda platform, `<name>.html` beside `<name>.expected.json`, a kind's
  pages picked by a file pattern (FLAT).
A source's kind may be recorded in a folder of another name (FIRSTAGENDA's meetings are its
`dagsorden` answers).
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
# Source → (fixture folder, {source kind: folder of its recorded pages}).
FOLDERS: dict[str, tuple[str, dict[str, str]]] = {
    "ast": ("ast", {}),
    "star": ("star", {}),
    "firstagenda": ("firstagenda", {"moede": "dagsorden"}),
}


# Source → (flat fixture folder, {source kind: file pattern of its pages}).
FLAT: dict[str, tuple[str, dict[str, str]]] = {
    "aabendagsorden": ("aabendagsorden", {"moede": "*-????-??-??.html"}),
    "kk": ("kk", {"punkt": "*-punkt-*.html"}),
    "meetingsplus": ("meetingsplus", {"moede": "*-????-??-??.html"}),
    "aalborg": ("aalborg", {"moede": "*-????-??-??.html"}),
}


def recorded_sources() -> list[str]:
    """The sources that have recorded pages."""
    folders = {**FOLDERS, **FLAT}
    return [name for name, (folder, _) in folders.items() if (HERE / folder).is_dir()]


def _pairs(folder: Path) -> list[tuple[Path, Path]]:
    pairs = []
    for expected in sorted(folder.glob("*.expected.json")):
        pairs.append(
            (expected.with_name(expected.name.replace(".expected.json", ".json")), expected)
        )
    for page in sorted(folder.glob("*.html")):
        pairs.append((page, page.with_suffix(".json")))
    return pairs


def recorded_pages(source: str) -> dict[str, list[tuple[Path, Path]]]:
    """{kind: [(recorded page, its expected record)]} of one source."""
    if source in FLAT:
        folder, patterns = FLAT[source]
        return {
            kind: [
                (page, page.with_name(page.stem + ".expected.json"))
                for page in sorted((HERE / folder).glob(pattern))
            ]
            for kind, pattern in patterns.items()
        }
    folder, renamed = FOLDERS[source]
    kinds = {path.name: path.name for path in (HERE / folder).iterdir() if path.is_dir()}
    kinds.update({kind: name for kind, name in renamed.items() if name in kinds})
    return {kind: _pairs(HERE / folder / name) for kind, name in kinds.items()}
