"""The reports the recorded STAR pages link to, generated here (fictional examples, in Danish).

Each is made afresh by the tests (same bytes every time): PDFs with pdfmaker (running heads,
page numbers, two columns, hyphenated line breaks, æ ø å), a DOCX with python-docx (with a
header, a footer and a table). `DOCUMENTS` maps the URL path a page links to onto a maker.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

import docx

from tests.scrapers.pdfmaker import Heading, make_pdf, report_page

EXAMPLE = "Eksempel: Dette er et fiktivt eksempeldokument skrevet til Retskilde."
STAR = "Styrelsen for Arbejdsmarked og Rekruttering"


def fokusrevision_ledighedsydelse() -> bytes:
    """A three-page report: title page, a two-column page, recommendations."""
    head = "Fokusrevision af indsatsen for borgere på ledighedsydelse | Eksempel"
    pages = [
        report_page(
            1,
            3,
            None,
            full=[
                Heading("Fokusrevision af indsatsen for borgere på ledighedsydelse"),
                f"{STAR}, marts 2025",
                Heading("Ledelsesresumé"),
                "Fokusrevisionen omfatter 240 sager fra 12 kommuner, herunder Aarhus, Hvidovre "
                "og Guldborgsund. Alle borgere i stikprøven havde været på ledighedsydelse i mere "
                "end 12 måneder ved udgangen af 2024.",
                "71 procent af borgerne havde haft en jobsamtale inden for de seneste tre "
                "måneder, og 38 procent havde deltaget i et virksomheds|\nrettet tilbud i løbet af "
                "det seneste år. I 15 procent af sagerne var der ikke fulgt op på, om borgeren "
                "fortsat opfyldte betingelserne for fleksjob.",
            ],
        ),
        report_page(
            2,
            3,
            head,
            full=[Heading("Metode og stikprøve")],
            columns=[
                "Revisionen bygger på en gennemgang af 20 sager i hver kommune. Sagerne er "
                "udvalgt tilfældigt blandt borgere, der modtog ledighedsydelse den 1. oktober "
                "2024.",
                "Revisor har vurderet, om jobcentret har beskrevet borgerens arbejdsevne, "
                "skånehensyn og ønsker til beskæf|\ntigelse, og om der er fulgt op efter lov "
                "om en aktiv beskæftigelsesindsats § 127.",
                "Sagerne er desuden gennemgået med den ansvarlige leder, så fundene kan indgå i "
                "ledelsestilsynet og i indsatsen for EU-\nborgere og andre grupper med særlige "
                "behov.",
                "Resultaterne er vægtet efter kommunernes størrelse.",
            ],
            split_line=9,
        ),
        report_page(
            3,
            3,
            head,
            full=[
                Heading("Anbefalinger"),
                "STAR anbefaler, at kommunerne fastlægger en fast opfølgning hver tredje måned, "
                "og at indsatsen på tværs af social-\nog beskæftigelsesområdet koordineres i "
                "borgerens plan.",
                EXAMPLE,
            ],
        ),
    ]
    return make_pdf(pages, title="Fokusrevision af indsatsen for borgere på ledighedsydelse")


# What a reader of the PDF above sees, paragraph by paragraph (written by hand, not computed).
FOKUSREVISION_LEDIGHEDSYDELSE_TEXT = [
    "Fokusrevision af indsatsen for borgere på ledighedsydelse",
    f"{STAR}, marts 2025",
    "Ledelsesresumé",
    "Fokusrevisionen omfatter 240 sager fra 12 kommuner, herunder Aarhus, Hvidovre og "
    "Guldborgsund. Alle borgere i stikprøven havde været på ledighedsydelse i mere end 12 "
    "måneder ved udgangen af 2024.",
    "71 procent af borgerne havde haft en jobsamtale inden for de seneste tre måneder, og 38 "
    "procent havde deltaget i et virksomhedsrettet tilbud i løbet af det seneste år. I 15 "
    "procent af sagerne var der ikke fulgt op på, om borgeren fortsat opfyldte betingelserne "
    "for fleksjob.",
    "Metode og stikprøve",
    "Revisionen bygger på en gennemgang af 20 sager i hver kommune. Sagerne er udvalgt "
    "tilfældigt blandt borgere, der modtog ledighedsydelse den 1. oktober 2024.",
    "Revisor har vurderet, om jobcentret har beskrevet borgerens arbejdsevne, skånehensyn og "
    "ønsker til beskæftigelse, og om der er fulgt op efter lov om en aktiv "
    "beskæftigelsesindsats § 127.",
    "Sagerne er desuden gennemgået med den ansvarlige leder, så fundene kan indgå i "
    "ledelsestilsynet og i indsatsen for EU-borgere og andre grupper med særlige behov.",
    "Resultaterne er vægtet efter kommunernes størrelse.",
    "Anbefalinger",
    "STAR anbefaler, at kommunerne fastlægger en fast opfølgning hver tredje måned, og at "
    "indsatsen på tværs af social- og beskæftigelsesområdet koordineres i borgerens plan.",
    EXAMPLE,
]


def analyse_praktik() -> bytes:
    """A two-page analysis: summary, then method in two columns."""
    head = "Virksomhedspraktik for sygemeldte i jobafklaringsforløb | Eksempel"
    pages = [
        report_page(
            1,
            2,
            None,
            full=[
                Heading("Virksomhedspraktik for sygemeldte i jobafklaringsforløb"),
                Heading("Sammenfatning"),
                "Et år efter forløbets start var 31 procent af deltagerne i praktik tilbage i "
                "ordinær beskæftigelse, mod 22 procent i sammenligningsgruppen. Effekten er "
                "størst, når praktikken foregår på borgerens egen arbejdsplads og optrappes "
                "gradvist.",
                "Praktikker på under fire uger har ingen målbar effekt på tilbagevenden til "
                "arbejde.",
            ],
        ),
        report_page(
            2,
            2,
            head,
            full=[Heading("Data og metode")],
            columns=[
                "Analysen bygger på registerdata fra DREAM og Det Fælles Datagrundlag for "
                "18.400 forløb. Deltagerne er sammenlignet med borgere, der ligner dem på "
                "alder, køn, helbred, forsørgelseshistorik og bopælskommune.",
                "Der er anvendt propensity score matching. Forskelle, der ikke kan ses i "
                "registrene, fx motivation, kan ikke udelukkes, og effekterne skal derfor "
                "tolkes som et øvre skøn.",
                Heading("Forbehold"),
                "Resultaterne gælder for forløb påbegyndt før ændringen af sygedagpengeloven i "
                "2023.",
                EXAMPLE,
            ],
        ),
    ]
    return make_pdf(pages, title="Virksomhedspraktik for sygemeldte i jobafklaringsforløb")


def fokusrevision_ressourceforloeb() -> bytes:
    """A one-page report linked from a news item, not from an overview."""
    pages = [
        report_page(
            1,
            1,
            None,
            full=[
                Heading("Fokusrevision af kommunernes opfølgning i ressourceforløb"),
                f"{STAR}, december 2025",
                Heading("Resultater"),
                "Revisionen omfatter 180 sager fra ni kommuner. I 84 procent af sagerne var "
                "de lovpligtige samtaler holdt, men kun i 52 procent var indsatsdelen af "
                "rehabiliteringsplanen opdateret inden for det seneste halve år.",
                EXAMPLE,
            ],
        )
    ]
    return make_pdf(pages, title="Fokusrevision af kommunernes opfølgning i ressourceforløb")


def kortlaegning_unge() -> bytes:
    """A Word report with a running head and footer (which are not body text) and a table."""
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = f"{STAR} | Eksempel"
    section.footer.paragraphs[0].text = "Side 1"
    document.core_properties.author = "Retskilde (eksempel)"
    document.add_heading("Kortlægning af unge på uddannelseshjælp", level=1)
    document.add_paragraph(
        "Kortlægningen omfatter 30.200 unge under 30 år, der modtog uddannelseshjælp i "
        "december 2023. 62 procent var vurderet aktivitetsparate, og 38 procent var vurderet "
        "uddannelsesparate."
    )
    document.add_heading("Indsatser", level=2)
    paragraph = document.add_paragraph("De fleste unge havde fået et uddannelsespålæg, ")
    paragraph.add_run("men kun hver fjerde var i gang med et forløb på en uddannelsesinstitution.")
    table = document.add_table(rows=3, cols=2)
    for row, (left, right) in enumerate(
        [("Indsats", "Andel"), ("Uddannelsespålæg", "81 pct."), ("Virksomhedspraktik", "24 pct.")]
    ):
        table.cell(row, 0).text = left
        table.cell(row, 1).text = right
    document.add_paragraph("")
    document.add_paragraph(EXAMPLE)
    buffer = io.BytesIO()
    document.save(buffer)
    return _stable_zip(buffer.getvalue())


def _stable_zip(data: bytes) -> bytes:
    # python-docx stamps the current time into the package; fix it so the bytes never change.
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda i: i.filename):
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"<dcterms:(created|modified)[^>]*>[^<]*<", _fixed_time, body)
            stable = zipfile.ZipInfo(info.filename, date_time=(2024, 9, 10, 12, 0, 0))
            stable.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(stable, body)
    return out.getvalue()


def _fixed_time(match: re.Match[bytes]) -> bytes:
    tag = match.group(1)
    return b'<dcterms:%s xsi:type="dcterms:W3CDTF">2024-09-10T12:00:00Z<' % tag


DOCUMENTS: dict[str, Callable[[], bytes]] = {
    "/media/48213/fokusrevision-ledighedsydelse-og-fleksjob.pdf": fokusrevision_ledighedsydelse,
    "/media/51877/analyse-praktik-i-jobafklaringsforloeb.pdf": analyse_praktik,
    "/media/47002/kortlaegning-unge-paa-uddannelseshjaelp.docx": kortlaegning_unge,
}
# Reports linked only from news items: found through the sitemap, never through an overview.
NEWS_DOCUMENTS: dict[str, Callable[[], bytes]] = {
    "/media/51122/fokusrevision-ressourceforloeb-2025.pdf": fokusrevision_ressourceforloeb,
}
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
