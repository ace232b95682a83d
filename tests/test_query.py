from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retskilde.db.analysis.analyzer import default_analyzer
from retskilde.db.search import SearchResult, search
from retskilde.db.search.query import Alternative, FieldFilter, Paragraph, parse
from retskilde.db.sqlite import sqlite3

term = default_analyzer().term


def kinds(query: str) -> list[tuple]:
    """Each group as (negated, [(kind, terms), ...]) for compact assertions."""
    return [(g.negated, [(a.kind, a.terms) for a in g.alternatives]) for g in parse(query).groups]


def test_words_are_each_a_group_and_analysed():
    assert kinds("hjemvist hjælpemidler") == [
        (False, [("term", (term("hjemvisning"),))]),
        (False, [("term", (term("hjælpemiddel"),))]),
    ]
    assert all(a.expand for g in parse("hjemvist fodtøj").groups for a in g.alternatives)


def test_quoted_phrase_keeps_order_and_stopwords():
    assert kinds('"ret til fleksjob"') == [(False, [("phrase", ("ret", "til", "fleksjob"))])]


def test_unbalanced_quote_runs_to_the_end():
    assert kinds('fodtøj "ortopædisk fodtøj') == [
        (False, [("term", ("fodtøj",))]),
        (False, [("phrase", ("ortopædisk", "fodtøj"))]),
    ]


def test_or_joins_the_words_around_it():
    groups = parse("fleksjob OR ressourceforløb hjemvist").groups
    assert len(groups) == 2
    assert [a.terms for a in groups[0].alternatives] == [("fleksjob",), (term("ressourceforløb"),)]


@pytest.mark.parametrize("query", ["OR fleksjob", "fleksjob OR", "fleksjob OR OR", "OR"])
def test_a_lone_or_is_dropped_with_a_note(query):
    parsed = parse(query)
    assert "OR skal stå mellem to søgeord" in " ".join(parsed.notes)
    assert all(len(g.alternatives) == 1 or g.label != "OR" for g in parsed.groups)


def test_minus_excludes_words_phrases_and_filters():
    parsed = parse('fleksjob -bil -"ortopædisk fodtøj" -type:nyhed')
    assert [g.negated for g in parsed.groups] == [False, True, True]
    assert parsed.filters == [FieldFilter("type", "nyhed", negated=True)]


def test_hyphen_inside_a_word_is_not_exclusion():
    assert kinds("e-mail") == [(False, [("phrase", ("e", "mail"))])]
    assert kinds("social-") == [(False, [("term", ("social",))])]


def test_prefix_keeps_the_letters_typed_and_the_stem():
    assert kinds("hjælpemid*") == [(False, [("prefix", ("hjælpemid",))])]
    alternatives = parse("afgørelse*").groups[0].alternatives
    assert Alternative("prefix", ("afgør",)) in alternatives


@pytest.mark.parametrize("query", ["*", "a*", "-*", "**"])
def test_a_prefix_without_two_letters_is_refused_with_a_note(query):
    parsed = parse(query)
    assert parsed.groups == []
    assert any("*" in note for note in parsed.notes)


@pytest.mark.parametrize(
    ("query", "number"),
    [
        ("101-17", "101-17"),
        ("AFG.101-17", "101-17"),
        ("afg. 101-17", "101-17"),
        ("principafgørelse 101-17", "101-17"),
        ("Principmeddelelse nr. 101-17", "101-17"),
        ("101–17", "101-17"),
        ("C-34-07", "C-34-07"),
        ("c-34-07", "C-34-07"),
        ("007-19", "7-19"),
    ],
)
def test_decision_numbers_in_any_written_form(query, number):
    parsed = parse(query)
    assert parsed.numbers == [number]
    # The words that only introduce the number are not required in the text.
    assert [g.numbers for g in parsed.groups] == [[number]]


@pytest.mark.parametrize("query", ["2019-11-05", "kl. 16-17.30", "1-2-3-4", "sag 12345-67"])
def test_dates_and_other_dashes_are_not_decision_numbers(query):
    assert parse(query).numbers == []


@pytest.mark.parametrize(
    ("query", "paragraph", "phrase"),
    [
        ("§ 112", Paragraph("112"), ("112",)),
        ("§112", Paragraph("112"), ("112",)),
        ("§ 68a", Paragraph("68a"), ("68a",)),
        ("§ 112, stk. 1", Paragraph("112", "1"), ("112", "stk", "1")),
        ("§ 27, stk. 1, nr. 3", Paragraph("27", "1", "3"), ("27", "stk", "1", "nr", "3")),
    ],
)
def test_paragraph_citations(query, paragraph, phrase):
    parsed = parse(query)
    assert parsed.paragraphs == [paragraph]
    assert kinds(query) == [(False, [("phrase", phrase)])]


def test_law_name_before_a_paragraph_is_kept_with_its_synonyms():
    groups = parse("servicelovens § 112, stk. 1").groups
    assert [a.terms for a in groups[0].alternatives][:2] == [("servicelov",), ("sel",)]
    assert groups[1].paragraph == Paragraph("112", "1")


