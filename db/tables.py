"""The tables the site reads, named once: the build creates and fills them, the search, the
plugins and the enrichment read them. Both sides import this module and nothing of each other
(tests/test_layout.py checks the search side never imports the build or the enrichment).
"""

from __future__ import annotations

DOCUMENTS_TABLE = "documents"
# Each change between two kept versions of a document (db/build/versions.py).
VERSIONS_TABLE = "versions"

# -- the search index (built by db/build/index.py, read by db/search/) ---------------------

FTS_TABLE = "documents_fts"
# Columns of `documents`, by name: FTS5 reads them back from there for snippets.
FTS_COLUMNS = [
    "title",
    "number",
    "summary",
    "keywords",
    "law_names",
    "municipality",
    "committee",
    "text",
]
TEXT_COLUMN = FTS_COLUMNS.index("text")
# The same analysed terms of the fields that say what a document is about (all but the text),
# in an index of their own: a broad search ranks its matches by these (db/search/__init__.py),
# and a word in half the documents' texts is in few of their titles, so this index's lists are
# short where the whole index's are not. The text comes last, so a row of it is a row of the
# whole index without its last value.
SUBJECT_FTS_TABLE = "documents_subject_fts"
SUBJECT_COLUMNS = FTS_COLUMNS[:-1]
assert FTS_COLUMNS[-1] == "text"
VOCABULARY_TABLE = "search_vocabulary"
# Every term of the index with the number of documents that have it (what fts5vocab counts by
# reading the whole index): kept up to date per changed document, so the vocabulary of an
# incremental build need not read the index.
TERMS_TABLE = "search_terms"
# A narrow copy of the columns the search filters, ranks and counts on: joining every match to
# this small table is many times faster than to `documents`, whose rows carry the whole text.
ATTRIBUTES_TABLE = "search_attributes"
ATTRIBUTE_COLUMNS = [
    "id",
    "doc_type",
    "number",
    "year",
    "date",
    "status",
    "law_area",
    "municipality",
    "source",
    "paragraph",
]
# The facets of the search page. Each document's combination of their values gets a number
# (facet_key), so counting facets over many matches is one GROUP BY over integers.
FACET_COLUMNS = ["doc_type", "year", "status", "law_area", "municipality", "source"]
FACET_KEYS_TABLE = "search_facet_keys"
# What every match needs for ranking and counting, in a row a few bytes wide: a broad search
# joins tens of thousands of matches to it, twice as fast as to the attribute table. `recency`
# is the document's place in (newest first, then id) order, the tie-break between equal scores.
RANK_TABLE = "search_rank"
# Each document's set of topics gets a number (topic_key, 0 = none; in the ranking and attribute
# tables), and this table says which topics each set holds: the topic facet of a broad search is
# then one GROUP BY over integers per match instead of a sort of every (match, topic) pair, which
# took 70 of 90 ms for a 29k-match search over 100k enriched documents.
TOPIC_SETS_TABLE = "search_topic_sets"
SETTINGS_TABLE = "search_settings"
# Every table the index consists of: `drop_index` removes them all before an index is rebuilt.
SEARCH_TABLES = (
    FTS_TABLE,
    SUBJECT_FTS_TABLE,
    VOCABULARY_TABLE,
    TERMS_TABLE,
    SETTINGS_TABLE,
    ATTRIBUTES_TABLE,
    FACET_KEYS_TABLE,
    RANK_TABLE,
    TOPIC_SETS_TABLE,
)


# -- list facets (built by db/build/listcounts.py, read by the site's list facet) ----------

LIST_COUNTS_TABLE = "document_list_counts"
# The JSON list columns of documents; the enrichment's only exist once it has run.
LIST_COLUMNS = (
    "keywords",
    "law_names",
    "topics",
    "cited_laws",
    "cited_paragraphs",
    "mentioned_municipalities",
)


# -- the lookup tables' rows: the labels the site shows for sources and document types ------

# (id, label, description, homepage)
SOURCES: list[tuple[str, str, str, str]] = [
    (
        "ast",
        "Ankestyrelsen",
        "Principmeddelelser, nyheder, praksisundersøgelser og tilsynsudtalelser.",
        "https://www.ast.dk/",
    ),
    (
        "star",
        "Styrelsen for Arbejdsmarked og Rekruttering (STAR)",
        "Fokusrevisioner, analyser og rapporter på beskæftigelsesområdet.",
        "https://star.dk/",
    ),
    (
        "kommune",
        "Kommuner",
        "Dagsordener, referater og notater fra kommunernes udvalg.",
        "https://www.kl.dk/",
    ),
    (
        "organisation",
        "Organisationer",
        "Udspil og høringssvar fra interesseorganisationer.",
        "",
    ),
]

# (id, label, description)
DOC_TYPES: list[tuple[str, str, str]] = [
    (
        "principmeddelelse",
        "Principmeddelelse",
        "Ankestyrelsens principielle afgørelser, der fastlægger praksis for kommuner og "
        "Udbetaling Danmark.",
    ),
    ("nyhed", "Nyhed", "Nyheder fra Ankestyrelsen."),
    ("artikel", "Artikel", "Vejledende artikler fra Ankestyrelsen."),
    (
        "praksisundersoegelse",
        "Praksisundersøgelse",
        "Ankestyrelsens undersøgelser af, om kommunernes afgørelser er rigtige.",
    ),
    (
        "tilsynsudtalelse",
        "Tilsynsudtalelse",
        "Ankestyrelsens udtalelser som tilsyn med kommunerne.",
    ),
    ("fokusrevision", "Fokusrevision", "STAR's revisioner af kommunernes sagsbehandling."),
    ("analyse", "Analyse", "Analyser og rapporter fra STAR."),
    ("dagsordenpunkt", "Dagsordenpunkt", "Et punkt på dagsordenen for et kommunalt udvalg."),
    ("notat", "Notat", "Notater fra kommunale forvaltninger."),
    ("udspil", "Udspil", "Udspil, forslag og høringssvar fra organisationer."),
    ("nyhedsbrev", "Nyhedsbrev", "Nyhedsbreve fra organisationer, fx om nye afgørelser og tilsyn."),
]
