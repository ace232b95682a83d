"""The fast scanners give exactly what the plain patterns give (db/enrich/scan.py, text.py)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retskilde.db.enrich import decisions, scan
from retskilde.db.enrich.laws import registry
from retskilde.db.enrich.municipalities import _patterns as municipality_patterns
from retskilde.db.enrich.scan import (
    _LATIN1_WORD,
    Lexicon,
    Scanner,
    ScannerGroup,
    _form,
    literal_prefix,
    share_part,
    starts_words,
    trie_pattern,
)
from retskilde.db.enrich.text import SentenceIndex, blocks, sentence_index, share_sentences
from retskilde.db.enrich.topics import taxonomy

# Pieces that make the scanners' needles, their near misses, and the characters `re` and
# `str.lower` treat differently ("ſ" ~ "s", "İ" lower-cases to two characters).
PIECES = [
    " ",
    "\n",
    "\n\n",
    "-",
    "(",
    ".",
    ",",
    "§",
    "ſ",
    "ı",
    "İ",
    "K",
    "Σ",
    "ł",
    "x",
    "Fleksjob",
    "fleksjobordningen",
    "FLEKSJOB",
    "ufleksjob",
    "hjemvist",
    "Hjemvisning",
    "Ankestyrelsens tilsyn",
    "tilsynsudtalelse",
    "indretning af boligen",
    "begrundelse",
    "serviceloven",
    "Servicelovens",
    "SEL",
    "sel",
    "lov om social service",
    "LAB-loven",
    "barnets lov",
    "principmeddelelse",
    "SM",
    "AFG.",
    "C-12-24",
    "12-24",
    "Kasserede:",
    "Se også",
    "Aarhus Kommune",
    "Århus kommune",
    "Høje-Taastrup",
    "Bornholms Regionskommune",
    "Aarhus, Odense og Vejle Kommuner",
    "Kommune",
    "ommune",
]
texts = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
CHECK = settings(max_examples=200, deadline=None)


def _scanners() -> list[Scanner]:
    found = [s for topic in taxonomy() for s in topic.scanners]
    found.append(registry().scanner)
    single, listed, _ = municipality_patterns()
    found += [single, listed]
    found += [
        decisions._KEYWORD_SCAN,
        decisions._LETTERED_SCAN,
        decisions._REPLACES_HEADER_SCAN,
        decisions._OTHER_HEADER_SCAN,
    ]
    return found


def _same(scanner: Scanner, text: str) -> None:
    got = [(m.span(), m.groups()) for m in scanner.finditer(text)]
    want = [(m.span(), m.groups()) for m in scanner.pattern.finditer(text)]
    assert got == want, scanner.pattern.pattern[:80]


@CHECK
@given(texts)
def test_every_scanner_finds_what_its_pattern_finds(text):
    for scanner in _scanners():
        _same(scanner, text)


@CHECK
@given(texts, texts)
def test_a_shared_part_scans_like_the_part_alone(title, text):
    whole = f"{title}\n\n{text}"
    share_part(whole, text, len(title) + 2)
    share_part(whole, title, 0)
    for part in (title, text):
        assert _form(part).lower == part.lower() or not _form(part).aligned
    for scanner in _scanners():
        _same(scanner, text)
        _same(scanner, title)


@CHECK
@given(st.lists(st.sampled_from(["ab", "abc", "b c", "c d", "d", "c", "bc d", "x y"]), max_size=6))
def test_the_lexicon_finds_every_needle_at_every_word_start(needles):
    lexicon = Lexicon(needles)
    text = "ab c d abc d bc d x y c d b c dd ab-c d(x y"
    found = lexicon.occurrences(text)
    for needle in set(needles):
        starts = [
            m.start()
            for m in re.finditer(f"(?=({re.escape(needle)}))", text)
            if m.start() == 0 or text[m.start() - 1] not in _LATIN1_WORD
        ]
        assert found.get(needle, []) == starts, needle


def test_lower_case_keeps_the_word_characters_the_lexicon_relies_on():
    # A non-word character must not lower-case to a Latin-1 word character, or the lexicon,
    # which reads the lower-cased text, would miss a word start.
    latin = set(_LATIN1_WORD)
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        lower = char.lower()
        if lower in latin:
            assert re.match(r"\w", char), hex(code)


def test_literal_prefix_and_word_start_are_read_from_the_pattern():
    assert literal_prefix(re.compile(r"(?<![\w])(?:hjemvis\w*)(?![\w])", re.I), fold=True) == (
        "hjemvis"
    )
    assert literal_prefix(re.compile(r"(?i:ab)c")) == ""
    assert literal_prefix(re.compile(r"(?i:ab)c"), fold=True) == "abc"
    assert literal_prefix(re.compile(r"\bstad(?:x|y)")) == "stad"
    assert literal_prefix(re.compile(r"a|b")) == ""
    assert starts_words(re.compile(r"(?<![\w§-])x"))
    assert not starts_words(re.compile(r"(?<![§-])x"))
    assert not starts_words(re.compile(r"(?<![^\w])x"))
    assert not starts_words(re.compile(r"(?<![\w])x", re.ASCII))


def test_a_trie_matches_the_longest_word():
    pattern = re.compile(trie_pattern(["lov", "loven", "lovens", "bar"]))
    assert pattern.match("lovensx").group() == "lovens"
    assert pattern.match("lovex").group() == "lov"
    assert pattern.match("xlov") is None


def test_a_case_insensitive_pattern_must_be_folded():
    with pytest.raises(ValueError):
        Scanner(re.compile("abc", re.I), fold=False)


def test_an_unsafe_character_falls_back_to_the_plain_pattern():
    scanner = Scanner(re.compile(r"(?<!\w)(?:sag\w*)", re.I))
    assert [m.group() for m in scanner.finditer("SAGEN og ſagen")] == ["SAGEN", "ſagen"]


def test_a_scanner_group_rules_out_only_scanners_that_cannot_match():
    scanners = [s for topic in taxonomy() for s in topic.scanners]
    group = ScannerGroup(scanners)
    text = "Sagen om fleksjob blev hjemvist."
    possible = group.possible(text)
    for scanner in scanners:
        if scanner.search(text):
            assert id(scanner) in possible
    assert len(possible) < len(scanners)


@CHECK
@given(texts, texts)
def test_a_shared_sentence_index_equals_the_texts_own(title, text):
    whole = f"{title}\n\n{text}"
    share_sentences(whole, text)
    assert blocks(text) == list(SentenceIndex(text).blocks)
    shared, own = sentence_index(text), SentenceIndex(text)
    for position in range(len(text) + 1):
        assert shared.at(position) == own.at(position)
        key = own.key(position)
        assert shared.key(position) == key
        if key:
            assert shared.following(key) == own.following(key)


# -- the pattern read without re's private parser (issue 11) ---------------------------------


def test_scan_uses_only_public_interfaces_of_re():
    source = Path(scan.__file__).read_text("utf-8")
    assert "_parser" not in source and "_casefix" not in source and "sre_" not in source


@pytest.mark.parametrize(
    ("pattern", "flags", "fold", "prefix"),
    [
        (r"\bophæv(?:er|ede|et)\b", 0, False, "ophæve"),
        (r"(?:fandt|finder)\s+ikke", 0, False, "f"),
        (
            r"(?<![\w])(?:indretning af (?:bolig|boligen))(?![\w])",
            re.I,
            True,
            "indretning af bolig",
        ),
        (r"ab?c", 0, False, "a"),
        (r"ab*c", 0, False, "a"),
        (r"ab+c", 0, False, "ab"),
        (r"a\.b", 0, False, "a.b"),
        (r"a\wb", 0, False, "a"),
        (r"\n{3,}", 0, False, "\n"),
        (r"(?:ab)?c", 0, False, ""),
        (r"(?P<navn>sag)nr", 0, False, "sagnr"),
        (r"x[yz]", 0, False, "x"),
        (r"sag", re.I, False, ""),
        (r"(?-i:sag)en", re.I, False, "sag"),
        (r"sag  # kommentar", re.X, False, ""),
    ],
)
def test_literal_prefix_reads_groups_alternatives_quantifiers_and_flags(
    pattern, flags, fold, prefix
):
    compiled = re.compile(pattern, flags)
    assert literal_prefix(compiled, fold=fold) == prefix
    # The prefix is one every match really starts with.
    sample = "ophæver fandt ikke Indretning af boligen abc ac abbc a.b a_b \n\n\n sagnr xy sagen"
    for match in compiled.finditer(sample):
        text = match.group()
        assert (text.lower() if fold else text).startswith(prefix)


def test_only_characters_in_the_cased_ranges_have_case():
    ranges = scan.CASED_RANGES
    inside = {code for start, end in ranges for code in (start, end - 1)}
    assert inside
    for code in range(sys.maxunicode + 1):
        if any(start <= code < end for start, end in ranges):
            continue
        char = chr(code)
        assert char.lower() == char.upper() == char.casefold() == char, hex(code)


@pytest.mark.parametrize("char", list("abcdefghijklmnopqrstuvwxyzæøåé"))
def test_extra_cases_hold_every_character_re_folds_to_a_needle_letter(char):
    pattern = re.compile(re.escape(char), re.I)
    extra = set(scan.extra_cases(char))
    for start, end in scan.CASED_RANGES:
        for code in range(start, end):
            other = chr(code)
            if len(other.lower()) != 1:
                continue  # "İ": the lower-cased text is then not aligned, and never searched
            if other.lower() != char.lower() and pattern.fullmatch(other):
                assert other in extra, (char, hex(code))
