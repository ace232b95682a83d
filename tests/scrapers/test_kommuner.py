"""The registry of the 98 municipalities and the committee filter every platform shares."""

from __future__ import annotations

import importlib
import json
import re
from collections import Counter
from urllib.parse import urlparse

import pytest

from retskilde.scrapers import agenda, kommuner
from retskilde.scrapers import firstagenda as fa

ALL = kommuner.all_kommuner()
# Danmarks Statistik's numbering: each region's municipalities (Bornholm, 400, in Hovedstaden).
CODES_PER_REGION = {
    "Region Hovedstaden": 29,
    "Region Sjælland": 17,
    "Region Syddanmark": 22,
    "Region Midtjylland": 19,
    "Region Nordjylland": 11,
}


def test_the_registry_holds_all_98_municipalities_once():
    assert len(ALL) == 98
    assert len({k.code for k in ALL}) == 98
    assert len({k.key for k in ALL}) == 98
    assert len({k.name for k in ALL}) == 98
    assert all(re.fullmatch(r"[1-8]\d\d", k.code) for k in ALL)
    assert Counter(k.region for k in ALL) == CODES_PER_REGION


@pytest.mark.parametrize(
    ("name", "code", "region"),
    [
        ("København", "101", "Region Hovedstaden"),
        ("Hvidovre", "167", "Region Hovedstaden"),
        ("Bornholm", "400", "Region Hovedstaden"),
        ("Køge", "259", "Region Sjælland"),
        ("Middelfart", "410", "Region Syddanmark"),
        ("Horsens", "615", "Region Midtjylland"),
        ("Aarhus", "751", "Region Midtjylland"),
        ("Morsø", "773", "Region Nordjylland"),
        ("Aalborg", "851", "Region Nordjylland"),
    ],
)
def test_codes_and_regions_are_danmarks_statistiks(name, code, region):
    kommune = kommuner.find_kommune(name)
    assert (kommune.code, kommune.region) == (code, region)


# Written out independently of the registry file: a code filed under the wrong region, or a
# region missing one of its municipalities, is a typo there.
REGION_CODES = {
    "Region Hovedstaden": "101 147 151 153 155 157 159 161 163 165 167 169 173 175 183 185 187 190 "
    "201 210 217 219 223 230 240 250 260 270 400",
    "Region Sjælland": "253 259 265 269 306 316 320 326 329 330 336 340 350 360 370 376 390",
    "Region Syddanmark": "410 420 430 440 450 461 479 480 482 492 510 530 540 550 561 563 573 575 "
    "580 607 621 630",
    "Region Midtjylland": "615 657 661 665 671 706 707 710 727 730 740 741 746 751 756 760 766 779 "
    "791",
    "Region Nordjylland": "773 787 810 813 820 825 840 846 849 851 860",
}


def test_every_code_is_in_its_region():
    for region, codes in REGION_CODES.items():
        assert {k.code for k in ALL if k.region == region} == set(codes.split()), region


def test_hosts_are_well_formed_and_unique():
    hosts = []
    for k in ALL:
        parts = urlparse(k.base_url)
        assert parts.scheme == "https" and not parts.path and not parts.query, k.base_url
        assert re.fullmatch(r"([a-z0-9-]+\.)+dk", parts.netloc), k.base_url
        hosts.append(parts.netloc)
    assert len(set(hosts)) == 98


def test_every_platform_has_an_adapter_or_is_marked_unsupported():
    named = {k.platform for k in ALL}
    assert named <= set(kommuner.PLATFORMS) | set(kommuner.UNSUPPORTED)
    assert not set(kommuner.PLATFORMS) & set(kommuner.UNSUPPORTED)
    for platform, (_, module) in kommuner.PLATFORMS.items():
        adapter = importlib.import_module(module)
        assert platform == adapter.PLATFORM


