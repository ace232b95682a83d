"""Snippets: the one place that cuts a piece of a document's text to show.

- `excerpt`: plain text around a span (the enrichment's evidence for a topic or a reference).
- `marked`: HTML, the window of a search hit's text with the user's words in `<mark>`.
- `lead`: HTML, the first words, for a hit with nothing to mark.

`marked` analyses the text with the same analyzer as the index, so it marks the words FTS5
matched (any inflection, compounds, prefixes), and it reads a bounded part of the text: FTS5's
own `snippet()` scores every window of the whole document, which grew with the square of a
word's occurrences (3 s for one 4 MB document with a word 20,000 times, 35-56 s at 80,000) and
ran inside one SQLite call that the search's time limit could not interrupt.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from retskilde.db.analysis.analyzer import Analyzer

SNIPPET_TOKENS = 32
# How much of a text `marked` reads at most, wherever the words are: a search page's snippets
# then cost about the same for a 4 MB document as for a 4 KB one. Beyond it the hit gets the
# lead instead.
MAX_SCAN_CHARS = 60_000
# Text is analysed in pieces this long until the first match, then on to SCAN_AFTER_HIT tokens
# past it, where the best window is chosen.
_PIECE_CHARS = 500
SCAN_AFTER_HIT = 2


def excerpt(
    text: str,
    start: int,
    end: int,
    width: int = 200,
    within: tuple[int, int] | None = None,
    ellipsis: bool = True,
) -> str:
    """The text around `text[start:end]`, whitespace collapsed, cut at word boundaries: about
    `width` characters, half on each side, inside `within` (e.g. the sentence) when given;
    "…" where it cuts the text short, if `ellipsis`."""
    low, high = within if within is not None else (0, len(text))
    left = max(low, start - width // 2)
    right = min(high, end + width // 2)
    while 0 < left < start and not text[left - 1].isspace():
        left += 1
    while end < right < len(text) and not text[right].isspace():
        right -= 1
    cut = " ".join(text[left:right].split())
    if not ellipsis:
        return cut
    return f"{'…' if left > 0 else ''}{cut}{'…' if right < len(text) else ''}"


def lead(text: str | None, words: int = SNIPPET_TOKENS) -> str:
    """HTML: the first `words` words of `text`, escaped ("…" when there are more)."""
    parts = (text or "")[: words * 40].split()
    more = len(parts) > words
    return html.escape(" ".join(parts[:words]) + (" …" if more else ""), quote=False)


def _matches(term: str, terms: set[str], prefixes: set[str]) -> bool:
    # As FTS5 sees it: the indexed term equals a query term or begins with a query prefix.
    return term in terms or any(term.startswith(p) for p in prefixes)


@lru_cache(maxsize=32)
def _verdicts(terms: frozenset[str], prefixes: frozenset[str]) -> dict[str, bool]:
    """term -> whether it matches, shared by the snippets of one query's hits."""
    return {}


# Texts up to this long are analysed in full when no word begins with a term.
_TRUSTED_CHARS = 4 * _PIECE_CHARS


@lru_cache(maxsize=32)
def _likely_match(terms: frozenset[str], prefixes: frozenset[str]) -> re.Pattern | None:
    """A word that begins with one of the terms or prefixes (any case; "å" also as "aa", the
    old spelling the analyzer folds)."""
    words = {*terms, *prefixes} - {""}
    starts = sorted(words | {w.replace("å", "aa") for w in words}, key=len, reverse=True)
    if not starts:
        return None
    return re.compile(r"\b(?:" + "|".join(map(re.escape, starts)) + ")", re.IGNORECASE)


