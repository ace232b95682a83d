"""`retskilde scrape <source> --check` against the local test site: per kind, what was found,
whether the page tried gives valid records; nothing written to the corpus."""

from __future__ import annotations

from click.testing import CliRunner

from retskilde.cli import cli
from retskilde.scrapers import firstagenda as fa
from tests.scrapers import agendas
from tests.scrapers.conftest import serve_fixtures
from tests.scrapers.star.recorded import serve as serve_star


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
