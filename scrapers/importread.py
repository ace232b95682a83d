"""Read a local file for import: its paragraphs, and the heading its format marks as one.

The file name's extension says which format the user meant; the bytes must agree (a ".pdf"
that is not a PDF is named as such, not read as something else). PDF, DOCX and HTML go through
the same extraction as scraped documents; Markdown is rendered to HTML by markdown-it and read
the same way; plain text is split into paragraphs here. Every failure is an ExtractError
naming the file, with a reason the user can act on.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from lxml import etree

from retskilde.scrapers.dates import parse_date
from retskilde.scrapers.extract import ExtractError, has_words, kind_of, normalise
from retskilde.scrapers.htmltext import inline_text, paragraphs, soup_of

if TYPE_CHECKING:
    from bs4 import BeautifulSoup, Tag

FORMATS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html",
    "txt": "text/plain",
    "md": "text/markdown",
}
_FORMAT_NAMES = {"pdf": "PDF", "docx": "DOCX", "html": "HTML"}
# Word's own style ids for a title or heading, in English and Danish Word.
_TITLE_STYLE = re.compile(r"^(?:Title|Titel)$", re.I)
_HEADING_STYLE = re.compile(r"^(?:Heading\s?1|Overskrift\s?1)$", re.I)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Text files: wrapped prose fills its lines; a shorter line ends a paragraph or is a list item.
_WRAPPED_LINE = 55
_BINARY_SHARE = 0.01


@dataclass(frozen=True)
class ReadFile:
    """What a file holds: its format, its paragraphs, and hints its format gives for metadata."""

    kind: str
    paragraphs: list[str]
    heading: str | None = None  # the first title/heading the format marks as one
    headings: tuple[
        str, ...
    ] = ()  # a PDF's first-page lines set larger than its text, largest first
    date: str | None = None  # a date the format states as such (HTML <time>, <meta>)
    front_matter: dict = field(default_factory=dict)  # a Markdown file's YAML header


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", re.S)


def split_front_matter(text: str, name: str) -> tuple[dict, str]:
    """A Markdown file's YAML front matter ("---" lines around it) and the text after it."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return {}, text
    try:
        values = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise ExtractError(name, f"YAML-hovedet (front matter) kan ikke læses ({exc})") from exc
    if not isinstance(values, dict):
        return {}, text
    return values, text[match.end() :]


def format_of(path: Path) -> str | None:
    """'pdf', 'docx', 'html', 'txt' or 'md' from the file name; None for other files."""
    return FORMATS.get(path.suffix.lower())


def read_file(path: Path, name: str) -> ReadFile:
    """The file at `path` as paragraphs; ExtractError naming `name` when it cannot be read."""
    kind = format_of(path)
    if kind is None:
        raise ExtractError(name, f"filtypen {path.suffix or '(ingen)'} kan ikke importeres")
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ExtractError(name, f"filen kan ikke læses ({exc.strerror})") from exc
    return read_bytes(content, kind, name)


def read_bytes(content: bytes, kind: str, name: str) -> ReadFile:
    """`content` read as a file of format `kind`."""
    if not content:
        raise ExtractError(name, "filen er tom")
    if kind in ("pdf", "docx", "html"):
        found = kind_of(content)
        if found != kind and not (kind == "docx" and content.startswith(b"PK")):
            if kind == "html" and found is None and not _is_binary(content):
                found = "html"  # an HTML fragment without <html>
            else:
                raise ExtractError(
                    name, f"filen hedder .{kind}, men er ikke en {_FORMAT_NAMES[kind]}"
                )
    if kind == "pdf":
        from retskilde.scrapers.pdftext import page_paragraphs, read_pages

        pages = read_pages(content, name)
        headings = _pdf_headings(pages)
        return _checked(ReadFile(kind, page_paragraphs(pages, name), headings=headings), name)
    if kind == "docx":
        from retskilde.scrapers.docxtext import docx_paragraphs

        found = docx_paragraphs(content, name)
        return _checked(ReadFile(kind, found, heading=_docx_heading(content)), name)
    if kind == "html":
        if _is_binary(content):
            raise ExtractError(name, "filen er binær, ikke tekst")
        return _checked(_read_html(soup_of(content), kind), name)
    text = _text(content, name)
    if kind == "md":
        from markdown_it import MarkdownIt

        front_matter, text = split_front_matter(text, name)
        html = MarkdownIt("commonmark").enable("table").render(text)
        read = _read_html(soup_of(html.encode("utf-8")), kind)
        return _checked(replace(read, front_matter=front_matter), name)
    return _checked(ReadFile(kind, text_paragraphs(text)), name)


