"""Import a module from datasette_plugins/ by file path, the way Datasette loads it."""

import importlib.util
from types import ModuleType

from retskilde import PLUGINS_DIR


def load_plugin(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, PLUGINS_DIR / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
