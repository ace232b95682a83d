from __future__ import annotations

import pytest

from retskilde.db.enrich.decisions import find_decisions, normalise_number


def found(text: str, doc_type: str | None = "principmeddelelse", own: str | None = None):
    return [(r.number, r.kind) for r in find_decisions(text, doc_type, own)]


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("AFG.101-17", "101-17"),
        ("SM d-28-95", "D-28-95"),
        ("O-106-97", "O-106-97"),
        ("07-19", "7-19"),
    ],
)
def test_numbers_are_normalised(raw, number):
    assert normalise_number(raw) == number


def test_decision_reference_forms():
    text = (
        "Se principafgørelse 64-11, principmeddelelse nr. 104-16, AFG.101-17, AFG. 12-19, "
        "SM D-28-95 og C-34-07. Ankestyrelsen har i principafgørelserne 84-12 og 85-12 samt i "
        "SM P-22-98 fastslået det samme."
    )
    assert [n for n, _ in found(text)] == [
        "64-11",
        "104-16",
        "101-17",
        "12-19",
        "D-28-95",
        "C-34-07",
        "84-12",
        "85-12",
        "P-22-98",
    ]


def test_dates_times_ranges_and_urls_are_not_decisions():
    text = (
        "Mødet den 12-03-2024 kl. 9-15 i lokale 2-14 for borgere på 18-25 år, jf. §§ 11-13. "
        "Se https://ast.dk/principmeddelelse-1-25-om-fleksjob og sagsnr. EMN-2025-010561."
    )
    assert found(text) == []


def test_praksis_lists_give_replaces_and_cites():
    text = (
        "Praksis\n\nKasserede: Følgende principmeddelelser er kasserede, da praksis er ændret:\n\n"
        "15-14: Erhvervsevnetabet fastsættes efter § 17 a.\n\n"
        "14-20: Principmeddelelse 15-14 gælder også ved midlertidigt fleksjob.\n\n"
        "Se også: 32-19: Tabet fastsættes på grundlag af indtægtsnedgangen."
    )
    assert found(text, own="1-25") == [
        ("15-14", "replaces"),
        ("14-20", "replaces"),
        ("32-19", "cites"),
    ]


def test_rewrite_replaces_and_replaced_by():
    assert found("Principmeddelelsen er en omskrivning af principmeddelelse 27-15.") == [
        ("27-15", "replaces")
    ]
    assert found("Principmeddelelsen erstatter 27-15 og henviser til principmeddelelse 64-11.") == [
        ("27-15", "replaces"),
        ("64-11", "cites"),
    ]
    assert found(
        "Denne principmeddelelse er historisk og erstattet af principmeddelelse 12-20."
    ) == [("12-20", "replaced_by")]
    assert found("Principmeddelelse 27-15 er erstattet af denne principmeddelelse.") == [
        ("27-15", "replaces")
    ]


def test_only_a_principmeddelelse_can_replace():
    text = "Den nye principmeddelelse erstatter principmeddelelse 45-17."
    assert found(text, doc_type="nyhed") == [("45-17", "cites")]


def test_own_number_is_not_a_citation_and_each_number_appears_once():
    text = (
        "Principmeddelelse 10-22 præciserer principmeddelelse 5-16. Se igen principmeddelelse 5-16."
    )
    assert found(text, own="10-22") == [("5-16", "cites")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The subject is this document (or there is none): it is the one that is replaced.
        ("Principmeddelelsen er historisk og erstattet af principmeddelelse 7-23.", "replaced_by"),
        ("Denne principmeddelelse er historisk. Den er erstattet af 7-23.", "replaced_by"),
        ("Praksis\n\nErstattet af principmeddelelse 7-23.", "replaced_by"),
        # The subject is another decision: from here that is a citation.
        ("Ankestyrelsen traf afgørelse i 2019. Den afgørelse er nu erstattet af 7-23.", "cites"),
        ("Den tidligere praksis er afløst af principmeddelelse 7-23.", "cites"),
    ],
)
def test_replaced_by_only_when_the_subject_is_this_document(text, expected):
    assert found(text, own="1-25") == [("7-23", expected)]


