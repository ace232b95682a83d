"""Attachments behind a viewer page: FirstAgenda's `/Vis/Pdf/bilag/{id}` answers with HTML whose
`iframe#pdfframe` holds a signed link to the PDF that expires after minutes. The reader follows
it once, reads the file, and keeps the link nowhere: not in the raw store, not in a message."""

from __future__ import annotations

import pytest

from retskilde.scrapers.fetcher import FetchError
from retskilde.scrapers.reports import embedded_document, read_report
from tests.scrapers.pdfmaker import Heading, make_pdf, report_page

SECRET = "X-Amz-Signature=9f2c0ffee&X-Amz-Credential=AKIAEKSEMPEL"
VIEWER = "/Vis/Pdf/bilag/5b1e7c2a-0d4f-4c1e-9a57-2f6d0c9e1a11"
FILE = "/firstagenda-bucket/bilag/5b1e7c2a.pdf"


def bilag_pdf() -> bytes:
    page = report_page(
        1,
        1,
        None,
        full=[
            Heading("Bilag 1: Status på jobcentrets indsats for sygedagpengemodtagere"),
            "Eksempel: Antallet af forløb over 22 uger er faldet fra 412 til 377 i årets første "
            "kvartal, og 64 procent af de sygemeldte har haft en opfølgningssamtale til tiden.",
        ],
    )
    return make_pdf([page], title="Bilag 1 (eksempel)")


def viewer_page(link: str) -> str:
    # Written for the project after the structure the research describes (not a copy).
    return (
        "<!DOCTYPE html><html><head><title>Bilag</title></head><body>"
        '<div class="viewer"><iframe id="pdfframe" src="' + link + '" width="100%"></iframe>'
        "</div></body></html>"
    )


@pytest.fixture
def served(site):
    link = site.url(FILE) + "?" + SECRET
    site.add(VIEWER, viewer_page(link.replace("&", "&amp;")))
    site.add(FILE + "?" + SECRET, bilag_pdf(), content_type="application/pdf", etag=False)
    return site


def _stored_bytes(corpus) -> bytes:
    found = b""
    for path in corpus.rglob("*"):
        if path.is_file():
            found += path.read_bytes()
    return found


def test_a_viewer_page_is_followed_to_its_file_and_nothing_of_the_link_is_kept(
    served, tmp_path, make_fetcher
):
    corpus = tmp_path / "corpus"
    fetcher = make_fetcher(corpus, source="kommune")
    report = read_report(fetcher, served.url(VIEWER), keep=False, what="bilaget")
    assert report.problem is None, report.problem
    assert any("412 til 377" in paragraph for paragraph in report.paragraphs)
    asked = [hit.target for hit in served.hits]
    assert VIEWER in asked and FILE + "?" + SECRET in asked
    stored = _stored_bytes(corpus)
    assert b"9f2c0ffee" not in stored and b"AKIAEKSEMPEL" not in stored


def test_a_failing_signed_link_is_named_by_the_viewer_page_never_by_the_link(
    served, tmp_path, make_fetcher
):
    served.pages.pop(FILE + "?" + SECRET)  # the link has expired
    corpus = tmp_path / "corpus"
    fetcher = make_fetcher(corpus, source="kommune")
    report = read_report(fetcher, served.url(VIEWER), keep=False, what="bilaget")
    assert report.paragraphs is None
    assert report.problem.startswith(f"bilaget {served.url(VIEWER)}: den indlejrede fil: HTTP 404")
    assert "9f2c0ffee" not in report.problem
    assert b"9f2c0ffee" not in _stored_bytes(corpus)


def test_an_unkept_fetch_is_polite_but_leaves_no_trace(served, tmp_path, make_fetcher):
    corpus = tmp_path / "corpus"
    fetcher = make_fetcher(corpus, source="kommune")
    url = served.url(FILE) + "?" + SECRET
    result = fetcher.get(url, keep=False)
    assert result.content.startswith(b"%PDF-") and "?" not in result.url
    assert fetcher.raw.latest(url) is None
    assert served.hits[-1].user_agent.startswith("Retskilde/")
    served.always[FILE + "?" + SECRET] = "500"
    with pytest.raises(FetchError) as raised:
        fetcher.get(url, keep=False)
    assert raised.value.url == served.url(FILE) and "9f2c0ffee" not in str(raised.value)
    assert b"9f2c0ffee" not in _stored_bytes(corpus)


@pytest.mark.parametrize(
    ("html", "found"),
    [
        (
            '<iframe id="pdfframe" src="https://s3.example/x?sig=1"></iframe>',
            "https://s3.example/x?sig=1",
        ),
        ('<iframe src="/a/b.pdf?sig=2"></iframe>', "https://kommune.example/a/b.pdf?sig=2"),
        ('<embed src="/a/c.PDF">', "https://kommune.example/a/c.PDF"),
        ('<object data="/a/d.docx"></object>', "https://kommune.example/a/d.docx"),
        ('<iframe src="https://www.youtube.com/embed/x"></iframe>', None),
        ('<iframe id="pdfframe" src="javascript:alert(1)"></iframe>', None),
        ("<p>Ingen fil her</p>", None),
    ],
)
def test_embedded_document(html, found):
    page = f"<html><body>{html}</body></html>".encode()
    assert embedded_document(page, "https://kommune.example/Vis/Pdf/bilag/1") == found
