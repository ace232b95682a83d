"""Plain text from a downloaded document (PDF, DOCX or HTML): paragraphs separated by blank lines.

The format is read from the bytes themselves (a server's Content-Type is often wrong for
attachments). Every failure is an ExtractError naming the URL, never an exception from deep
inside a parser, and never an empty text: a document without text is an error too.
"""

from __future__ import annotations

import io
import re
import zipfile

from retskilde.scrapers.errors import SourceError

# Typographic ligatures and invisible characters that PDF and Word files carry into their text.
_LIGATURES = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",
        "\ufb06": "st",
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        "\ufeff": "",
        "\u2011": "-",  # non-breaking hyphen
    }
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")
# Below this many letters and digits, a document has no text worth a record.
MIN_TEXT_CHARS = 20
_WORD = re.compile(r"[^\W\d_]{2,}")


class ExtractError(SourceError):
    """A document whose text could not be read; `reason` is meant for the user."""


class NoTextLayer(ExtractError):
    """A PDF with pages but no text on them: a scan, which would need OCR."""


def normalise(text: str) -> str:
    """One line of text: ligatures spelt out, control and zero-width characters gone, one space."""
    text = _CONTROL.sub(" ", text.translate(_LIGATURES))
    return _SPACE.sub(" ", text).strip()


def letter_count(paragraphs: list[str]) -> int:
    """How many letters and digits the paragraphs hold (punctuation and page furniture aside)."""
    return sum(sum(ch.isalnum() for ch in p) for p in paragraphs)


def has_words(paragraphs: list[str]) -> bool:
    """Whether the paragraphs hold a word (two letters in a row), not only digits and signs."""
    return any(_WORD.search(p) for p in paragraphs)


def kind_of(content: bytes) -> str | None:
    """'pdf', 'docx' or 'html' from the bytes' own signature; None when it is none of those."""
    head = content[:1024].lstrip()
    if content[:1024].find(b"%PDF-") != -1:
        return "pdf"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        return "docx" if "word/document.xml" in names or "[Content_Types].xml" in names else None
    lowered = head[:200].lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered:
        return "html"
    return None


def extract_paragraphs(content: bytes, url: str) -> list[str]:
    """The document's paragraphs in reading order; ExtractError (naming `url`) if there are none."""
    kind = kind_of(content)
    if kind == "pdf":
        from retskilde.scrapers.pdftext import pdf_paragraphs

        found = pdf_paragraphs(content, url)
    elif kind == "docx":
        from retskilde.scrapers.docxtext import docx_paragraphs

        found = docx_paragraphs(content, url)
    elif kind == "html":
        from retskilde.scrapers.htmltext import paragraphs, soup_of

        soup = soup_of(content)
        found = paragraphs(soup.body or soup)
    else:
        raise ExtractError(url, "filen er hverken PDF, DOCX eller HTML; teksten kan ikke udtrækkes")
    # A short PDF or DOCX is still a document; a web page that short is a stub or error page.
    if not has_words(found) or (kind == "html" and letter_count(found) < MIN_TEXT_CHARS):
        raise ExtractError(url, "dokumentet indeholder ingen tekst")
    return found


def extract_text(content: bytes, url: str) -> str:
    """The document as plain text, paragraphs separated by one blank line."""
    return "\n\n".join(extract_paragraphs(content, url))