def _checked(read: ReadFile, name: str) -> ReadFile:
    if not has_words(read.paragraphs):
        raise ExtractError(name, "dokumentet indeholder ingen tekst")
    return read


def _is_binary(content: bytes) -> bool:
    sample = content[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample if byte < 9 or 13 < byte < 32)
    return controls > len(sample) * _BINARY_SHARE


def _text(content: bytes, name: str) -> str:
    """Text of a text file: BOM, then UTF-8, then Windows-1252 (Danish files that are not UTF-8)."""
    if _is_binary(content) and not content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ExtractError(name, "filen er binær, ikke tekst")
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if content.startswith(bom):
            return content.decode(encoding, errors="replace").lstrip("\ufeff")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def text_paragraphs(text: str) -> list[str]:
    """Paragraphs of a plain-text file.

    Blank lines separate paragraphs. Inside a block, a line that fills the width is wrapped
    prose and runs on into the next; a short line (a memo's "Til"/"Fra" lines, a heading, a
    list item) stands alone.
    """
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        current: list[str] = []
        for raw_line in block.split("\n"):
            line = normalise(raw_line)
            if not line:
                continue
            current.append(line)
            # A tab lays out columns (a memo's "Til<tab>Udvalget"): that line stands alone.
            if len(raw_line.rstrip()) < _WRAPPED_LINE or "\t" in raw_line:
                out.append(" ".join(current))
                current = []
        if current:
            out.append(" ".join(current))
    return out


def _read_html(soup: BeautifulSoup, kind: str) -> ReadFile:
    # A saved web page: the main content, not the site's navigation around it.
    container = soup.find("main") or soup.find("article") or soup.body or soup
    date = None
    for tag in soup.find_all("time"):
        if date := parse_date(tag.get("datetime", "") or inline_text(tag)):
            break
    if date is None:
        for meta in soup.find_all("meta"):
            kind_of_meta = (meta.get("name") or meta.get("property") or "").lower()
            if kind_of_meta in _DATE_META and (date := parse_date(meta.get("content", ""))):
                break
    return ReadFile(kind, paragraphs(container), heading=_html_heading(container), date=date)


def _html_heading(container: Tag) -> str | None:
    """The first <h1>; else a heading that comes before any body paragraph. A section heading
    further down ("Baggrund") is not the document's title, and <title> carries the site's name."""
    h1 = container.find("h1")
    if h1 is not None and (text := inline_text(h1)):
        return text
    for tag in container.find_all(["h2", "h3", "p"]):
        if tag.name == "p" and len(inline_text(tag)) > MAX_LEAD_IN:
            return None
        if tag.name != "p" and (text := inline_text(tag)):
            return text
    return None


# Lines this short before a heading are a kicker or date line, not yet the body.
MAX_LEAD_IN = 80
_DATE_META = {"date", "dc.date", "dcterms.date", "article:published_time", "dcterms.created"}


def _pdf_headings(pages: list) -> tuple[str, ...]:
    """Lines on the first page set clearly larger than the body text, largest first; a title
    that wraps is one run of lines in the same size. The caller skips what is not a title
    (a big "NOTAT", a letterhead)."""
    from retskilde.scrapers.pdftext import body_size

    body = body_size(pages)
    lines = sorted(pages[0].lines(), key=lambda line: (-line.y1, line.x0)) if pages else []
    sizes = sorted({line.size for line in lines if body and line.size >= body * TITLE_SIZE})
    found: list[str] = []
    for size in reversed(sizes):
        run: list[str] = []
        for line in lines:
            if abs(line.size - size) < 0.5:
                run.append(line.text)
            elif run:
                found.append(" ".join(run))
                run = []
        if run:
            found.append(" ".join(run))
    return tuple(found)


# A line at least this much larger than the body text is set as a title.
TITLE_SIZE = 1.25


def _docx_heading(content: bytes) -> str | None:
    """The paragraph in Word's Title style; else a Heading 1 that comes before the body text
    (a Heading 1 further down is a section: "Baggrund", "Sagsfremstilling")."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            root = etree.fromstring(archive.read("word/document.xml"))
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return None
    first_heading = None
    body_seen = False
    for paragraph in root.iter(f"{_W}p"):
        text = normalise("".join(paragraph.itertext()))
        if not text:
            continue
        style = paragraph.find(f"{_W}pPr/{_W}pStyle")
        style_id = style.get(f"{_W}val", "") if style is not None else ""
        if _TITLE_STYLE.match(style_id):
            return text
        if _HEADING_STYLE.match(style_id) and first_heading is None and not body_seen:
            first_heading = text
        elif len(text) > MAX_LEAD_IN:
            body_seen = True
    return first_heading
