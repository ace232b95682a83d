"""db/snippets.py: the one snippet maker, and its bounded cost on any document."""

from __future__ import annotations

import hashlib
import re

import pytest

from retskilde.db.analysis.analyzer import default_analyzer
from retskilde.db.analysis.snippets import MAX_SCAN_CHARS, SNIPPET_TOKENS, excerpt, lead, marked
from retskilde.db.build import build
from retskilde.db.search import search
from retskilde.db.sqlite import sqlite3
from tests.conftest import make_record, write_record

analyzer = default_analyzer()
FLEKSJOB = {analyzer.term("fleksjob")}


class CountingAnalyzer:
    """The analyzer, counting the characters of text it is given to split."""

    def __init__(self) -> None:
        self.chars = 0

    def finditer(self, text):
        self.chars += len(text)
        return analyzer.finditer(text)

    def terms(self, text):
        self.chars += len(text)
        return analyzer.terms(text)

    def term(self, token):
        return analyzer.term(token)


def repetitive(times: int, before: str = "") -> str:
    return before + "Sagen om fleksjob blev hjemvist. " * times


def test_marked_reads_a_bounded_part_of_a_huge_repetitive_text():
    text = repetitive(80_000)  # 2.6 MB, the word 80,000 times
    counting = CountingAnalyzer()
    made = marked(text, counting, FLEKSJOB, set())
    assert made and made.count("<mark>fleksjob</mark>") >= 5
    assert made.endswith("…")
    # Up to the first match and a few windows after it, not the whole text.
    assert counting.chars <= 10_000 < len(text)


def test_marked_never_reads_past_the_limit():
    text = repetitive(10, before="Uden det søgte ord. " * (MAX_SCAN_CHARS // 10))
    counting = CountingAnalyzer()
    assert marked(text, counting, FLEKSJOB, set()) is None
    assert counting.chars <= MAX_SCAN_CHARS


def test_marked_analyses_a_long_text_only_from_its_first_likely_match():
    # The word 40,000 characters in: found by its beginning, and only the text around it is
    # analysed; inflected ("fleksjobbet") and upper-case forms begin with the term too.
    text = "Uden det søgte ord. " * 2_000 + "Om Fleksjobbet i kommunen. " + repetitive(3)
    counting = CountingAnalyzer()
    made = marked(text, counting, FLEKSJOB, set())
    assert made and made.startswith("…") and "<mark>Fleksjobbet</mark>" in made
    assert counting.chars <= 5_000


def test_marked_finds_the_old_spelling_aa():
    aarhus = {analyzer.term("Århus")}
    text = "Uden det søgte ord. " * 500 + "Sagen kom fra Aarhus Kommune."
    assert "<mark>Aarhus</mark>" in marked(text, analyzer, aarhus, set())


def test_a_long_text_without_a_likely_match_is_not_analysed():
    text = "Uden det søgte ord. " * 1_000
    counting = CountingAnalyzer()
    assert marked(text, counting, FLEKSJOB, set()) is None
    assert counting.chars == 0
    # A short text (a summary) is analysed in full all the same.
    assert marked("Uden det søgte ord.", counting, FLEKSJOB, set()) is None
    assert counting.chars > 0


def test_marked_chooses_the_window_with_most_matches():
    # Both within what is read: the first match and two windows after it.
    text = "fleksjob " + "andet ord " * 5 + "fleksjob fleksjob fleksjob slut"
    made = marked(text, analyzer, FLEKSJOB, set(), size=8)
    assert made.startswith("…") and made.count("<mark>") == 3


def test_marked_escapes_the_text_around_the_words():
    made = marked("<b>fleksjob</b> & <i>løntilskud</i> slut", analyzer, FLEKSJOB, set())
    assert made == "b&gt;<mark>fleksjob</mark>&lt;/b&gt; &amp; &lt;i&gt;løntilskud&lt;/i&gt; slut"


def test_lead_is_the_first_words_escaped():
    assert lead("a <b> " + "ord " * 50) == "a &lt;b&gt; " + " ".join(["ord"] * 30) + " …"
    assert lead(None) == ""
    assert len(lead("x" * 5_000_000)) <= SNIPPET_TOKENS * 40


@pytest.mark.parametrize(
    ("start", "end", "width", "within", "ellipsis", "expected"),
    [
        (17, 25, 12, None, True, "…er om fleksjob i…"),
        (17, 25, 100, None, True, "Afgørelsen er om fleksjob i Aarhus."),
        # Inside the sentence's bounds, which cut words: the cut moves to whole words.
        (17, 25, 100, (4, 26), False, "er om fleksjob"),
        (0, 10, 4, None, True, "Afgørelsen…"),
    ],
)
def test_excerpt_cuts_at_word_boundaries(start, end, width, within, ellipsis, expected):
    text = "Afgørelsen er om fleksjob i Aarhus."
    got = excerpt(text, start, end, width, within=within, ellipsis=ellipsis)
    assert got == expected


@pytest.fixture(scope="module")
def large_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("large")
    texts = {
        "1-30": repetitive(8_000),  # 260 KB, one word 8,000 times
        "2-30": "Om ledighedsydelse. " * 4_000 + "Til sidst et fleksjob.",  # past the limit
        "3-30": "Kort afgørelse om fleksjob og hjemvisning.",
    }
    for number, text in texts.items():
        record = make_record(
            id=f"ast-principmeddelelse-{number}",
            number=number,
            text=text,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            title=f"Principmeddelelse {number} (eksempel)",
            municipality="Aarhus",
        )
        write_record(folder / "corpus" / "ast", record)
    build(folder / "corpus", folder / "retskilde.db")
    return folder / "retskilde.db"


def test_search_answers_over_a_large_repetitive_document(large_db):
    conn = sqlite3.connect(large_db)
    result = search(conn, "fleksjob", limit=10)
    assert result.message is None
    hits = {hit.id.rsplit("-", 2)[-2]: hit for hit in result.hits}
    assert set(hits) == {"1", "2", "3"}
    assert re.search(r"<mark>fleksjob</mark>", hits["1"].snippet)
    assert re.search(r"<mark>fleksjob</mark>", hits["3"].snippet)
    # The word is past what is read of document 2: it gets its first words instead.
    assert hits["2"].snippet.startswith("Om ledighedsydelse.")


def test_no_snippet_is_made_once_the_time_is_up(large_db):
    import time

    from retskilde.db.search import _snippets
    from retskilde.db.search.compiler import compile_query
    from retskilde.db.search.query import parse
    from retskilde.db.search.timelimit import TimeLimit

    conn = sqlite3.connect(large_db)
    compiled = compile_query(conn, parse("fleksjob"))
    rowids = [row[0] for row in conn.execute("select rowid from documents")]
    running = TimeLimit(60)
    assert len(_snippets(conn, compiled, rowids, analyzer, running)) == 2
    running.stop()
    expired = TimeLimit(0.001)
    time.sleep(0.05)
    assert expired.expired
    assert _snippets(conn, compiled, rowids, analyzer, expired) == {}
