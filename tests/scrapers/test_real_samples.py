"""The pure parsers over the real material in ../shared/samples (skipped where it is absent).

The Ankestyrelsen samples are records another project's scraper made from the live
www.ast.dk (2026-03), not HTML: what can be tested on them is tested (URLs, titles, tags, dates,
Paragraf values, practice numbers), and their real text is put back into pages shaped like the
current site, whose footer sits in the same rich-text blocks as the body. The page captures
(ast.dk, star.dk) are text only and are read the same way.
"""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path

import pytest

from retskilde.scrapers import ast, star
from retskilde.scrapers.dates import is_date_only, parse_date

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples"
pytestmark = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason="../shared/samples findes ikke (kun i arbejdsmiljøet)"
)

FOOTER_WORDS = ("Teglholmsgade", "EAN:", "CVR:", "sikkermail", "Telefontider", "bekymret for et")


def _records() -> list[dict]:
    folder = SAMPLES / "ankestyrelsen"
    if not folder.is_dir():
        return []
    return [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))]


def _capture(folder: str, name_part: str) -> list[str]:
    [path] = [p for p in (SAMPLES / folder).glob("*.txt") if name_part in p.name]
    return [line.strip() for line in path.read_text("utf-8").splitlines() if line.strip()]


RECORDS = _records()


def test_the_samples_are_there():
    assert len(RECORDS) >= 9


@pytest.mark.parametrize("real", RECORDS, ids=lambda r: r["decision_number"])
def test_real_urls_titles_and_tags(real):
    assert ast.classify(real["url"]) == "principmeddelelse"
    year_index = real["url"].rsplit("/", 1)[0]
    assert ast.classify(year_index) is None
    assert ast.title_number(real["title"]) == real["decision_number"]
    assert ast.record_id("principmeddelelse", real["url"], real["decision_number"]) == (
        f"ast-principmeddelelse-{real['decision_number']}"
    )
    split = ast.split_tags(real["categories"])
    assert split["status"] == real["status"].lower()
    assert split["authority"] in ("Kommunal", "Udbetaling Danmark", "Arbejdsskade")
    assert split["law_names"] and not set(split["law_names"]) & set(split["keywords"])


def test_real_law_areas():
    areas = {
        r["decision_number"]: ast.law_area(
            ast.split_tags(r["categories"])["law_names"],
            ast.split_tags(r["categories"])["keywords"],
        )
        for r in RECORDS
    }
    assert areas["4-26"] == areas["22-25"] == areas["3-26"] == "Børn og unge"
    assert areas["1-25"] == "Arbejdsskade"
    assert areas["28-24"] == "Forsørgelse"
    assert areas["21-25"] == areas["2-26"] == "Pension"
    # Serviceloven, forsorgshjem and krisecenter: no area of the contract fits, none is guessed.
    assert areas["20-25"] is None and areas["1-26"] is None


def _page(real: dict, box: str = "") -> bytes:
    """The real record's text as a current-site page: one rich-text block per real block."""
    day = real["date"]
    date_line = f"{day[8:10]}-{day[5:7]}-{day[0:4]}"  # the site's dd-mm-yyyy
    tags = "".join(
        f'<span class="label label-default">{escape(t)}</span>' for t in real["categories"]
    )
    blocks = "".join(
        f'<div class="rich-text"><p>{escape(block)}</p></div>'
        for block in real["text"].split("\n\n")
    )
    return (
        f'<html><head><meta property="og:title" content="{escape(real["title"])} - Ankestyrelsen">'
        f"</head><body><main><h1>{escape(real['title'])}</h1><div>{date_line}</div>"
        f"<div>{tags}</div>{blocks}{box}</main></body></html>"
    ).encode()


@pytest.mark.parametrize("real", RECORDS, ids=lambda r: r["decision_number"])
def test_real_text_in_a_current_site_page_gives_a_clean_record(real):
    record = ast.parse(_page(real), real["url"])
    assert record["number"] == real["decision_number"]
    assert record["title"] == real["title"]
    assert record["status"] == real["status"].lower()
    assert record["date"] == real["date"]  # from the dd-mm-yyyy line, which is not text
    assert not record["text"].startswith(real["date"][8:10] + "-")
    for word in FOOTER_WORDS:
        assert word not in record["text"], word
    # All of the body is kept: the first and the last body block.
    blocks = real["text"].split("\n\n")
    body = [b for b in blocks if not any(w in b for w in FOOTER_WORDS)]
    assert len(body) == len(blocks) - 4  # the four footer blocks of every real page
    assert record["text"].startswith(body[0][:200])
    assert body[-1][-200:] in record["text"]


@pytest.mark.parametrize(
    "real", [r for r in RECORDS if r["paragraph"]], ids=lambda r: r["decision_number"]
)
def test_real_paragraf_and_journal_values_are_read_whole_from_separate_pieces(real):
    pieces = re.split(r"\s+(?=§)", real["paragraph"])
    value = "".join(f"<span>{escape(p)}</span> " for p in pieces)
    box = (
        "<dl><dt>Paragraf</dt>"
        f"<dd>{value}</dd><dt>Journalnummer</dt><dd>{real['journal_number']}</dd></dl>"
    )
    record = ast.parse(_page(real, box), real["url"])
    assert record["paragraph"] == real["paragraph"]
    assert record["journal_number"] == real["journal_number"]


def test_real_several_section_paragraf_value_is_among_the_samples():
    assert "§ 47 § 49 § 166 § 171 b § 171 d" in {r["paragraph"] for r in RECORDS}


