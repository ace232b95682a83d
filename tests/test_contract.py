from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from retskilde.cli import cli
from retskilde.contract import load_schema, validate_path, validate_record
from tests.conftest import make_record, write_record


def test_valid_record_has_no_problems():
    assert validate_record(make_record()) == []


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"title": None}, "title", "mangler"),
        ({"text": None, "sha256": "0" * 64}, "text", "mangler"),
        ({"doc_type": "dom"}, "doc_type", "tilladt"),
        ({"source": "retsinformation"}, "source", "tilladt"),
        ({"sha256": "abc"}, "sha256", "form"),
        ({"date": "24-05-2024"}, "date", "form"),
        ({"fetched_at": "i går"}, "fetched_at", "form"),
        ({"status": "Gældende"}, "status", "tilladt"),
        ({"id": "AST 12/24"}, "id", "form"),
        ({"url": "ast.dk/side"}, "url", "form"),
        ({"item_number": "4"}, "item_number", "typen"),
        ({"keywords": ["Fleksjob", "Fleksjob"]}, "keywords", ""),
        ({"attachments": [{"title": "Bilag 1"}]}, "attachments/0/url", "mangler"),
        ({"topics": ["fleksjob"]}, "(record)", "ukendt felt"),
    ],
)
def test_broken_record_names_the_field(overrides, field, words):
    problems = validate_record(make_record(**overrides), "x.json")
    assert [p.field for p in problems] == [field]
    assert words in problems[0].message
    assert str(problems[0]).startswith(f"x.json: {field}: ")


def test_schema_marks_only_the_contract_fields_required():
    assert set(load_schema()["required"]) == {
        "id",
        "source",
        "doc_type",
        "title",
        "url",
        "fetched_at",
        "sha256",
        "text",
    }


def test_validate_path_reports_file_problems_and_keeps_good_records(tmp_path):
    write_record(tmp_path / "ast", make_record())
    write_record(tmp_path / "ast", make_record(id="ast-nyhed-x", doc_type="nyhed"), "wrong-name")
    (tmp_path / "ast" / "broken.json").write_text("{not json", encoding="utf-8")
    write_record(tmp_path / "star", make_record(), "ast-principmeddelelse-1-99")
    records, problems = validate_path(tmp_path)
    assert [r["id"] for r in records] == ["ast-principmeddelelse-1-99"]
    by_file = {
        (p.location.split("/")[-2] + "/" + p.location.split("/")[-1], p.field) for p in problems
    }
    assert by_file == {
        ("ast/broken.json", "(fil)"),
        ("ast/wrong-name.json", "id"),
        ("star/ast-principmeddelelse-1-99.json", "id"),
    }


def test_raw_snapshots_and_schema_files_are_not_records(tmp_path):
    write_record(tmp_path / "ast", make_record())
    (tmp_path / "ast" / "raw").mkdir()
    (tmp_path / "ast" / "raw" / "page.json").write_text("[]", encoding="utf-8")
    (tmp_path / "x.schema.json").write_text("{}", encoding="utf-8")
    records, problems = validate_path(tmp_path)
    assert len(records) == 1 and problems == []


def test_cli_validate_exits_nonzero_and_names_file_and_field(tmp_path):
    write_record(tmp_path, make_record(doc_type="dom"))
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path}/ast-principmeddelelse-1-99.json: doc_type: 'dom'" in result.output


def test_cli_validate_accepts_the_sample_corpus():
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 0, result.output
    assert " 0 fejl" in result.output


def test_every_sample_record_is_marked_as_example(sample_records):
    assert sample_records, "the sample corpus is empty"
    not_marked = [r["id"] for r in sample_records if r.get("example") is not True]
    assert not_marked == []
    unmarked_text = [r["id"] for r in sample_records if "eksempel" not in r["text"].lower()]
    assert unmarked_text == []


def test_sample_sha256_matches_text(sample_records):
    import hashlib

    wrong = [
        r["id"]
        for r in sample_records
        if r["sha256"] != hashlib.sha256(r["text"].encode("utf-8")).hexdigest()
    ]
    assert wrong == []


def test_schema_is_valid_json_schema():
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(load_schema())
    assert json.dumps(load_schema())
