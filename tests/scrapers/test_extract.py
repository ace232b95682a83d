"""Text extraction from PDF and DOCX, on documents generated here (realistic Danish, examples)."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from retskilde.scrapers.extract import (
    ExtractError,
    NoTextLayer,
    extract_paragraphs,
    extract_text,
    has_words,
    kind_of,
)
from retskilde.scrapers.pdftext import join_lines
from tests.scrapers.pdfmaker import (
    Heading,
    PdfPage,
    Text,
    flow,
    make_pdf,
    plain,
    report_page,
    scan_pdf,
)
from tests.scrapers.star.documents import (
    EXAMPLE,
    FOKUSREVISION_LEDIGHEDSYDELSE_TEXT,
    fokusrevision_ledighedsydelse,
    kortlaegning_unge,
)

URL = "https://star.dk/media/1/rapport.pdf"


def _lines(pdf_pages: list[PdfPage]) -> list[str]:
    return [t.text for page in pdf_pages for t in page.texts]


def test_a_report_pdf_reads_as_its_paragraphs_in_order():
    content = fokusrevision_ledighedsydelse()
    assert extract_paragraphs(content, URL) == FOKUSREVISION_LEDIGHEDSYDELSE_TEXT


def test_the_report_pdf_really_has_the_layout_the_test_is_about():
    # Guard the fixture: without these, the test above would prove less than it claims.
    raw = fokusrevision_ledighedsydelse()
    assert raw.startswith(b"%PDF-1.4") and raw.count(b"/Type /Page ") == 3
    text = raw.decode("latin-1")  # the strings are cp1252; æ ø å are the same bytes there
    for line_end in ("beskæf-)", "EU-)", "social-)", "virksomheds-)"):
        assert line_end in text, f"no line ends in {line_end[:-1]!r}"
    assert "Side 2 af 3" in text and "| Eksempel)" in text
    # Text set at the left margin and at the second column's edge: two columns side by side.
    xs = {float(x) for x in re.findall(r"Tf (\d+\.\d+) \d+\.\d+ Td", text)}
    assert {60.0, 309.5} <= xs


def test_page_furniture_is_left_out():
    text = extract_text(fokusrevision_ledighedsydelse(), URL)
    assert "Side 1 af 3" not in text and "Side 3 af 3" not in text
    assert "| Eksempel" not in text  # the running head on pages 2 and 3
    assert "Side" not in text


def test_danish_letters_and_signs_survive():
    text = extract_text(fokusrevision_ledighedsydelse(), URL)
    for word in ("Ledelsesresumé", "stikprøven", "måneder", "§ 127", "Guldborgsund", "ønsker"):
        assert word in text


@pytest.mark.parametrize(
    ("first", "second", "joined"),
    [
        ("ønsker til beskæf-", "tigelse, og om", "ønsker til beskæftigelse, og om"),
        ("af social-", "og beskæftigelsesområdet", "af social- og beskæftigelsesområdet"),
        ("handicap-", "eller ældreområdet", "handicap- eller ældreområdet"),
        ("indsatsen for EU-", "borgere og andre", "indsatsen for EU-borgere og andre"),
        ("i perioden 2019-", "2022 faldt", "i perioden 2019-2022 faldt"),
        ("Børne- og Unge-", "Udvalget", "Børne- og Unge-Udvalget"),
        ("et virksomheds\u00ad", "rettet tilbud", "et virksomhedsrettet tilbud"),
        ("Reglerne –", "som de gælder", "Reglerne – som de gælder"),
        ("en jobsamtale", "inden for", "en jobsamtale inden for"),
    ],
)
def test_joining_lines_undoes_only_the_hyphens_that_broke_a_word(first, second, joined):
    assert join_lines(first, second) == joined


def _two_column_pdf(paragraphs: list[str], split_line: int) -> bytes:
    return make_pdf([report_page(1, 1, None, columns=paragraphs, split_line=split_line)])


def test_two_columns_are_read_left_column_first_and_a_cut_paragraph_is_joined():
    paragraphs = [
        "Den første opfølgningssamtale skal holdes inden udgangen af 8. sygefraværsuge, og "
        "kommunen skal her vurdere, om borgeren kan vende delvist tilbage til arbejdet.",
        "Revurderingen ved 22 uger skal påbegyndes i god tid, så borgeren ikke står uden "
        "forsørgelse, når retten til sygedagpenge udløber efter lovens § 24.",
    ]
    content = _two_column_pdf(paragraphs, split_line=3)
    assert extract_paragraphs(content, URL) == paragraphs


def test_a_heading_across_both_columns_stays_between_them():
    page = report_page(
        1,
        1,
        None,
        full=[Heading("Resultater")],
        columns=[
            "Aarhus Kommune lå over landsgennemsnittet i alle tre målinger af indsatsen.",
            "Guldborgsund Kommune lå under landsgennemsnittet i to af de tre målinger.",
        ],
        split_line=2,
    )
    closing = (
        "Samlet vurdering: indsatsen er tilfredsstillende i de fleste kommuner, men "
        "opfølgningen på borgere med lang anciennitet på ydelsen kan styrkes."
    )
    below, _ = flow([closing], 60, 560, 475)
    page.texts += below
    assert extract_paragraphs(make_pdf([page]), URL) == [
        "Resultater",
        "Aarhus Kommune lå over landsgennemsnittet i alle tre målinger af indsatsen.",
        "Guldborgsund Kommune lå under landsgennemsnittet i to af de tre målinger.",
        closing,
    ]


def test_a_footnote_at_the_foot_of_a_page_is_text_but_the_page_number_is_not():
    texts, _ = flow(["Kontanthjælpen er nedsat efter reglerne om 225-timersreglen.1"], 60, 700, 475)
    texts.append(Text(60, 60, "1 Jf. lov om aktiv socialpolitik § 13 f.", 8))
    texts.append(Text(290, 30, "7", 8))
    paragraphs = extract_paragraphs(make_pdf([PdfPage(texts)]), URL)
    assert paragraphs[-1] == "1 Jf. lov om aktiv socialpolitik § 13 f."
    assert "7" not in paragraphs


def test_a_numbered_list_after_a_sentence_is_split_but_a_date_mid_sentence_is_not():
    texts, _ = flow(
        [
            "Kommunen skal:\n1. holde en samtale,\n2. give et tilbud.",
            "Reglerne gælder fra den\n1. januar 2026 for alle nye sager.",
        ],
        60,
        700,
        475,
    )
    assert extract_paragraphs(make_pdf([PdfPage(texts)]), URL) == [
        "Kommunen skal:",
        "1. holde en samtale,",
        "2. give et tilbud.",
        "Reglerne gælder fra den 1. januar 2026 for alle nye sager.",
    ]


def test_a_scan_without_a_text_layer_is_a_clear_error_naming_the_url():
    with pytest.raises(NoTextLayer) as caught:
        extract_paragraphs(scan_pdf(pages=3), URL)
    assert caught.value.url == URL
    assert URL in str(caught.value)
    assert "intet tekstlag" in caught.value.reason
    assert "3 sider med 3 billeder" in caught.value.reason


def test_a_pdf_with_only_page_numbers_has_no_text_either():
    pages = [PdfPage([Text(290, 30, str(n), 8)]) for n in (1, 2)]
    with pytest.raises(NoTextLayer, match="ingen tekst på sine 2 sider"):
        extract_paragraphs(make_pdf(pages), URL)


@pytest.mark.parametrize(
    "damage",
    [
        lambda pdf: pdf[:200],  # cut short
        lambda pdf: pdf[: pdf.index(b"xref")],  # no cross-reference table, no trailer
        lambda pdf: b"%PDF-1.7\n" + bytes(range(256)) * 4,  # a header and noise
    ],
    ids=["cut-short", "no-trailer", "noise"],
)
def test_a_damaged_pdf_is_an_extract_error_never_a_crash(damage):
    with pytest.raises(ExtractError) as caught:
        extract_paragraphs(damage(fokusrevision_ledighedsydelse()), URL)
    assert caught.value.url == URL and URL in str(caught.value)


def test_a_docx_reads_as_its_body_without_header_and_footer():
    paragraphs = extract_paragraphs(kortlaegning_unge(), "https://star.dk/media/2/k.docx")
    assert paragraphs == [
        "Kortlægning af unge på uddannelseshjælp",
        "Kortlægningen omfatter 30.200 unge under 30 år, der modtog uddannelseshjælp i december "
        "2023. 62 procent var vurderet aktivitetsparate, og 38 procent var vurderet "
        "uddannelsesparate.",
        "Indsatser",
        "De fleste unge havde fået et uddannelsespålæg, men kun hver fjerde var i gang med et "
        "forløb på en uddannelsesinstitution.",
        "Indsats | Andel",
        "Uddannelsespålæg | 81 pct.",
        "Virksomhedspraktik | 24 pct.",
        EXAMPLE,
    ]


def _docx(build) -> bytes:
    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_tabs_breaks_and_soft_hyphens_become_plain_text():
    def build(document):
        paragraph = document.add_paragraph("Ydelse:")
        paragraph.add_run().add_tab()
        paragraph.add_run("ledigheds\u00adydelse")
        paragraph.add_run().add_break()
        paragraph.add_run("efter § 74.")
        document.add_paragraph("   ")

    assert extract_paragraphs(_docx(build), "https://x/a.docx") == [
        "Ydelse: ledighedsydelse efter § 74."
    ]


def test_an_empty_docx_is_an_error_not_an_empty_text():
    with pytest.raises(ExtractError, match="ingen tekst"):
        extract_paragraphs(_docx(lambda d: d.add_paragraph("")), "https://x/tom.docx")


def test_a_damaged_docx_and_an_unknown_file_are_extract_errors():
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(ExtractError, match="DOCX-filen kan ikke læses"):
        extract_paragraphs(broken.getvalue(), "https://x/b.docx")
    with pytest.raises(ExtractError, match="hverken PDF, DOCX eller HTML"):
        extract_paragraphs(b"\x89PNG\r\n\x1a\n....", "https://x/billede.png")


def test_the_format_is_read_from_the_bytes_not_the_name():
    assert kind_of(fokusrevision_ledighedsydelse()) == "pdf"
    assert kind_of(kortlaegning_unge()) == "docx"
    assert kind_of(b"<!DOCTYPE html><html><body>x</body></html>") == "html"
    assert kind_of(b"GIF89a") is None


# -- round trip: any paragraphs, laid out in one or two columns, read back as written ----------

WORDS = [
    "borgeren",
    "kommunen",
    "jobcentret",
    "ledighedsydelse",
    "fleksjob",
    "ressource|forløb",
    "beskæf|tigelses|indsats",
    "sygedag|penge",
    "opfølgning",
    "samtale",
    "virksomheds|praktik",
    "rehabiliterings|team",
    "skånehensyn",
    "på",
    "og",
    "i",
    "med",
    "efter",
    "arbejdsevne",
    "førtids|pension",
    "indsats",
    "år",
    "både",
    "særlig",
]
sentences = st.lists(st.sampled_from(WORDS), min_size=4, max_size=40).map(
    lambda words: (" ".join(words)[:1].upper() + " ".join(words)[1:]) + "."
)


# Derandomised so CI is repeatable.
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    paragraphs=st.lists(sentences, min_size=1, max_size=6),
    columns=st.booleans(),
)
def test_generated_paragraphs_round_trip(paragraphs, columns):
    # Single letters and figures alone are no text (see the test below).
    assume(has_words(paragraphs))
    if columns:
        page = report_page(1, 1, None, columns=paragraphs)
    else:
        page = report_page(1, 1, None, full=paragraphs)
    assert len(page.texts) < 60  # it fits on the page
    got = extract_paragraphs(make_pdf([page]), URL)
    assert got == [plain(p) for p in paragraphs]


def test_figures_and_single_letters_alone_are_no_text():
    page = report_page(1, 1, None, full=["1 2 3 a b c 4."])
    with pytest.raises(ExtractError, match="ingen tekst"):
        extract_paragraphs(make_pdf([page]), URL)


def test_a_single_short_line_is_still_text():
    # 19 letters, once taken for a scan's stray text; a page without pictures has real text.
    page = report_page(1, 1, None, full=["Borgeren på indsats år."])
    assert extract_paragraphs(make_pdf([page]), URL) == ["Borgeren på indsats år."]
