"""Running the public instance: `retskilde serve-public` (what the Docker image runs) and
`retskilde publish cloudrun` (the same site on Google Cloud Run through `datasette publish`)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import click

from retskilde import DEFAULT_DB, METADATA_PATH, PLUGINS_DIR, PROJECT_ROOT
from retskilde.site import (
    STATIC_DIR,
    STATIC_MOUNT,
    TEMPLATES_DIR,
    datasette_cli_options,
    datasette_serve_args,
)

# The wheel travels in the build context that `datasette publish` copies to /app before its
# `pip install` (see cloudrun_arguments); the mount name is also where it can be downloaded.
PACKAGE_MOUNT = "retskilde-pakke"


def _existing_db(db_path: Path) -> Path:
    if not db_path.is_file():
        raise click.ClickException(f"{db_path} findes ikke; kør først `retskilde build`.")
    if db_path.name != DEFAULT_DB.name:
        # Datasette names the database after the file, and metadata.yml (facets, canned
        # queries, titles) and the site's addresses (/retskilde/…) are for that name.
        raise click.ClickException(
            f"{db_path}: databasefilen skal hedde {DEFAULT_DB.name} (sitets adresser og "
            f"metadata.yml gælder databasen {DEFAULT_DB.stem})."
        )
    return db_path


def public_serve_args(db_path: Path, host: str, port: int, https_urls: bool) -> list[str]:
    """`datasette` arguments for the public site: the site's own options (immutable database,
    plugins, metadata, SQL time limit), open to scripts on other sites (CORS: the data is
    public and read-only), and https links when a proxy in front terminates TLS."""
    args = [*datasette_serve_args(db_path), "--cors", "--host", host, "--port", str(port)]
    if https_urls:
        args += ["--setting", "force_https_urls", "on"]
    return args


@click.command("serve-public")
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    show_default=True,
    envvar="RETSKILDE_DB",
    help="Databasen (eller RETSKILDE_DB=, fx en monteret fil).",
)
@click.option("--host", default="0.0.0.0", show_default=True, help="Adressen der lyttes på (alle).")
@click.option(
    "--port",
    default=8001,
    show_default=True,
    type=click.IntRange(1, 65535),
    envvar="PORT",
    help="Porten; hostingplatforme sætter PORT=.",
)
@click.option(
    "--https-urls/--no-https-urls",
    default=False,
    envvar="RETSKILDE_HTTPS_URLS",
    help="Skriv https:// i sitets egne links (bag en proxy, der afslutter TLS). "
    "Eller RETSKILDE_HTTPS_URLS=1.",
)
def serve_public(db_path: Path, host: str, port: int, https_urls: bool) -> None:
    """Vis den offentlige instans: det, Docker-imaget kører.

    Som `retskilde serve`, men til drift: lytter på alle adresser, læser porten fra PORT,
    databasen er uforanderlig (intet skrives; flere kopier kan dele samme fil), SQL-tidsgrænse,
    CORS, ingen genstart ved kodeændringer.
    """
    _existing_db(db_path)
    args = [sys.executable, "-m", "datasette", *public_serve_args(db_path, host, port, https_urls)]
    click.echo(f"Retskilde (offentlig) lytter på {host}:{port} med {db_path}", err=True)
    sys.stdout.flush()
    # exec, so that the server is the container's main process and gets `docker stop`'s SIGTERM.
    os.execv(sys.executable, args)


@click.group()
def publish() -> None:
    """Udgiv sitet på en hostingplatform (med databasen bygget ind i imaget)."""


def setting_options() -> list[str]:
    """The site's `--setting NAME VALUE` triples, as `retskilde serve` passes them."""
    options = datasette_cli_options()
    settings: list[str] = []
    for index, option in enumerate(options):
        if option == "--setting":
            settings += options[index : index + 3]
    return settings


def cloudrun_arguments(
    db_path: Path,
    wheel: Path,
    service: str,
    memory: str,
    cpu: str,
    min_instances: int,
    max_instances: int,
    version_note: str | None,
) -> list[str]:
    """`datasette publish cloudrun` arguments for the public site.

    Datasette writes the Dockerfile; its `COPY . /app` comes before `pip install`, so the
    project's wheel, handed over as a static folder, is installed from /app/<mount>/. The
    plugins import the project's `db` and `retskilde` packages, which no registry has.
    """
    args = [
        "publish",
        "cloudrun",
        str(db_path),
        "--service",
        service,
        "--metadata",
        str(METADATA_PATH),
        "--plugins-dir",
        str(PLUGINS_DIR),
        "--template-dir",
        str(TEMPLATES_DIR),
        "--static",
        f"{STATIC_MOUNT}:{STATIC_DIR}",
        "--static",
        f"{PACKAGE_MOUNT}:{wheel.parent}",
        "--install",
        f"/app/{PACKAGE_MOUNT}/{wheel.name}",
        "--extra-options",
        " ".join(setting_options()),
        "--memory",
        memory,
        "--cpu",
        cpu,
        "--min-instances",
        str(min_instances),
        "--max-instances",
        str(max_instances),
    ]
    if version_note:
        args += ["--version-note", version_note]
    return args


