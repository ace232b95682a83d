"""Text from PDF: pdfminer.six's text lines, put back into reading order and paragraphs.

pdfminer gives each text line with its position. From those we drop the page furniture (page
numbers, and header or footer lines repeated at the same place on most pages), read two-column
pages one column at a time, split blocks into paragraphs, join lines (undoing the hyphens that
only broke a word at a line end, keeping "social- og" and "EU-borgere"), and join a paragraph
that runs on into the next column or page. A PDF whose pages hold no text is a scan: that is
a NoTextLayer error naming the URL, not an empty text.
"""

from __future__ import annotations

import io
import logging
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from pdfminer.high_level import extract_pages
from pdfminer.layout import (
    LAParams,
    LTChar,
    LTContainer,
    LTImage,
    LTItem,
    LTTextLineHorizontal,
)
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from retskilde.scrapers.extract import (
    MIN_TEXT_CHARS,
    ExtractError,
    NoTextLayer,
    has_words,
    letter_count,
    normalise,
)

# pdfminer warns about every odd object it meets; a crawl's log is not the place for that.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

# boxes_flow=None: our reading order replaces pdfminer's, whose grouping is quadratic in the
# text boxes on a page (3-5x our cost on table pages; bench/bench_extract.py).
LAYOUT = LAParams(
    line_margin=0.5, char_margin=2.0, word_margin=0.1, boxes_flow=None, all_texts=True
)
FURNITURE_BAND = 0.1  # top and bottom tenth of a page: where headers, footers and numbers live
REPEATED_SHARE = 0.5  # a line in the band on at least this share of the pages is furniture
_PAGE_NUMBER = re.compile(
    r"^(?:side|s\.|page)?\s*[-–]?\s*\d{1,4}\s*[-–]?(?:\s*(?:af|/|of)\s*\d{1,4})?$", re.I
)
_DIGITS = re.compile(r"\d+")
_CID = re.compile(r"\(cid:\d+\)")
_TERMINAL = re.compile(r"[.!?:;)\"”»]$")
_BULLET = re.compile(r"^[•▪◦·●■–-]\s")
_NUMBERED = re.compile(r"^(?:\d{1,2}[.)]|[a-z][.)])\s")
MIN_CUT_PARAGRAPH = 80  # shorter text without a full stop is more likely a heading than cut
_HYPHENATED = re.compile(r"(\w)[-\u2010]$")
# After a hyphen at a line end these words mean the hyphen is Danish, not a line break:
# "social- og beskæftigelsesområdet", "handicap- eller ældreområdet".
_SUSPENDED_HYPHEN_WORDS = {"og", "eller", "samt"}
_FIRST_WORD = re.compile(r"\w+")


@dataclass
class Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float = 0.0  # font size of most of its characters


@dataclass
class Block:
    lines: list[Line] = field(default_factory=list)

    @property
    def x0(self) -> float:
        return min(line.x0 for line in self.lines)

    @property
    def x1(self) -> float:
        return max(line.x1 for line in self.lines)

    @property
    def y1(self) -> float:
        return max(line.y1 for line in self.lines)


@dataclass
class Page:
    width: float
    height: float
    blocks: list[Block]
    images: int = 0

    def lines(self) -> Iterator[Line]:
        """Every line on the page."""
        for block in self.blocks:
            yield from block.lines


# -- reading the PDF --------------------------------------------------------------------------


def _walk(item: LTItem) -> Iterator[LTItem]:
    yield item
    # Lines are the unit we read; their characters need no visit.
    if isinstance(item, LTContainer) and not isinstance(item, LTTextLineHorizontal):
        for child in item:
            yield from _walk(child)


