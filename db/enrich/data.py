"""Load the data files in db/data/ (laws, topics, municipalities)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


class DataFileError(ValueError):
    """A file in db/data/ lacks a field or has a wrong value; the message names the file."""


@cache
def load(name: str) -> dict:
    """The parsed YAML file `db/data/<name>.yml`."""
    path = DATA_DIR / f"{name}.yml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise DataFileError(f"{path}: {error}") from error
    if not isinstance(data, dict):
        raise DataFileError(f"{path}: forventede en YAML-mapping øverst")
    return data
