"""Retskilde: søgbar vidensbase over dansk social- og beskæftigelsesretlig praksis."""

from pathlib import Path

__version__ = "0.1.0"

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = PROJECT_ROOT / "corpus"
DEFAULT_DB = PROJECT_ROOT / "db" / "retskilde.db"
METADATA_PATH = PROJECT_ROOT / "metadata.yml"
PLUGINS_DIR = PROJECT_ROOT / "datasette_plugins"
