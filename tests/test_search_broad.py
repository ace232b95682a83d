"""A broad search (more matches than BROAD_MATCHES) is ranked among the matches with the words in
the fields that say what a document is about, and its facets are counted on a sample. The
thresholds are lowered here so a corpus of a few hundred documents is broad."""

from __future__ import annotations

import random
import re

import pytest

import retskilde.db.search as search_module
import retskilde.db.search.compiler as compiler_module
from retskilde.db.build import build
from retskilde.db.search import search
from retskilde.db.sqlite import sqlite3
from retskilde.db.tables import SUBJECT_COLUMNS
from tests.conftest import make_record, write_record

COUNT = 400
FILLER = [
    "borgeren",
    "kommunen",
    "ansøgning",
    "klage",
    "afgørelse",
    "bevilling",
    "ydelse",
    "frist",
    "vurdering",
    "bevillingsperioden",
]


def _text(rng: random.Random, extra: str = "") -> str:
    words = [rng.choice(FILLER) for _ in range(rng.randint(20, 60))] + ["sagsbehandling"]
    rng.shuffle(words)
    return " ".join(words).capitalize() + f". {extra}".rstrip() + "."


@pytest.fixture(scope="module")
def broad_db(tmp_path_factory):
    """400 documents that all say "sagsbehandling" in the text; every 8th in the title too,
    every 40th in the summary (and not the title); two document types, two municipalities."""
    folder = tmp_path_factory.mktemp("broad")
    rng = random.Random(12)
    for number in range(COUNT):
        in_title = number % 8 == 0
        record = make_record(
            id=f"kommune-eksempel-{number:04d}",
            source="kommune",
            doc_type="dagsordenpunkt" if number % 3 else "notat",
            title=("Sagsbehandling og " if in_title else "Punkt om ")
            + f"{rng.choice(FILLER)} {number} (eksempel)",
            url=f"https://eksempel.retskilde.dk/kommune/{number}",
            text=_text(rng, "sagsbehandling " * rng.randint(0, 4)),
            number=None,
            status=None,
            date=f"20{10 + number % 15:02d}-0{1 + number % 9}-1{number % 10}",
            municipality="Aarhus" if number % 5 else "Herning",
            keywords=None,
        )
        if number % 40 == 20:
            record["summary"] = "Om sagsbehandling i jobcentret (eksempel)."
        write_record(folder / "corpus" / "kommune", record)
    db_path = folder / "broad.db"
    build(folder / "corpus", db_path)
    return db_path


@pytest.fixture
def conn(broad_db, monkeypatch):
    monkeypatch.setattr(search_module, "BROAD_MATCHES", 100)
    monkeypatch.setattr(search_module, "BROAD_CANDIDATES", 10)
    monkeypatch.setattr(search_module, "FACET_SAMPLE", 40)
    monkeypatch.setattr(search_module, "WINDOWS", 8)
    connection = sqlite3.connect(f"file:{broad_db}?mode=ro", uri=True)
    yield connection
    connection.close()


def _exact(conn, monkeypatch, text: str, **options):
    with monkeypatch.context() as patched:
        patched.setattr(search_module, "BROAD_MATCHES", 10**9)
        return search(conn, text, **options)


def _subject_ranking(conn, text: str, columns: str, every_word: bool = False) -> list[str]:
    """The definition, written out: BM25 in the subject index over the fields `columns` (any of
    the words there, or `every_word`), with the field weights, newest first among equals."""
    fts = search_module.compile_query(conn, search_module.parse(text)).fts
    expression = fts if every_word else " OR ".join(search_module.PHRASE.findall(fts))
    weights = ", ".join(str(search_module.COLUMN_WEIGHTS[c]) for c in SUBJECT_COLUMNS)
    rows = conn.execute(
        f"select d.id from documents_subject_fts f join search_rank r on r.doc_rowid = f.rowid "
        f"join documents d on d.rowid = f.rowid where documents_subject_fts match ? "
        f"order by bm25(documents_subject_fts, {weights}), r.recency",
        (f"{{{columns}}} : ({expression})",),
    )
    return [doc_id for (doc_id,) in rows]


