"""Make small, deterministic PDFs for the tests: placed text lines, columns, headers, scans.

Written for the project so the tests need no PDF library of their own and control the layout
exactly: Helvetica with WinAnsiEncoding (æ ø å § – are in it), text wrapped with the font's own
widths, a "|" in a word marking where it may be hyphenated at a line end, "\\n" forcing a line
break, and a page that is only an image (a scan, no text layer).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pdfminer.fontmetrics import FONT_METRICS

A4 = (595.0, 842.0)
FONTS = {False: ("F1", "Helvetica"), True: ("F2", "Helvetica-Bold")}


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    size: float = 10.0
    bold: bool = False


@dataclass
class PdfPage:
    texts: list[Text] = field(default_factory=list)
    scan: bool = False  # one full-page image and no text: what a scanner makes


@dataclass(frozen=True)
class Heading:
    """A paragraph set in bold, a little larger: a section heading."""

    text: str


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of `text` in points, from the standard font metrics."""
    widths = FONT_METRICS[FONTS[bold][1]][1]
    return sum(widths.get(ch, 556) for ch in text) * size / 1000


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Lines of at most `width` points; '|' may hyphenate a word, '\\n' forces a break."""
    lines: list[str] = []
    for part in text.split("\n"):
        current = ""
        for word in part.split(" "):
            candidate = f"{current} {word}" if current else word
            if text_width(candidate.replace("|", ""), size, bold) <= width or not current:
                current = candidate
                continue
            pieces = word.split("|")
            placed = False
            for cut in range(len(pieces) - 1, 0, -1):
                head = "".join(pieces[:cut]) + "-"
                if text_width(f"{current} {head}".replace("|", ""), size, bold) <= width:
                    lines.append(f"{current} {head}".replace("|", ""))
                    current = "".join(pieces[cut:])
                    placed = True
                    break
            if not placed:
                lines.append(current.replace("|", ""))
                current = word
        if current.endswith("|"):  # "beskæf|\n": a forced break that hyphenates the word
            current = current[:-1] + "-"
        lines.append(current.replace("|", ""))
    return lines


def flow(
    paragraphs: list[str | Heading],
    x: float,
    top: float,
    width: float,
    size: float = 10.0,
    leading: float = 13.0,
    gap: float = 9.0,
) -> tuple[list[Text], float]:
    """Paragraphs set in a column from `top` down; returns the lines and the y below them."""
    texts: list[Text] = []
    y = top
    for paragraph in paragraphs:
        bold = isinstance(paragraph, Heading)
        source = paragraph.text if isinstance(paragraph, Heading) else paragraph
        this_size = size + 2 if bold else size
        for line in wrap(source, width, this_size, bold):
            y -= leading
            texts.append(Text(x, y, line, this_size, bold))
        y -= gap
    return texts, y


def plain(paragraph: str | Heading) -> str:
    """What a reader sees of a source paragraph: words whole again, forced breaks as spaces."""
    text = paragraph.text if isinstance(paragraph, Heading) else paragraph
    return text.replace("|\n", "").replace("|", "").replace("\n", " ")


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _content(page: PdfPage) -> bytes:
    parts: list[bytes] = []
    if page.scan:
        parts.append(b"q 480 0 0 700 57 70 cm /Im1 Do Q")
    for text in page.texts:
        font = FONTS[text.bold][0]
        parts.append(
            b"BT /%s %.1f Tf %.2f %.2f Td (%s) Tj ET"
            % (font.encode(), text.size, text.x, text.y, _escape(text.text))
        )
    return b"\n".join(parts)


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (dictionary, len(data), data)


def make_pdf(pages: list[PdfPage], title: str = "Eksempel") -> bytes:
    """A PDF file with these pages (A4), byte for byte the same every time."""
    objects: list[bytes] = [b"", b""]  # 1: catalog, 2: page tree, filled in below
    font_ids = {}
    for name, base in FONTS.values():
        objects.append(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>"
            % base.encode()
        )
        font_ids[name] = len(objects)
    # A grey, noisy 32x32 "scan": deterministic bytes, no text anywhere.
    pixels = bytes((i * 37 + (i // 32) * 11) % 256 for i in range(32 * 32))
    objects.append(
        _stream(
            b"/Type /XObject /Subtype /Image /Width 32 /Height 32 "
            b"/ColorSpace /DeviceGray /BitsPerComponent 8",
            pixels,
        )
    )
    image_id = len(objects)
    kids = []
    width, height = A4
    for page in pages:
        objects.append(_stream(b"", _content(page)))
        content_id = len(objects)
        fonts = b" ".join(b"/%s %d 0 R" % (n.encode(), i) for n, i in font_ids.items())
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
            b"/Resources << /Font << %s >> /XObject << /Im1 %d 0 R >> >> /Contents %d 0 R >>"
            % (int(width), int(height), fonts, image_id, content_id)
        )
        kids.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    objects.append(b"<< /Title (%s) /Producer (Retskilde tests) >>" % _escape(title))
    info_id = len(objects)
    out = bytearray(b"%PDF-1.4\n%\xe6\xf8\xe5\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        info_id,
        xref,
    )
    return bytes(out)


# -- a report page: running head, footer with the page number, one or two columns -------------

MARGIN = 60.0
TOP = A4[1] - 90.0
GUTTER = 24.0


def report_page(
    number: int,
    total: int,
    head: str | None,
    full: list[str | Heading] = (),
    columns: list[str | Heading] = (),
    split_line: int | None = None,
) -> PdfPage:
    """One report page: full-width paragraphs, then two columns that break after `split_line`.

    The columns are one flow of text, as in a newspaper: the left column holds its first
    `split_line` lines (default: half), the right one the rest, so a paragraph can run on.
    """
    texts: list[Text] = []
    if head:
        texts.append(Text(MARGIN, A4[1] - 40, head, 8))
    texts.append(Text(A4[0] / 2 - 20, 30, f"Side {number} af {total}", 8))
    body_width = A4[0] - 2 * MARGIN
    placed, y = flow(list(full), MARGIN, TOP, body_width)
    texts += placed
    if columns:
        column_width = (body_width - GUTTER) / 2
        lines, _ = flow(list(columns), MARGIN, y, column_width)
        split = len(lines) // 2 if split_line is None else split_line
        lift = lines[split].y - lines[0].y if split < len(lines) else 0.0
        texts += lines[:split]
        texts += [
            Text(t.x + column_width + GUTTER, t.y - lift, t.text, t.size, t.bold)
            for t in lines[split:]
        ]
    return PdfPage(texts)


def scan_pdf(pages: int = 2) -> bytes:
    """A PDF of scanned pages: images only, no text layer."""
    return make_pdf([PdfPage(scan=True) for _ in range(pages)], title="Scannet")