def test_platform_counts_match_the_research():
    counts = Counter(k.platform for k in ALL)
    assert counts["firstagenda"] == 88
    assert counts["aabendagsorden"] == counts["meetingsplus"] == 2
    assert counts["kk"] == 1
    assert sum(k.has_parser for k in ALL) == 94
    assert sum(k.collected for k in ALL) == sum(counts[p] for p in kommuner.CRAWLED)
    assert set(kommuner.PLATFORMS) >= kommuner.CRAWLED


@pytest.mark.parametrize(
    ("name", "host"),
    [
        ("Hvidovre", "dagsordener-referater.hvidovre.dk"),
        ("Kolding", "udvalg.kolding.dk"),
        ("Albertslund", "dagsordner.albertslund.dk"),
        ("Vordingborg", "dagsordner.vordingborg.dk"),
        ("Assens", "dagsorden.assens.dk"),
        ("Samsø", "dagsorden.samsoe.dk"),
        ("Høje-Taastrup", "dagsordener.htk.dk"),
        ("Lyngby-Taarbæk", "dagsordener.ltk.dk"),
        ("Faaborg-Midtfyn", "dagsordener.fmk.dk"),
        ("Rødovre", "dagsordener.rk.dk"),
    ],
)
def test_firstagenda_host_variants_give_the_api_addresses(name, host):
    kommune = fa.kommune_for(name)
    assert kommune.platform == "firstagenda"
    assert fa.udvalgsliste_url(kommune.base_url) == f"https://{host}/api/agenda/udvalgsliste"
    assert fa.front_page_url(kommune.base_url) == f"https://{host}/"


def test_the_four_municipalities_known_before_keep_their_keys_and_sites():
    known = fa.load_kommuner()
    assert len(known) == 88
    assert known["aarhus"].base_url == "https://dagsordener.aarhus.dk"
    assert known["albertslund"].base_url == "https://dagsordner.albertslund.dk"
    assert known["hvidovre"].base_url == "https://dagsordener-referater.hvidovre.dk"
    assert known["middelfart"].base_url == "https://dagsordener.middelfart.dk"


def test_lookup_by_name_key_or_code_and_by_region():
    assert kommuner.find_kommune("Høje-Taastrup") == kommuner.find_kommune("hoeje-taastrup")
    assert kommuner.find_kommune("167").name == "Hvidovre"
    assert kommuner.find_kommune("Atlantis") is None
    nord = kommuner.in_region("Nordjylland")
    assert len(nord) == 11 and kommuner.in_region("region-nordjylland") == nord
    with pytest.raises(kommuner.UnknownKommune, match="Åben Dagsorden"):
        fa.kommune_for("Glostrup")  # not a FirstAgenda site
    assert fa.kommune_for("Glostrup", "http://127.0.0.1:9").base_url == "http://127.0.0.1:9"


def test_the_registry_file_says_where_each_fact_comes_from():
    entries = json.loads(kommuner.REGISTRY_PATH.read_text("utf-8"))
    assert all(entry["belaeg"].strip() for entry in entries)
    settings = {
        e["navn"]: e.get("indstillinger") for e in entries if e["platform"] == "aabendagsorden"
    }
    assert (
        settings["Glostrup"]["datoformat"] == "iso" and settings["Syddjurs"]["datoformat"] == "dmy"
    )


# -- the default committee filter ---------------------------------------------------------------

FOLLOWED = [
    "Job- og Velfærdsudvalget",
    "Beskæftigelses-, Integrations- og Erhvervsudvalget",
    "Social- og Sundhedsudvalget",
    "Arbejdsmarkedsudvalget",
    "Erhvervs- og Beskæftigelsesudvalget",
    "Socialudvalget",
    "Social- og Beskæftigelsesudvalget",
    "Handicap, Social, Psykiatri og Beskæftigelse",
    "Beskæftigelsesudvalget",
    "Børne- og Familieudvalget",
    "Velfærdsudvalget",
]
NOT_FOLLOWED = [
    "By- og Planudvalget",
    "Teknisk Udvalg",
    "Økonomiudvalget",
    "Kultur- og Fritidsudvalget",
    "Klima- og Miljøudvalget",
    "Børne- og Uddannelsesudvalget",
    "Aarhus Byråd",
    "Kommunalbestyrelsen",
]


