from __future__ import annotations

import json

from click.testing import CliRunner

from retskilde.cli import cli


def run(*args):
    return CliRunner().invoke(cli, ["search", *args])


def test_json_lists_ranked_results_with_the_agreed_fields(search_db):
    result = run("101-17", "--db", str(search_db), "--json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert hits[0]["id"] == "ast-principmeddelelse-101-17"
    assert set(hits[0]) == {"id", "title", "doc_type", "date", "url", "snippet", "score"}
    assert [h["score"] for h in hits[1:]] == sorted((h["score"] for h in hits[1:]), reverse=True)


def test_type_and_limit(search_db):
    result = run("sygedagpenge", "--db", str(search_db), "--type", "dagsorden", "--json")
    assert [h["doc_type"] for h in json.loads(result.output)] == ["dagsordenpunkt"]
    result = run("sygedagpenge OR fleksjob", "--db", str(search_db), "--limit", "2", "--json")
    assert len(json.loads(result.output)) == 2


def test_text_output_marks_the_matched_words(search_db):
    result = run("hjemvist", "--db", str(search_db))
    assert result.exit_code == 0
    assert "»hjemviste«" in result.output
    assert "aarhus-notat-hjemviste-fleksjobsager" in result.output


def test_garbage_and_missing_database(search_db, tmp_path):
    result = run('"', "--db", str(search_db))
    assert result.exit_code == 0 and "Skriv et eller flere søgeord" in result.output
    result = run("fleksjob", "--db", str(tmp_path / "none.db"))
    assert result.exit_code != 0 and "retskilde build" in result.output
    not_a_db = tmp_path / "x.db"
    not_a_db.write_text("hello", encoding="utf-8")
    result = run("fleksjob", "--db", str(not_a_db))
    assert result.exit_code != 0 and str(not_a_db) in result.output
