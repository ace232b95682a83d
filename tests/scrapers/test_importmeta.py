"""Metadata read from an imported document's own text: one rule, one test, with a near miss."""

from __future__ import annotations

import pytest

from retskilde.scrapers.importmeta import (
    infer,
    infer_case_number,
    infer_committee,
    infer_date,
    infer_doc_type,
    infer_issuer,
    infer_municipality,
    infer_source,
    infer_title,
    is_date_line,
)

MEMO = [
    "Notat",
    "Til Social- og Beskæftigelsesudvalget Jobcenter Sekretariat",
    "Kopi til Forvaltningsledelsen",
    "Fra Jobcenterstaben Kirkegade 4 6700 Esbjerg",
    "Sagsnr. Indtast sagsnr. Init.: abc",
    "2. februar 2016",
    "Svar på læserbrev om afslag på ressourceforløb",
    "Ressourceforløb",
    "Et ressourceforløb bevilges efter indstilling fra rehabiliteringsteamet den 4. januar 2016, "
    "når borgeren har komplekse problemer ud over ledighed.",
    "Eksempel: Dette er et fiktivt eksempeldokument skrevet til Retskilde.",
]


def test_a_memo_reads_whole():
    found = infer(MEMO)
    assert found.title == "Svar på læserbrev om afslag på ressourceforløb"
    assert found.date == "2016-02-02"
    assert found.municipality == "Esbjerg"
    assert found.issuer == "Jobcenterstaben, Esbjerg Kommune"
    assert found.committee == "Social- og Beskæftigelsesudvalget"
    assert found.case_number is None  # the template's "Indtast sagsnr." is no number
    assert found.doc_type == "notat"
    assert found.source == "kommune"


@pytest.mark.parametrize(
    ("paragraphs", "heading", "title"),
    [
        # The format's own heading wins.
        (["Indledning", "Tekst om noget andet her."], "Rapportens titel", "Rapportens titel"),
        # A "Vedr.:" line in the memo block names the subject.
        (
            ["Til: Byrådet", "Vedr.: Budget for hjælpemidler 2026", "Tekst."],
            None,
            "Budget for hjælpemidler 2026",
        ),
        # Letterhead, type word, date line and web leftovers are skipped.
        (
            [
                "Gå til indhold",
                "Holbæk Kommune",
                "NOTAT",
                "Maj 2019",
                "Status på klagesager i 2018",
                "Brødtekst.",
            ],
            None,
            "Status på klagesager i 2018",
        ),
        (
            [
                "Spring til hovedindhold",
                "Spring over venstremenu",
                "Ny vejledning om fleksjob",
                "28-11-2023",
                "Tekst.",
            ],
            None,
            "Ny vejledning om fleksjob",
        ),
        # A lone section word is not the title.
        (
            ["Dagsordenpunkter", "4. Orientering om ankestatistik", "Tekst."],
            None,
            "4. Orientering om ankestatistik",
        ),
        # No heading at all: the opening sentence.
        (
            [
                "Kommunen har i 2024 modtaget 212 klager over afgørelser om hjælpemidler, og de "
                "fleste blev genvurderet inden for fristen. Resten gik videre."
            ],
            None,
            "Kommunen har i 2024 modtaget 212 klager over afgørelser om hjælpemidler, og de fleste "
            "blev genvurderet inden for …",
        ),
    ],
)
def test_title(paragraphs, heading, title):
    assert infer_title(paragraphs, heading) == title


@pytest.mark.parametrize(
    ("paragraphs", "day"),
    [
        (["Notat", "26. maj 2014", "Titel her"], "2014-05-26"),
        (["Dato: 26.05.2014", "Titel her"], "2014-05-26"),
        (["Titel her", "Tekst.", "Aalborg, den 3. juni 2014"], "2014-06-03"),  # signature line
        (["Analyse af sygedagpengesager", "Maj 2014"], "2014-05-01"),  # a cover's month
        # A date inside a sentence or a title is not the document's date.
        (["Artikel i avisen den 23. maj 2014 om fleksjob og kvoter", "Tekst."], None),
        (["Titel her", "Loven trådte i kraft 1. januar 2013, og meget er sket siden da."], None),
    ],
)
def test_date(paragraphs, day):
    assert infer_date(paragraphs) == day


def test_a_date_line_is_a_date_with_at_most_a_place():
    assert is_date_line("Vejle, den 18. august 2025")
    assert is_date_line("Nyhedsbrev nr. 3, maj 2014")
    assert not is_date_line("Mødet i udvalget den 18. august 2025 om fleksjob")


def test_the_format_date_comes_after_the_document_s_own_date_line():
    assert infer_date(["Titel her", "Tekst."], hint="2020-01-02") == "2020-01-02"
    assert infer_date(["12.03.2021", "Titel her"], hint="2020-01-02") == "2021-03-12"