@pytest.mark.parametrize("name", FOLLOWED)
def test_default_filter_keeps_the_social_and_employment_committees(name):
    assert agenda.committee_matches(name)


@pytest.mark.parametrize("name", NOT_FOLLOWED)
def test_default_filter_leaves_out_the_other_committees(name):
    assert not agenda.committee_matches(name)


def test_udvalg_overrides_the_default():
    meetings = [
        fa.MeetingRef("a", "By- og Planudvalget", "2026-01-07T16:00:00+01:00", "Referat"),
        fa.MeetingRef("b", "Socialudvalget", "2026-01-08T16:00:00+01:00", "Referat"),
    ]
    assert [m.id for m in fa.select_meetings(meetings)] == ["b"]
    assert [m.id for m in fa.select_meetings(meetings, udvalg=r"^by-")] == ["a"]
    assert [m.id for m in fa.select_meetings(meetings, udvalg=".")] == ["a", "b"]


# -- `retskilde kommuner` -----------------------------------------------------------------------


def test_kommuner_command_lists_every_municipality_with_platform_and_status():
    from click.testing import CliRunner

    from retskilde.cli import cli

    result = CliRunner().invoke(cli, ["kommuner", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 98
    by_name = {row["kommune"]: row for row in rows}
    assert by_name["Hvidovre"]["kommunekode"] == "167" and by_name["Hvidovre"]["hentes"] is True
    assert by_name["Hedensted"]["status"] == "hentes ikke"
    assert by_name["Glostrup"]["status"] in ("hentes", "parser klar")
    assert by_name["Ishøj"]["platform"] == "ishoj"
    text = CliRunner().invoke(cli, ["kommuner", "--region", "Sjælland"])
    lines = text.stdout.splitlines()
    assert len(lines) == 17 and lines[0].startswith("253  Greve")
    assert "17 kommuner, 17 hentes, 0 med parser klar" in text.stderr
    bad = CliRunner().invoke(cli, ["kommuner", "--region", "Skåne"])
    assert bad.exit_code == 2 and "ukendt region" in bad.output


def test_the_registry_agrees_with_the_builds_list_of_municipalities():
    # Two lists for two stages (the scrapers' registry, the enrichment's name list): the same 98
    # names in the same regions, so a record's municipality is always one the build knows.
    import yaml

    path = kommuner.REGISTRY_PATH.parents[1] / "db" / "data" / "municipalities.yml"
    listed = yaml.safe_load(path.read_text("utf-8"))["municipalities"]
    theirs = {(m["name"], f"Region {m['region']}") for m in listed}
    assert {(k.name, k.region) for k in ALL} == theirs


FIXTURE_FOLDERS = {
    "firstagenda": "firstagenda",
    "aabendagsorden": "aabendagsorden",
    "kk": "kk",
    "meetingsplus": "meetingsplus",
    "aalborg": "aalborg",
}


def test_every_platform_with_a_parser_has_recorded_pages_and_their_expected_results():
    from tests.scrapers.platforms import HERE

    assert set(FIXTURE_FOLDERS) == set(kommuner.PLATFORMS)
    for platform, folder in FIXTURE_FOLDERS.items():
        pages = [
            p
            for p in (HERE / folder).rglob("*")
            if p.suffix in (".json", ".html", ".pdf", ".docx")
            and not p.name.endswith(".expected.json")
        ]
        assert pages, f"ingen optagne sider for {platform} i tests/scrapers/{folder}/"
        for page in pages:
            assert page.with_name(page.stem + ".expected.json").exists(), page
