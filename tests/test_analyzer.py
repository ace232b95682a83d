from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retskilde.db.analysis.analyzer import Analyzer, LexiconError, default_analyzer, load_lexicon
from retskilde.db.analysis.tokenchars import (
    FTS_TOKENIZE,
    latin1_token_table,
    pattern_for,
    probe_token_chars,
    token_char_ranges,
    token_pattern,
)
from retskilde.db.build import build
from retskilde.db.search import search
from retskilde.db.sqlite import sqlite3
from tests.conftest import make_record, write_record

analyzer = default_analyzer()
term = analyzer.term

# Text that looks like the corpus, plus the characters that break naive tokenizers.
_PIECES = list("abcdefghijklmnopqrstuvwxyzæøåÆØÅAÉé§.,;:-–/()\"'*0123456789 \n") + [
    "aa",
    "Aa",
    "hjælpemidler",
    "İ",
    "ß",
    "\u0301",
    "😀",
    "²",
    "½",
    "ﬁ",
    "\u00a0",
    "\u200b",
]
_any_char = st.characters(blacklist_categories=("Cs",))
danish_text = st.lists(st.one_of(st.sampled_from(_PIECES), _any_char), max_size=80).map("".join)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Aarhus", "århus"),
        ("Århus", "århus"),
        ("Aalborg", "ålborg"),
        ("Aabenraa", "åbenrå"),
        ("paa", "på"),
        ("Faaborg", "fåborg"),  # medial aa only for words the lexicon names
    ],
)
def test_old_aa_spelling_is_read_as_å(word, expected):
    assert analyzer.fold(word) == expected


@pytest.mark.parametrize("word", ["ekstraarbejde", "dataansvarlig", "kontraapplikation"])
def test_aa_where_two_words_meet_is_kept(word):
    assert "å" not in analyzer.fold(word)
    assert "aa" in term(word)


def test_danish_letters_are_never_folded():
    assert term("høreapparat") != term("horeapparat")
    assert term("hjælp") != term("hjalp")
    assert term("Århus") != term("Arhus")
    assert {"æ", "ø", "å"} <= set("".join(analyzer.terms("Æble Øre Ål")))


def test_ae_and_oe_are_left_alone():
    assert term("hjaelpemidler") != term("hjælpemidler")
    assert analyzer.fold("foerst") == "foerst"


@pytest.mark.parametrize(
    "forms",
    [
        ["hjælpemiddel", "hjælpemidler", "hjælpemidlet", "Hjælpemidlerne"],
        ["hjemvisning", "hjemvise", "hjemvist", "hjemviste", "hjemvises"],
        ["afvist", "afvise", "afvisning", "afvisningen"],
        ["ændret", "ændring", "ændre", "ændringer"],
        ["udskiftning", "udskifte", "udskiftet"],
        ["afgørelse", "afgørelsen", "afgjort"],
        ["ganghjælpemidler", "ganghjælpemiddel"],  # a compound ending in a fixed form
        ["sagsbehandling", "sagsbehandle"],
    ],
)
def test_lexicon_joins_forms_snowball_splits(forms):
    assert len({term(f) for f in forms}) == 1, {f: term(f) for f in forms}


@pytest.mark.parametrize(
    ("forms", "other"),
    [
        (["varighed", "varigheden", "varigheder"], "var"),
        (["mulighed", "muligheden", "mulighederne"], "mule"),
        (["myndighed", "myndigheden", "myndighedens"], "mynde"),
    ],
)
def test_ighed_nouns_keep_their_stem_and_do_not_collide(forms, other):
    # Snowball alone stems "varighed" to "var", the past tense of "være".
    assert len({term(f) for f in forms}) == 1
    assert term(forms[0]) != term(other)


def test_short_fix_keys_do_not_rewrite_other_words():
    # "tilkende" stems to "tilk", which the lexicon fixes; "stilk" must not become "stilkend".
    assert term("tilkende") == term("tilkendelse")
    assert term("stilk") == "stilk"


def test_one_term_per_token_and_every_term_is_one_token():
    text = "Hjælpemidler/hjælpemidlet; AFG.101-17 (§112,stk.1) İstanbul e\u0301-mail 😀 x²"
    tokens = analyzer.tokens(text)
    terms = analyzer.terms(text)
    assert len(terms) == len(tokens)
    assert all(token_pattern().fullmatch(t) for t in terms)
    assert analyzer.stream(text).split(" ") == terms


@settings(max_examples=300, deadline=None)
@given(danish_text)
def test_tokens_are_exactly_the_tokens_fts5_sees(text):
    conn = sqlite3.connect(":memory:")
    conn.execute(f"create virtual table t using fts5(x, tokenize='{FTS_TOKENIZE}')")
    conn.execute("create virtual table v using fts5vocab(t, 'instance')")
    conn.execute("insert into t(rowid, x) values (1, ?)", (text,))
    offsets = sorted(offset for (offset,) in conn.execute("select offset from v"))
    assert offsets == list(range(len(analyzer.tokens(text))))
    stream = analyzer.stream(text)
    conn.execute("insert into t(rowid, x) values (2, ?)", (stream,))
    stream_tokens = conn.execute("select count(*) from v where doc = 2").fetchone()[0]
    assert stream_tokens == len(offsets)


