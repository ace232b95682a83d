"""The scheduled pipeline (.github/workflows/opdater.yml): every `retskilde` command it runs
exists with the options it passes, every source is scraped, and the run is bounded."""

from __future__ import annotations

import re
import shlex

import click
import pytest
import yaml
from click.testing import CliRunner

from retskilde import PROJECT_ROOT
from retskilde.cli import cli
from retskilde.scrape_commands import scrape

WORKFLOW = PROJECT_ROOT / ".github" / "workflows" / "opdater.yml"
SHELL_OPERATORS = {"||", "&&", ";", "|", ")", "then", "do", "done", "fi"}


def workflow() -> dict:
    loaded = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True.
    loaded["on"] = loaded.pop(True, loaded.get("on"))
    return loaded


def steps() -> list[dict]:
    return [step for job in workflow()["jobs"].values() for step in job["steps"]]


def expand(token: str, env: dict[str, str]) -> str:
    return re.sub(r"\$\{?(\w+)\}?", lambda m: str(env.get(m.group(1), m.group(0))), token)


def retskilde_invocations() -> list[list[str]]:
    """Every `retskilde …` in the run scripts, split as the shell would, env values filled in."""
    env = {key: str(value) for key, value in workflow().get("env", {}).items()}
    invocations = []
    for step in steps():
        script = step.get("run", "").replace("\\\n", " ")
        for line in script.splitlines():
            tokens = shlex.split(line, comments=True)
            for index, token in enumerate(tokens):
                if token != "retskilde":
                    continue
                invocation = []
                for word in tokens[index + 1 :]:
                    if word in SHELL_OPERATORS:
                        break
                    invocation.append(expand(word, env))
                invocations.append(invocation)
    return invocations


def resolve(args: list[str]) -> tuple[list[str], click.Command, list[str]]:
    """(command path, the click command, its arguments) for `retskilde <args>`."""
    command: click.Command = cli
    path: list[str] = []
    rest = list(args)
    ctx = click.Context(cli)
    while isinstance(command, click.Group) and rest and rest[0] in command.list_commands(ctx):
        path.append(rest[0])
        command = command.get_command(ctx, rest.pop(0))
    return path, command, rest


def test_the_workflow_runs_retskilde_commands():
    assert len(retskilde_invocations()) >= 5


@pytest.mark.parametrize("args", retskilde_invocations(), ids=" ".join)
def test_every_command_the_workflow_runs_exists_with_its_options(args):
    path, command, rest = resolve(args)
    assert path and not isinstance(command, click.Group), f"ingen kommando: retskilde {args}"
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    for word in rest:
        if word.startswith("-"):
            assert word in known, f"retskilde {' '.join(path)} har ikke {word}"


def test_every_source_is_scraped():
    from retskilde.scrapers.kommuner import CRAWLED
    from retskilde.scrapers.registry import SOURCES

    scraped = {
        path[1] for path, _, _ in map(resolve, retskilde_invocations()) if path[0] == "scrape"
    }
    # `scrape kommuner` runs the source of every collected municipality's platform.
    covered = (scraped - {"kommuner"}) | (set(CRAWLED) if "kommuner" in scraped else set())
    assert covered == set(SOURCES), (
        "pipelinen skal skrabe alle kilder, som `retskilde scrape` kender; tilføj de nye "
        f"til .github/workflows/opdater.yml: {sorted(set(SOURCES) - covered)}"
    )
    assert set(scrape.list_commands(click.Context(scrape))) == set(SOURCES) | {"kommuner"}


def test_the_agendas_of_every_collected_municipality_are_scraped():
    invocations = [args for args in retskilde_invocations() if args[:2] == ["scrape", "kommuner"]]
    assert len(invocations) == 1
    # No --kommune, --region or --platform: every municipality the registry collects.
    assert not {"--kommune", "--region", "--platform"} & set(invocations[0])


def test_scraping_is_polite_and_every_step_is_bounded():
    for args in retskilde_invocations():
        path, _, rest = resolve(args)
        if path[0] == "scrape":
            rate = float(rest[rest.index("--rate") + 1])
            assert 0 < rate <= 1, f"retskilde {' '.join(path)} beder om {rate} pr. sekund"
            assert "--corpus" in rest
    for job in workflow()["jobs"].values():
        assert 0 < job["timeout-minutes"] <= 360
    for step in steps():
        if "retskilde scrape" in step.get("run", ""):
            assert step.get("timeout-minutes") and step.get("continue-on-error") is True


def test_one_run_at_a_time_on_a_schedule():
    loaded = workflow()
    assert loaded["concurrency"]["group"]
    assert loaded["concurrency"]["cancel-in-progress"] is False
    crons = [entry["cron"] for entry in loaded["on"]["schedule"]]
    assert crons and all(len(cron.split()) == 5 for cron in crons)


def test_the_corpus_is_committed_before_the_build_and_published_after():
    runs = [" ".join(step.get("run", "").replace("\\\n", " ").split()) for step in steps()]

    def first(pattern: str) -> int:
        return next(i for i, run in enumerate(runs) if re.search(pattern, run))

    commit_at = first(r"git( -c \S+)* commit")
    assert first(r"retskilde scrape") < commit_at < first(r"retskilde build")
    assert first(r"git push") < first(r"retskilde publish cloudrun")
    commit = runs[commit_at]
    # Raw snapshots and crawl state stay out of git (cache); the records go in.
    assert "raw/**" in commit and ".state/**" in commit