@pytest.mark.parametrize(
    ("paragraphs", "municipality"),
    [
        (["Københavns Kommune", "Titel", "Tekst."], "København"),
        (["Titel", "Tekst.", "Jobcenter Holstebro"], "Holstebro"),  # at the foot
        (["Til: Aarhus Byråd", "Titel", "Tekst."], "Aarhus"),
        (["Titel", "Familieafdelingen, Rådhustorvet 1, 4000 Roskilde"], "Roskilde"),
        # An organisation's address is not a municipality's document.
        (["Titel", "Dansk Eksempelforening, Nørregade 8, 8000 Aarhus C"], None),
        # A municipality mentioned in the body is what it is about, not who wrote it.
        (
            ["Titel"]
            + ["Tekst om ingenting."] * 20
            + ["Odense Kommune fik kritik."]
            + ["Mere tekst."] * 5,
            None,
        ),
    ],
)
def test_municipality(paragraphs, municipality):
    assert infer_municipality(paragraphs) == municipality


@pytest.mark.parametrize(
    ("paragraphs", "municipality", "issuer"),
    [
        (["Fra: Ydelseskontoret", "Titel"], "Vejle", "Ydelseskontoret, Vejle Kommune"),
        (["Titel", "Tekst.", "Formand for Dansk Eksempelforening"], None, "Dansk Eksempelforening"),
        (
            ["Styrelsen for Arbejdsmarked og Rekruttering", "Titel"],
            None,
            "Styrelsen for Arbejdsmarked og Rekruttering",
        ),
        (["Foreningen af Eksempler i Danmark", "Titel"], None, "Foreningen af Eksempler i Danmark"),
        (
            ["Titel", "Udgivet af: Netværket for Eksempler", "Tekst."],
            None,
            "Netværket for Eksempler",
        ),
        (["Titel", "Tekst."], "Vejle", "Vejle Kommune"),
        # A lower-case ending is a phrase, not a name.
        (["Titel", "Midler under ministeriet"], None, None),
    ],
)
def test_issuer(paragraphs, municipality, issuer):
    assert infer_issuer(paragraphs, municipality) == issuer


def test_committee_and_case_number_from_the_memo_block():
    memo = ["Til: Børne- og Familieudvalget", "Sagsnr.: 27.12.00-P20-3-24 Init.: xy", "Titel"]
    assert infer_committee(memo) == "Børne- og Familieudvalget"
    assert infer_case_number(memo) == "27.12.00-P20-3-24"
    assert infer_committee(["Til: Borgerne", "Titel"]) is None


@pytest.mark.parametrize(
    ("paragraphs", "title", "source", "doc_type"),
    [
        (["NOTAT", "Titel"], "Titel", "kommune", "notat"),
        (["Til: Udvalget", "Fra: Staben", "Titel"], "Titel", "organisation", "notat"),
        (["Nyhedsbrev nr. 4 · april 2024", "Titel"], "Titel", "organisation", "nyhedsbrev"),
        ([], "Høringssvar om lovforslag L 12", "organisation", "udspil"),
        (
            ["Titel", "Vores forslag til en bedre indsats for unge."],
            "Titel",
            "organisation",
            "udspil",
        ),
        ([], "Analyse af sanktioner i kontanthjælpssager", "star", "analyse"),
        (
            ["Titel", "Sagsfremstilling", "Tekst.", "Indstilling", "Tekst."],
            "Titel",
            "kommune",
            "dagsordenpunkt",
        ),
        (
            ["Titel", "Indholdsfortegnelse", "Sammenfatning", "Tekst."],
            "Titel",
            "organisation",
            "analyse",
        ),
        (
            ["Referat", "Økonomiudvalgets møde", "Indholdsfortegnelse", "Sammenfatning"],
            "Titel",
            "kommune",
            "dagsordenpunkt",
        ),
        ([], "Dagsorden 8. oktober 2025 kl. 16.00", "kommune", "dagsordenpunkt"),
        # No cue: the usual kind for the source.
        (["Titel", "Tekst."], "Titel", "kommune", "notat"),
        (["Titel", "Tekst."], "Titel", "organisation", "udspil"),
    ],
)
def test_doc_type(paragraphs, title, source, doc_type):
    assert infer_doc_type(paragraphs, title, source) == doc_type


def test_source_from_issuer_and_municipality():
    assert infer_source("Ankestyrelsen", None) == "ast"
    assert infer_source("Styrelsen for Arbejdsmarked og Rekruttering", None) == "star"
    assert infer_source("Jobcenter Vejle, Vejle Kommune", "Vejle") == "kommune"
    assert infer_source("Dansk Eksempelforening", None) == "organisation"
    assert infer_source(None, None) == "organisation"


def test_a_memo_block_set_as_a_table_reads_like_lines():
    rows = [
        "Til | Beskæftigelsesudvalget | Dato | 26.05.2014",
        "Fra | Jobcenter Silkeborg | Sagsnr. | 15.00.00-A00-1-14",
        "Status på sager om jobafklaring",
        "Brødtekst om jobafklaringsforløb i kommunen i det forløbne år.",
    ]
    found = infer(rows)
    assert found.title == "Status på sager om jobafklaring"
    assert found.date == "2014-05-26"
    assert found.committee == "Beskæftigelsesudvalget"
    assert found.case_number == "15.00.00-A00-1-14"
    assert found.municipality == "Silkeborg"
    assert found.doc_type == "notat"
