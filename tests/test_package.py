"""Retskilde as an installed package: the wheel holds one top-level package, `retskilde`, with
the record schema, metadata.yml, plugins, templates, static and data files inside it; installed
(not editable) into a fresh venv, `retskilde validate/build/search` work from a folder outside
the checkout, and the site renders from the installed files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from retskilde import DEFAULT_CORPUS, METADATA_PATH, PROJECT_ROOT
from retskilde.deploy_commands import build_wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel) -> Path:
    """A fresh venv with the wheel installed (not editable); the dependencies come from the
    test environment's site-packages through a .pth line (no network), whose own .pth files
    (the checkout's editable install) are not read."""
    folder = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    pip = [str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps"]
    subprocess.run([*pip, str(wheel)], check=True)
    site = subprocess.run(
        [
            str(folder / "bin" / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_path('purelib'))",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "retskilde_test_deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return folder


def _run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(venv / "bin" / args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True, text=True
    )


def test_the_wheel_claims_only_retskilde_and_carries_the_site_files(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/", 1)[0] for name in names}
    assert tops == {"retskilde", "retskilde-0.1.0.dist-info"}
    for needed in (
        "retskilde/metadata.yml",
        "retskilde/document.schema.json",
        "retskilde/datasette_plugins/retskilde_search.py",
        "retskilde/datasette_plugins/templates/sok.html",
        "retskilde/datasette_plugins/static/sok.css",
        "retskilde/db/analysis/lexicon.yml",
        "retskilde/db/analysis/unicode61_tokenchars.txt",
        "retskilde/db/data/laws.yml",
        "retskilde/db/enrich/__init__.py",
        "retskilde/scrapers/kommuner.json",
        "retskilde/scrapers/sources/ast.py",
    ):
        assert needed in names, needed
    # The files themselves, not links to a checkout.
    packed = zipfile.ZipFile(wheel).read("retskilde/metadata.yml")
    assert packed == METADATA_PATH.read_bytes()


def test_every_package_folder_is_in_the_wheel(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for top in ("db", "scrapers"):
        for init in (PROJECT_ROOT / top).rglob("__init__.py"):
            inside = init.relative_to(PROJECT_ROOT).as_posix()
            assert f"retskilde/{inside}" in names, f"{inside} is not packaged (pyproject.toml)"


def test_the_installed_package_validates_builds_and_searches_outside_the_checkout(venv, tmp_path):
    work = tmp_path / "arbejde"
    shutil.copytree(DEFAULT_CORPUS, work / "korpus")
    where = _run(venv, "python", "-c", "import retskilde; print(retskilde.__file__)", cwd=work)
    assert where.returncode == 0, where.stderr
    assert where.stdout.startswith(str(venv)), where.stdout
    generic = _run(venv, "python", "-c", "import db", cwd=work)
    assert generic.returncode != 0 and "No module named 'db'" in generic.stderr
    checked = _run(venv, "retskilde", "validate", "korpus", cwd=work)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    built = _run(
        venv, "retskilde", "build", "--corpus", "korpus", "--db", "ud/retskilde.db", cwd=work
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert (work / "ud" / "retskilde.db").is_file()
    found = _run(
        venv, "retskilde", "search", "fleksjob", "--db", "ud/retskilde.db", "--json", cwd=work
    )
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    assert hits and all("fleksjob" in (hit["snippet"] + hit["title"]).lower() for hit in hits[:3])


def test_the_installed_site_renders_from_the_packaged_templates(venv, tmp_path):
    work = tmp_path / "site"
    work.mkdir()
    built = _run(
        venv,
        "retskilde",
        "build",
        "--corpus",
        str(DEFAULT_CORPUS),
        "--db",
        "retskilde.db",
        cwd=work,
    )
    assert built.returncode == 0, built.stderr
    script = (
        "import asyncio, pathlib\n"
        "from retskilde.site import make_datasette\n"
        "ds = make_datasette(pathlib.Path('retskilde.db'))\n"
        "async def main():\n"
        "    for path in ('/', '/-/sok?q=fleksjob', '/-/kilder', '/retskilde-static/sok.css'):\n"
        "        r = await ds.client.get(path)\n"
        "        print(path, r.status_code, len(r.text))\n"
        "asyncio.run(main())\n"
    )
    shown = _run(venv, "python", "-c", script, cwd=work)
    assert shown.returncode == 0, shown.stderr
    statuses = {line.split()[0]: int(line.split()[1]) for line in shown.stdout.splitlines()}
    assert statuses == {
        "/": 200,
        "/-/sok?q=fleksjob": 200,
        "/-/kilder": 200,
        "/retskilde-static/sok.css": 200,
    }
