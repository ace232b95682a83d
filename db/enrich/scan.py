"""Find the matches of patterns that rarely match, without trying each one at every position.

Python's `re` tries a pattern at every position unless the pattern starts with a literal it can
search for, and a leading look-behind or case-insensitive letters rule that out. A `Scanner`
first finds candidate positions cheaply, then confirms each with `pattern.match`, resuming where
`finditer` would. Every position where the pattern can match is a candidate, so the matches are
exactly those of `pattern.finditer(text)`. Candidates come from the pattern's literal start
("needles"), looked for in the text itself or, for case-insensitive patterns, in its lower-case
copy:

- with `str.find` when there is one needle;
- for a pattern that only matches at the start of a word (a leading look-behind that rules out a
  word character), from one shared pass over the text that finds, at every word start, every
  needle of every such scanner (`Lexicon`), so a document is read once for all of them;
- otherwise with one trie-shaped regex of the needles, or a `candidates` pattern given by the
  caller (typically the pattern without its look-behind, so `re` can skip to its first letters).

Lower-casing is exact only when each character lower-cases to one character and the text has
none of the few characters `re` folds differently from `str.lower` ("ſ" matches "s"); otherwise,
and for patterns without a literal start, the scanner falls back to `pattern.finditer`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

# Where Unicode has letters with case (to Adlam, U+1E943), without the large blocks that have
# none (CJK, Hangul, surrogates, private use); tests/test_enrich_scan.py checks that no
# character outside these has a case.
CASED_RANGES = ((0, 0x3400), (0xA000, 0xAC00), (0xD7A4, 0xD800), (0xF900, 0x1F000))


@lru_cache(maxsize=1)
def _case_groups() -> dict[str, str]:
    """Characters grouped by their upper case (when one character) and by their case folding:
    the groups `re` matches to each other under IGNORECASE. Only groups whose members do not
    all lower-case alike are kept. Made once, on first use (about 0.2 s)."""
    groups: dict[str, set[str]] = {}
    for code in (c for start, end in CASED_RANGES for c in range(start, end)):
        char = chr(code)
        upper = char.upper()
        if len(upper) == 1:
            groups.setdefault("u" + upper, set()).add(char)
        groups.setdefault("f" + char.casefold(), set()).add(char)
    return {
        key: "".join(sorted(members))
        for key, members in groups.items()
        if len({m.lower() for m in members}) > 1
    }


def extra_cases(char: str) -> str:
    """The characters `re` may match to `char` under IGNORECASE that `str.lower` does not make
    equal to it ("s" ~ "ſ", "i" ~ "ı", "µ" ~ "μ"): a lower-cased copy of a text holding one of
    them is no place to look for `char`. (A superset errs on the safe side: more texts are
    scanned with `finditer`.)"""
    groups = _case_groups()
    upper = char.upper()
    found = set(groups.get("u" + upper, "")) if len(upper) == 1 else set()
    found |= set(groups.get("f" + char.casefold(), ""))
    return "".join(sorted(c for c in found if c.lower() != char.lower()))


def trie_pattern(words: Iterable[str]) -> str:
    """A regex for any of `words`, shaped as a trie: at a position it matches the longest one."""
    root: dict = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if "" in node else body

    return build(root)


# What a pattern's source starts with, read here instead of through `re`'s private parser: the
# patterns are the enrichment's own, and anything this reading does not know simply ends the
# literal start (a shorter needle, or none: then the scanner uses `finditer`, always exact).
_ZERO_WIDTH = ("(?<!", "(?<=", "(?!", "(?=")
_SPECIAL = set(".^$*+?{}[]\\|()")
_LITERAL_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v"}
_INLINE_FLAGS = re.compile(r"\(\?([aiLmsux]*)(?:-([imsx]+))?([:)])")


def _group_end(source: str, start: int) -> int:
    """The index just after the ")" closing the group that opens at `start`."""
    depth, i = 0, start
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = _class_end(source, i)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unbalanced group")


def _class_end(source: str, start: int) -> int:
    """The index just after the "]" closing the character class that opens at `start`."""
    i = start + 1
    if i < len(source) and source[i] == "^":
        i += 1
    if i < len(source) and source[i] == "]":
        i += 1
    while i < len(source):
        if source[i] == "\\":
            i += 2
            continue
        if source[i] == "]":
            return i + 1
        i += 1
    raise ValueError("unbalanced class")


def _alternatives(source: str) -> list[str]:
    """`source` split at its top-level "|" (one item when it has none)."""
    parts, start, i = [], 0, 0
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
        elif char == "[":
            i = _class_end(source, i)
        elif char == "(":
            i = _group_end(source, i)
        elif char == "|":
            parts.append(source[start:i])
            i = start = i + 1
        else:
            i += 1
    return [*parts, source[start:]]


def _common_start(texts: list[str]) -> str:
    shortest = min(texts, key=len)
    for index, char in enumerate(shortest):
        if any(text[index] != char for text in texts):
            return shortest[:index]
    return shortest


def _quantifier(source: str, i: int) -> tuple[int, int]:
    """(minimum repeats, length) of the quantifier at `i`; (1, 0) when there is none."""
    if i >= len(source):
        return 1, 0
    char = source[i]
    lazy = 1 if i + 1 < len(source) and source[i + 1] in "?+" else 0
    if char in "?*":
        return 0, 1 + lazy
    if char == "+":
        return 1, 1 + lazy
    match = re.match(r"\{(\d*)(?:,(\d*))?\}", source[i:])
    if match:
        low = int(match.group(1) or 0)
        return low, match.end() + (1 if source[i + match.end() : i + match.end() + 1] == "?" else 0)
    return 1, 0


def _walk(source: str, chars: list[str], exact: bool, fold: bool) -> bool:
    """Append the leading literals of `source` to `chars`; True when all of it was literal."""
    alternatives = _alternatives(source)
    if len(alternatives) > 1:
        # What every alternative starts with ("er|ede|et" → "e").
        starts = []
        for alternative in alternatives:
            found: list[str] = []
            _walk(alternative, found, exact, fold)
            starts.append("".join(found))
        chars.extend(_common_start(starts))
        return False
    i = 0
    while i < len(source):
        char = source[i]
        if source.startswith(_ZERO_WIDTH, i):
            i = _group_end(source, i)
            continue
        if source.startswith(("\\b", "\\B", "\\A"), i) or char == "^":
            i += 1 if char == "^" else 2
            continue
        if char == "(":
            end = _group_end(source, i)
            inner, inner_exact = source[i + 1 : end - 1], exact
            flags = _INLINE_FLAGS.match(source, i)
            if flags and flags.group(3) == ":":
                inner = source[flags.end() : end - 1]
                if "i" in flags.group(1) and not fold:
                    inner_exact = False
                if "i" in (flags.group(2) or ""):
                    inner_exact = True
            elif flags:  # a global flag group "(?i)": already in pattern.flags
                i = end
                continue
            elif inner.startswith("?:"):
                inner = inner[2:]
            elif inner.startswith("?P<"):
                inner = inner[inner.index(">") + 1 :]
            elif inner.startswith("?"):
                return False  # a back reference, a condition: not literal
            least, length = _quantifier(source, end)
            if least == 0:
                return False
            whole = _walk(inner, chars, inner_exact, fold)
            if not whole or length:
                return False
            i = end
            continue
        if char == "\\" and i + 1 < len(source):
            escaped = source[i + 1]
            literal = _LITERAL_ESCAPES.get(escaped) or (None if escaped.isalnum() else escaped)
            width = 2
        elif char in _SPECIAL:
            return False
        else:
            literal, width = char, 1
        if literal is None or not exact:
            return False
        least, length = _quantifier(source, i + width)
        if least == 0:
            return False
        chars.append(literal)
        if length:
            return False  # "a+", "a{2,}": the first is certain, what follows is not
        i += width
    return True


def literal_prefix(pattern: re.Pattern, fold: bool = False) -> str:
    """The literal text every match of `pattern` starts with ("" when there is none).

    Zero-width assertions are skipped. A case-insensitive literal only counts when `fold`, that
    is when the needle will be looked for in the lower-cased text.
    """
    if pattern.flags & re.VERBOSE or not isinstance(pattern.pattern, str):
        return ""  # white space and comments would be read as literals
    chars: list[str] = []
    try:
        _walk(pattern.pattern, chars, fold or not pattern.flags & re.IGNORECASE, fold)
    except ValueError:
        return ""
    return "".join(chars)


def starts_words(pattern: re.Pattern) -> bool:
    """Whether `pattern` starts with a look-behind that rules out a word character before it."""
    if pattern.flags & (re.ASCII | re.VERBOSE) or not isinstance(pattern.pattern, str):
        return False
    source = pattern.pattern
    while (flags := _INLINE_FLAGS.match(source)) and flags.group(3) == ")":
        source = source[flags.end() :]
    if not source.startswith("(?<!"):
        return False
    try:
        body = source[4 : _group_end(source, 0) - 1]
    except ValueError:
        return False
    if body == "\\w":
        return True
    if not body.startswith("[") or body.startswith("[^"):
        return False
    try:
        if _class_end(body, 0) != len(body):
            return False
    except ValueError:
        return False
    # The class holds \w (not an escaped backslash before a "w").
    return re.search(r"(?<!\\)(?:\\\\)*\\w", body) is not None


class Folded:
    """A text with its lower-case copy, made once and shared by every scanner."""

    __slots__ = ("text", "lower", "aligned", "_safe", "_words")

    def __init__(self, text: str, lower: str | None = None):
        self.text = text
        self.lower = text.lower() if lower is None else lower
        # "İ" lower-cases to two characters; then positions in `lower` are not those in `text`.
        self.aligned = len(self.lower) == len(text)
        self._safe: dict[str, bool] = {}
        self._words: tuple[int, dict[str, list[int]]] | None = None

    def safe(self, unsafe: str) -> bool:
        """Whether needles may be looked for in `lower`: aligned, and none of `unsafe` in it."""
        if unsafe not in self._safe:
            self._safe[unsafe] = self.aligned and not any(c in self.lower for c in unsafe)
        return self._safe[unsafe]

    def word_starts(self) -> dict[str, list[int]]:
        """Needle → the word starts in `lower` where it occurs, for every registered needle."""
        lexicon = _lexicon()
        if self._words is None or self._words[0] != lexicon.version:
            self._words = (lexicon.version, lexicon.occurrences(self.lower))
        return self._words[1]


@lru_cache(maxsize=64)
def folded(text: str) -> Folded:
    """The `Folded` form of `text`, cached because several steps scan the same text."""
    return Folded(text)


def share_part(whole: str, part: str, offset: int) -> None:
    """Let `part`, found in `whole` at `offset`, reuse the scan of `whole`.

    The lower-case copy and the word starts of `part` are then cut from those of `whole`, so
    a document's title and text are not read again after title + text has been. Only done when
    line breaks (or the ends of `whole`) border `part`; otherwise `part` is scanned on its own.
    """
    end = offset + len(part)
    if not part or whole[offset:end] != part:
        return
    # Lower-casing looks at neighbours only for a final "Σ", and a line break stops that look, so
    # the lower-cased part is that part of the lower-cased whole; and a line break before the
    # part makes its first position a word start in both.
    if (offset > 0 and whole[offset - 1] != "\n") or (end < len(whole) and whole[end] != "\n"):
        return
    form = folded(whole)
    if not form.aligned:
        return
    shared = Folded(part, form.lower[offset:end])
    shared._words = (
        _lexicon().version,
        {
            needle: inside
            for needle, found in form.word_starts().items()
            if (inside := [p - offset for p in found if offset <= p <= end - len(needle)])
        },
    )
    if len(_shared) >= 8:
        _shared.clear()
    _shared[part] = shared


# Forms registered by `share_part`, looked up before `folded`; a few documents' worth.
_shared: dict[str, Folded] = {}


# The Latin-1 word characters. A character outside this class may still be a word character
# ("ł"), so "not in the class" is a superset of "not a word character" that `re` can test
# with a bitmap, far faster than Unicode's \W.
_LATIN1_WORD = "".join(chr(c) for c in range(256) if re.match(r"\w", chr(c)))
_NOT_LATIN1_WORD = f"[^{re.escape(_LATIN1_WORD)}]"


class Lexicon:
    """Every occurrence, at a word start, of a set of lower-case needles, from one regex pass.

    The pass finds a character outside the Latin-1 word characters (every non-word character
    is one) followed by the longest needle there. A needle that is a prefix of the one found
    occurs there too; a needle that starts inside the one found, right after such a character
    in it, is looked for at those offsets. With position 0 that covers every word start where a
    needle occurs (and some more places, which the scanners' own patterns then reject).
    """

    def __init__(self, needles: Iterable[str], version: int = 0):
        self.version = version
        self.needles = tuple(sorted(set(needles)))
        trie = trie_pattern(self.needles)
        self._at = re.compile(trie) if self.needles else re.compile("(?!)")
        self._scan = (
            re.compile(rf"{_NOT_LATIN1_WORD}({trie})") if self.needles else re.compile("(?!)")
        )
        self._prefixes = {n: [m for m in self.needles if n.startswith(m)] for n in self.needles}
        self._inner = {n: self._inner_offsets(n) for n in self.needles}

    def _inner_offsets(self, needle: str) -> list[int]:
        offsets = []
        for k in range(1, len(needle) + 1):
            if needle[k - 1] in _LATIN1_WORD:
                continue
            rest = needle[k:]
            if any(other.startswith(rest) or rest.startswith(other) for other in self.needles):
                offsets.append(k)
        return offsets

    def occurrences(self, lower: str) -> dict[str, list[int]]:
        """Needle → sorted word-start positions in `lower`."""
        found: dict[str, list[int]] = {}
        prefixes, inner, at = self._prefixes, self._inner, self._at.match

        def record(needle: str, position: int) -> None:
            for prefix in prefixes[needle]:
                if prefix in found:
                    found[prefix].append(position)
                else:
                    found[prefix] = [position]

        if first := at(lower, 0):
            record(first.group(), 0)
        for match in self._scan.finditer(lower):
            needle, start = match[1], match.start(1)
            record(needle, start)
            for offset in inner[needle]:
                if hit := at(lower, start + offset):
                    record(hit.group(), start + offset)
        return found


_registered: set[str] = set()
_current: list[Lexicon] = []


def _register(needles: Iterable[str]) -> None:
    new = set(needles) - _registered
    if new:
        _registered.update(new)
        _current.clear()


def register_words(words: Iterable[str]) -> None:
    """Have the shared word-start pass also look for these lower-case words (see `word_starts`)."""
    _register(words)


def word_starts(text: str, words: Iterable[str]) -> list[int] | None:
    """Sorted positions where one of `words` (registered, lower-case) starts a word of the
    lower-cased text, from the shared pass; None when positions in it are not those in `text`.

    "Starts a word" includes every place after a non-word character (and a few more)."""
    form = _form(text)
    if not form.aligned:
        return None
    found = form.word_starts()
    return sorted(p for word in words for p in found.get(word, ()))


def _lexicon() -> Lexicon:
    if not _current:
        _current.append(Lexicon(_registered, version=len(_registered)))
    return _current[0]


class Scanner:
    """`pattern.finditer` / `search`, with candidates from the needles every match starts with."""

    def __init__(
        self,
        pattern: re.Pattern,
        needles: Iterable[str] | None = None,
        fold: bool | None = None,
        candidates: re.Pattern | None = None,
        anchor: tuple[str, int, int] | None = None,
    ):
        """`needles`: what every match starts with (default: the pattern's literal start).
        `fold`: look for them in the lower-cased text (default: when the pattern ignores case).
        `candidates`: a pattern that matches wherever `pattern` does, searched in the text.
        `anchor` (with `candidates`): (word, before, after) when every match contains `word`,
        starting at most `before` characters into the match, and `candidates` matches there
        in the text cut `after` characters after the word: only those windows are searched."""
        self.pattern = pattern
        ignorecase = bool(pattern.flags & re.IGNORECASE)
        self.fold = ignorecase if fold is None else fold
        if ignorecase and not self.fold:
            raise ValueError("et mønster uden forskel på store og små bogstaver kræver fold")
        if candidates is not None and self.fold:
            raise ValueError("kandidatmønstre søges i teksten selv, ikke med små bogstaver")
        if needles is None:
            prefix = literal_prefix(pattern, self.fold)
            needles = [prefix] if prefix else []
        if self.fold:
            # Only characters that lower-case to one character keep positions aligned.
            lowered = [("".join(c.lower() for c in n), n) for n in needles]
            needles = [low if len(low) == len(n) else "" for low, n in lowered]
        needles = set(needles)
        if "" in needles:
            needles = set()
        # A needle that starts with another needle adds no candidates.
        needles = {n for n in needles if not any(o != n and n.startswith(o) for o in needles)}
        self.needles = tuple(sorted(needles))
        self.unsafe = self._unsafe_chars() if self.fold else ""
        self._candidates = candidates
        if anchor is not None and candidates is None:
            raise ValueError("et anker kræver et kandidatmønster")
        self._anchor = anchor
        self._trie = None
        self.word_start = bool(self.fold and self.needles and starts_words(pattern))
        if self.word_start:
            _register(self.needles)
        elif len(self.needles) > 1:
            self._trie = re.compile(trie_pattern(self.needles))

    def _unsafe_chars(self) -> str:
        """Characters whose presence makes the lower-cased text unreliable for these needles."""
        chars = {c for needle in self.needles for c in needle}
        return "".join(sorted({e for c in chars for e in extra_cases(c)}))

    def _next(self, text: str) -> Callable[[int], int] | None:
        """A function giving the first candidate at or after a position (-1: none left), or
        None when only `finditer` is exact."""
        if self._anchor is not None:
            return _by_windows(self._candidates, text, *self._anchor)
        if self._candidates is not None:
            return _by_search(self._candidates, text)
        if not self.needles:
            return None
        if not self.fold:
            haystack = text
        else:
            form = _form(text)
            if not form.safe(self.unsafe):
                return None
            if self.word_start:
                words = form.word_starts()
                lists = [words[n] for n in self.needles if n in words]
                if not lists:
                    return _none
                positions = lists[0] if len(lists) == 1 else sorted(p for ps in lists for p in ps)
                return _by_list(positions)
            haystack = form.lower
        if self._trie is not None:
            return _by_search(self._trie, haystack)
        return _by_find(self.needles[0], haystack)

    def finditer(self, text: str) -> Iterator[re.Match]:
        """Exactly `pattern.finditer(text)`."""
        next_at = self._next(text)
        if next_at is None:
            yield from self.pattern.finditer(text)
            return
        match = self.pattern.match
        position = next_at(0)
        while position >= 0:
            found = match(text, position)
            if found:
                yield found
                # A candidate match is never empty: it contains its needle.
                position = next_at(found.end())
            else:
                position = next_at(position + 1)

    def search(self, text: str) -> re.Match | None:
        """Exactly `pattern.search(text)`."""
        return next(self.finditer(text), None)


def _form(text: str) -> Folded:
    shared = _shared.get(text)
    if shared is not None and shared.text is text:
        return shared
    return folded(text)


def _none(position: int) -> int:
    return -1


def _by_find(needle: str, haystack: str) -> Callable[[int], int]:
    return lambda position: haystack.find(needle, position)


def _by_search(pattern: re.Pattern, haystack: str) -> Callable[[int], int]:
    search = pattern.search

    def next_at(position: int) -> int:
        hit = search(haystack, position)
        return hit.start() if hit else -1

    return next_at


def _by_windows(pattern: re.Pattern, text: str, word: str, before: int, after: int):
    windows: list[list[int]] = []
    position = text.find(word)
    while position >= 0:
        start, end = max(0, position - before), min(len(text), position + len(word) + after)
        if windows and start <= windows[-1][1]:
            windows[-1][1] = end
        else:
            windows.append([start, end])
        position = text.find(word, position + 1)
    ends = [end for _, end in windows]
    search = pattern.search

    def next_at(position: int) -> int:
        for i in range(bisect_left(ends, position + 1), len(windows)):
            start, end = windows[i]
            hit = search(text, max(start, position), end)
            if hit:
                return hit.start()
        return -1

    return next_at


def _by_list(positions: list[int]) -> Callable[[int], int]:
    def next_at(position: int) -> int:
        i = bisect_left(positions, position)
        return positions[i] if i < len(positions) else -1

    return next_at


class ScannerGroup:
    """Scanners that look at the same texts: which of them can match, from one shared pass."""

    def __init__(self, scanners: Iterable[Scanner]):
        self.scanners = tuple(scanners)
        checked = [s for s in self.scanners if s.word_start]
        self._others = frozenset(id(s) for s in self.scanners if not s.word_start)
        self._by_needle: dict[str, set[int]] = {}
        for scanner in checked:
            for needle in scanner.needles:
                self._by_needle.setdefault(needle, set()).add(id(scanner))
        self.unsafe = "".join(sorted({c for s in checked for c in s.unsafe}))

    def possible(self, text: str) -> set[int]:
        """The ids of the scanners that may match `text`; the others surely do not."""
        form = _form(text)
        if not form.safe(self.unsafe):
            return {id(s) for s in self.scanners}
        possible = set(self._others)
        by_needle = self._by_needle
        for needle in form.word_starts():
            if needle in by_needle:
                possible |= by_needle[needle]
        return possible
