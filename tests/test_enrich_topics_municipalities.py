from __future__ import annotations

import pytest

from retskilde.db.enrich.data import DataFileError
from retskilde.db.enrich.lawrefs import LawRef
from retskilde.db.enrich.municipalities import find_municipalities, municipalities
from retskilde.db.enrich.topics import DocumentFacts, _compile_term, assign_topics, taxonomy

REQUIRED_TOPICS = {
    "hjemvisning",
    "fleksjob",
    "ledighedsydelse",
    "ressourceforloeb",
    "jobafklaring",
    "sygedagpenge",
    "foertidspension",
    "kontanthjaelp",
    "hjaelpemidler",
    "merudgifter",
    "boligindretning",
    "handicapbil",
    "tabt-arbejdsfortjeneste",
    "boern-og-unge",
    "magtanvendelse",
    "sagsbehandling",
    "oplysningsgrundlag",
    "begrundelse",
    "partshoering",
    "sagsbehandlingsfrister",
    "tilsyn",
}


def topics(**facts) -> dict[str, str]:
    defaults = {"title": "Et dokument", "text": "", "doc_type": "nyhed"}
    return {a.topic_id: a.rule for a in assign_topics(DocumentFacts(**{**defaults, **facts}))}


def test_taxonomy_covers_the_topics_users_ask_for():
    assert {t.id for t in taxonomy()} >= REQUIRED_TOPICS
    assert all(t.label and t.description for t in taxonomy())


def test_each_rule_kind_fires_and_is_recorded():
    assert topics(keywords=["Fleksjob"])["fleksjob"] == "emneord: Fleksjob"
    assert topics(doc_type="tilsynsudtalelse")["tilsyn"] == "dokumenttype: tilsynsudtalelse"
    assert topics(outcome="delvis hjemvist")["hjemvisning"] == "udfald: delvis hjemvist"
    law = topics(law_refs=[(LawRef("serviceloven", "112", 1), "servicelovens § 112, stk. 1")])
    assert law["hjaelpemidler"] == "lovhenvisning: serviceloven § 112"
    assert topics(title="Status på ledighedsydelse")["ledighedsydelse"].startswith("titel:")
    text = "Kommunen har ikke partshørt borgeren. Partshøringen skulle være sket før afgørelsen."
    found = topics(text=text)
    assert found["partshoering"] == "tekst: 2 forekomster"
    assert found["sagsbehandling"] == "underemne: Partshøring"


def test_one_passing_mention_in_the_body_is_not_a_topic():
    assert "fleksjob" not in topics(text="Borgeren var tidligere i fleksjob og søger nu pension.")


def test_compound_words_count_but_other_words_do_not():
    assert "tilsyn" not in topics(text="Der mangler ledelsestilsyn. Ledelsestilsynet er svagt.")
    assert "hjaelpemidler" in topics(text="Ansøgning om el-kørestol. Kørestolen var slidt.")


def test_bad_term_in_taxonomy_names_the_file():
    with pytest.raises(DataFileError, match=r"topics\.yml: emne x: ugyldigt udtryk"):
        _compile_term("hjælp(", "db/data/topics.yml", "x")


def test_all_98_municipalities_are_known_and_found_by_their_official_name():
    assert len(municipalities()) == 98
    for m in municipalities():
        [found] = find_municipalities(f"Et brev fra {m.official} om sagen.")
        assert found.name == m.name


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Københavns Kommunes afgørelse", ["København"]),
        ("i Århus kommune og Aarhus Kommune", ["Aarhus", "Aarhus"]),
        ("Høje Taastrup Kommune", ["Høje-Taastrup"]),
        ("Aarhus, Odense og Aalborg kommuner", ["Aarhus", "Odense", "Aalborg"]),
        ("Bornholms Regionskommune", ["Bornholm"]),
        ("A kommune og B kommune samt 24 andre kommuner", []),
        ("vejen kommune er lang", []),
    ],
)
def test_municipality_forms(text, names):
    assert [m.name for m in find_municipalities(text)] == names


def test_municipality_names_are_matched_as_whole_words():
    assert find_municipalities("Nordfyns Kommune")
    assert not find_municipalities("Sydnordfyn Kommune")
    assert not find_municipalities("Nyborgvej Kommune")


def test_one_unambiguous_phrase_is_enough_but_one_common_word_is_not():
    found = topics(text="Afgørelsen blev ophævet, fordi begrundelsen var mangelfuld.")
    assert found["begrundelse"] == "entydigt udtryk: begrundelsen var mangelfuld"
    assert found["sagsbehandling"] == "underemne: Begrundelse"
    assert "begrundelse" not in topics(text="Kommunen gav afslag med den begrundelse, at ...")
    ruling = "Ankestyrelsen hjemviste sagen, fordi kommunen ikke havde indhentet en lægeattest."
    assert topics(text=ruling)["oplysningsgrundlag"] == "entydigt udtryk: ikke havde indhentet"
    statistics = "De fleste hjemviste sager drejede sig om sygedagpenge."
    assert topics(text=statistics)["hjemvisning"] == "entydigt udtryk: hjemviste sager"


def test_a_heading_counts_like_the_title_until_the_lists_of_sources():
    text = "Indledning om sagerne.\n\nPartshøring og begrundelse\n\nKommunen skal høre borgeren."
    assert topics(text=text)["begrundelse"] == "overskrift: begrundelse"
    listed = "En tekst.\n\nLove og bekendtgørelser\n\nForvaltningsloven – § 19 om partshøring"
    assert "partshoering" not in topics(text=listed)


def test_the_subject_of_a_study_is_a_topic_but_a_list_of_decisions_is_not():
    study = "Ankestyrelsen har i en praksisundersøgelse om ressourceforløbsydelse omgjort sager."
    assert topics(text=study)["ressourceforloeb"] == (
        "emne: praksisundersøgelse om ressourceforløbsydelse"
    )
    listing = "212 klager over afgørelser om sygedagpenge, fleksjob og kontanthjælp."
    assert not {"fleksjob", "kontanthjaelp", "sygedagpenge"} & set(topics(text=listing))


def test_the_deadline_for_access_to_documents_is_a_deadline():
    law = topics(law_refs=[(LawRef("offentlighedsloven", "36"), "offentlighedslovens § 36")])
    assert law["sagsbehandlingsfrister"] == "lovhenvisning: offentlighedsloven § 36"


def test_ledighedsydelse_is_part_of_the_fleksjob_scheme():
    found = topics(title="Revurdering af ledighedsydelse")
    assert found["fleksjob"] == "underemne: Ledighedsydelse"
    assert "ledighedsydelse" not in topics(title="Nye regler for fleksjob")


def test_a_passing_mention_in_the_stated_principle_is_not_a_topic():
    text = (
        "Principmeddelelsen fastslår\n\nKommunen kan ikke give afslag med den begrundelse, at "
        "borgeren kan arbejde i et fleksjob.\n\nDen konkrete sag\n\nEn borger søgte pension."
    )
    assert not {"begrundelse", "fleksjob"} & set(topics(text=text, doc_type="principmeddelelse"))
