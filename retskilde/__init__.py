"""Retskilde: søgbar vidensbase over dansk social- og beskæftigelsesretlig praksis.

One installed package, `retskilde`: the card's top-level folders `db/` and `scrapers/` are its
subpackages `retskilde.db` and `retskilde.scrapers` (pyproject.toml maps them), so an install
claims no generic top-level names; `metadata.yml`, the record schema and `datasette_plugins/`
(templates, static files) travel inside it as package data. In a checkout the same names
resolve to the top-level folders and files (symlinks here point at them).
"""

from pathlib import Path

__version__ = "0.1.0"

PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT = PACKAGE_DIR.parent
IN_CHECKOUT = (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "db").is_dir()
if IN_CHECKOUT:
    # `retskilde.db` is <checkout>/db: the folders stay where the card puts them.
    __path__.append(str(_CHECKOUT))  # noqa: F821 (a package's own __path__)

# Where a checkout keeps its corpus and database; an installed copy uses the working directory.
PROJECT_ROOT = _CHECKOUT if IN_CHECKOUT else Path.cwd()
DEFAULT_CORPUS = PROJECT_ROOT / "corpus"
DEFAULT_DB = PROJECT_ROOT / "db" / "retskilde.db"
# The site's files travel with the package (symlinks to the top-level files in a checkout).
METADATA_PATH = PACKAGE_DIR / "metadata.yml"
SCHEMA_PATH = PACKAGE_DIR / "document.schema.json"
PLUGINS_DIR = PACKAGE_DIR / "datasette_plugins"
