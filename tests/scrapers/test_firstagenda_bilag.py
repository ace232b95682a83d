"""`scrape firstagenda --bilag`: the attachments' PDFs are read through FirstAgenda's viewer page
(`/Vis/Pdf/bilag/{id}`, whose `iframe#pdfframe` holds a signed link that expires in minutes) and
their text joins the item's text under "Bilag: <title>". The signed link is followed once and
kept nowhere: not in the corpus, the raw copies, the crawl state, the run log or the output."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from retskilde.cli import cli
from retskilde.scrapers.agenda import attachment_urls, with_attachment_texts
from tests.scrapers import agendas
from tests.scrapers.pdfmaker import Heading, make_pdf, report_page

SIGNATURE = "X-Amz-Signature=c0ffee42&X-Amz-Credential=AKIAEKSEMPEL"


def marker(url: str) -> str:
    """What the attachment at `url` says, so a test sees that each text lands in its item."""
    return f"bilagstekst nr. {url.rsplit('/', 1)[1][:8]}"


def bilag_pdf(url: str) -> bytes:
    page = report_page(
        1,
        1,
        None,
        full=[
            Heading("Bilag (eksempel)"),
            f"Eksempel: {marker(url)}, skrevet til Retskilde. Hjemviste sager 37.",
        ],
    )
    return make_pdf([page], title="Bilag (eksempel)")


def serve_bilag(site) -> dict[str, str]:
    """Every attachment of the served agendas behind a viewer page; {viewer path: title}."""
    served = agendas.serve(site)
    titles: dict[str, str] = {}
    for agenda in served.values():
        for item in agenda.get("Dagsordenpunkter") or agenda.get("Punkter") or []:
            for bilag in item.get("Bilag") or []:
                titles[f"/Vis/Pdf/bilag/{bilag['Id']}"] = bilag["Navn"]
    for viewer in titles:
        file_path = f"/s3/{viewer.rsplit('/', 1)[1]}.pdf"
        link = site.url(file_path) + "?" + SIGNATURE
        site.add(
            viewer,
            '<html><body><iframe id="pdfframe" src="' + link.replace("&", "&amp;") + '">'
            "</iframe></body></html>",
        )
        site.add(f"{file_path}?{SIGNATURE}", bilag_pdf(viewer), content_type="application/pdf")
    return titles


def _cli(site, corpus: Path, *extra: str):
    args = ["scrape", "firstagenda", "--kommune", "hvidovre", "--base-url", site.base_url]
    args += ["--corpus", str(corpus), "--rate", "1000", "--retries", "0", *extra]
    return CliRunner().invoke(cli, args)


def _records(corpus: Path) -> dict[str, dict]:
    folder = corpus / "kommune"
    return {p.stem: json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))}


def _everything_stored(corpus: Path) -> bytes:
    return b"".join(p.read_bytes() for p in corpus.rglob("*") if p.is_file())


def test_bilag_text_joins_the_item_and_the_signed_link_is_kept_nowhere(site, tmp_path):
    titles = serve_bilag(site)
    assert titles, "the recorded agendas have attachments"
    corpus = tmp_path / "c"
    result = _cli(site, corpus, "--bilag")
    assert result.exit_code == 0, result.output
    with_bilag = [r for r in _records(corpus).values() if r.get("attachments")]
    assert with_bilag
    for record in with_bilag:
        for attachment in record["attachments"]:
            heading = f"Bilag: {attachment['title']}"
            assert heading in record["text"]
            after = record["text"].split(heading, 1)[1]
            assert marker(attachment["url"]) in after.split("Bilag: ", 1)[0]
    assert b"c0ffee42" not in _everything_stored(corpus)
    assert "c0ffee42" not in result.output


def test_without_bilag_no_attachment_is_asked_for(site, tmp_path):
    serve_bilag(site)
    result = _cli(site, tmp_path / "c")
    assert result.exit_code == 0, result.output
    assert not any(hit.path.startswith(("/Vis/", "/s3/")) for hit in site.hits)
    assert all("Bilag: " not in r["text"] for r in _records(tmp_path / "c").values())


def test_giving_bilag_later_reads_every_meeting_once_more(site, tmp_path):
    serve_bilag(site)
    corpus = tmp_path / "c"
    assert _cli(site, corpus).exit_code == 0
    result = _cli(site, corpus, "--bilag")
    assert result.exit_code == 0, result.output
    assert any("Bilag: " in r["text"] for r in _records(corpus).values())
    start = len(site.hits)
    assert _cli(site, corpus, "--bilag").exit_code == 0
    # Now nothing changed: no meeting, no attachment asked for again.
    assert not any(hit.path.startswith(("/Vis/", "/s3/")) for hit in site.hits[start:])


def test_an_expired_link_is_a_failure_named_by_the_viewer_page(site, tmp_path):
    titles = serve_bilag(site)
    # An attachment of the recorded beskæftigelsesudvalg meeting (one the crawl selects).
    viewer = "/Vis/Pdf/bilag/8e2f4a6c-1b3d-4f5e-9a7c-2d4e6f8a0b13"
    assert viewer in titles
    file_path = f"/s3/{viewer.rsplit('/', 1)[1]}.pdf?{SIGNATURE}"
    site.pages.pop(file_path)  # the signed link has expired
    corpus = tmp_path / "c"
    result = _cli(site, corpus, "--bilag")
    assert result.exit_code == 1
    assert f"bilaget {site.url(viewer)}: den indlejrede fil: HTTP 404" in result.output
    assert "c0ffee42" not in result.output
    assert b"c0ffee42" not in _everything_stored(corpus)
    # The items are still stored, with the attachments that could be read.
    records = [r for r in _records(corpus).values() if r.get("attachments")]
    assert records and any("Bilag: " in r["text"] for r in records)


def test_attachment_texts_follow_their_items_in_order():
    records = [
        {
            "text": "Punkt 1.",
            "attachments": [{"title": "A", "url": "u1"}, {"title": "B", "url": "u2"}],
        },
        {"text": "Punkt 2.", "attachments": [{"title": "B", "url": "u2"}]},
        {"text": "Punkt 3."},
    ]
    urls = attachment_urls(records)
    assert urls == ["u1", "u2"]
    joined = with_attachment_texts(records, urls, [["Tekst A."], None])
    assert joined[0]["text"] == "Punkt 1.\n\nBilag: A\n\nTekst A."
    assert joined[1] is records[1] and joined[2] is records[2]
