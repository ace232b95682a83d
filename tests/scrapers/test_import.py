"""`retskilde import`: each format, metadata.yml and options, idempotence, bad files."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from retskilde.cli import cli
from retskilde.contract import validate_path, validate_record
from retskilde.scrapers.importer import PLACEHOLDER_PREFIX, import_paths
from tests.scrapers.docmaker import docx_document, encrypted_pdf, pdf_document
from tests.scrapers.pdfmaker import Heading, scan_pdf

NOTE = "Eksempel: Dette er et fiktivt eksempeldokument skrevet til Retskilde."
BODY = (
    "Jobcentret har gennemgået sagerne om ressourceforløb, som Ankestyrelsen hjemviste i 2023, "
    "og ændret arbejdsgangen for rehabiliteringsteamets indstillinger."
)
MEMO = [
    "NOTAT",
    "Til: Beskæftigelsesudvalget",
    "Fra: Jobcenter Randers, Laksetorvet 1, 8900 Randers C",
    "Dato: 14.03.2024",
    "Hjemviste sager om ressourceforløb",
    BODY,
    NOTE,
]
MEMO_TEXT = "\n\n".join(MEMO) + "\n"
HTML = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Arkiv | Eksempelforeningen</title>"
    "<meta name='date' content='2024-03-14'></head><body><nav>Forside Nyheder Om os</nav>"
    f"<main><h1>Hjemviste sager om ressourceforløb</h1><p>{BODY}</p><p>{NOTE}</p></main></body>"
    "</html>"
)
MARKDOWN = f"# Hjemviste sager om ressourceforløb\n\n14\\. marts 2024\n\n{BODY}\n\n*{NOTE}*\n"


def write_files(folder: Path, files: dict[str, bytes | str]) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)


def records(corpus: Path) -> dict[str, dict]:
    good, problems = validate_path(corpus)
    assert problems == []
    return {r["id"]: r for r in good}


def snapshot(corpus: Path) -> dict[str, bytes]:
    return {str(p.relative_to(corpus)): p.read_bytes() for p in corpus.rglob("*") if p.is_file()}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["import", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notat.pdf", pdf_document(MEMO)),
        ("notat.docx", docx_document(MEMO)),
        ("notat.txt", MEMO_TEXT),
        ("notat.html", HTML),
        ("notat.md", MARKDOWN),
    ],
)
def test_each_format_becomes_one_valid_record(tmp_path, name, content):
    write_files(tmp_path / "in", {name: content})
    corpus = tmp_path / "corpus"
    code, out, err = run(str(tmp_path / "in" / name), "--corpus", str(corpus))
    assert code == 0, err
    (record,) = records(corpus).values()
    assert record["title"] == "Hjemviste sager om ressourceforløb"
    assert record["date"] == "2024-03-14"
    assert BODY in record["text"] and NOTE in record["text"]
    assert record["imported_file"] == name
    raw = (tmp_path / "in" / name).read_bytes()
    import hashlib

    assert record["sha256"] == hashlib.sha256(raw).hexdigest()
    # The raw copy is kept like a scraped page's: content-addressed, with its latest.json.
    source = corpus / record["source"]
    (kept,) = (p for p in (source / "raw").rglob(f"{record['sha256']}.*"))
    assert kept.read_bytes() == raw
    latest = json.loads((kept.parent / "latest.json").read_text("utf-8"))
    assert latest["sha256"] == record["sha256"] and name in latest["headers"]["content-disposition"]
    # No local path anywhere in the public record, and no file: URL.
    assert record["url"] == f"{PLACEHOLDER_PREFIX}{record['source']}/{record['id']}"
    assert str(tmp_path) not in json.dumps(record)
    assert f"{record['source']}/{record['id']}" in out


def test_a_memo_from_a_jobcenter_is_a_municipal_notat(tmp_path):
    write_files(tmp_path, {"notat.txt": MEMO_TEXT})
    report = import_paths([tmp_path / "notat.txt"], tmp_path / "corpus")
    record = report.results[0].record
    assert (record["source"], record["doc_type"], record["municipality"]) == (
        "kommune",
        "notat",
        "Randers",
    )
    assert record["committee"] == "Beskæftigelsesudvalget"
    assert record["id"] == "kommune-2024-03-14-hjemviste-sager-om-ressourceforloeb"


def test_metadata_yml_beats_inference_and_options_beat_both(tmp_path):
    folder = tmp_path / "notater"
    write_files(
        folder,
        {
            "a.txt": MEMO_TEXT,
            "sub/b.txt": MEMO_TEXT.replace("Hjemviste sager", "Andre sager"),
            "metadata.yml": (
                "municipality: Viborg\n"
                "keywords: [ressourceforløb]\n"
                "files:\n"
                "  a.txt:\n"
                "    title: Titel fra metadata.yml\n"
                "    date: 1. april 2024\n"
                "  sub/b.txt:\n"
                "    doc_type: analyse\n"
            ),
            "sub/metadata.yml": "municipality: Skive\n",
        },
    )
    report = import_paths([folder], tmp_path / "corpus")
    a, b = (r.record for r in report.results)
    assert (a["title"], a["date"], a["municipality"]) == (
        "Titel fra metadata.yml",
        "2024-04-01",
        "Viborg",
    )
    assert a["keywords"] == ["ressourceforløb"]
    assert (b["doc_type"], b["municipality"]) == ("analyse", "Skive")  # nearer folder wins
    assert b["title"] == "Andre sager om ressourceforløb"  # inferred where none was given
    report = import_paths([folder], tmp_path / "corpus2", {"municipality": "Aalborg Kommune"})
    assert {r.record["municipality"] for r in report.results} == {"Aalborg"}


def test_a_bad_metadata_yml_is_named(tmp_path):
    write_files(tmp_path / "in", {"a.txt": MEMO_TEXT, "metadata.yml": "kilde: kommune\n"})
    code, _, err = run(str(tmp_path / "in"), "--corpus", str(tmp_path / "corpus"))
    assert code == 1
    assert "metadata.yml: ukendt felt kilde" in err


def test_options_are_checked(tmp_path):
    write_files(tmp_path, {"a.txt": MEMO_TEXT, "b.txt": MEMO_TEXT})
    code, _, err = run(
        str(tmp_path / "a.txt"), "--municipality", "Atlantis", "--corpus", str(tmp_path / "c")
    )
    assert code != 0 and "Atlantis" in err and "98 kommuner" in err
    code, _, err = run(str(tmp_path), "--title", "X", "--corpus", str(tmp_path / "c"))
    assert code != 0 and "--title" in err
    code, _, _ = run(
        str(tmp_path / "a.txt"),
        "--date",
        "26. maj 2014",
        "--url",
        "https://eksempel.dk/n",
        "--corpus",
        str(tmp_path / "c"),
    )
    assert code == 0
    (record,) = records(tmp_path / "c").values()
    assert (record["date"], record["url"]) == ("2014-05-26", "https://eksempel.dk/n")


def test_importing_again_changes_nothing(tmp_path):
    write_files(tmp_path / "in", {"a.txt": MEMO_TEXT, "b.docx": docx_document(MEMO)})
    corpus = tmp_path / "corpus"
    run(str(tmp_path / "in"), "--corpus", str(corpus))
    before = snapshot(corpus)
    code, out, _ = run(str(tmp_path / "in"), "--corpus", str(corpus))
    assert code == 0
    assert "0 nye, 0 opdaterede, 2 uændrede" in out
    assert snapshot(corpus) == before


def test_a_changed_file_updates_its_record_in_place(tmp_path):
    file = tmp_path / "in" / "notat.txt"
    write_files(tmp_path / "in", {"notat.txt": MEMO_TEXT})
    corpus = tmp_path / "corpus"
    run(str(file), "--corpus", str(corpus))
    (first,) = records(corpus).values()
    # New text and a new title: same file, same id, one record.
    file.write_text(
        MEMO_TEXT.replace(
            "Hjemviste sager om ressourceforløb", "Rettet titel om ressourceforløb"
        ).replace("ændret arbejdsgangen", "ændret arbejdsgangen igen"),
        encoding="utf-8",
    )
    code, out, _ = run(str(file), "--corpus", str(corpus))
    assert code == 0 and "1 opdaterede" in out
    (second,) = records(corpus).values()
    assert second["id"] == first["id"]
    assert second["title"] == "Rettet titel om ressourceforløb"
    assert second["sha256"] != first["sha256"] and "igen" in second["text"]
    # Both versions' bytes are kept.
    raw = list((corpus / "kommune" / "raw").rglob("*.txt"))
    assert {p.stem for p in raw} == {first["sha256"], second["sha256"]}


def test_ids_come_from_the_document_not_the_import_order(tmp_path):
    files = {"a.txt": MEMO_TEXT, "b.txt": MEMO_TEXT.replace("14.03.2024", "15.03.2024")}
    write_files(tmp_path / "one", files)
    write_files(tmp_path / "two", files)
    run(
        str(tmp_path / "one" / "a.txt"),
        str(tmp_path / "one" / "b.txt"),
        "--corpus",
        str(tmp_path / "c1"),
    )
    run(
        str(tmp_path / "two" / "b.txt"),
        str(tmp_path / "two" / "a.txt"),
        "--corpus",
        str(tmp_path / "c2"),
    )
    assert records(tmp_path / "c1").keys() == records(tmp_path / "c2").keys()


def test_two_files_with_the_same_title_and_date_get_two_records(tmp_path):
    write_files(tmp_path, {"a.txt": MEMO_TEXT, "b.txt": MEMO_TEXT + "\nEn tilføjelse.\n"})
    report = import_paths([tmp_path / "a.txt", tmp_path / "b.txt"], tmp_path / "corpus")
    assert len({r.record["id"] for r in report.results}) == 2


def _corrupt_docx() -> bytes:
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    return broken.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("scan.pdf", scan_pdf(2), "tekstlag"),
        ("laast.pdf", encrypted_pdf(pdf_document(MEMO)), "krypteret"),
        ("beskadiget.docx", _corrupt_docx(), "DOCX-filen kan ikke læses"),
        ("ikke-en.docx", b"Bare tekst med et forkert navn", "ikke en DOCX"),
        ("binaer.txt", bytes(range(256)) * 4, "binær"),
        ("tom.md", b"", "tom"),
        ("regneark.xlsx", b"PK\x03\x04", "filtypen .xlsx"),
    ],
)
def test_an_unreadable_file_is_named_with_its_reason(tmp_path, name, content, reason):
    write_files(tmp_path / "in", {name: content})
    code, _, err = run(str(tmp_path / "in" / name), "--corpus", str(tmp_path / "corpus"))
    assert code == 1
    assert name in err and reason in err
    assert not list((tmp_path / "corpus").rglob("*.json"))


def test_a_folder_of_good_and_bad_files_imports_the_good_ones(tmp_path):
    folder = tmp_path / "blandet"
    write_files(
        folder,
        {
            "1-notat.pdf": pdf_document([*MEMO[:4], "Første notat om fleksjob", BODY, NOTE]),
            "2-scan.pdf": scan_pdf(1),
            "3-notat.docx": docx_document([*MEMO[:4], "Andet notat om fleksjob", BODY, NOTE]),
            "4-beskadiget.docx": _corrupt_docx(),
            "under/5-side.html": HTML,
            ".skjult.txt": "ikke med",
            "~$3-notat.docx": b"Words laasefil",
        },
    )
    corpus = tmp_path / "corpus"
    # Something is already in the corpus and must survive.
    write_files(corpus / "ast", {"keep.json": "{}"})
    code, out, err = run(str(folder), "--corpus", str(corpus))
    assert code == 1
    assert "3 nye, 0 opdaterede, 0 uændrede; 2 filer sprunget over" in out
    assert "2-scan.pdf" in err and "4-beskadiget.docx" in err and ".skjult" not in err
    assert len([p for p in corpus.glob("*/*.json") if p.parent.name != ".state"]) == 4
    assert (corpus / "ast" / "keep.json").read_text() == "{}"


def test_every_imported_record_passes_the_contract(tmp_path):
    write_files(tmp_path, {"a.pdf": pdf_document([Heading("Kort"), "Tekst med ord nok her."])})
    report = import_paths([tmp_path / "a.pdf"], tmp_path / "corpus")
    assert validate_record(report.results[0].record) == []


def test_only_a_title_style_or_an_opening_heading_is_the_format_s_title():
    from retskilde.scrapers.importread import read_bytes

    # A Heading 1 further down is a section, not the title: the memo rules decide.
    late = docx_document([*MEMO[:5], BODY, Heading("Baggrund"), BODY])
    assert read_bytes(late, "docx", "a.docx").heading is None
    early = docx_document([Heading("Status på klagesager"), BODY, Heading("Baggrund"), BODY])
    assert read_bytes(early, "docx", "b.docx").heading == "Status på klagesager"
    titled = docx_document([BODY], title="Titel i Words typografi")
    assert read_bytes(titled, "docx", "c.docx").heading == "Titel i Words typografi"
    # <title> carries the site's name; an <h2> after body text is a section.
    page = f"<html><head><title>Forside | Site</title></head><body><p>{BODY}</p><h2>Mere</h2>"
    assert read_bytes(page.encode(), "html", "d.html").heading is None
    page = f"<html><body><p>Nyhed</p><h2>Overskriften</h2><p>{BODY}</p></body></html>"
    assert read_bytes(page.encode(), "html", "e.html").heading == "Overskriften"


def test_text_in_old_danish_encodings_reads_right(tmp_path):
    html = (
        "<html><head><meta charset='windows-1252'></head><body><h1>Støtte til hjælpemidler</h1>"
        f"<p>{BODY}</p></body></html>"
    )
    write_files(
        tmp_path,
        {"a.html": html.encode("cp1252"), "b.txt": MEMO_TEXT.encode("cp1252")},
    )
    report = import_paths([tmp_path / "a.html", tmp_path / "b.txt"], tmp_path / "corpus")
    assert report.results[0].record["title"] == "Støtte til hjælpemidler"
    assert "rehabiliteringsteamets" in report.results[1].record["text"]


def test_an_old_word_file_gets_a_hint(tmp_path):
    write_files(tmp_path, {"notat.doc": b"\xd0\xcf\x11\xe0 gammelt Word-format"})
    code, _, err = run(str(tmp_path / "notat.doc"), "--corpus", str(tmp_path / "corpus"))
    assert code == 1 and "notat.doc" in err and "gem den som DOCX eller PDF" in err


def test_a_single_file_gets_its_folder_s_metadata_yml(tmp_path):
    write_files(
        tmp_path / "notater",
        {"a.txt": MEMO_TEXT, "metadata.yml": "files:\n  a.txt:\n    doc_type: analyse\n"},
    )
    report = import_paths([tmp_path / "notater" / "a.txt"], tmp_path / "corpus")
    assert report.results[0].record["doc_type"] == "analyse"


def test_a_file_that_turns_unreadable_leaves_its_record_as_it_was(tmp_path):
    file = tmp_path / "in" / "notat.pdf"
    write_files(tmp_path / "in", {"notat.pdf": pdf_document(MEMO)})
    corpus = tmp_path / "corpus"
    run(str(file), "--corpus", str(corpus))
    before = snapshot(corpus)
    file.write_bytes(scan_pdf(1))  # replaced by a scan of itself
    code, _, err = run(str(file), "--corpus", str(corpus))
    assert code == 1 and "notat.pdf" in err and "tekstlag" in err
    assert snapshot(corpus) == before


def test_a_word_memo_with_its_header_in_a_table(tmp_path):
    import docx

    document = docx.Document()
    table = document.add_table(rows=2, cols=4)
    for row, cells in zip(
        table.rows,
        [
            ("Til", "Beskæftigelsesudvalget", "Dato", "14.03.2024"),
            ("Fra", "Jobcenter Randers", "Sagsnr.", "15.20.00-A00-2-24"),
        ],
        strict=True,
    ):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    document.add_paragraph("Hjemviste sager om ressourceforløb")
    document.add_paragraph(BODY)
    buffer = io.BytesIO()
    document.save(buffer)
    write_files(tmp_path, {"notat.docx": buffer.getvalue()})
    record = import_paths([tmp_path / "notat.docx"], tmp_path / "corpus").results[0].record
    assert record["title"] == "Hjemviste sager om ressourceforløb"
    assert (record["date"], record["municipality"], record["doc_type"]) == (
        "2024-03-14",
        "Randers",
        "notat",
    )
    assert record["case_number"] == "15.20.00-A00-2-24"


def test_a_markdown_front_matter_is_the_file_s_own_metadata(tmp_path):
    front = (
        "---\ntitle: Titel fra YAML-hovedet\ndate: 2024-04-02T09:30:00\n"
        "tags: [fleksjob, kvoter]\nlayout: post\n---\n"
    )
    write_files(tmp_path / "in", {"a.md": front + MARKDOWN})
    report = import_paths([tmp_path / "in" / "a.md"], tmp_path / "corpus")
    record = report.results[0].record
    assert (record["title"], record["date"]) == ("Titel fra YAML-hovedet", "2024-04-02")
    assert record["keywords"] == ["fleksjob", "kvoter"]
    assert not record["text"].startswith("title") and "layout" not in record["text"]
    # The user's options still win over the file's header.
    report = import_paths([tmp_path / "in" / "a.md"], tmp_path / "c2", {"title": "Brugerens"})
    assert report.results[0].record["title"] == "Brugerens"
    write_files(tmp_path / "bad", {"b.md": "---\nmunicipality: Atlantis\n---\n" + MARKDOWN})
    code, _, err = run(str(tmp_path / "bad" / "b.md"), "--corpus", str(tmp_path / "c3"))
    assert code == 1 and "b.md" in err and "Atlantis" in err


def _pdf_with_title(title_lines: list[str]) -> bytes:
    from tests.scrapers.pdfmaker import PdfPage, Text, flow, make_pdf

    texts = [Text(70, 780, "NOTAT", 22, True)]
    y = 740.0
    for line in title_lines:
        texts.append(Text(70, y, line, 16, True))
        y -= 20
    body, _ = flow(
        ["Til: Beskæftigelsesudvalget", "Dato: 14.03.2024", "Indledende afsnit", BODY, BODY],
        70,
        y - 10,
        450,
    )
    return make_pdf([PdfPage(texts + body)])


def test_a_pdf_title_set_large_is_the_title(tmp_path):
    write_files(
        tmp_path,
        {
            "a.pdf": _pdf_with_title(["Hjemviste sager om ressourceforløb", "i Randers 2023"]),
            "b.pdf": _pdf_with_title([]),
        },
    )
    report = import_paths([tmp_path / "a.pdf", tmp_path / "b.pdf"], tmp_path / "corpus")
    titled, untitled = (r.record for r in report.results)
    # The large "NOTAT" is a type word, not the title; the wrapped title is one.
    assert titled["title"] == "Hjemviste sager om ressourceforløb i Randers 2023"
    assert titled["doc_type"] == "notat"
    # Nothing set large but "NOTAT": the memo rules find the first heading-like line.
    assert untitled["title"] == "Indledende afsnit"


def test_a_file_imported_again_under_another_source_moves_its_record(tmp_path):
    write_files(tmp_path, {"a.txt": MEMO_TEXT})
    corpus = tmp_path / "corpus"
    run(str(tmp_path / "a.txt"), "--source", "kommune", "--corpus", str(corpus))
    (first,) = records(corpus).values()
    code, _, _ = run(str(tmp_path / "a.txt"), "--source", "organisation", "--corpus", str(corpus))
    assert code == 0
    (moved,) = records(corpus).values()
    assert (moved["id"], moved["source"]) == (first["id"], "organisation")
    assert (corpus / "organisation" / f"{first['id']}.json").is_file()
