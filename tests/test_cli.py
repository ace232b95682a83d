from __future__ import annotations

import pytest
from click.testing import CliRunner

from retskilde.cli import cli


def all_commands(group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if hasattr(command, "commands"):
            yield from all_commands(command, (*prefix, name))


@pytest.mark.parametrize(("path", "command"), list(all_commands(cli)), ids=lambda v: str(v))
def test_every_command_has_help(path, command):
    assert command.help and len(command.help.strip()) > 20
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_fixed_command_names_exist():
    assert {"build", "validate", "serve"} <= set(cli.commands)


def test_serve_refuses_a_missing_database(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "none.db")])
    assert result.exit_code != 0
    assert "retskilde build" in result.output
