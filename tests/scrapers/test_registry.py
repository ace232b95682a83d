"""The registry, the CLI and the recorded pages agree on which sources there are."""

from __future__ import annotations

import click
import pytest

from retskilde.cli import cli
from retskilde.scrapers import registry
from retskilde.scrapers.sources.base import Source
from tests.scrapers.recorded import recorded_pages, recorded_sources


def test_the_cli_has_one_scrape_command_per_registered_source():
    scrape = cli.get_command(None, "scrape")
    listed = scrape.list_commands(click.Context(scrape))
    assert listed == sorted([*registry.SOURCES, "kommuner"])
    assert set(recorded_sources()) == set(registry.SOURCES)


@pytest.mark.parametrize("name", sorted(registry.SOURCES))
def test_a_source_command_is_made_from_its_source(name):
    source = registry.load(name)
    assert isinstance(source, Source) and source.name == name
    command = cli.get_command(None, "scrape").get_command(None, name)
    assert command.help == source.help
    options = {opt for param in command.params for opt in param.opts}
    assert {"--since", "--base-url", "--limit", "--rate", "--corpus", "--check"} <= options
    corpus = next(p for p in command.params if p.name == "corpus")
    assert f"<corpus>/{source.folder}/" in corpus.help


@pytest.mark.parametrize("name", sorted(registry.SOURCES))
def test_every_kind_of_every_source_has_a_recorded_page_beside_its_expected_record(name):
    source = registry.load(name)
    pages = recorded_pages(name)
    missing = set(source.kinds) - set(pages)
    assert not missing, f"{name}: ingen optagne sider for {sorted(missing)}"
    for kind in source.kinds:
        assert pages[kind], f"{name}/{kind}: ingen optaget side"
        for page, expected in pages[kind]:
            assert page.exists() and expected.exists() and page != expected


@pytest.mark.parametrize("name", sorted(registry.SOURCES))
def test_every_summary_row_counts_a_field_of_the_summary(name):
    summary = registry.load(name).summary()
    assert summary.ROWS and summary.ROWS[-1].field == "failed"
    for row in summary.ROWS:
        assert isinstance(getattr(summary, row.field), int | list), row


def test_a_registry_entry_that_names_another_source_is_refused(monkeypatch):
    monkeypatch.setitem(registry.SOURCES, "andet", "retskilde.scrapers.sources.ast")
    with pytest.raises(RuntimeError, match="'ast', not 'andet'"):
        registry.load("andet")