def test_broad_search_ranks_by_the_subject_fields(conn, monkeypatch):
    result = search(conn, "sagsbehandling", limit=20)
    assert result.broad and result.subject == ["title"]
    assert any("Søgningen er bred" in note and "titlen" in note for note in result.notes)
    assert [hit.id for hit in result.hits] == _subject_ranking(conn, "sagsbehandling", "title")[:20]
    assert all(hit.title.startswith("Sagsbehandling") for hit in result.hits)
    exact = _exact(conn, monkeypatch, "sagsbehandling", limit=10)
    assert not exact.broad and exact.total == COUNT
    # Without filters the total is exact; the facets are estimates.
    assert result.total == COUNT and not result.total_estimate
    assert result.facets and all(v.estimate for vs in result.facets.values() for v in vs)


# The candidates are checked by asking FTS5 per document (SCAN_MATCHES 0) or, when the term
# table says the query has few enough matches, against all of them read once: the same page.
@pytest.mark.parametrize("scan_matches", [0, 10**9])
def test_broad_candidates_must_have_every_word(conn, monkeypatch, scan_matches):
    # "klage" is in most texts and some titles: the candidates (a word in the title) are
    # checked against the whole query.
    monkeypatch.setattr(search_module, "SCAN_MATCHES", scan_matches)
    monkeypatch.setattr(search_module, "BROAD_MATCHES", 400)
    assert not search(conn, "sagsbehandling klage").broad  # 389 matches
    monkeypatch.setattr(search_module, "BROAD_MATCHES", 50)
    result = search(conn, "sagsbehandling klage", limit=20)
    assert result.broad and result.subject == ["title"]
    fts = search_module.compile_query(conn, search_module.parse("sagsbehandling klage")).fts
    every_word = {
        doc_id
        for (doc_id,) in conn.execute(
            "select d.id from documents_fts f join documents d on d.rowid = f.rowid "
            "where documents_fts match ?",
            (fts,),
        )
    }
    assert len(every_word) < COUNT
    assert result.hits and {hit.id for hit in result.hits} <= every_word
    ranking = [
        i for i in _subject_ranking(conn, "sagsbehandling klage", "title") if i in every_word
    ]
    assert [hit.id for hit in result.hits] == ranking[:20]


def test_every_word_in_the_subject_fields_needs_no_check(conn, monkeypatch):
    # A few titles have both words ("Sagsbehandling og klage 12"): when they fill the page, they
    # are the candidates, ranked in every subject field, and none needs checking.
    monkeypatch.setattr(search_module, "BROAD_MATCHES", 50)
    monkeypatch.setattr(search_module, "_CANDIDATE_ROUNDS", ())  # a check would find nothing
    monkeypatch.setattr(search_module, "SCAN_MATCHES", 0)
    columns = search_module.SUBJECT_TIERS[-1]
    expected = _subject_ranking(conn, "sagsbehandling klage", " ".join(columns), every_word=True)
    assert 3 <= len(expected) < 20
    result = search(conn, "sagsbehandling klage", limit=3)
    assert result.broad and result.subject == list(columns)
    assert [hit.id for hit in result.hits] == expected[:3]
    assert all("klage" in hit.title for hit in result.hits)
    # More than the subject fields hold: the candidates with some of the words, checked.
    monkeypatch.setattr(search_module, "_CANDIDATE_ROUNDS", (5, 40))
    assert search(conn, "sagsbehandling klage", limit=20).subject == ["title"]


def test_a_broad_phrase_is_counted_not_looked_up_as_one_word(conn, monkeypatch):
    monkeypatch.setattr(search_module, "BROAD_MATCHES", 10)
    result = search(conn, '"sagsbehandling og"')
    exact = _exact(conn, monkeypatch, '"sagsbehandling og"')
    assert result.broad and exact.total == COUNT // 8
    assert abs(result.total - exact.total) <= 0.5 * exact.total


