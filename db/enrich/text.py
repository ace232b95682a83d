"""Split plain text into blocks, sections and sentences, as character spans."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

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
    spans, start = [], 0
    for match in _BLANK_LINE.finditer(text):
        if text[start : match.start()].strip():
            spans.append(Span(start, match.start()))
        start = match.end()
    if text[start:].strip():
        spans.append(Span(start, len(text)))
    return spans


def is_heading(block_text: str) -> bool:
    """A short block without closing punctuation reads as a heading ("Praksis", "Resume")."""
    stripped = block_text.strip()
    return (
        0 < len(stripped) <= 60
        and len(stripped.split()) <= 8
        and stripped[-1] not in ".:;,!?"
        and "\n" not in stripped
    )


def sections(text: str) -> list[Span]:
    """Runs of blocks from one heading to the next; text before the first heading is a section."""
    result: list[Span] = []
    current: Span | None = None
    for block in blocks(text):
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
    spans: list[Span] = []
    for block in blocks(text):
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


def snippet(text: str, start: int, end: int, width: int = 200) -> str:
    """The sentence-ish text around a match, whitespace collapsed, at most `width` characters."""
    left = max(0, start - width // 2)
    right = min(len(text), end + width // 2)
    # Cut at word boundaries so the snippet does not start or end inside a word.
    while 0 < left < start and not text[left - 1].isspace():
        left += 1
    while end < right < len(text) and not text[right].isspace():
        right -= 1
    cut = " ".join(text[left:right].split())
    prefix = "…" if left > 0 else ""
    suffix = "…" if right < len(text) else ""
    return f"{prefix}{cut}{suffix}"
