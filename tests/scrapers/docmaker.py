"""Whole documents as a user's files: paginated PDFs (with pdfmaker) and DOCX (python-docx).

Used by the import tests, the import benchmark and examples/make_import_examples.py.
"""

from __future__ import annotations

import io
import zipfile

import docx

from tests.scrapers.pdfmaker import A4, Heading, PdfPage, flow, make_pdf

MARGIN = 70.0
BOTTOM = 80.0


def pdf_document(paragraphs: list[str | Heading], title: str = "Eksempel") -> bytes:
    """A PDF with the paragraphs set on as many A4 pages as they need."""
    pages: list[PdfPage] = []
    width = A4[0] - 2 * MARGIN
    remaining = list(paragraphs)
    while remaining:
        page = PdfPage()
        y = A4[1] - MARGIN
        while remaining:
            texts, below = flow([remaining[0]], MARGIN, y, width)
            if below < BOTTOM and page.texts:
                break
            page.texts.extend(texts)
            y = below
            remaining.pop(0)
        pages.append(page)
    return make_pdf(pages, title=title)


def docx_document(paragraphs: list[str | Heading], title: str | None = None) -> bytes:
    """A DOCX: the title in Word's Title style, headings as Heading 1, the rest as body text."""
    document = docx.Document()
    if title:
        document.add_paragraph(title, style="Title")
    for paragraph in paragraphs:
        if isinstance(paragraph, Heading):
            document.add_heading(paragraph.text, level=1)
        else:
            document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_times(buffer.getvalue())


def _fixed_times(content: bytes) -> bytes:
    # The same document makes the same bytes: no clock in the zip entries.
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def encrypted_pdf(content: bytes) -> bytes:
    """`content` with a Standard security handler whose user password is not empty: a PDF
    no reader opens without the password (the streams need not be encrypted for that)."""
    trailer = content.rindex(b"trailer\n<<")
    encrypt = (
        b" /Encrypt << /Filter /Standard /V 1 /R 2 /Length 40 /P -44"
        b" /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> >>"
        b" /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]"
    )
    head = len(b"trailer\n<<")
    return content[: trailer + head] + encrypt + content[trailer + head :]
