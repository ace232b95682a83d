from __future__ import annotations

import pytest

from retskilde.db.enrich.lawrefs import LawRef, canonical, find_refs, parse


def refs(text: str, date: str | None = None) -> list[str]:
    return [canonical(ref) for ref in parse(text, date)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("efter servicelovens § 112, stk. 1, nr. 3", ["serviceloven § 112, stk. 1, nr. 3"]),
        (
            "jf. § 4, stk. 1, i hjælpemiddelbekendtgørelsen",
            ["hjælpemiddelbekendtgørelsen § 4, stk. 1"],
        ),
        (
            "jf. § 10 i lov om retssikkerhed og administration på det sociale område",
            ["retssikkerhedsloven § 10"],
        ),
        ("Serviceloven § 100 finder anvendelse", ["serviceloven § 100"]),
        ("efter SEL § 83 a", ["serviceloven § 83 a"]),
        ("efter aktivlovens §§ 11 og 12", ["aktivloven § 11", "aktivloven § 12"]),
        ("§§ 11, 12 og 14 i aktivloven", ["aktivloven § 11", "aktivloven § 12", "aktivloven § 14"]),
        ("aktivlovens §§ 23-25", ["aktivloven § 23", "aktivloven § 24", "aktivloven § 25"]),
        ("aktivlovens § 14, stk. 1 og 2", ["aktivloven § 14, stk. 1", "aktivloven § 14, stk. 2"]),
        ("aktivlovens § 14, stk. 1, 2. pkt.", ["aktivloven § 14, stk. 1"]),
        (
            "sygedagpengelovens § 27, stk. 1, nr. 1-2",
            [
                "sygedagpengeloven § 27, stk. 1, nr. 1",
                "sygedagpengeloven § 27, stk. 1, nr. 2",
            ],
        ),
        ("arbejdsskadesikringslovens § 17a", ["arbejdsskadesikringsloven § 17 a"]),
        ("efter § 7 stk 1 i forvaltningsloven", ["forvaltningsloven § 7, stk. 1"]),
        ("ligningslovens § 7, nr. 2", ["ligningsloven § 7, nr. 2"]),
        ("barnets lovs § 5", ["barnets lov § 5"]),
        ("forvaltningslovens § 19 og § 22", ["forvaltningsloven § 19", "forvaltningsloven § 22"]),
        (
            "§ 37 og § 39, stk. 1, i bistandsloven",
            ["bistandsloven § 37", "bistandsloven § 39, stk. 1"],
        ),
        ("§ 112 (serviceloven)", ["serviceloven § 112"]),
    ],
)
def test_citation_forms(text, expected):
    assert refs(text) == expected


def test_paragraph_letter_is_not_the_preposition_i():
    # "§ 10 i lov om …" is paragraph 10 in that law, not paragraph "10 i".
    assert refs("efter § 10 i lov om social service") == ["serviceloven § 10"]
    assert refs("LAB § 96 a tilbyder") == ["LAB § 96 a"]
    assert refs("§ 94 anvendes") == ["§ 94"]


def test_bare_paragraph_takes_the_only_law_in_the_sentence():
    assert refs("Efter retssikkerhedsloven skal kommunen, jf. § 10, oplyse sagen.") == [
        "retssikkerhedsloven § 10"
    ]


def test_bare_paragraph_stays_unresolved_when_the_sentence_names_two_laws():
    text = "Efter serviceloven og forvaltningsloven skal kommunen partshøre, jf. § 19."
    [found] = find_refs(text)
    assert found.ref == LawRef(None, "19") and found.resolution is None


def test_bare_paragraph_without_any_law_stays_unresolved():
    assert refs("Brugen af § 116, stk. 2, dokumenteres sjældent.") == ["§ 116, stk. 2"]