def test_the_term_table_bounds_the_matches(conn):
    for text in ("sagsbehandling", "sagsbehandling klage", "jobcentret frist", "klage -frist"):
        compiled = search_module.compile_query(conn, search_module.parse(text))
        count = conn.execute(
            "select count(*) from documents_fts where documents_fts match ?", (compiled.fts,)
        ).fetchone()[0]
        bound = search_module._match_bound(conn, compiled)
        assert bound is not None and bound >= count, text
        if " " not in text:
            assert bound == count
    prefixed = search_module.compile_query(conn, search_module.parse("sagsbeh*"))
    assert search_module._match_bound(conn, prefixed) in (None, COUNT)


def test_broad_facet_counts_are_a_scaled_sample_close_to_the_truth(conn, monkeypatch):
    result = search(conn, "sagsbehandling")
    exact = _exact(conn, monkeypatch, "sagsbehandling")
    for column in ("doc_type", "municipality"):
        truth = {v.value: v.count for v in exact.facets[column]}
        estimate = {v.value: v.count for v in result.facets[column]}
        assert set(estimate) == set(truth)
        for value, count in estimate.items():
            assert abs(count - truth[value]) <= 0.4 * truth[value], (column, value)
    # 8 windows of 5 rowids were counted and multiplied by 10, not every match.
    counted = [v.count for v in result.facets["doc_type"]]
    assert all(count % 10 == 0 for count in counted) and sum(counted) == COUNT


def test_broad_facets_are_counted_exactly_when_a_sample_would_be_most_of_them(conn, monkeypatch):
    monkeypatch.setattr(search_module, "FACET_SAMPLE", 10_000)
    for text in ("sagsbehandling", "sagsbehandling type:notat"):
        result = search(conn, text)
        exact = _exact(conn, monkeypatch, text)
        assert result.broad and not result.facets_estimate and not result.total_estimate
        assert result.total == exact.total
        assert result.facets == exact.facets
        assert not any("skønnet" in note for note in result.notes)


def test_broad_search_with_a_filter_estimates_its_total(conn, monkeypatch):
    result = search(conn, "sagsbehandling type:notat")
    exact = _exact(conn, monkeypatch, "sagsbehandling type:notat")
    assert result.broad and result.total_estimate
    assert abs(result.total - exact.total) <= 0.5 * exact.total
    assert all(hit.doc_type == "notat" for hit in result.hits)
    assert all(hit.title.startswith("Sagsbehandling") for hit in result.hits)
    assert "Antallet og tallene" in result.notes[-1]


def test_few_title_matches_widen_to_the_summary(conn, monkeypatch):
    monkeypatch.setattr(search_module, "BROAD_CANDIDATES", 60)  # more than the 50 titles
    result = search(conn, "sagsbehandling", limit=60)
    assert result.broad and "summary" in result.subject
    with_summary = {f"kommune-eksempel-{n:04d}" for n in range(COUNT) if n % 40 == 20}
    in_title = {f"kommune-eksempel-{n:04d}" for n in range(COUNT) if n % 8 == 0}
    assert {hit.id for hit in result.hits} == with_summary | in_title
    columns = " ".join(result.subject)
    assert [hit.id for hit in result.hits] == _subject_ranking(conn, "sagsbehandling", columns)


def test_narrow_search_and_deep_pages_are_exact(conn, monkeypatch):
    narrow = search(conn, "jobcentret")
    assert not narrow.broad and narrow.total == COUNT // 40
    assert not any("bred" in note for note in narrow.notes)
    # Past the subject matches (50 titles, 10 summaries): the exact ranking, not a short page;
    # still a broad search (its facets counted on a sample, like its first page's).
    deep = search(conn, "sagsbehandling", limit=10, offset=100)
    exact = _exact(conn, monkeypatch, "sagsbehandling", limit=10, offset=100)
    assert deep.broad and deep.subject == [] and deep.total == COUNT
    assert [h.id for h in deep.hits] == [h.id for h in exact.hits] and len(deep.hits) == 10


