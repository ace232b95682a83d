"""`retskilde scrape <source> --check` against the local test site: per kind, what was found,
whether the page tried gives valid records; nothing written to the corpus."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
from click.testing import CliRunner

from retskilde.cli import cli
from retskilde.scrapers import firstagenda as fa
from retskilde.scrapers import registry
from tests.scrapers import agendas
from tests.scrapers.conftest import serve_fixtures
from tests.scrapers.platform_sites import SERVERS
from tests.scrapers.star.recorded import serve as serve_star

HERE = Path(__file__).parent


def _check(site, corpus, *args):
    command = ["scrape", *args, "--check", "--base-url", site.base_url, "--corpus", str(corpus)]
    return CliRunner().invoke(cli, [*command, "--rate", "1000", "--retries", "0"])


def _block(output: str, kind: str) -> list[str]:
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{kind}:"))
    end = next(
        (i for i in range(start + 1, len(lines)) if not lines[i].startswith(" ")), len(lines)
    )
    return lines[start:end]


def test_check_on_a_whole_site_finds_every_kind_and_writes_nothing(site, tmp_path):
    served = serve_fixtures(site)
    corpus = tmp_path / "corpus"
    result = _check(site, corpus, "ast")
    assert result.exit_code == 0, result.output
    for kind in ("principmeddelelse", "nyhed", "artikel", "praksisundersoegelse"):
        block = _block(result.output, kind)
        count = sum(f.kind == kind for f in served.values())
        assert block[0] == f"{kind}: {count} adresser  [OK]"
        assert block[1] == f"  fra {site.url('/sitemap.xml')}"
        assert block[-1].startswith("  prøvet: ") and block[-1].endswith(": 1 gyldige poster")
    assert not corpus.exists()
    # Only the sitemap and one page per kind were asked for (plus robots.txt).
    pages = [hit.path for hit in site.hits if hit.path not in ("/robots.txt", "/sitemap.xml")]
    assert len(pages) == 5


def test_check_names_a_kind_it_did_not_find_and_a_page_that_does_not_parse(site, tmp_path):
    served = serve_fixtures(site)
    pm = [path for path, f in served.items() if f.kind == "principmeddelelse"]
    site.sitemap(pm)
    site.add(pm[0], "<html><body><p>Siden findes ikke længere.</p></body></html>")
    result = _check(site, tmp_path / "corpus", "ast")
    assert result.exit_code == 1
    assert _block(result.output, "nyhed")[0] == "nyhed: 0 adresser  [FEJL]"
    assert (
        f"  FEJL {site.url('/sitemap.xml')}: fandt ingen adresser af slagsen 'nyhed'"
        in result.output
    )
    block = _block(result.output, "principmeddelelse")
    assert block[0].endswith("[FEJL]")
    assert any(line.startswith(f"  FEJL {site.url(pm[0])}: ") for line in block)


def test_check_star_and_firstagenda(site, tmp_path):
    serve_star(site)
    result = _check(site, tmp_path / "c", "star")
    assert result.exit_code == 0, result.output
    assert _block(result.output, "fokusrevision")[0].endswith("[OK]")
    assert _block(result.output, "analyse")[0].endswith("[OK]")
    agendas.serve(site)
    kommune = agendas.site_kommune(site)
    result = _check(site, tmp_path / "c", "firstagenda", "--kommune", kommune.key)
    assert result.exit_code == 0, result.output
    block = _block(result.output, "moede")
    assert block[1] == f"  fra {fa.udvalgsliste_url(site.base_url)}"
    assert "gyldige poster" in block[-1] and not block[-1].endswith(": 0 gyldige poster")
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize("name", sorted(SERVERS))
def test_check_on_an_agenda_platform_finds_its_pages_tries_one_and_writes_nothing(
    name, site, tmp_path
):
    served = SERVERS[name](site)
    corpus = tmp_path / "corpus"
    result = _check(site, corpus, name, "--kommune", served.kommune)
    assert result.exit_code == 0, result.output
    [kind] = registry.load(name).kinds
    block = _block(result.output, kind)
    assert block[0] == f"{kind}: {len(served.pages)} adresser  [OK]"
    assert block[1].startswith(f"  fra {site.url(served.discovery[0])}")
    assert block[-1].startswith("  prøvet: ") and not block[-1].endswith(": 0 gyldige poster")
    assert not corpus.exists()
    # Discovery and the pages tried were asked for (robots.txt aside), and the minutes where
    # the items' text is only there (Meetings+): more than one page only where the first held
    # closed items alone (kk.dk's first item is closed).
    discovery = {urlparse(path).path for path in served.discovery} | {"/robots.txt"}
    asked = {hit.target for hit in site.hits if hit.path not in discovery}
    tried = asked & set(served.pages)
    assert len(tried) == (3 if name == "kk" else 1), sorted(asked)
    documents = asked - tried
    assert [urlparse(url).path[-4:] for url in documents] == ([".pdf"] * (name == "meetingsplus"))


def test_check_where_every_page_tried_holds_only_closed_items_is_a_failure(site, tmp_path):
    served = SERVERS["kk"](site)
    closed = (HERE / "kk" / "beskaeftigelse-2025-12-08-dagsorden-punkt-4.html").read_bytes()
    for path in served.pages:
        site.add(path, closed)
    result = _check(site, tmp_path / "corpus", "kk", "--kommune", served.kommune)
    assert result.exit_code == 1
    third = site.url(served.pages[2])
    assert (
        f"  FEJL {third}: de første 3 sider gav ingen poster (kun lukkede eller tomme punkter)"
        in (result.output)
    )
    assert not (tmp_path / "corpus").exists()
