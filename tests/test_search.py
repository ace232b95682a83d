from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import sqlite_utils
from datasette.utils import detect_fts
from hypothesis import given, settings
from hypothesis import strategies as st

from retskilde import PROJECT_ROOT
from retskilde.db.analysis.analyzer import default_analyzer
from retskilde.db.build.index import IndexMismatch, verify_index
from retskilde.db.build.normalise import normalise_text
from retskilde.db.search import search
from retskilde.db.search.query import FieldFilter
from retskilde.db.sqlite import sqlite3
from retskilde.db.tables import FTS_TABLE, TEXT_COLUMN
from tests.search_corpus import index_texts

analyzer = default_analyzer()
MARKED = re.compile(r"\x02(.*?)\x03", re.S)


@pytest.fixture(scope="module")
def conn(search_db):
    connection = sqlite3.connect(f"file:{search_db}?mode=ro", uri=True)
    yield connection
    connection.close()


def ids(conn, query, **kwargs) -> list[str]:
    return [hit.id for hit in search(conn, query, limit=50, **kwargs).hits]


# -- highlights stay on the original words ------------------------------------------------


def marked_words(conn, rowid: int, term: str) -> list[str]:
    row = conn.execute(
        f"select highlight({FTS_TABLE}, {TEXT_COLUMN}, char(2), char(3)) from {FTS_TABLE} "
        f"where {FTS_TABLE} match ? and rowid = ?",
        (f'text : "{term}"', rowid),
    ).fetchone()
    return MARKED.findall(row[0]) if row else []


def assert_aligned(conn, rowid: int, text: str) -> None:
    tokens = analyzer.tokens(text)
    for term in set(analyzer.terms(text)):
        expected = [t for t in tokens if analyzer.term(t) == term]
        assert marked_words(conn, rowid, term) == expected, term


def test_every_term_of_every_document_highlights_exactly_its_words(conn):
    rows = conn.execute("select rowid, text from documents").fetchall()
    assert len(rows) >= 10
    for rowid, text in rows:
        assert_aligned(conn, rowid, text)


_pieces = st.sampled_from(
    ["hjælpemidler", "Hjemvist", "AFG.101-17", "§ 112, stk. 1", "Aarhus", "e\u0301", "İ", "😀"]
    + [" ", ", ", ".", "-", "/", "\n\n", "x²", "½", "ﬁ", "\u200b", "ß", "æøå"]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(_pieces, st.text(max_size=6)), min_size=1, max_size=30).map("".join))
def test_random_text_highlights_stay_aligned(text):
    # The build removes control characters (db/normalise.py); \x02 and \x03 mark hits here.
    text = normalise_text(text.encode("utf-8", "ignore").decode("utf-8"))
    conn = index_texts([text])
    assert_aligned(conn, 1, text)


def test_snippets_mark_the_users_words_not_the_stems(conn):
    hit = search(conn, "hjemvist fleksjob").hits[0]
    assert hit.id == "aarhus-notat-hjemviste-fleksjobsager"
    marked = re.findall(r"<mark>(.*?)</mark>", hit.snippet)
    assert {"hjemviste", "fleksjobordningen"} <= set(marked)


# -- nothing may index the original text unanalysed ---------------------------------------


def test_datasette_and_sqlite_utils_do_not_recognise_the_index(search_db):
    # If they did, their search, populate_fts and rebuild_fts would use unanalysed text.
    conn = sqlite3.connect(search_db)
    assert detect_fts(conn, "documents") is None
    assert sqlite_utils.Database(conn)["documents"].detect_fts() is None


def test_verify_index_catches_an_fts_rebuild(search_db, tmp_path):
    copy = tmp_path / "copy.db"
    shutil.copy(search_db, copy)
    conn = sqlite3.connect(copy)
    assert verify_index(conn) > 0
    conn.execute(f"insert into {FTS_TABLE}({FTS_TABLE}) values ('rebuild')")
    with pytest.raises(IndexMismatch, match="passer ikke|findes ikke"):
        verify_index(conn)


def test_no_code_rebuilds_or_repopulates_the_index():
    forbidden = re.compile(r"'rebuild'|\"rebuild\"|enable_fts\(|populate_fts\(|rebuild_fts\(")
    offenders = []
    for folder in ("db", "retskilde", "datasette_plugins", "scrapers", "bench"):
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
                if forbidden.search(line):
                    offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_search_on_a_database_without_the_index_says_so(tmp_path):
    from retskilde.db.search import SearchUnavailable

    conn = sqlite3.connect(tmp_path / "old.db")
    conn.execute("create table documents (id text, title text)")
    with pytest.raises(SearchUnavailable, match="retskilde build"):
        search(conn, "fleksjob")


# -- what a caseworker expects ------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["101-17", "AFG.101-17", "afg. 101-17", "principafgørelse 101-17", "101–17"]
)
def test_the_decision_itself_ranks_first_then_what_cites_it(conn, query):
    found = ids(conn, query)
    assert found[0] == "ast-principmeddelelse-101-17"
    assert {"ast-principmeddelelse-12-24", "aalborg-dagsorden-sygedagpenge"} <= set(found[1:])
    assert search(conn, query).hits[0].exact_number