latin1_text = st.lists(
    st.one_of(st.sampled_from(_PIECES[:-7]), st.characters(max_codepoint=0xFF)), max_size=80
).map("".join)


def _terms_by_regex(text: str) -> list[str]:
    lowered = text.lower()
    return [analyzer.term(token) for token in pattern_for(lowered).findall(lowered)]


@settings(max_examples=500, deadline=None)
@given(latin1_text)
def test_the_latin1_shortcut_gives_the_terms_the_regex_gives(text):
    # Fresh analyzers, so that neither path answers from the other's cache.
    fresh = Analyzer(load_lexicon())
    assert fresh.terms(text) == _terms_by_regex(text)
    assert fresh.terms(text) == fresh.terms(text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(latin1_text, danish_text))
def test_the_encoded_stream_is_the_stream_in_utf8(text):
    fresh = Analyzer(load_lexicon())
    assert fresh.encoded_stream(text) == fresh.stream(text).encode()
    assert fresh.encoded_stream(text) == fresh.encoded_stream(text)  # from the cache


def test_the_latin1_table_lower_cases_token_characters_and_blanks_the_rest():
    table = latin1_token_table()
    for code_point in range(256):
        char = chr(code_point)
        if pattern_for(char).fullmatch(char):
            assert chr(table[code_point]) == char.lower(), hex(code_point)
        else:
            assert table[code_point] == ord(" "), hex(code_point)


def test_text_beyond_latin1_takes_the_regex_and_gives_the_same_terms():
    text = "Hjælpemidler – AFG.101-17 İstanbul ﬁnder ÆBLER"
    assert analyzer.terms(text) == _terms_by_regex(text)
    assert analyzer.terms("ÆBLER hjælpemidler") == _terms_by_regex("æbler Hjælpemidler")


def test_shipped_token_table_matches_this_sqlite():
    # The whole range takes ~6 s to probe; the Basic Multilingual Plane holds all real text.
    def clip(ranges):
        return tuple((low, min(high, 0xFFFF)) for low, high in ranges if low <= 0xFFFF)

    shipped = tuple(clip(ranges) for ranges in token_char_ranges())
    assert probe_token_chars(0xFFFF) == shipped


def test_synonym_groups_and_compound_parts_are_analysed():
    groups = {group[0]: group for group in analyzer.synonym_groups}
    assert ("føp",) in groups[(term("førtidspension"),)]
    assert (term("lov"), "om", "aktiv", term("socialpolitik")) in groups[(term("aktivloven"),)]
    assert term("hjælpemidler") in analyzer.compound_parts


def test_a_broken_lexicon_names_the_file_and_entry(tmp_path):
    path = tmp_path / "lexicon.yml"
    path.write_text("stem_groups:\n  - [alene]\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"lexicon\.yml: stem_groups: \['alene'\]"):
        load_lexicon(path)
    path.write_text("synonyms: [a, b\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="lexicon.yml: ikke gyldig YAML"):
        load_lexicon(path)


def test_a_word_in_two_stem_groups_is_refused(tmp_path):
    path = tmp_path / "lexicon.yml"
    path.write_text("stem_groups:\n  - [vurdere, vurdering]\n  - [rapport, vurdering]\n", "utf-8")
    with pytest.raises(LexiconError, match="'vurdering' står i to grupper"):
        Analyzer(load_lexicon(path))


def test_fingerprint_changes_with_the_lexicon(tmp_path):
    path = tmp_path / "lexicon.yml"
    path.write_text("synonyms:\n  - [føp, førtidspension]\n", encoding="utf-8")
    first = Analyzer(load_lexicon(path)).fingerprint
    path.write_text("synonyms:\n  - [sel, serviceloven]\n", encoding="utf-8")
    assert Analyzer(load_lexicon(path)).fingerprint != first


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("٤٥٦٧", "4567"),  # Arabic-Indic
        ("۴۵۶۷", "4567"),  # Extended Arabic-Indic (Persian, Urdu)
        ("४५६७", "4567"),  # Devanagari
        ("４５６７", "4567"),  # full width
        ("§١١٢", "§112"),
        ("4567", "4567"),
        ("²³", "²³"),  # superscripts are not decimal digits: kept as written
    ],
)
def test_digits_of_any_script_are_folded_to_ascii(written, expected):
    assert analyzer.fold(written) == expected
    assert term(written) == term(expected)


def test_a_number_in_another_script_is_found_by_ascii_digits_and_the_reverse(tmp_path):
    corpus = tmp_path / "corpus"
    write_record(
        corpus,
        make_record(id="ast-a", text="Klagen vedrører journalnummer ٤٥٦٧ og intet andet."),
    )
    write_record(
        corpus,
        make_record(id="ast-b", text="Afgørelsen har sagsnummer 8123 i kommunens register."),
    )
    build(corpus, tmp_path / "r.db")
    conn = sqlite3.connect(tmp_path / "r.db")
    found = search(conn, "4567", facets=False)
    assert [hit.id for hit in found.hits] == ["ast-a"]
    assert "<mark>٤٥٦٧</mark>" in found.hits[0].snippet
    assert [hit.id for hit in search(conn, "٨١٢٣", facets=False).hits] == ["ast-b"]