def _pages(content: bytes) -> Iterator[Page]:
    for layout in extract_pages(io.BytesIO(content), laparams=LAYOUT):
        blocks: list[Block] = []
        images = 0
        for box in layout:
            block = Block()
            for item in _walk(box):
                if isinstance(item, LTTextLineHorizontal):
                    text = normalise(_CID.sub("", item.get_text()))
                    if text:
                        sizes = sorted(round(c.size, 1) for c in item if isinstance(c, LTChar))
                        size = sizes[len(sizes) // 2] if sizes else 0.0
                        block.lines.append(Line(text, item.x0, item.y0, item.x1, item.y1, size))
                elif isinstance(item, LTImage):
                    images += 1
            if block.lines:
                block.lines.sort(key=lambda line: (-line.y1, line.x0))
                blocks.append(block)
        yield Page(layout.width, layout.height, blocks, images)


# -- page furniture ---------------------------------------------------------------------------


def _in_top_band(line: Line, page: Page) -> bool:
    return line.y0 >= page.height * (1 - FURNITURE_BAND)


def _in_band(line: Line, page: Page) -> bool:
    return _in_top_band(line, page) or line.y1 <= page.height * FURNITURE_BAND


def body_size(pages: list[Page]) -> float:
    """The font size most of the text is set in."""
    weight: dict[float, int] = defaultdict(int)
    for page in pages:
        for line in page.lines():
            weight[line.size] += len(line.text)
    return max(weight, key=weight.get) if weight else 0.0


def _furniture_key(line: Line) -> str:
    # "Side 3 af 40" and "Side 4 af 40" are one footer; so are running heads with a number.
    return _DIGITS.sub("#", line.text.casefold())


def drop_furniture(pages: list[Page]) -> None:
    """Remove page numbers and running heads and feet, in place.

    Furniture is a line in the top or bottom tenth of a page that is a page number, or that
    recurs (numbers aside) on at least half the pages, or (top only) is set smaller than the
    body text: a running head, even in a short report where it is on one page. Small text at
    the bottom is kept: there it is more often a footnote than a footer.
    """
    seen_on: dict[str, set[int]] = defaultdict(set)
    for number, page in enumerate(pages):
        for line in page.lines():
            if _in_band(line, page):
                seen_on[_furniture_key(line)].add(number)
    needed = max(2, int(len(pages) * REPEATED_SHARE + 0.999))
    repeated = {key for key, where in seen_on.items() if len(where) >= needed}
    small = body_size(pages) * 0.9

    def furniture(line: Line, page: Page) -> bool:
        if not _in_band(line, page):
            return False
        if _PAGE_NUMBER.match(line.text) or _furniture_key(line) in repeated:
            return True
        return _in_top_band(line, page) and 0 < line.size < small

    for page in pages:
        for block in page.blocks:
            block.lines = [line for line in block.lines if not furniture(line, page)]
        page.blocks = [block for block in page.blocks if block.lines]


# -- reading order ----------------------------------------------------------------------------


def _overlaps(a: Block, b: Block) -> bool:
    a_low = min(line.y0 for line in a.lines)
    b_low = min(line.y0 for line in b.lines)
    return a_low < b.y1 and b_low < a.y1


def find_gutter(blocks: list[Block], width: float) -> float | None:
    """The x of the gap between two columns of text on the page, or None for one column."""
    candidates = set()
    for block in blocks:
        for x in (block.x1 + 1, block.x0 - 1):
            if 0.25 * width <= x <= 0.75 * width:
                candidates.add(round(x))
    best: tuple[float, float] | None = None
    for x in sorted(candidates):
        left = [b for b in blocks if b.x1 <= x]
        right = [b for b in blocks if b.x0 >= x]
        if not left or not right:
            continue
        weight = min(sum(len(b.lines) for b in left), sum(len(b.lines) for b in right))
        if best is None or weight > best[0]:
            best = (weight, x)
    if best is None:
        return None
    x = best[1]
    left = [b for b in blocks if b.x1 <= x]
    right = [b for b in blocks if b.x0 >= x]
    # Two columns means text side by side, not merely an indented line below another.
    if not any(_overlaps(a, b) for a in left for b in right):
        return None
    return x


def reading_order(page: Page) -> list[Block]:
    """The page's blocks top to bottom; where there are two columns, left column first."""
    ordered = sorted(page.blocks, key=lambda b: (-b.y1, b.x0))
    gutter = find_gutter(ordered, page.width)
    if gutter is None:
        return ordered
    out: list[Block] = []
    region: list[Block] = []

    def flush() -> None:
        out.extend(b for b in region if b.x1 <= gutter)
        out.extend(b for b in region if b.x1 > gutter)
        region.clear()

    for block in ordered:
        if block.x0 < gutter < block.x1:  # spans both columns: a heading or a full-width text
            flush()
            out.append(block)
        else:
            region.append(block)
    flush()
    return out


# -- paragraphs -------------------------------------------------------------------------------


def join_lines(first: str, second: str) -> str:
    """Two lines of one paragraph as one, undoing a hyphen that only broke a word."""
    if first.endswith("\u00ad"):
        return first[:-1] + second
    match = _HYPHENATED.search(first)
    if match:
        word = _FIRST_WORD.match(second)
        next_word = word.group(0) if word else ""
        if next_word in _SUSPENDED_HYPHEN_WORDS:
            return f"{first} {second}"
        if second[:1].islower():
            before = match.group(1)
            if before.isupper() or before.isdigit():
                return first + second  # "EU-" + "borgere": the hyphen belongs to the word
            return first[:-1] + second
        return first + second
    return f"{first} {second}"


def _starts_paragraph(previous: Line, line: Line, block: Block) -> bool:
    width = block.x1 - block.x0
    ended = bool(_TERMINAL.search(previous.text))
    if _BULLET.match(line.text):
        return True
    # "1. …" starts a list item after a finished line; mid-sentence it is a date ("den 1. maj").
    if _NUMBERED.match(line.text) and (ended or _NUMBERED.match(previous.text)):
        return True
    # A first-line indent after a finished sentence.
    if ended and line.x0 > block.x0 + 8 and previous.x0 <= block.x0 + 2:
        return True
    # A finished sentence on a line that stops well short of the right margin.
    return ended and previous.x1 < block.x1 - 0.15 * width


def block_paragraphs(block: Block) -> list[str]:
    """The paragraphs in one block of lines."""
    out: list[str] = []
    current = block.lines[0].text
    for previous, line in zip(block.lines, block.lines[1:], strict=False):
        if _starts_paragraph(previous, line, block):
            out.append(current)
            current = line.text
        else:
            current = join_lines(current, line.text)
    out.append(current)
    return out


def _runs_on(previous: str, following: str) -> bool:
    # A paragraph cut by a column or page end: no closing punctuation, and it goes on in lower
    # case, or with a number after a long text (a heading is short: "Metode" + "1. Data").
    if _TERMINAL.search(previous) or _BULLET.match(following):
        return False
    if following[:1].islower():
        return True
    return following[:1].isdigit() and len(previous) >= MIN_CUT_PARAGRAPH


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def pdf_paragraphs(content: bytes, url: str) -> list[str]:
    """The PDF's paragraphs in reading order; NoTextLayer for a scan, ExtractError if unreadable."""
    return page_paragraphs(read_pages(content, url), url)


def read_pages(content: bytes, url: str) -> list[Page]:
    """The PDF's pages with their placed lines; ExtractError (naming `url`) if unreadable."""
    try:
        pages = list(_pages(content))
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise ExtractError(url, f"PDF'en er krypteret og kan ikke læses ({exc})") from exc
    except Exception as exc:
        # pdfminer raises many kinds of errors on damaged files; each one is a bad document.
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise ExtractError(url, f"PDF'en kan ikke læses ({detail})") from exc
    if not pages:
        raise ExtractError(url, "PDF'en har ingen sider")
    return pages


def page_paragraphs(pages: list[Page], url: str) -> list[str]:
    """The paragraphs of pages from `read_pages`, page furniture dropped (in place)."""
    drop_furniture(pages)
    paragraphs: list[str] = []
    for page in pages:
        for block in reading_order(page):
            for paragraph in block_paragraphs(block):
                if paragraphs and _runs_on(paragraphs[-1], paragraph):
                    paragraphs[-1] = join_lines(paragraphs[-1], paragraph)
                else:
                    paragraphs.append(paragraph)
    images = sum(page.images for page in pages)
    # A few letters beside pictures are a scan's stray text (a stamp, a page number); without
    # pictures, any word is a short document's real text.
    if not has_words(paragraphs) or (images and letter_count(paragraphs) < MIN_TEXT_CHARS):
        sides = _count(len(pages), "side", "sider")
        if images:
            pictures = _count(images, "billede", "billeder")
            raise NoTextLayer(
                url,
                f"PDF'en har intet tekstlag ({sides} med {pictures}; et scannet dokument?), "
                "så teksten kan ikke udtrækkes uden OCR",
            )
        raise NoTextLayer(
            url, f"PDF'en har ingen tekst på sine {sides} (tomme, eller tekst der ikke kan afkodes)"
        )
    return paragraphs