def test_a_numbered_decision_replaced_by_another_is_cited_with_it():
    text = "Principmeddelelse 27-15 er erstattet af principmeddelelse 12-20."
    assert found(text, own="1-25") == [("27-15", "cites"), ("12-20", "cites")]


# Lists without a keyword before each number (issue 15). Example texts written for the project.
def test_a_compilation_list_in_a_principmeddelelse_replaces_every_number():
    text = (
        "Principmeddelelsen er en sammenskrivning af D-12-04, 33-08, 101-09, 7-11, 45-13 og "
        "112-14, som herefter er historiske. Praksis om udmåling fremgår desuden af "
        "principmeddelelse 64-19."
    )
    assert found(text, own="5-26") == [
        ("D-12-04", "replaces"),
        ("33-08", "replaces"),
        ("101-09", "replaces"),
        ("7-11", "replaces"),
        ("45-13", "replaces"),
        ("112-14", "replaces"),
        ("64-19", "cites"),
    ]


def test_a_long_compilation_list_is_read_to_the_end():
    numbers = [f"{n}-{10 + n % 9:02d}" for n in range(1, 61)]
    text = "Meddelelsen sammenskriver " + ", ".join(numbers[:-1]) + f" og {numbers[-1]}."
    assert [n for n, kind in found(text) if kind == "replaces"] == numbers


def test_news_lines_listing_new_decisions_are_cited():
    text = (
        "Ankestyrelsen har offentliggjort nye principmeddelelser i marts:\n\n"
        "44-20 om kontanthjælp – rådighed – udeblivelse fra samtale\n\n"
        "9-21 om hjælpemidler – høreapparat – egenbetaling\n\n"
        "117-21 om sygedagpenge – revurdering – forlængelse\n\n"
        "Læs dem alle på ast.dk."
    )
    assert found(text, doc_type="nyhed") == [
        ("44-20", "cites"),
        ("9-21", "cites"),
        ("117-21", "cites"),
    ]


def test_a_number_in_parentheses_after_a_decision_described_in_words():
    text = (
        "Ankestyrelsen har tidligere i en principafgørelse om boligindretning fra marts 2012 "
        "(61-12) fastslået, at kommunen skal inddrage en ergoterapeutisk vurdering."
    )
    assert found(text, doc_type="artikel") == [("61-12", "cites")]


def test_republished_under_a_new_number():
    text = (
        "Principmeddelelsen er tidligere offentliggjort som 20-25, men er den 4. marts 2026 "
        "genudgivet som 1-26. Indholdet i meddelelsen er det samme."
    )
    assert found(text, own="20-25") == [("1-26", "replaced_by")]
    assert found(text, own="1-26") == [("20-25", "replaces")]


@pytest.mark.parametrize(
    "text",
    [
        "Borgeren blev hørt i perioden (10-12) og svarede ikke.",
        "Telefontider mandag-torsdag kl. 9-15, fredag kl. 9-12.",
        "Sag nr. 2, j.nr. 24-90096 og j.nr. 21321-94 blev behandlet på samme møde.",
        "Vi har også anvendt vejledningen, pkt. 13-20 om inddragelse.",
        "En 21-årig i en 1-værelses lejlighed, jf. §§ 12-14 (18-25 år).",
        "Kommunen afgjorde sagen den 12-03-24 og igen 14-03-2024.",
        "Udvalget mødes 10-12 om ugen i foråret.",
    ],
)
def test_times_journal_numbers_points_ages_and_ranges_are_not_decisions(text):
    assert found(text) == []
    assert found(text, doc_type="nyhed") == []


def test_lettered_numbers_in_praksis_lists_and_bullets():
    text = (
        "Praksis\n\nKasserede: Følgende principmeddelelser er kasserede:\n\n"
        "O-26-96: Kommunen skulle se bort fra en boligopsparing.\n\n"
        "- A-25-04 om kontanthjælp – formue på en lønkonto"
    )
    assert found(text, own="28-24") == [("O-26-96", "replaces"), ("A-25-04", "replaces")]
