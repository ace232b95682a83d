"""Snippets made in Python, for the queries FTS5's `snippet()` makes slow.

A prefix query (`behan*`) can match thousands of indexed terms, and `snippet()` looks each of
them up again for every row it marks (a quarter of a second for ten rows at 100,000
documents). Here the row's own words are analysed instead, with the same analyzer as the index,
so the marks land on the same words `snippet()` would mark.
"""

from __future__ import annotations

import html

from db.analyzer import Analyzer


def _matches(term: str, folded: str, terms: set[str], prefixes: set[str]) -> bool:
    # As FTS5 sees it: the indexed term equals a query term or begins with a query prefix.
    return term in terms or any(term.startswith(p) for p in prefixes)


def snippet(
    text: str,
    analyzer: Analyzer,
    terms: set[str],
    prefixes: set[str],
    size: int = 32,
) -> str | None:
    """HTML: the `size`-token window with the most matched words, marked; None if none match."""
    tokens = list(analyzer.finditer(text))
    hits = [
        index
        for index, (_, _, token) in enumerate(tokens)
        if _matches(analyzer.term(token), analyzer.fold(token), terms, prefixes)
    ]
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
    marked = set(hits)
    out = ["…" if start > 0 else ""]
    position = tokens[start][0]
    for index in range(start, stop):
        begin, finish, _ = tokens[index]
        out.append(html.escape(text[position:begin], quote=False))
        word = html.escape(text[begin:finish], quote=False)
        out.append(f"<mark>{word}</mark>" if index in marked else word)
        position = finish
    if stop < len(tokens):
        out.append(html.escape(text[position : tokens[stop][0]].rstrip(), quote=False) + "…")
    return " ".join("".join(out).split())
