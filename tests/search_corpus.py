"""A small corpus of fictional documents (examples written for the project) for the search tests.

Each one is there for a reason named beside it, so a failing test points at the case it covers.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from retskilde.db.build import build
from retskilde.db.build.index import create_index, fill_index
from retskilde.db.sqlite import sqlite3
from tests.conftest import make_record, write_record

NOTE = "\n\nEksempel: Dette er et fiktivt eksempeldokument skrevet til Retskildes tests."


def _record(**fields) -> dict:
    fields["text"] = fields["text"] + NOTE
    fields.setdefault("sha256", hashlib.sha256(fields["text"].encode()).hexdigest())
    return make_record(**fields)


def _principmeddelelse(number: str, **fields) -> dict:
    fields.setdefault("url", f"https://eksempel.retskilde.dk/ast/principmeddelelser/{number}")
    return _record(id=f"ast-principmeddelelse-{number}", number=number, **fields)


SEARCH_RECORDS = [
    # The decision itself: its number is in the title but not in the text, so a number query
    # must find it through documents.number, and rank it first.
    _principmeddelelse(
        "101-17",
        title="Ankestyrelsens principmeddelelse 101-17 om boligindretning og oplysningsgrundlag",
        date="2017-10-19",
        status="gældende",
        paragraph="§ 116, stk. 1",
        law_names=["Serviceloven"],
        keywords=["Boligindretning", "Oplysningsgrundlag"],
        summary="Kommunen skal have en aktuel ergoterapeutisk vurdering, før den afslår.",
        text=(
            "Principmeddelelsen fastslår\n\nFør kommunen afslår boligindretning, skal den have et "
            "aktuelt oplysningsgrundlag. Sagen blev hjemvist til fornyet behandling."
        ),
    ),
    # Cites 101-17 in the AFG. form; about ortopædisk fodtøj and § 112.
    _principmeddelelse(
        "12-24",
        title="Ankestyrelsens principmeddelelse 12-24 om ortopædisk fodtøj og udskiftning",
        date="2024-03-01",
        status="gældende",
        paragraph="§ 112, stk. 1",
        law_names=["Serviceloven", "Hjælpemiddelbekendtgørelsen"],
        keywords=["Hjælpemidler", "Ortopædisk fodtøj"],
        text=(
            "Principmeddelelsen fastslår\n\nHjælpemidler, herunder ortopædisk fodtøj, skal "
            "udskiftes efter en individuel vurdering, jf. servicelovens § 112, stk. 1. Kommunen "
            "skal oplyse sagen, jf. AFG.101-17. Principafgørelsen erstatter en ældre praksis."
        ),
    ),
    # Twins: the same title words and text; only the number and the status differ.
    _principmeddelelse(
        "5-14",
        title="Principmeddelelse 5-14 om forlængelse af sygedagpenge ved lægebehandling",
        date="2014-02-01",
        status="historisk",
        keywords=None,
        law_names=["Sygedagpengeloven"],
        text=(
            "Principmeddelelsen fastslår\n\nSygedagpenge kan forlænges, når borgeren venter på "
            "lægebehandling, og behandlingen forventes at gøre borgeren arbejdsdygtig."
        ),
    ),
    _principmeddelelse(
        "19-21",
        title="Principmeddelelse 19-21 om forlængelse af sygedagpenge ved lægebehandling",
        date="2021-06-01",
        status="gældende",
        keywords=None,
        law_names=["Sygedagpengeloven"],
        text=(
            "Principmeddelelsen fastslår\n\nSygedagpenge kan forlænges, når borgeren venter på "
            "lægebehandling, og behandlingen forventes at gøre borgeren arbejdsdygtig."
        ),
    ),
    # A municipal note: Aarhus written the old way; inflected forms of hjemvise and fleksjob.
    _record(
        id="aarhus-notat-hjemviste-fleksjobsager",
        source="kommune",
        doc_type="notat",
        number=None,
        status=None,
        title="Notat om hjemviste fleksjobsager i Aarhus",
        url="https://eksempel.retskilde.dk/kommune/aarhus-notat-hjemviste-fleksjobsager",
        date="2017-08-21",
        municipality="Aarhus",
        keywords=["Fleksjob", "Hjemvisning"],
        text=(
            "Notat\n\nAnkestyrelsen hjemviste 41 sager om fleksjob fra Aarhus Kommune. "
            "Hjemvisningsprocenten var 27. Antallet af borgere i fleksjobordningen steg."
        ),
    ),
    # Cites the decision as "principafgørelse 101-17"; a compound of sygedagpenge.
    _record(
        id="aalborg-dagsorden-sygedagpenge",
        source="kommune",
        doc_type="dagsordenpunkt",
        number=None,
        status=None,
        title="Status på sygedagpengeområdet",
        url="https://eksempel.retskilde.dk/kommune/aalborg-dagsorden-sygedagpenge",
        date="2019-04-10",
        municipality="Aalborg",
        keywords=["Sygedagpenge"],
        text=(
            "Resume\n\nForvaltningen gennemgår sagerne efter sygedagpengeloven. Udvalget "
            "orienteres om principafgørelse 101-17 om kravene til oplysningsgrundlaget."
        ),
    ),
    # Writes FØP; the synonym must find it from "førtidspension" and the other way round.
    _record(
        id="star-fokusrevision-foep",
        source="star",
        doc_type="fokusrevision",
        number=None,
        status=None,
        title="Fokusrevision af sager om FØP",
        url="https://eksempel.retskilde.dk/star/fokusrevision-foep",
        date="2022-05-05",
        keywords=["Førtidspension"],
        text="Revisionen har gennemgået 60 sager om FØP i seks kommuner og fundet mangler.",
    ),
    # A compound of hjælpemiddel that nothing else in the corpus splits.
    _record(
        id="organisation-hoeringssvar-hjaelpemidler",
        source="organisation",
        doc_type="udspil",
        number=None,
        status=None,
        title="Høringssvar om hjælpemiddelbekendtgørelsen",
        url="https://eksempel.retskilde.dk/organisation/hoeringssvar",
        date="2026-03-16",
        keywords=["Høringssvar"],
        text=(
            "Organisationen støtter ændringen af hjælpemiddelbekendtgørelsen med forbehold. "
            "Kravene til kvalitet bør stå i kommunens kvalitetsstandard, ikke kun i en standard."
        ),
    ),
    # The long name of aktivloven.
    _record(
        id="ast-nyhed-kontanthjaelp-formue",
        source="ast",
        doc_type="nyhed",
        number=None,
        status=None,
        title="Nyt om formue og kontanthjælp",
        url="https://eksempel.retskilde.dk/ast/nyhed-kontanthjaelp",
        date="2025-01-20",
        keywords=None,
        text="Efter lov om aktiv socialpolitik skal formuen opgøres, før kontanthjælp bevilges.",
    ),
    # Says "servicelovens § 112" often in a short text, but is not tagged with the paragraph:
    # BM25 alone would rank it above the decision tagged § 112, stk. 1.
    _record(
        id="ast-nyhed-paragraf-112",
        source="ast",
        doc_type="nyhed",
        number=None,
        status=None,
        title="Servicelovens § 112 om hjælpemidler, servicelovens § 112, stk. 1",
        url="https://eksempel.retskilde.dk/ast/nyhed-paragraf-112",
        date="2023-01-01",
        keywords=None,
        text="Servicelovens § 112, stk. 1. Servicelovens § 112, stk. 1. Servicelovens § 112.",
    ),
    # Hard text for the tokenizer: punctuation glued to words, numbers, letters that change
    # length when lower-cased (İ), combining marks, emoji, superscripts.
    _record(
        id="ast-artikel-svaer-tekst",
        source="ast",
        doc_type="artikel",
        number=None,
        status=None,
        title="Svær tekst: Hjælpemidler/hjælpemidlet (AFG.101-17)",
        url="https://eksempel.retskilde.dk/ast/artikel-svaer-tekst",
        date="2020-01-01",
        keywords=None,
        text=(
            "İstanbul-sagen: hjælpemidler;hjælpemidlet,hjælpemiddel. Se §112,stk.1 og "
            "AFG.101-17 — naïve e\u0301-mail 😀 x² 3½ ÆØÅ-ordningen, Aarhus/Århus og ekstraarbejde."
        ),
    ),
]


def build_search_db(folder: Path) -> Path:
    """Build the search corpus into `folder`/retskilde.db with the real build."""
    corpus = folder / "corpus"
    for record in SEARCH_RECORDS:
        write_record(corpus / record["source"], record)
    db_path = folder / "retskilde.db"
    build(corpus, db_path)
    return db_path


def index_texts(texts: list[str]) -> sqlite3.Connection:
    """An in-memory database whose documents have these texts, indexed like the real build."""
    from retskilde.db.analysis.analyzer import default_analyzer

    conn = sqlite3.connect(":memory:")
    conn.execute(
        "create table documents (id text primary key, title text, number text, summary text, "
        "keywords text, law_names text, municipality text, committee text, text text)"
    )
    conn.executemany(
        "insert into documents (id, title, text) values (?, 'x', ?)",
        [(f"d{i}", text) for i, text in enumerate(texts)],
    )
    create_index(conn)
    fill_index(conn, default_analyzer())
    return conn
