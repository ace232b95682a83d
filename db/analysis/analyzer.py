"""The Danish analyzer: one module, used when the index is built and when a query is read.

A text is split into exactly the tokens SQLite's `unicode61` tokenizer sees (db/tokenchars.py),
and every token becomes exactly one analysed term: lower case, the old spelling "aa" read as "å"
where it is a letter, Snowball Danish stemming, then the stem fixes of db/lexicon.yml. One term
per token keeps the positions of the index equal to the positions in the original text, which
is what lets FTS5's `snippet()` and `highlight()` mark the words the user actually wrote.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import Stemmer
import yaml

from retskilde.db.analysis.tokenchars import RANGES_PATH, latin1_token_table, pattern_for

LEXICON_PATH = Path(__file__).with_name("lexicon.yml")
# Bump when the analysis changes in a way the lexicon file does not show.
ANALYZER_VERSION = "3"
_CACHE_LIMIT = 500_000
# A suffix fix needs a key this long, so that short stems ("tilk") never rewrite other words.
_MIN_SUFFIX_KEY = 6


_IGHED = re.compile(r"^(\w{2,}ighed)(?:en|er|erne|ens|ernes|s)?$")


def _ascii_digits(word: str) -> str:
    """`word` with every decimal digit (Unicode category Nd, any script) as its ASCII digit:
    a number copied from an Arabic or Devanagari text is the same number."""
    if not any(character.isdecimal() for character in word):
        return word
    return "".join(
        str(unicodedata.decimal(character)) if character.isdecimal() else character
        for character in word
    )


class LexiconError(ValueError):
    """The lexicon file cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Lexicon:
    stem_groups: tuple[tuple[str, ...], ...]
    aa_words: tuple[str, ...]
    synonyms: tuple[tuple[str, ...], ...]
    compound_parts: tuple[str, ...]
    stopwords: frozenset[str]
    source: str
    # Query-time only, for words typed without quotes (a quoted phrase means exactly that).
    equivalents: tuple[tuple[str, ...], ...] = ()


def _word_list(data: dict, key: str, path: Path) -> list:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise LexiconError(f"{path}: {key}: skal være en liste")
    return value