# What the wheel is made of (pyproject.toml's packages); copied, so that setuptools' build/
# folder is made in a temporary folder instead of the working tree.
WHEEL_SOURCES = ("pyproject.toml", "README.md", "retskilde", "db", "scrapers")


def build_wheel(into: Path) -> Path:
    """The project as a wheel (the code the plugins import), built from the working tree."""
    source = into / "kilde"
    for name in WHEEL_SOURCES:
        if (PROJECT_ROOT / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.db", "*.db-*", "*.tmp")
            shutil.copytree(PROJECT_ROOT / name, source / name, ignore=ignore)
        else:
            source.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT_ROOT / name, source / name)
    wheels_dir = into / "pakke"
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w"]
    completed = subprocess.run(
        [*command, str(wheels_dir), str(source)], capture_output=True, text=True
    )
    wheels = sorted(wheels_dir.glob("retskilde-*.whl"))
    if completed.returncode != 0 or len(wheels) != 1:
        raise click.ClickException(
            f"kunne ikke bygge pakken fra {PROJECT_ROOT}: {completed.stderr.strip()}"
        )
    return wheels[0]


def _git_revision() -> str | None:
    """The commit being published (shown on the site as the version note), when known."""
    try:
        completed = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
        )
    except OSError:  # no git: a release unpacked from an archive
        return None
    if completed.returncode != 0:
        return None
    return completed.stdout.strip() or None


@publish.command("cloudrun")
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    show_default=True,
    help="Databasen, der bygges ind i imaget.",
)
@click.option("--service", required=True, help="Cloud Run-tjenestens navn (fx retskilde).")
@click.option("--memory", default="2Gi", show_default=True, help="Hukommelse pr. kopi (Cloud Run).")
@click.option(
    "--cpu",
    type=click.Choice(["1", "2", "4"]),
    default="2",
    show_default=True,
    help="Kerner pr. kopi; søgningen tæller facetter i en hjælpetråd, så 2 er målt.",
)
@click.option(
    "--min-instances",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Kopier, der altid kører (0: ingen, når ingen spørger, men langsom første søgning).",
)
@click.option(
    "--max-instances",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Højst så mange kopier bag Cloud Runs load balancer.",
)
@click.option(
    "--dry-run", is_flag=True, help="Vis kommandoen uden at bygge pakken eller udgive noget."
)
def publish_cloudrun(
    db_path: Path,
    service: str,
    memory: str,
    cpu: str,
    min_instances: int,
    max_instances: int,
    dry_run: bool,
) -> None:
    """Udgiv sitet på Google Cloud Run med `datasette publish cloudrun`.

    Databasen bygges ind i imaget og serveres uforanderlig med sitets plugins, skabeloner,
    metadata og indstillinger (SQL-tidsgrænse m.m.). Cloud Run starter flere kopier af samme
    image efter trafikken (--min-instances/--max-instances). Kræver `gcloud` (logget ind, med et
    valgt projekt).
    """
    _existing_db(db_path)
    if dry_run:
        wheel = Path(tempfile.gettempdir()) / "pakke" / "retskilde-<version>-py3-none-any.whl"
        args = cloudrun_arguments(
            db_path, wheel, service, memory, cpu, min_instances, max_instances, _git_revision()
        )
        click.echo(shlex.join(["datasette", *args]))
        return
    if shutil.which("gcloud") is None:
        raise click.ClickException(
            "gcloud findes ikke på PATH; installér Google Cloud CLI "
            "(https://cloud.google.com/sdk/), log ind og vælg et projekt."
        )
    with tempfile.TemporaryDirectory() as folder:
        wheel = build_wheel(Path(folder))
        args = cloudrun_arguments(
            db_path, wheel, service, memory, cpu, min_instances, max_instances, _git_revision()
        )
        completed = subprocess.run([sys.executable, "-m", "datasette", *args])
    if completed.returncode != 0:
        raise click.ClickException(
            f"datasette publish cloudrun fejlede (kode {completed.returncode})."
        )
