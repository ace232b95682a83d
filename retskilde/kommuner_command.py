"""`retskilde kommuner`: the 98 municipalities, their agenda platform, and whether we collect."""

from __future__ import annotations

import json
from collections import Counter

import click

from retskilde.scrapers.kommuner import REGIONS, all_kommuner, in_region


@click.command("kommuner")
@click.option("--json", "as_json", is_flag=True, help="Skriv listen som JSON (til scripts).")
@click.option("--region", default=None, help="Kun kommunerne i regionen, fx Nordjylland.")
@click.option("--platform", default=None, help="Kun kommunerne på platformen, fx firstagenda.")
def kommuner(as_json: bool, region: str | None, platform: str | None) -> None:
    """Vis alle 98 kommuner: kommunekode, region, dagsordensplatform, adresse og om Retskilde
    henter deres udvalgsdagsordener."""
    chosen = in_region(region) if region else all_kommuner()
    if region and not chosen:
        names = ", ".join(r.removeprefix("Region ") for r in REGIONS)
        raise click.BadParameter(
            f"ukendt region {region!r}; kendte: {names}", param_hint="--region"
        )
    if platform:
        chosen = [k for k in chosen if k.platform == platform]
    if as_json:
        rows = [
            {
                "kommune": k.name,
                "noegle": k.key,
                "kommunekode": k.code,
                "region": k.region,
                "platform": k.platform,
                "platform_navn": k.platform_label,
                "base_url": k.base_url,
                "hentes": k.collected,
                "status": k.status,
                "belaeg": k.evidence,
            }
            for k in chosen
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for k in chosen:
        click.echo(
            f"{k.code}  {k.name:<18} {k.region.removeprefix('Region '):<12} "
            f"{k.platform_label:<40} {k.status:<11} {k.base_url}"
        )
    per_platform = Counter(k.platform_label for k in chosen)
    collected = sum(k.collected for k in chosen)
    ready = sum(k.has_parser and not k.collected for k in chosen)
    summary = ", ".join(f"{label}: {n}" for label, n in per_platform.most_common())
    click.echo(
        f"{len(chosen)} kommuner, {collected} hentes, {ready} med parser klar ({summary})",
        err=True,
    )