def _scanned(
    text: str, analyzer: Analyzer, terms: set[str], prefixes: set[str], size: int
) -> tuple[list[tuple[int, int, bool]], int, bool]:
    """The tokens (start, end, is_hit) of the part of `text` read, where reading stopped, and
    whether words before the first token were passed over: pieces are read up to the first
    match and SCAN_AFTER_HIT windows of `size` tokens after it, never past MAX_SCAN_CHARS.

    Until the first match a piece is only analysed as a whole (`Analyzer.terms`, its fast
    path); the words' places are found only in pieces from the one with the first match on.
    """
    tokens: list[tuple[int, int, bool]] = []
    known = _verdicts(frozenset(terms), frozenset(prefixes))
    if len(known) > 100_000:
        known.clear()
    first_hit = None
    passed_over = False
    position = 0
    limit = min(len(text), MAX_SCAN_CHARS)
    # Most words begin with their term, so a regular expression finds the likely first match
    # at C speed and the analysis starts shortly before it (most of a snippet's time went into
    # analysing the text before the first match; a broad search's hits often have the words
    # in the title alone). A text longer than a few pieces where it finds none is not analysed:
    # a word whose forms do not begin with its term (a stem fix of the lexicon) then gets
    # the summary or the lead instead. A match it passes over only means a later one is shown.
    likely = _likely_match(frozenset(terms), frozenset(prefixes))
    found = likely.search(text, 0, limit) if likely is not None else None
    if found is None and limit > _TRUSTED_CHARS:
        return tokens, limit, False
    if found is not None and found.start() > _PIECE_CHARS:
        space = text.rfind(" ", 0, found.start() - _PIECE_CHARS // 2)
        position = space + 1 if space >= 0 else 0
        passed_over = position > 0
    while position < limit:
        stop = min(limit, position + _PIECE_CHARS)
        # Cut after a space, so no word is split between two pieces.
        if stop < len(text):
            space = text.rfind(" ", position, stop)
            if space > position:
                stop = space + 1
        piece = text[position:stop]
        if first_hit is None:
            piece_terms = set(analyzer.terms(piece))
            # Not `piece_terms - known.keys()`: that walks the whole of `known` (every word of
            # every text this query's snippets have read) for each piece.
            for term in piece_terms:
                if term not in known:
                    known[term] = _matches(term, terms, prefixes)
            if not any(known[term] for term in piece_terms):
                passed_over = passed_over or bool(piece_terms)
                position = stop
                continue
        for begin, finish, token in analyzer.finditer(piece):
            term = analyzer.term(token)
            hit = known.get(term)
            if hit is None:
                hit = known[term] = _matches(term, terms, prefixes)
            if hit and first_hit is None:
                first_hit = len(tokens)
            tokens.append((position + begin, position + finish, hit))
            if first_hit is not None and len(tokens) - first_hit >= SCAN_AFTER_HIT * size:
                return tokens, position + finish, passed_over
        position = stop
    return tokens, position, passed_over


def marked(
    text: str,
    analyzer: Analyzer,
    terms: set[str],
    prefixes: set[str],
    size: int = SNIPPET_TOKENS,
) -> str | None:
    """HTML: the `size`-token window with the most matched words, marked; None if none match
    in the part of the text read (at most MAX_SCAN_CHARS characters)."""
    tokens, read_to, passed_over = _scanned(text, analyzer, terms, prefixes, size)
    hits = [index for index, (_, _, hit) in enumerate(tokens) if hit]
    if not hits:
        return None
    # The window that starts at a hit and covers the most hits.
    best_start, best_count = hits[0], 0
    end = 0
    for begin, first in enumerate(hits):
        while end < len(hits) and hits[end] < first + size:
            end += 1
        if end - begin > best_count:
            best_start, best_count = first, end - begin
    start = max(0, best_start - 3)
    stop = min(len(tokens), start + size)
    out = ["…" if start > 0 or passed_over else ""]
    position = tokens[start][0]
    for index in range(start, stop):
        begin, finish, hit = tokens[index]
        out.append(html.escape(text[position:begin], quote=False))
        word = html.escape(text[begin:finish], quote=False)
        out.append(f"<mark>{word}</mark>" if hit else word)
        position = finish
    if stop < len(tokens):
        out.append(html.escape(text[position : tokens[stop][0]].rstrip(), quote=False) + "…")
    elif read_to < len(text):
        out.append("…")
    return " ".join("".join(out).split())