def test_broad_newest_first_is_exact(conn, monkeypatch):
    for text in ("sagsbehandling", "sagsbehandling type:notat"):
        for offset in (0, 35):
            result = search(conn, text, order="nyeste", limit=30, offset=offset)
            exact = _exact(conn, monkeypatch, text, order="nyeste", limit=30, offset=offset)
            assert result.broad and result.subject == []
            assert [h.id for h in result.hits] == [h.id for h in exact.hits]
            assert len(result.hits) == 30
            dates = [h.date for h in result.hits]
            assert dates == sorted(dates, reverse=True)
    assert result.notes[-1].startswith("Søgningen er bred. Antallet og tallene")


async def test_site_marks_estimates(broad_db, monkeypatch):
    from retskilde.site import make_datasette

    monkeypatch.setattr(search_module, "BROAD_MATCHES", 100)
    monkeypatch.setattr(search_module, "BROAD_CANDIDATES", 10)
    monkeypatch.setattr(search_module, "FACET_SAMPLE", 40)
    monkeypatch.setattr(search_module, "WINDOWS", 8)
    site = make_datasette(broad_db)
    page = await site.client.get("/-/sok", params={"q": "sagsbehandling type:notat"})
    data = (await site.client.get("/-/sok.json", params={"q": "sagsbehandling"})).json()
    assert page.status_code == 200
    assert "Søgningen er bred" in page.text
    assert re.search(r'class="sok-antal">ca\. \d', page.text)
    assert re.search(r'<span class="antal">ca\. \d', page.text)
    assert data["broad"] is True and data["subject"] == ["title"]
    assert data["total"] == COUNT and data["total_estimate"] is False


def test_prefix_is_the_index_words_it_starts(conn, monkeypatch):
    def ids(expression: str) -> set[str]:
        rows = conn.execute(
            "select d.id from documents_fts f join documents d on d.rowid = f.rowid "
            "where documents_fts match ?",
            (expression,),
        )
        return {doc_id for (doc_id,) in rows}

    docs = dict(conn.execute("select term, docs from search_terms where term glob '[a-z]*'"))
    by_start: dict[str, list[str]] = {}
    for term in docs:
        by_start.setdefault(term[:2], []).append(term)
    start, words = max(by_start.items(), key=lambda item: len(item[1]))
    assert len(words) >= 2
    result = search(conn, f"{start}*", limit=200)
    # The same documents as FTS5's own prefix query, which merges every word's list up front.
    assert result.total == len(ids(f'"{start}"*'))
    assert not any("hyppigste" in note for note in result.notes)
    monkeypatch.setattr(compiler_module, "MAX_PREFIX_TERMS", 1)
    capped = search(conn, f"{start}*", limit=200)
    assert any(f"{start}* passer på mange ord" in note for note in capped.notes)
    most = max(words, key=lambda word: (docs[word], [-ord(c) for c in word]))
    assert capped.total == len(ids(f'"{most}"'))


def test_the_searching_thread_counts_the_ranges_the_helper_has_not_taken(
    conn, broad_db, monkeypatch
):
    # A slow helper: once it has planned the ranges, the searching thread reads some of them
    # (and the counts are those of one thread reading them all).
    import threading
    import time

    from retskilde.db.search.parallel import ParallelReader

    alone = search(conn, "sagsbehandling klage")
    readers = []
    original = search_module._rowids

    def watched(connection, sql, params):
        if "rs_lo" in params:
            readers.append(threading.current_thread() is threading.main_thread())
            if not readers[-1]:
                time.sleep(0.02)
        return original(connection, sql, params)

    monkeypatch.setattr(search_module, "_rowids", watched)
    with ParallelReader(broad_db) as reader:
        shared = search(conn, "sagsbehandling klage", parallel=reader)
    assert shared.broad and len(readers) == 8  # WINDOWS
    assert any(readers) and not all(readers)
    assert shared.total == alone.total
    assert [(f, [(v.value, v.count) for v in vs]) for f, vs in shared.facets.items()] == [
        (f, [(v.value, v.count) for v in vs]) for f, vs in alone.facets.items()
    ]
