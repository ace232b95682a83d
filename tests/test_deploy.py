"""The public instance: the Docker image's entry command run without Docker, the Dockerfile
checked as far as it can be without Docker, and `retskilde publish cloudrun`."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from retskilde import METADATA_PATH, PLUGINS_DIR, PROJECT_ROOT
from retskilde.cli import cli
from retskilde.deploy_commands import PACKAGE_MOUNT, cloudrun_arguments, setting_options
from retskilde.site import SETTINGS

DOCKERFILE = PROJECT_ROOT / "Dockerfile"


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        pending += " " + stripped.rstrip("\\").strip() if pending else stripped.rstrip("\\")
        if not stripped.endswith("\\"):
            keyword, _, arguments = pending.strip().partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
            pending = ""
    return instructions


def instruction(name: str) -> str:
    found = [arguments for keyword, arguments in dockerfile_instructions() if keyword == name]
    assert len(found) == 1, f"Dockerfile skal have præcis én {name}, har {len(found)}"
    return found[0]


def entry_command() -> list[str]:
    """The command the image runs (ENTRYPOINT + CMD, exec form)."""
    names = [keyword for keyword, _ in dockerfile_instructions()]
    command = json.loads(instruction("ENTRYPOINT")) if "ENTRYPOINT" in names else []
    return command + (json.loads(instruction("CMD")) if "CMD" in names else [])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_image_runs_a_command_of_the_project():
    command = entry_command()
    assert command[0] == "retskilde"
    assert tuple(command[1:]) in {("serve-public",)}
    result = CliRunner().invoke(cli, [*command[1:], "--help"])
    assert result.exit_code == 0, result.output


def test_the_image_is_slim_python_311_and_runs_as_an_unprivileged_user():
    assert instruction("FROM").startswith("python:3.11-slim")
    user = instruction("USER")
    assert user not in {"root", "0", "0:0"}
    keywords = [keyword for keyword, _ in dockerfile_instructions()]
    # Nothing runs as root after the switch, and the switch comes before the command.
    assert "RUN" not in keywords[keywords.index("USER") :]
    assert keywords.index("USER") < keywords.index("CMD")
    assert "useradd" in " ".join(a for k, a in dockerfile_instructions() if k == "RUN")
    assert "HEALTHCHECK" in keywords
    assert instruction("EXPOSE") == "8001"


def test_the_image_builds_the_database_from_the_corpus_argument():
    corpus_default = instruction("ARG").partition("=")[2]
    assert (PROJECT_ROOT / corpus_default).is_dir(), corpus_default
    runs = [a for k, a in dockerfile_instructions() if k == "RUN"]
    build = [run for run in runs if "retskilde build" in run]
    assert len(build) == 1
    # The database lands where serve-public looks without options, named as the site expects.
    assert "--db /app/db/retskilde.db" in build[0]
    assert instruction("WORKDIR") == "/app"


def test_every_file_the_dockerfile_copies_exists_and_is_not_ignored():
    ignored = {
        line.strip()
        for line in (PROJECT_ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    copies = [a for k, a in dockerfile_instructions() if k == "COPY"]
    assert copies
    sources = []
    for arguments in copies:
        *paths, _destination = arguments.split()
        sources += [p for p in paths if not p.startswith("--") and "${" not in p]
    for source in sources:
        assert (PROJECT_ROOT / source).exists(), f"Dockerfile kopierer {source}, som ikke findes"
        top = source.rstrip("/").split("/")[0]
        assert top not in ignored, f"{source} er udelukket i .dockerignore"
    # What the code needs beside the package must be copied (the runtime reads them).
    for needed in ("metadata.yml", "datasette_plugins/", "corpus/document.schema.json", "db/"):
        assert any(source.startswith(needed) or needed in source for source in sources), needed


@pytest.fixture
def public_site(sample_db):
    """`retskilde serve-public` exactly as the image runs it, on 127.0.0.1 and a free port."""
    executable = shutil.which(entry_command()[0], path=str(Path(sys.executable).parent))
    assert executable, "retskilde-kommandoen er ikke installeret i dette miljø"
    port = free_port()
    env = {**os.environ, "PORT": str(port), "RETSKILDE_DB": str(sample_db)}
    server = subprocess.Popen(
        [executable, *entry_command()[1:], "--host", "127.0.0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/-/versions.json", timeout=2)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(server.stderr.read().decode()) from None
                time.sleep(0.2)
        yield base, server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stderr.close()


def test_the_entry_command_serves_the_sample_site(public_site, sample_records):
    public_site, _ = public_site
    front = httpx.get(f"{public_site}/")
    assert front.status_code == 200
    assert "Retskilde" in front.text

    decision = next(r for r in sample_records if r["id"] == "ast-principmeddelelse-101-17")
    search = httpx.get(f"{public_site}/-/sok.json", params={"q": "101-17"})
    assert search.status_code == 200
    assert search.json()["hits"][0]["id"] == decision["id"]
    html_search = httpx.get(f"{public_site}/-/sok", params={"q": "hjælpemidler"})
    assert html_search.status_code == 200
    assert "<mark>" in html_search.text

    page = httpx.get(f"{public_site}/retskilde/documents/{decision['id']}")
    assert page.status_code == 200
    assert decision["title"] in page.text


def test_the_entry_command_serves_immutable_with_the_site_settings(public_site):
    public_site, server = public_site
    cmdline = Path(f"/proc/{server.pid}/cmdline")
    if cmdline.exists():
        arguments = cmdline.read_bytes().decode().split("\0")
        served = arguments[arguments.index("-i") + 1]
        assert Path(served).name == "retskilde.db"
    # The public instance hides the page that lists databases with their file paths.
    assert httpx.get(f"{public_site}/-/databases.json").status_code == 404
    settings = httpx.get(f"{public_site}/-/settings.json").json()
    assert settings["sql_time_limit_ms"] == SETTINGS["sql_time_limit_ms"]
    assert settings["force_https_urls"] is False
    # The site's plugins are loaded: the security plugin's headers are on every answer.
    front = httpx.get(f"{public_site}/")
    assert "content-security-policy" in front.headers
    cors = httpx.get(f"{public_site}/retskilde.json", headers={"Origin": "https://eksempel.dk"})
    assert cors.headers.get("access-control-allow-origin") == "*"


def test_the_entry_command_becomes_the_server_and_stops_on_sigterm(public_site):
    """`docker stop` sends SIGTERM to the image's command: it must be the server itself
    (exec, no shell or wrapper in between) and shut down cleanly."""
    base, server = public_site
    assert httpx.get(f"{base}/-/versions.json").status_code == 200
    cmdline = Path(f"/proc/{server.pid}/cmdline")
    if cmdline.exists():
        assert cmdline.read_bytes().split(b"\0")[1:4] == [b"-m", b"datasette", b"serve"]
    server.send_signal(signal.SIGTERM)
    # uvicorn re-raises the signal after its shutdown, so the status is -SIGTERM, not a crash.
    assert server.wait(timeout=10) in (0, -signal.SIGTERM)
    assert b"Application shutdown complete" in server.stderr.read()


def test_serve_public_refuses_a_missing_or_misnamed_database(tmp_path, sample_db):
    missing = CliRunner().invoke(cli, ["serve-public", "--db", str(tmp_path / "retskilde.db")])
    assert missing.exit_code != 0
    assert "retskilde build" in missing.output
    other_name = tmp_path / "andet.db"
    other_name.write_bytes(sample_db.read_bytes())
    misnamed = CliRunner().invoke(cli, ["serve-public"], env={"RETSKILDE_DB": str(other_name)})
    assert misnamed.exit_code != 0
    assert "retskilde.db" in misnamed.output and str(other_name) in misnamed.output


def test_publish_passes_the_site_options_to_datasette(tmp_path, sample_db):
    wheel = tmp_path / "pakke" / "retskilde-0.1.0-py3-none-any.whl"
    args = cloudrun_arguments(sample_db, wheel, "retskilde", "2Gi", "2", 1, 10, "abc123")
    assert args[:3] == ["publish", "cloudrun", str(sample_db)]

    def value(option: str) -> list[str]:
        return [args[i + 1] for i, a in enumerate(args) if a == option]

    assert value("--metadata") == [str(METADATA_PATH)]
    assert value("--plugins-dir") == [str(PLUGINS_DIR)]
    assert value("--template-dir") == [str(PLUGINS_DIR / "templates")]
    assert f"{PACKAGE_MOUNT}:{wheel.parent}" in value("--static")
    assert value("--install") == [f"/app/{PACKAGE_MOUNT}/{wheel.name}"]
    extra = value("--extra-options")[0].split()
    assert extra == setting_options()
    assert ["--setting", "sql_time_limit_ms", str(SETTINGS["sql_time_limit_ms"])] == extra[
        extra.index("sql_time_limit_ms") - 1 : extra.index("sql_time_limit_ms") + 2
    ]
    assert value("--max-instances") == ["10"] and value("--service") == ["retskilde"]


def test_datasette_copies_the_wheel_into_the_image_before_installing_it(tmp_path, sample_db):
    """The publish command relies on Datasette's generated Dockerfile copying the build context
    (with the wheel as a static folder) to /app before `pip install`: checked against the
    installed Datasette, without gcloud."""
    from datasette.utils import temporary_docker_directory

    wheel = tmp_path / "pakke" / "retskilde-0.1.0-py3-none-any.whl"
    wheel.parent.mkdir()
    wheel.write_bytes(b"wheel")
    args = cloudrun_arguments(sample_db, wheel, "retskilde", "2Gi", "2", 1, 10, None)
    statics = [tuple(args[i + 1].split(":", 1)) for i, a in enumerate(args) if a == "--static"]
    install = [args[i + 1] for i, a in enumerate(args) if a == "--install"]
    extra = args[args.index("--extra-options") + 1]
    metadata_path = Path(args[args.index("--metadata") + 1])
    with (
        metadata_path.open(encoding="utf-8") as metadata,
        temporary_docker_directory(
            [str(sample_db)],
            "retskilde",
            metadata,
            extra,
            None,
            args[args.index("--template-dir") + 1],
            args[args.index("--plugins-dir") + 1],
            statics,
            install,
            False,
            None,
            "hemmelighed",
        ) as context,
    ):
        dockerfile = (Path(context) / "Dockerfile").read_text()
        assert (Path(context) / PACKAGE_MOUNT / wheel.name).read_bytes() == b"wheel"
        assert (Path(context) / "plugins" / "retskilde_search.py").is_file()
    copy_at = dockerfile.index("COPY . /app")
    install_at = dockerfile.index(f"/app/{PACKAGE_MOUNT}/{wheel.name}")
    assert copy_at < install_at
    assert "sql_time_limit_ms" in dockerfile and "-i retskilde.db" in dockerfile


def test_publish_without_gcloud_says_so(sample_db, tmp_path):
    env = {"PATH": str(tmp_path)}
    result = CliRunner().invoke(
        cli, ["publish", "cloudrun", "--db", str(sample_db), "--service", "x"], env=env
    )
    assert result.exit_code != 0
    assert "gcloud" in result.output


def test_publish_dry_run_prints_the_datasette_command(sample_db):
    result = CliRunner().invoke(
        cli, ["publish", "cloudrun", "--db", str(sample_db), "--service", "retskilde", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    printed = shlex.split(result.output)
    assert printed[:3] == ["datasette", "publish", "cloudrun"]
    assert "--plugins-dir" in printed and "--extra-options" in printed


def test_https_links_only_when_asked(sample_db):
    from retskilde.deploy_commands import public_serve_args

    plain = public_serve_args(sample_db, "0.0.0.0", 8080, https_urls=False)
    behind_tls = public_serve_args(sample_db, "0.0.0.0", 8080, https_urls=True)
    assert "force_https_urls" not in plain
    assert behind_tls[-3:] == ["--setting", "force_https_urls", "on"]
    assert plain[plain.index("--port") + 1] == "8080" and "-i" in plain
