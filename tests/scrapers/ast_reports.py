"""The report the recorded praksisundersøgelse page links to, generated here (a fictional
example in Danish), with the paragraphs the record must get from it."""

from __future__ import annotations

from tests.scrapers.pdfmaker import Heading, make_pdf, plain, report_page

REPORT_PATH = "/media/2025/praksisundersoegelse-fleksjob-2025.pdf"
HEAD = "Praksisundersøgelse om kommunernes afgørelser om fleksjob | Eksempel"
FIRST_PAGE = [
    Heading("Praksisundersøgelse om kommunernes afgørelser om fleksjob"),
    "Ankestyrelsen, januar 2025",
    Heading("Sammenfatning"),
    "Ankestyrelsen har gennemgået 120 afgørelser om visitation til fleksjob fra otte "
    "kommuner. I 40 af sagerne var afgørelsen ikke rigtig eller tvivlsom, oftest fordi "
    "arbejdsevnen ikke var tilstrækkeligt belyst gennem virksomheds|\npraktik eller "
    "lægelige oplysninger.",
]
SECOND_PAGE = [
    Heading("Undersøgelsens resultater"),
    "I 28 sager havde kommunen ikke indhentet en opdateret lægeattest, selvom borgerens "
    "helbred havde ændret sig siden ressourceforløbet.",
    "I 12 sager manglede en konkret vurdering af, om borgeren kunne arbejde i et fleksjob "
    "med meget få timer om ugen.",
    Heading("Anbefalinger"),
    "Kommunerne bør sikre, at rehabiliteringsteamets indstilling bygger på aktuelle "
    "oplysninger, og at afgørelsen forholder sig til alle borgerens skånehensyn.",
    "Eksempel: Dette er et fiktivt eksempeldokument skrevet til Retskilde.",
]


def praksisundersoegelse_fleksjob() -> bytes:
    """Two pages with a running head and page numbers; a word hyphenated over a line end."""
    pages = [
        report_page(1, 2, None, full=FIRST_PAGE),
        report_page(2, 2, HEAD, full=SECOND_PAGE),
    ]
    return make_pdf(pages, title="Praksisundersøgelse om kommunernes afgørelser om fleksjob")


def report_paragraphs() -> list[str]:
    """What the extraction must read: the paragraphs, without heads, footers or hyphens."""
    return [plain(paragraph) for paragraph in [*FIRST_PAGE, *SECOND_PAGE]]