def test_the_decision_ranks_first_even_when_its_text_lacks_the_number(conn):
    # Its text never says 101-17; only documents.number does. "oplysningsgrundlag" is in it.
    found = ids(conn, "101-17 oplysningsgrundlag")
    assert found[0] == "ast-principmeddelelse-101-17"
    assert "aalborg-dagsorden-sygedagpenge" in found


def test_gældende_ranks_above_historisk_for_equal_relevance(conn):
    assert ids(conn, "forlængelse af sygedagpenge lægebehandling")[:2] == [
        "ast-principmeddelelse-19-21",
        "ast-principmeddelelse-5-14",
    ]


def test_paragraph_citation_ranks_the_tagged_decision_first(conn):
    assert ids(conn, "servicelovens § 112, stk. 1")[0] == "ast-principmeddelelse-12-24"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hjemvisning", "aarhus-notat-hjemviste-fleksjobsager"),
        ("hjælpemiddel", "organisation-hoeringssvar-hjaelpemidler"),  # hjælpemiddelbekendtgørelsen
        ("fleksjob", "aarhus-notat-hjemviste-fleksjobsager"),  # fleksjobordningen
        ("sygedagpenge", "aalborg-dagsorden-sygedagpenge"),  # sygedagpengeloven
        ("afgørelse", "ast-principmeddelelse-12-24"),  # principafgørelsen
        ("førtidspension", "star-fokusrevision-foep"),  # written FØP
        ("aktivloven", "ast-nyhed-kontanthjaelp-formue"),  # lov om aktiv socialpolitik
        ("SEL § 112", "ast-principmeddelelse-12-24"),
        ("Århus", "aarhus-notat-hjemviste-fleksjobsager"),
        ("hjælpemid*", "organisation-hoeringssvar-hjaelpemidler"),
    ],
)
def test_inflections_compounds_synonyms_and_prefixes_find_the_document(conn, query, expected):
    assert expected in ids(conn, query)


def test_compounds_split_into_known_parts_only():
    from retskilde.db.build.index import compound_pairs

    terms = dict.fromkeys(
        ["kommun", "kommunikation", "fleksjob", "ordning", "fleksjobordning", "pension"]
        + ["pensionist", "hjemvis", "hjemvisningsprocent", "procent", "principafgør"],
        1,
    )
    pairs = compound_pairs(terms, analyzer)
    assert {("fleksjob", "fleksjobordning"), ("ordning", "fleksjobordning")} <= pairs
    assert ("hjemvis", "hjemvisningsprocent") in pairs  # linking s, and the lexicon's stem
    assert ("afgør", "principafgør") in pairs  # a lexicon part, though "afgør" is not a term
    assert ("kommun", "kommunikation") not in pairs
    assert ("pension", "pensionist") not in pairs


def test_words_are_and_and_or_widens(conn):
    both = set(ids(conn, "sygedagpenge lægebehandling"))
    assert both == {"ast-principmeddelelse-5-14", "ast-principmeddelelse-19-21"}
    either = set(ids(conn, "lægebehandling OR fleksjob"))
    assert both < either
    assert set(ids(conn, "lægebehandling")) | set(ids(conn, "fleksjob")) == either


def test_when_no_document_has_every_word_some_words_are_enough(conn):
    strict = search(conn, "fleksjob lægebehandling")
    assert strict.relaxed and "Ingen dokumenter indeholder alle ordene" in strict.notes[-1]
    assert {h.id for h in strict.hits} == set(ids(conn, "fleksjob OR lægebehandling"))
    assert not search(conn, "sygedagpenge lægebehandling").relaxed
    # A single word, or a phrase, is never relaxed into something else.
    assert search(conn, '"lægebehandling fleksjob"').hits == []


def test_exclusion(conn):
    assert "ast-principmeddelelse-12-24" in ids(conn, "hjælpemidler")
    assert "ast-principmeddelelse-12-24" not in ids(conn, "hjælpemidler -fodtøj")
    only_negative = ids(conn, "-sygedagpenge")
    assert only_negative and "aalborg-dagsorden-sygedagpenge" not in only_negative


def test_phrase_needs_the_words_in_order(conn):
    assert "ast-principmeddelelse-12-24" in ids(conn, '"ortopædisk fodtøj"')
    assert ids(conn, '"fodtøj ortopædisk"') == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type:principmeddelelse", {"principmeddelelse"}),
        ("type:principafgørelse", {"principmeddelelse"}),
        ("type:dagsorden", {"dagsordenpunkt"}),
        ("type:praksisundersøgelse sygedagpenge", set()),
        ("-type:principmeddelelse sygedagpenge", {"dagsordenpunkt"}),
        ("type:notat,udspil", {"notat", "udspil"}),
    ],
)
def test_type_filter(conn, query, expected):
    assert {hit.doc_type for hit in search(conn, query, limit=50).hits} == expected


