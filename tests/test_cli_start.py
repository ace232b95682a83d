"""The command line starts light: `retskilde --help`, `scrape <kilde> --help` and the commands
that do not serve import neither Datasette nor the parsers' and fetcher's libraries; the lazy
listing says what each command says of itself. (Start times: bench/bench_cli_start.py.)"""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

from retskilde import PROJECT_ROOT
from retskilde.cli import LAZY_COMMANDS, cli, load_command

HEAVY = ["datasette", "bs4", "httpx", "jsonschema", "protego", "pdfminer", "docx"]
_CHILD = """
import json, sys
from retskilde.cli import cli
try:
    cli.main(sys.argv[2:], standalone_mode=False)
except SystemExit:
    pass
loaded = {name.split(".")[0] for name in sys.modules} & set(json.loads(sys.argv[1]))
print("HEAVY=" + json.dumps(sorted(loaded)))
"""


def heavy_loaded(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(HEAVY), *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    line = [line for line in done.stdout.splitlines() if line.startswith("HEAVY=")]
    assert line, done.stdout + done.stderr
    return json.loads(line[-1].removeprefix("HEAVY="))


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["scrape", "--help"],
        ["scrape", "ast", "--help"],
        ["scrape", "star", "--help"],
        ["scrape", "firstagenda", "--help"],
        ["scrape", "kommuner", "--help"],
        ["kommuner", "--help"],
        ["import", "--help"],
        ["search", "--help"],
        ["build", "--help"],
    ],
    ids=" ".join,
)
def test_help_loads_no_heavy_library(args):
    assert heavy_loaded(*args) == []


def test_validate_loads_the_schema_checker_but_not_the_site():
    loaded = heavy_loaded("validate", str(PROJECT_ROOT / "corpus"))
    assert "jsonschema" in loaded and "datasette" not in loaded


@pytest.mark.parametrize("name", sorted(LAZY_COMMANDS))
def test_the_lazy_listing_says_what_the_command_says(name):
    command = load_command(name)
    assert command.name == name
    assert LAZY_COMMANDS[name][1] == command.get_short_help_str(limit=1000)


def test_every_command_is_listed_once_and_resolves():
    ctx = click.Context(cli)
    names = cli.list_commands(ctx)
    assert len(names) == len(set(names))
    assert {"build", "validate", "serve", "search", *LAZY_COMMANDS} == set(names)
    for name in names:
        assert cli.get_command(ctx, name) is not None