def test_bare_paragraph_takes_an_earlier_citation_of_the_same_paragraph():
    text = (
        "Kommunen kan kræve tilbagebetaling efter aktivlovens § 94.\n\n"
        "Hjælp under tilbud efter lov om en aktiv beskæftigelsesindsats kan ikke kræves "
        "tilbage efter § 94, stk. 2."
    )
    found = find_refs(text, "2022-01-01")
    assert [(canonical(f.ref), f.resolution) for f in found] == [
        ("aktivloven § 94", "eksplicit"),
        ("aktivloven § 94, stk. 2", "tidligere henvisning"),
    ]


def test_bare_paragraph_takes_the_only_law_in_the_section():
    text = "Sygedagpenge\n\nEfter sygedagpengeloven gælder en varighedsbegrænsning.\n\nSe § 24."
    [found] = find_refs(text)
    assert (canonical(found.ref), found.resolution) == ("sygedagpengeloven § 24", "afsnit")


def test_anaphora_lovens_and_bekendtgoerelsens():
    text = (
        "Efter § 5 i bilbekendtgørelsen og servicelovens § 114 ydes støtte, og efter "
        "bekendtgørelsens § 9 ydes støtte til indretning. Se også lovens § 116."
    )
    assert refs(text) == [
        "bilbekendtgørelsen § 5",
        "serviceloven § 114",
        "bilbekendtgørelsen § 9",
        "serviceloven § 116",
    ]


def test_shared_title_resolves_by_document_date():
    text = "efter § 68 a i lov om en aktiv beskæftigelsesindsats"
    assert refs(text, "2015-06-01") == ["LAB § 68 a"]
    assert refs(text, "2022-06-01") == ["beskæftigelsesindsatsloven § 68 a"]
    assert refs(text) == ["beskæftigelsesindsatsloven § 68 a"]


def test_numbers_that_are_not_paragraph_continuations_are_left_alone():
    assert refs("efter § 10, 12 sager blev hjemvist") == ["§ 10"]
    assert refs("efter § 5, 3,5 procent") == ["§ 5"]
    assert refs("§ 14, stk. 1, 2023") == ["§ 14, stk. 1"]


def test_huge_range_is_not_expanded():
    assert refs("aktivlovens §§ 1-500") == ["aktivloven § 1"]


def test_raw_includes_the_law_name():
    [found] = find_refs("Det følger af servicelovens § 112, stk. 1, at …")
    assert found.raw == "servicelovens § 112, stk. 1"


def test_no_section_sign_no_reference():
    assert refs("Lov om social service og stk. 2 nævnes uden paragraftegn.") == []


# Issue 15: forms from real texts, in example sentences written for the project.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kommunen skal efter servicelovens § 68 a tilbyde efterværn.", ["serviceloven § 68 a"]),
        ("Det følger af LAB § 100 b, stk. 2.", ["LAB § 100 b, stk. 2"]),
        (
            "Reglerne i §§ 12 c-14 i serviceloven gælder også her.",
            ["serviceloven § 12 c", "serviceloven § 13", "serviceloven § 14"],
        ),
        (
            "Det følger af LAB § 100 b og §§ 12 c-14 i serviceloven.",
            ["LAB § 100 b", "serviceloven § 12 c", "serviceloven § 13", "serviceloven § 14"],
        ),
    ],
)
def test_letter_paragraphs_written_apart(text, expected):
    assert refs(text) == expected


def test_a_numbered_bekendtgoerelse_is_a_law_of_its_own():
    assert refs(
        "Efter bekendtgørelse nr. 1234 af 3. maj 2019 § 5 kan kommunen opkræve betaling."
    ) == ["bekendtgørelse nr. 1234 af 3. maj 2019 § 5"]
    assert refs("Det fremgår af § 3, stk. 2, i bekendtgørelse nr. 88 af 30. januar 2021.") == [
        "bekendtgørelse nr. 88 af 30. januar 2021 § 3, stk. 2"
    ]
    assert refs("Se vejledning nr. 9 af 1. marts 2021 § 4 om hjemmehjælp.") == [
        "vejledning nr. 9 af 1. marts 2021 § 4"
    ]


