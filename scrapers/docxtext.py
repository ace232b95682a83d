"""Text from DOCX: the body's paragraphs and table rows in document order (python-docx opens it).

Headers, footers and page numbers live in their own parts of a Word file, so reading only the
body leaves them out. Deleted tracked changes and field codes are skipped; tabs and line breaks
become spaces, soft hyphens vanish, a non-breaking hyphen is a hyphen.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import docx
from docx.oxml.ns import qn
from lxml import etree

from retskilde.scrapers.extract import ExtractError, normalise

_P, _TBL, _TR, _TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_SDT, _SDT_CONTENT = qn("w:sdt"), qn("w:sdtContent")
_TEXT = {qn("w:t")}
_SPACE = {qn("w:tab"), qn("w:br"), qn("w:cr")}
_SKIPPED = {qn("w:delText"), qn("w:instrText"), qn("w:del")}
_HYPHEN = qn("w:noBreakHyphen")


def _run_text(element: etree._Element) -> str:
    parts: list[str] = []
    for node in element.iter():
        if node.tag in _TEXT and node.text:
            parts.append(node.text)
        elif node.tag in _SPACE:
            parts.append(" ")
        elif node.tag == _HYPHEN:
            parts.append("-")
    return "".join(parts)


def _paragraph_text(paragraph: etree._Element) -> str:
    # Copy before pruning: the document tree stays as python-docx built it.
    copy = etree.fromstring(etree.tostring(paragraph))
    for node in list(copy.iter(*_SKIPPED)):
        parent = node.getparent()
        if parent is not None:
            parent.remove(node)
    return normalise(_run_text(copy).replace("\u00ad", ""))


def _table_rows(table: etree._Element) -> list[str]:
    rows = []
    for row in table.iterchildren(_TR):
        cells = []
        for cell in row.iterchildren(_TC):
            text = " ".join(t for p in cell.iter(_P) if (t := _paragraph_text(p)))
            cells.append(text)
        if any(cells):
            rows.append(" | ".join(cells))
    return rows


def _blocks(parent: etree._Element) -> Iterator[etree._Element]:
    # Content controls (w:sdt) wrap ordinary paragraphs and tables; look inside them.
    for child in parent.iterchildren():
        if child.tag == _SDT:
            for content in child.iterchildren(_SDT_CONTENT):
                yield from _blocks(content)
        elif child.tag in (_P, _TBL):
            yield child


def docx_paragraphs(content: bytes, url: str) -> list[str]:
    """The body's paragraphs (and table rows, one paragraph each) in document order."""
    try:
        body = docx.Document(io.BytesIO(content)).element.body
    except Exception as exc:
        # python-docx raises KeyError, ValueError, BadZipFile… on damaged files: one bad document.
        raise ExtractError(url, f"DOCX-filen kan ikke læses ({type(exc).__name__})") from exc
    out: list[str] = []
    for child in _blocks(body):
        if child.tag == _P:
            text = _paragraph_text(child)
            if text:
                out.append(text)
        elif child.tag == _TBL:
            out.extend(_table_rows(child))
    return out
