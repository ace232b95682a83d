"""The house's layout holds: the search side and the shared analysis never import the build or
the enrichment; the build and the search share only db/analysis/, db/tables.py and the
small shared modules (checked from the source files, without importing them)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from retskilde import PROJECT_ROOT

DB = PROJECT_ROOT / "db"
SEARCH_SIDE = [
    *sorted((DB / "search").glob("*.py")),
    *sorted((PROJECT_ROOT / "datasette_plugins").glob("*.py")),
]
SHARED = [*sorted((DB / "analysis").glob("*.py")), DB / "tables.py", DB / "sqlite.py"]
BUILD_SIDE = ("retskilde.db.build", "retskilde.db.enrich")


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, at any depth of its code (lazy imports included)."""
    tree = ast.parse(path.read_text("utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _under(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


@pytest.mark.parametrize("path", SEARCH_SIDE, ids=lambda p: p.relative_to(PROJECT_ROOT).as_posix())
def test_the_search_side_never_imports_the_build_or_the_enrichment(path):
    wrong = sorted(m for m in imported_modules(path) if _under(m, BUILD_SIDE))
    assert wrong == [], f"{path.name} importerer {wrong}"


@pytest.mark.parametrize("path", SHARED, ids=lambda p: p.relative_to(PROJECT_ROOT).as_posix())
def test_the_shared_modules_import_neither_side(path):
    sides = (*BUILD_SIDE, "retskilde.db.search", "datasette")
    wrong = sorted(m for m in imported_modules(path) if _under(m, sides))
    assert wrong == [], f"{path.name} importerer {wrong}"


def test_the_tables_the_site_reads_are_named_in_one_module():
    # No module outside db/tables.py defines these names.
    names = {"FTS_TABLE", "ATTRIBUTES_TABLE", "RANK_TABLE", "LIST_COUNTS_TABLE", "SETTINGS_TABLE"}
    for path in [*DB.rglob("*.py"), *(PROJECT_ROOT / "datasette_plugins").glob("*.py")]:
        if path == DB / "tables.py":
            continue
        tree = ast.parse(path.read_text("utf-8"))
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            defined = {t.id for t in targets if isinstance(t, ast.Name)}
            assert not defined & names, f"{path} definerer {defined & names}"


def test_db_is_split_into_analysis_build_enrich_and_search():
    for package in ("analysis", "build", "enrich", "search"):
        assert (DB / package / "__init__.py").is_file(), package
    loose = sorted(p.name for p in DB.glob("*.py"))
    assert loose == ["__init__.py", "settings.py", "sqlite.py", "tables.py"]
