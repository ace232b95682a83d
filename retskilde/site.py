"""How the public site is served: one set of Datasette options for `retskilde serve` and tests."""

from __future__ import annotations

from pathlib import Path

import yaml
from datasette.app import Datasette

from retskilde import METADATA_PATH, PLUGINS_DIR

DATABASE = "retskilde"  # the database's name on the site (db/retskilde.db)
TEMPLATES_DIR = PLUGINS_DIR / "templates"
STATIC_DIR = PLUGINS_DIR / "static"
STATIC_MOUNT = "retskilde-static"
# What one SQL statement on the site may make: no string or blob over MAX_VALUE_BYTES (far above
# any document's text), and no more than MAX_RESULT_BYTES in the rows it returns (1,000 rows of
# ordinary documents are a few MB). `?sql=select zeroblob(60000000)` sent 360 MB without them.
MAX_VALUE_BYTES = 16 * 1024 * 1024
MAX_RESULT_BYTES = 32 * 1024 * 1024
SETTINGS: dict[str, object] = {
    # Facet suggestions run one query per column on every table page; the chosen facets are
    # configured in metadata.yml instead.
    "suggest_facets": False,
    "default_page_size": 20,
    "sql_time_limit_ms": 3000,
    # Whole decisions in a table cell make the list unreadable; the row page shows them in full.
    "truncate_cells_html": 280,
}


def _setting_value(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def datasette_cli_options() -> list[str]:
    """Options for `datasette serve` that give the public site."""
    options = [
        "--metadata",
        str(METADATA_PATH),
        "--plugins-dir",
        str(PLUGINS_DIR),
        "--template-dir",
        str(TEMPLATES_DIR),
        "--static",
        f"{STATIC_MOUNT}:{STATIC_DIR}",
    ]
    for name, value in SETTINGS.items():
        options += ["--setting", name, _setting_value(value)]
    return options


def datasette_serve_args(db_path: Path) -> list[str]:
    """`datasette serve` arguments for the public site on `db_path`.

    The database is served immutable: the site never writes, a build replaces the whole file
    (restart the site after one), and an immutable database can be downloaded whole
    (`/retskilde.db`, for researchers) and is read without file locks.
    """
    return ["serve", "-i", str(db_path), *datasette_cli_options()]


def make_datasette(db_path: Path) -> Datasette:
    """A Datasette instance configured exactly like `retskilde serve`, for tests and scripts."""
    metadata = yaml.safe_load(METADATA_PATH.read_text(encoding="utf-8"))
    return Datasette(
        immutables=[str(db_path)],
        metadata=metadata,
        plugins_dir=str(PLUGINS_DIR),
        template_dir=str(TEMPLATES_DIR),
        static_mounts=[(STATIC_MOUNT, str(STATIC_DIR))],
        settings=SETTINGS,
    )


def site_database(datasette: Datasette):
    """The Retskilde database of a running site (the only one, when served under another
    name, as tests do)."""
    names = [name for name in datasette.databases if name != "_internal"]
    return datasette.get_database(DATABASE if DATABASE in names else None)
