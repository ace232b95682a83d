"""Split plain text into blocks, sections and sentences, as character spans."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from retskilde.db.analysis.headings import is_heading  # noqa: F401 (the enrichment imports it from here)

# Abbreviations that never end a sentence in this kind of text ("jf. SM A-25-04", "stk. 1").
_NON_TERMINAL = {
    "stk",
    "nr",
    "jf",
    "pkt",
    "bl.a",
    "f.eks",
    "ca",
    "j.nr",
    "jnr",
    "lbk",
    "bek",
    "vedr",
    "iht",
    "ift",
    "aht",
    "pga",
    "inkl",
    "ekskl",
    "evt",
    "dvs",
    "tlf",
    "kl",
    "mht",
    "hhv",
    "sagsnr",
    "afg",
    "att",
    "mv",
    "m.v",
    "el",
}
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_BOUNDARY = re.compile(r"[.!?](?=[ \t\n]{1,20}[\"'„»(]?[A-ZÆØÅ0-9§])|\n(?=[ \t]{0,8}[-–•*][ \t])")
_WORD_BEFORE = re.compile(r"([\w.]{1,12})$")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def blocks(text: str) -> list[Span]:
    """Paragraph blocks separated by blank lines."""
    view = _views.get(text)
    if view is not None and view.text is text:
        return view.blocks()
    return list(_blocks(text))


# Each step of the enrichment splits the same text; the caches make that happen once.
@lru_cache(maxsize=16)
def _blocks(text: str) -> tuple[Span, ...]:
    spans, start = [], 0
    for match in _BLANK_LINE.finditer(text):
        if text[start : match.start()].strip():
            spans.append(Span(start, match.start()))
        start = match.end()
    if text[start:].strip():
        spans.append(Span(start, len(text)))
    return tuple(spans)


def sections(text: str) -> list[Span]:
    """Runs of blocks from one heading to the next; text before the first heading is a section."""
    result: list[Span] = []
    current: Span | None = None
    for block in _blocks(text):
        if is_heading(text[block.start : block.end]) or current is None:
            if current is not None:
                result.append(current)
            current = block
        else:
            current = Span(current.start, block.end)
    if current is not None:
        result.append(current)
    return result


def sentences(text: str) -> list[Span]:
    """Sentence spans; blank lines and list bullets also end a sentence."""
    return [span for block in _blocks(text) for span in _block_sentences(text, block)]


def _block_sentences(text: str, block: Span) -> list[Span]:
    spans: list[Span] = []
    start = block.start
    for match in _BOUNDARY.finditer(text, block.start, block.end):
        if match.group() == "." and _non_terminal(text, match.start()):
            continue
        end = match.end()
        if text[start:end].strip():
            spans.append(Span(start, end))
        start = end
    if text[start : block.end].strip():
        spans.append(Span(start, block.end))
    return spans


def _non_terminal(text: str, dot: int) -> bool:
    word = _WORD_BEFORE.search(text, max(0, dot - 12), dot)
    if not word:
        return False
    token = word.group(1).lower().lstrip(".")
    # A single letter before a dot is an initial or an enumeration ("A. Jensen").
    return token in _NON_TERMINAL or (len(token) == 1 and token.isalpha())


class SpanIndex:
    """Find the span that contains a position."""

    def __init__(self, spans: list[Span]):
        self.spans = spans
        self._starts = [s.start for s in spans]

    def at(self, position: int) -> Span | None:
        i = bisect_right(self._starts, position) - 1
        if i >= 0 and position <= self.spans[i].end:
            return self.spans[i]
        return None


class SentenceIndex:
    """`SpanIndex(sentences(text))`, splitting a block into sentences only when it is asked about.

    Sentences never cross blocks, so the sentence at a position is found in its block alone.
    A sentence is named by its key (block number, number within the block).
    """

    def __init__(self, text: str):
        self.text = text
        self.blocks = _blocks(text)
        self._block_starts = [b.start for b in self.blocks]
        self._sentences: dict[int, tuple[list[Span], list[int]]] = {}

    def _in_block(self, i: int) -> tuple[list[Span], list[int]]:
        if i not in self._sentences:
            spans = _block_sentences(self.text, self.blocks[i])
            self._sentences[i] = (spans, [s.start for s in spans])
        return self._sentences[i]

    def key(self, position: int) -> tuple[int, int] | None:
        """The key of the sentence that contains `position`, as `at` finds it."""
        i = bisect_right(self._block_starts, position) - 1
        if i < 0:
            return None
        spans, starts = self._in_block(i)
        j = bisect_right(starts, position) - 1
        # Sentences of earlier blocks end before this block starts, so none of them contains it.
        if j >= 0 and position <= spans[j].end:
            return (i, j)
        return None

    def span(self, key: tuple[int, int]) -> Span:
        return self._in_block(key[0])[0][key[1]]

    def at(self, position: int) -> Span | None:
        key = self.key(position)
        return self.span(key) if key else None

    def following(self, key: tuple[int, int]) -> tuple[int, int] | None:
        """The key of the next sentence in the text (the first of the next block at the end)."""
        i, j = key
        if j + 1 < len(self._in_block(i)[0]):
            return (i, j + 1)
        return (i + 1, 0) if i + 1 < len(self.blocks) else None


class _SentenceView:
    """The sentences of the end of a text, read from the whole text's `SentenceIndex`."""

    def __init__(self, whole: SentenceIndex, offset: int, text: str):
        self.text = text
        self._whole = whole
        self._offset = offset
        self._skip = bisect_right([b.start for b in whole.blocks], offset - 1)

    def blocks(self) -> list[Span]:
        offset = self._offset
        return [Span(b.start - offset, b.end - offset) for b in self._whole.blocks[self._skip :]]

    def key(self, position: int) -> tuple[int, int] | None:
        key = self._whole.key(position + self._offset)
        if key is None or key[0] < self._skip:
            return None
        return (key[0] - self._skip, key[1])

    def span(self, key: tuple[int, int]) -> Span:
        span = self._whole.span((key[0] + self._skip, key[1]))
        return Span(span.start - self._offset, span.end - self._offset)

    def at(self, position: int) -> Span | None:
        key = self.key(position)
        return self.span(key) if key else None

    def following(self, key: tuple[int, int]) -> tuple[int, int] | None:
        after = self._whole.following((key[0] + self._skip, key[1]))
        return (after[0] - self._skip, after[1]) if after else None