def test_synonyms_and_abbreviations():
    assert ("førtidspension",) in [a.terms for a in parse("FØP").groups[0].alternatives]
    long_name = parse("lov om aktiv socialpolitik").groups
    assert len(long_name) == 1
    assert (term("aktivloven"),) in [a.terms for a in long_name[0].alternatives]
    quoted = parse('"lov om social service"').groups[0].alternatives
    assert ("servicelov",) in [a.terms for a in quoted]


def test_loose_stopwords_are_not_required_unless_alone():
    assert [g.label for g in parse("ret til fleksjob").groups] == ["ret", "fleksjob"]
    assert [g.label for g in parse("til og med").groups] == ["til", "og", "med"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type:principmeddelelse", [FieldFilter("type", "principmeddelelse")]),
        ('kommune:"Ringkøbing-Skjern"', [FieldFilter("kommune", "Ringkøbing-Skjern")]),
        ("år:2015-2020", [FieldFilter("år", "2015-2020")]),
        ("aar:2019", [FieldFilter("år", "2019")]),
        ("STATUS:historisk", [FieldFilter("status", "historisk")]),
        ("type:nyhed,artikel", [FieldFilter("type", "nyhed"), FieldFilter("type", "artikel")]),
        ("emne:fleksjob lov:SEL", [FieldFilter("emne", "fleksjob"), FieldFilter("lov", "SEL")]),
    ],
)
def test_field_filters(query, expected):
    assert parse(query).filters == expected


def test_unknown_field_is_just_words():
    parsed = parse("https://ast.dk/afgørelse")
    assert parsed.filters == []
    assert [g.label for g in parsed.groups] == ["https", "ast", "dk", "afgørelse"]


def test_empty_field_value_gets_a_note():
    parsed = parse("type:")
    assert parsed.filters == [] and "mangler en værdi" in parsed.notes[0]


GARBAGE = [
    "",
    " ",
    '"',
    '""',
    '"""',
    "OR",
    "AND",
    "NOT",
    "NEAR(fleksjob hjemvist, 2)",
    "*",
    "-",
    "--",
    "- -",
    "(",
    ")",
    "((fleksjob",
    "^fleksjob",
    "fleksjob:",
    ":",
    "title:fleksjob",
    "{title summary}: fleksjob",
    "'; DROP TABLE documents; --",
    "SELECT * FROM documents WHERE 1=1",
    "år:abc",
    "år:99999",
    "type:",
    "type:ukendt",
    "kommune:Atlantis",
    "udfald:medhold",
    "§",
    "§§",
    "§ 999999",
    "101-17 OR",
    "-101-17",
    "\x00\x01",
    "\ud800",
    "😀😀",
    "a" * 5000,
    "fleksjob " * 200,
    "hjælp* " * 100,
]


@pytest.fixture(scope="module")
def conn(search_db):
    connection = sqlite3.connect(f"file:{search_db}?mode=ro", uri=True)
    yield connection
    connection.close()


@pytest.mark.parametrize("query", GARBAGE)
def test_garbage_gives_results_or_a_danish_message(conn, query):
    result = search(conn, query)
    assert isinstance(result, SearchResult)
    assert result.hits or result.message


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                ['"', "-", "*", "OR", ":", "§", "(", ")", "type:", "år:", "101-17", "AFG."]
                + ["fleksjob", "hjemvist", "hjælpemidler", "sygedagpenge", " ", "  ", "NOT"]
            ),
            st.text(max_size=8),
        ),
        max_size=12,
    ).map("".join)
)
def test_random_input_never_raises(conn, query):
    result = search(conn, query, limit=3)
    assert result.hits or result.message or result.total == 0


@pytest.mark.parametrize(
    ("query", "paragraph"),
    [
        ("§ 68 a", Paragraph("68 a")),
        ("servicelovens § 68 a, stk. 2", Paragraph("68 a", "2")),
        ("§§ 12 c", Paragraph("12 c")),
        ("§ 5 i serviceloven", Paragraph("5")),  # "i" is a word, never a paragraph letter
    ],
)
def test_letter_paragraphs_written_apart(query, paragraph):
    assert parse(query).paragraphs == [paragraph]


@pytest.mark.parametrize("query", ["§ 68a", "§ 68 a", "servicelovens § 68 a"])
def test_a_letter_paragraph_finds_both_spellings(query):
    from retskilde.db.search.compiler import compile_query
    from retskilde.db.tables import FTS_TABLE
    from tests.search_corpus import index_texts

    texts = [
        "Efterværn efter servicelovens § 68 a til unge over 18 år.",
        "Efterværn efter servicelovens § 68a til unge over 18 år.",
        "Efterværn efter servicelovens § 68 til unge over 18 år.",
    ]
    conn = index_texts(texts)
    compiled = compile_query(conn, parse(query))
    found = conn.execute(
        f"select rowid from {FTS_TABLE} where {FTS_TABLE} match ? order by rowid",
        (compiled.fts,),
    ).fetchall()
    assert found == [(1,), (2,)]
