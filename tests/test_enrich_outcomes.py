from __future__ import annotations

import pytest

from retskilde.db.enrich.outcomes import find_outcome


@pytest.mark.parametrize(
    ("text", "outcome", "sentence_part"),
    [
        ("Resultatet er: Du får ikke medhold i din klage.", "stadfæstet", "ikke medhold"),
        ("Resultatet er: Du får medhold i din klage.", "ændret", "medhold"),
        ("Resultatet er: Kommunen skal behandle din sag igen.", "hjemvist", "igen"),
        ("Ankestyrelsen ophævede kommunens afgørelse.", "ophævet", "ophævede"),
        ("Ankestyrelsen ophævede kommunens afgørelse og hjemviste sagen.", "hjemvist", "hjemviste"),
        ("Vi afviser din klage, da du ikke er part.", "afvist", "afviser"),
        ("Ankestyrelsen ændrede delvist kommunens afgørelse.", "delvis ændret", "delvist"),
        ("Klagen afvises, da den er indgivet for sent.", "afvist", "afvises"),
        ("Ankestyrelsen fandt ikke grundlag for at ændre afgørelsen.", "stadfæstet", "grundlag"),
        (
            "Ankestyrelsen stadfæstede afgørelsen om medicin og hjemviste sagen om kørsel.",
            "delvis hjemvist",
            "stadfæstede",
        ),
    ],
)
def test_principmeddelelse_outcomes(text, outcome, sentence_part):
    found = find_outcome(
        f"Principmeddelelsen fastslår\n\nEn borger klagede. {text}", "principmeddelelse"
    )
    assert found.outcome == outcome
    assert sentence_part in found.sentence


def test_the_appeal_body_wins_over_the_lower_instance():
    text = "Ankenævnet ændrede kommunens afgørelse. Ankestyrelsen stadfæstede nævnets afgørelse."
    found = find_outcome(text, "principmeddelelse")
    assert found.outcome == "stadfæstet" and found.sentence.startswith("Ankestyrelsen")


@pytest.mark.parametrize(
    "text",
    [
        "63 blev stadfæstet, 7 blev ændret, og 26 blev hjemvist.",
        "I 2023 blev 83 % af sagerne stadfæstet.",
        "Hvis sagen ikke er oplyst, kan den blive hjemvist.",
        "Kommunen afviste ansøgningen om hjælp.",
        "Forvaltningen forventer, at Ankestyrelsen vil stadfæste afgørelsen.",
        "Ankestyrelsen hjemviser ofte sager, hvor oplysningerne mangler.",
        "Ankestyrelsen har gennemgået 300 hjemviste fleksjobsager.",
        "I ankestatistikken lægger Ankestyrelsen ændrede, ophævede og hjemviste sager sammen.",
    ],
)
def test_statistics_conditionals_and_the_municipality_are_not_outcomes(text):
    assert find_outcome(text, "dagsordenpunkt") is None


def test_agenda_item_reporting_one_case():
    text = "Ankestyrelsen har den 4. maj 2023 hjemvist kommunens afgørelse om en el-kørestol."
    assert find_outcome(text, "dagsordenpunkt").outcome == "hjemvist"


def test_doc_types_without_one_outcome():
    text = "Ankestyrelsen stadfæstede kommunens afgørelse."
    assert find_outcome(text, "praksisundersoegelse") is None
    assert find_outcome(text, "tilsynsudtalelse") is None