# Views registered by `share_sentences`, looked up before computing an index; a few at a time.
_views: dict[str, _SentenceView] = {}


def share_sentences(whole: str, part: str) -> None:
    """When `whole` is a title, a blank line and `part`, let `part` use `whole`'s sentences.

    Blocks, and so sentences, of the part after the blank line are then exactly those of
    `part` alone: the blank line ends the title's last block (the title must not end in
    whitespace, or the blank-line match would start inside it).
    """
    offset = len(whole) - len(part)
    if offset < 3 or whole[offset - 2 : offset] != "\n\n" or whole[offset - 3] in " \t\n":
        return
    if not whole.endswith(part):
        return
    if len(_views) >= 8:
        _views.clear()
    _views[part] = _SentenceView(sentence_index(whole), offset, part)


def sentence_index(text: str) -> SentenceIndex | _SentenceView:
    """The (cached) sentence index of `text`."""
    view = _views.get(text)
    if view is not None and view.text is text:
        return view
    return _sentence_index(text)


@lru_cache(maxsize=16)
def _sentence_index(text: str) -> SentenceIndex:
    return SentenceIndex(text)


@lru_cache(maxsize=16)
def section_index(text: str) -> SpanIndex:
    """The (cached) section index of `text`."""
    return SpanIndex(sections(text))