def _merged(groups: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    """Groups that share an expression become one (kontanthjælp in a synonym and an
    equivalent group), in the order they first appear."""
    merged: list[list[str]] = []
    for group in groups:
        joined = [m for m in merged if set(m) & set(group)]
        target = joined[0] if joined else []
        for other in joined[1:]:
            target += [w for w in other if w not in target]
            merged.remove(other)
        target += [w for w in group if w not in target]
        if not joined:
            merged.append(target)
    return tuple(tuple(group) for group in merged)


def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """Read and check the lexicon file."""
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise LexiconError(f"{path}: ikke gyldig YAML: {exc}") from exc
    groups = []
    for key in ("stem_groups", "synonyms"):
        entries = []
        for entry in _word_list(data, key, path):
            if not isinstance(entry, list) or len(entry) < 2:
                raise LexiconError(f"{path}: {key}: {entry!r} skal være en liste med mindst to ord")
            entries.append(tuple(str(word).strip().lower() for word in entry))
        groups.append(tuple(entries))
    equivalents = []
    for entry in _word_list(data, "equivalents", path):
        terms = entry.get("terms") if isinstance(entry, dict) else None
        if not isinstance(terms, list) or len(terms) < 2:
            raise LexiconError(
                f"{path}: equivalents: {entry!r} skal have terms med mindst to udtryk"
            )
        equivalents.append(tuple(str(term).strip().lower() for term in terms))
    return Lexicon(
        stem_groups=groups[0],
        aa_words=tuple(str(w).lower() for w in _word_list(data, "aa_words", path)),
        synonyms=groups[1],
        compound_parts=tuple(str(w).lower() for w in _word_list(data, "compound_parts", path)),
        stopwords=frozenset(str(w).lower() for w in _word_list(data, "stopwords", path)),
        source=text,
        equivalents=tuple(equivalents),
    )


class Analyzer:
    """Turns text into the terms stored in the index, one term per `unicode61` token."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self._stemmer = Stemmer.Stemmer("danish")
        self._cache: dict[str, str] = {}
        self._byte_cache: dict[bytes, str] = {}
        self._encoded_cache: dict[bytes, bytes] = {}
        self._latin1_table = latin1_token_table()
        self._aa_words = lexicon.aa_words
        self._fixes = self._stem_fixes(lexicon)
        self._suffix_lengths = sorted(
            {len(key) for key in self._fixes if len(key) >= _MIN_SUFFIX_KEY}, reverse=True
        )
        self.stopwords = lexicon.stopwords
        self.compound_parts = frozenset(self.term(w) for w in lexicon.compound_parts)
        self.synonym_groups = self._term_groups(lexicon.synonyms)
        # Synonyms and equivalent expressions together, for words typed without quotes.
        self.equivalent_groups = self._term_groups(_merged(lexicon.synonyms + lexicon.equivalents))
        self.fingerprint = hashlib.sha256(
            "\0".join(
                [ANALYZER_VERSION, Stemmer.version(), lexicon.source, RANGES_PATH.read_text()]
            ).encode()
        ).hexdigest()[:16]

    def _term_groups(self, groups: tuple[tuple[str, ...], ...]) -> tuple[tuple, ...]:
        return tuple(
            tuple(dict.fromkeys(tuple(self.terms(member)) for member in group)) for group in groups
        )

    def _stem_fixes(self, lexicon: Lexicon) -> dict[str, str]:
        fixes: dict[str, str] = {}
        for group in lexicon.stem_groups:
            canonical = self._snowball(group[0])
            for word in group[1:]:
                stem = self._snowball(word)
                if stem == canonical:
                    continue
                if fixes.get(stem, canonical) != canonical:
                    raise LexiconError(
                        f"{LEXICON_PATH}: stem_groups: {word!r} står i to grupper "
                        f"({fixes[stem]!r} og {canonical!r})"
                    )
                fixes[stem] = canonical
        return fixes

    def fold(self, word: str) -> str:
        """Lower case, digits of any script as ASCII digits (Arabic-Indic ١٠١ -> 101), and
        "aa" read as "å" where it is the old spelling of the letter."""
        word = word.lower()
        if not word.isascii():
            word = _ascii_digits(word)
        if "aa" not in word:
            return word
        if any(word.startswith(listed) for listed in self._aa_words):
            return word.replace("aa", "å")
        if word.startswith("aa"):
            word = "å" + word[2:]
        if word.endswith("aa"):
            word = word[:-2] + "å"
        return word

    def _snowball(self, word: str) -> str:
        folded = self.fold(word)
        if folded.isdigit():
            return folded
        # Snowball cuts "-(l)ighed" nouns down to a stub: varighed -> "var" (the verb "was"),
        # mulighed -> "mul", myndighed -> "mynd". Keep the noun whole instead.
        noun = _IGHED.match(folded)
        if noun:
            return noun.group(1)
        return self._stemmer.stemWord(folded)

    def _fix(self, stem: str) -> str:
        fixed = self._fixes.get(stem)
        if fixed is not None:
            return fixed
        for length in self._suffix_lengths:
            if len(stem) - length >= 2:
                fixed = self._fixes.get(stem[-length:])
                if fixed is not None:
                    return stem[:-length] + fixed
        return stem

    def _analyse(self, token: str) -> str:
        term = self._fix(self._snowball(token))
        # Lower-casing can produce characters the tokenizer splits on; the term must stay one
        # token, so keep only token characters, or the token itself.
        pieces = pattern_for(term).findall(term)
        if len(pieces) != 1 or pieces[0] != term:
            term = "".join(pieces) or token
        return term

    def term(self, token: str) -> str:
        """The analysed term for one token."""
        term = self._cache.get(token)
        if term is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            term = self._cache[token] = self._analyse(token)
        return term

    def tokens(self, text: str) -> list[str]:
        """The tokens of `text`, exactly as FTS5 `unicode61` finds them."""
        return pattern_for(text).findall(text)

    def _latin1_lookup(self, encoded: bytes, cache: dict, convert: Callable) -> list:
        """The cached `convert(term)` of every token of Latin-1 `encoded`, in order.

        Keyed by the lower-cased token's bytes, so no str is made per token.
        """
        tokens = encoded.translate(self._latin1_table).split()
        try:
            return list(map(cache.__getitem__, tokens))
        except KeyError:
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            for token in tokens:
                if token not in cache:
                    cache[token] = convert(self.term(token.decode("latin-1")))
            return list(map(cache.__getitem__, tokens))

    def terms(self, text: str) -> list[str]:
        """The analysed term of every token of `text`, in order."""
        try:
            encoded = text.encode("latin-1")
        except UnicodeEncodeError:
            pass
        else:
            return list(self._latin1_lookup(encoded, self._byte_cache, str))
        # Case never moves a token boundary, and lower-case tokens make a smaller, faster cache;
        # where lower-casing changes the length (İ -> i + U+0307) the text is taken as it is.
        lowered = text.lower()
        if len(lowered) == len(text):
            text = lowered
        tokens = pattern_for(text).findall(text)
        cache = self._cache
        try:
            return [cache[token] for token in tokens]
        except KeyError:
            term = self.term
            return [term(token) for token in tokens]

    def stream(self, text: str | None) -> str:
        """What goes into the index for `text`: its terms, separated by spaces."""
        return " ".join(self.terms(text)) if text else ""

    def encoded_stream(self, text: str | None) -> bytes:
        """`stream(text)` encoded as UTF-8, made without a str per term where it can be."""
        if not text:
            return b""
        try:
            encoded = text.encode("latin-1")
        except UnicodeEncodeError:
            return self.stream(text).encode()
        return b" ".join(self._latin1_lookup(encoded, self._encoded_cache, str.encode))

    def finditer(self, text: str):
        """(start, end, token) for every token of `text`."""
        for match in pattern_for(text).finditer(text):
            yield match.start(), match.end(), match.group()


@cache
def default_analyzer() -> Analyzer:
    """The analyzer built from db/lexicon.yml (one per process)."""
    return Analyzer(load_lexicon())