def test_real_practice_numbers_of_1_25_are_the_two_kasserede():
    [real] = [r for r in RECORDS if r["decision_number"] == "1-25"]
    practice = real["text"][real["text"].index("Praksis Kasserede") :]
    assert ast.decision_numbers(practice.split("Ankestyrelsen Teglholmsgade")[0]) == [
        "15-14",
        "14-20",
    ]


def test_real_current_site_capture_date_line_and_title():
    lines = _capture("ankestyrelsen_pages", "principmeddelelse-22-25")
    title, date_line, tag_line = lines[0], lines[1], lines[2]
    assert ast.title_number(title) == "22-25"
    assert is_date_only(date_line) and parse_date(date_line) == "2026-01-09"
    assert tag_line.endswith("Gældende Kommunal")
    page = (
        f"<html><body><main><h1>{escape(title)}</h1><p>{date_line}</p>"
        + "".join(f"<p>{escape(line)}</p>" for line in lines[3:])
        + "</main></body></html>"
    ).encode()
    url = (
        "https://www.ast.dk/for-myndigheder/principmeddelelser/2026/"
        "ankestyrelsens-principmeddelelse-22-25-om-barnets-lov-inddragelse-oekonomiske-ydelser"
    )
    record = ast.parse(page, url)
    assert record["date"] == "2026-01-09" and "09-01-2026" not in record["text"]
    assert "Principmeddelelsen fastslår" in ast.sections(record)


def test_real_old_site_capture_keeps_its_updated_date_and_loses_its_footer():
    lines = _capture("ankestyrelsen_pages", "praksisundersogelser")
    page = (
        f"<html><body><main><h1>{escape(lines[1])}</h1>"
        + "".join(f"<p>{escape(line)}</p>" for line in lines[2:])
        + "</main></body></html>"
    ).encode()
    url = "https://ast.dk/tal-og-undersogelser/ankestyrelsens-praksisundersogelser"
    assert ast.classify(url) is None  # the overview, not a study
    record = ast.parse(page, url, kind="artikel")
    assert record["date"] == "2023-03-28"
    for footer in ("33 41 12 00", "7998 Statsservice", "ast@ast.dk", "Tilgængelighedserklæring"):
        assert footer not in record["text"], footer
    assert "retssikkerhedslovens §§ 76-79a" in record["text"]


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://www.ast.dk/nyhedsarkiv", None),
        (
            "https://ast.dk/nyheder/nyheder/nyheder-2024/nye-principmeddelelser-fra-ankestyrelsen-1",
            "nyhed",
        ),
        ("https://ast.dk/nyheder/temanyhedsbreve/aret-der-gik", "nyhed"),
        ("https://ast.dk/tilsynet/artikler/artikel-ny-strategi", "artikel"),
    ],
)
def test_real_urls_named_in_the_samples(url, kind):
    assert ast.classify(url) == kind


STAR_NEWS = {
    "ny-fokusrevision": ("fokusrevision", "2023-12-12", "Sygedagpenge"),
    "star-forenkler-tilsyn": (None, "2023-11-28", "Beskæftigelse"),
}


@pytest.mark.parametrize("name", sorted(STAR_NEWS))
def test_real_star_news_titles_dates_and_kinds(name):
    kind, day, area = STAR_NEWS[name]
    lines = _capture("star_pages", name)
    assert lines[:2] == ["Spring til hovedindhold", "Spring over venstremenu"]
    title, date_line = lines[2], lines[3]
    assert parse_date(date_line) == day
    assert star.announced_kind(title) == kind
    assert star.law_area(title, []) == area
    page = (
        '<html><body><a href="#main">Spring til hovedindhold</a><main id="main">'
        f"<h1>{escape(title)}</h1><p>{date_line}</p>"
        + "".join(f"<p>{escape(line)}</p>" for line in lines[4:])
        + "</main></body></html>"
    ).encode()
    publication = star.parse(page, "https://star.dk/om-styrelsen/nyt/nyheder/2023/12/x/")
    assert publication.record["date"] == day
    assert date_line not in publication.record["text"]
    assert "Spring til" not in publication.record["text"]


@pytest.mark.parametrize(
    "url",
    [
        "https://star.dk/om-styrelsen/nyt/nyheder/2023/12/ny-fokusrevision-viser-at-kommunernes-"
        "administrerer-sygedagpengereglerne-korrekt/",
        "https://star.dk/om-styrelsen/nyt/nyheder-og-aktuelt-fra-styrelsen-for-arbejdsmarked-og-"
        "rekruttering/2026/06/rekrutteringssurvey-sommer-2026",
        "https://star.dk/da/om-styrelsen/nyt/nyheder/2023/11/star-forenkler-tilsyn/",
    ],
)
def test_real_star_news_urls_are_news(url):
    assert star.is_news_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://star.dk/da/tilsyn-paa-beskaeftigelsesomraadet/tilsyn-med-kommuner/",
        "https://star.dk/da/tilsyn-paa-beskaeftigelsesomraadet/tilsyn-med-kommuner/kommunal-revision/",
        "https://star.dk/en/labour-market-monitoring/",
        "https://star.dk/om-styrelsen/nyt/nyheder/2023/12/",
    ],
)
def test_real_star_pages_that_are_not_news(url):
    assert not star.is_news_url(url)


def test_real_star_da_prefix_is_the_same_page():
    assert star.page_key(
        "https://star.dk/da/tilsyn-paa-beskaeftigelsesomraadet/tilsyn-med-kommuner/"
    ) == star.page_key("https://star.dk/tilsyn-paa-beskaeftigelsesomraadet/tilsyn-med-kommuner")