def test_other_filters(conn):
    assert ids(conn, "kommune:aarhus") == ["aarhus-notat-hjemviste-fleksjobsager"]
    assert ids(conn, "kommune:Århus") == ["aarhus-notat-hjemviste-fleksjobsager"]
    assert set(ids(conn, "status:historisk")) == {"ast-principmeddelelse-5-14"}
    assert set(ids(conn, "sygedagpenge år:2015-2022")) == {
        "ast-principmeddelelse-19-21",
        "aalborg-dagsorden-sygedagpenge",
    }
    assert set(ids(conn, "år:<2015")) == {"ast-principmeddelelse-5-14"}
    assert "ast-principmeddelelse-12-24" in ids(conn, "emne:hjælpemiddel")
    assert "ast-principmeddelelse-12-24" not in ids(conn, "emne:fleksjob")
    assert set(ids(conn, "lov:SDL")) == {
        "ast-principmeddelelse-5-14",
        "ast-principmeddelelse-19-21",
    }
    assert set(ids(conn, "kilde:star")) == {"star-fokusrevision-foep"}


def test_unknown_filter_values_get_a_danish_note(conn):
    result = search(conn, "fleksjob type:dom")
    assert result.hits and "Typen 'dom' kendes ikke" in result.notes[0]
    result = search(conn, "kommune:Atlantis")
    assert result.hits == [] and "ingen dokumenter fra Atlantis" in result.notes[0]
    result = search(conn, "år:sidste")
    assert "år:sidste er ikke et årstal" in result.notes[0]


def test_extra_filters_from_the_caller(conn):
    found = search(conn, "sygedagpenge", filters=[FieldFilter("type", "dagsordenpunkt")])
    assert [hit.id for hit in found.hits] == ["aalborg-dagsorden-sygedagpenge"]


def test_total_facets_and_paging_agree(conn):
    everything = search(conn, "sygedagpenge OR fleksjob OR hjælpemidler", limit=50)
    assert everything.total == len(everything.hits) >= 6
    assert sum(v.count for v in everything.facets["doc_type"]) == everything.total
    pages = [
        hit.id
        for offset in range(0, everything.total, 2)
        for hit in search(conn, everything.query, limit=2, offset=offset).hits
    ]
    assert pages == [hit.id for hit in everything.hits]
    labels = {v.value: v.label for v in everything.facets["doc_type"]}
    assert labels["principmeddelelse"] == "Principmeddelelse"


def test_real_build_verifies_the_index(tmp_path, monkeypatch):
    # A build whose index does not fit the text fails, and the old database stays.
    import retskilde.db.build
    from tests.search_corpus import build_search_db

    db_path = build_search_db(tmp_path)
    before = db_path.read_bytes()

    def broken(conn, analyzer=None, samples=25):
        raise IndexMismatch("x: indekset passer ikke til teksten")

    monkeypatch.setattr(retskilde.db.build, "verify_index", broken)
    with pytest.raises(IndexMismatch):
        retskilde.db.build.build(tmp_path / "corpus", db_path)
    assert db_path.read_bytes() == before
    assert not list(Path(tmp_path).glob(".*.tmp"))


@pytest.mark.parametrize("query", ["hjælpemid*", "fleks*", "sygedag*", "aar*"])
def test_python_snippets_for_prefixes_mark_what_fts5_marks(conn, query):
    from retskilde.db.analysis import snippets
    from retskilde.db.search.compiler import compile_query
    from retskilde.db.search.query import parse

    compiled = compile_query(conn, parse(query))
    assert compiled.prefixes
    rows = conn.execute(
        f"select d.text, highlight({FTS_TABLE}, {TEXT_COLUMN}, char(2), char(3)) "
        f"from {FTS_TABLE} join documents d on d.rowid = {FTS_TABLE}.rowid "
        f"where {FTS_TABLE} match ?",
        (f"text : ({compiled.fts})",),
    ).fetchall()
    assert rows
    for text, marked in rows:
        ours = snippets.marked(text, analyzer, compiled.terms, compiled.prefixes, size=10_000)
        assert re.findall(r"<mark>(.*?)</mark>", ours) == MARKED.findall(marked)


def test_prefix_search_snippets_are_marked(conn):
    hit = search(conn, "hjælpemid*").hits[0]
    assert "<mark>" in hit.snippet


def test_common_words_expand_only_when_the_lexicon_names_them(conn, monkeypatch):
    import retskilde.db.search.compiler
    from retskilde.db.search.compiler import compile_query
    from retskilde.db.search.query import parse

    assert "kvalitetsstandard" in compile_query(conn, parse("kvalitet")).fts
    # Make every word "common": only the lexicon's parts (fleksjob) still find compounds.
    monkeypatch.setattr(retskilde.db.search.compiler, "COMMON_MIN_DOCS", 1)
    monkeypatch.setattr(retskilde.db.search.compiler, "COMMON_SHARE", 0.0)
    assert "kvalitetsstandard" not in compile_query(conn, parse("kvalitet")).fts
    assert "fleksjobordning" in compile_query(conn, parse("fleksjob")).fts