def test_a_lovbekendtgoerelse_is_the_law_named_beside_it():
    text = (
        "Love og bekendtgørelser\n\nLov om social service (serviceloven), senest bekendtgjort i "
        "lovbekendtgørelse nr. 1129 af 22. september 2025. §§ 109 og 110 om midlertidigt ophold. "
        "Bekendtgørelse nr. 1244 af 13. november 2017 om egenbetaling for ophold i boformer efter "
        "servicelovens §§ 109 og 110. §§ 2-4 om egenbetaling."
    )
    assert refs(text) == [
        "serviceloven § 109",
        "serviceloven § 110",
        "serviceloven § 109",
        "serviceloven § 110",
        "bekendtgørelse nr. 1244 af 13. november 2017 § 2",
        "bekendtgørelse nr. 1244 af 13. november 2017 § 3",
        "bekendtgørelse nr. 1244 af 13. november 2017 § 4",
    ]


def test_an_old_law_with_its_promulgation_before_the_paragraph():
    text = (
        "Lov om social bistand – lovbekendtgørelse nr. 614 af 26. juni 2001 - § 14 Afgørelse "
        "Ansøgeren havde modtaget hjælp efter aktivlovens § 14, stk. 2."
    )
    assert refs(text) == ["bistandsloven § 14", "aktivloven § 14, stk. 2"]


def test_jf_stk_names_another_stk_of_the_same_paragraph():
    assert refs("Barnets lov § 151, stk. 4, jf. stk. 2, om Ankestyrelsens kompetence.") == [
        "barnets lov § 151, stk. 4",
        "barnets lov § 151, stk. 2",
    ]


def test_a_bare_paragraph_takes_the_one_law_of_the_document():
    text = (
        "Kommunen traf afgørelse efter serviceloven.\n\nHjælpemidler\n\n"
        "Det følger af § 112, at kommunen skal yde støtte til hjælpemidler."
    )
    assert refs(text) == ["serviceloven § 112"]
    two_laws = text.replace("efter serviceloven.", "efter serviceloven og aktivloven.")
    assert refs(two_laws) == ["§ 112"]


def test_a_bare_paragraph_takes_the_law_the_source_tags_when_the_text_names_none():
    text = "Kommunen skal efter § 14, stk. 2, se bort fra formue til en nødvendig boligstandard."
    assert [canonical(f.ref) for f in find_refs(text, about="aktivloven")] == [
        "aktivloven § 14, stk. 2"
    ]
    assert [canonical(f.ref) for f in find_refs(text)] == ["§ 14, stk. 2"]


def test_numbered_regulations_stay_out_of_the_registry_of_laws():
    from retskilde.db.enrich.laws import registry

    before = set(registry().laws)
    assert refs("Efter bekendtgørelse nr. 777 af 1. juli 2015 § 2 betales der.") == [
        "bekendtgørelse nr. 777 af 1. juli 2015 § 2"
    ]
    assert set(registry().laws) == before
    assert registry().law("bekendtgoerelse-nr-777-2015").is_regulation


def test_the_sentence_before_gives_its_law_only_to_a_sentence_that_starts_with_the_citation():
    listing = "Bekendtgørelse nr. 88 af 30. januar 2021 om betaling. §§ 2 og 3 om takster."
    assert refs(listing) == [
        "bekendtgørelse nr. 88 af 30. januar 2021 § 2",
        "bekendtgørelse nr. 88 af 30. januar 2021 § 3",
    ]
    prose = (
        "Vi har også læst vejledning nr. 9 af 1. marts 2021 om hjemmehjælp. "
        "Kommunen har ikke fulgt § 5 i sin afgørelse. Sagen handler også om aktivloven."
    )
    assert refs(prose) == ["§ 5"]
