"""Write the PDF and DOCX files in examples/import/ (the TXT, Markdown and HTML are kept as text).

Every document here is fictional, written for Retskilde, and says so in its last line. Run
from the repository root: `.venv/bin/python examples/make_import_examples.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.scrapers.docmaker import docx_document, pdf_document  # noqa: E402
from tests.scrapers.pdfmaker import Heading  # noqa: E402

FOLDER = ROOT / "examples" / "import"
NOTE = "Eksempel: Dette er et fiktivt eksempeldokument skrevet til Retskilde."

NOTAT_HJEMVISNINGER = [
    "NOTAT",
    "Til: Beskæftigelsesudvalget",
    "Fra: Jobcenter Vejle, Enghavevej 2, 7100 Vejle",
    "Sagsnr.: 15.20.00-G01-4-25",
    "Dato: 3. marts 2025",
    "Hjemviste sager om sygedagpenge i 2024",
    Heading("Baggrund"),
    "Udvalget bad på mødet i januar om en redegørelse for de sager om sygedagpenge, som "
    "Ankestyrelsen har hjemvist til fornyet behandling i jobcentret i 2024.",
    Heading("Ankestyrelsens afgørelser"),
    "Ankestyrelsen traf i 2024 afgørelse i 41 klagesager om sygedagpenge fra Vejle Kommune. "
    "Kommunens afgørelse blev stadfæstet i 27 sager, ændret i 5 sager og hjemvist i 9 sager. "
    "I 7 af de hjemviste sager var begrundelsen, at kommunen ikke havde indhentet tilstrækkelige "
    "lægelige oplysninger, før den vurderede, om forlængelse efter sygedagpengelovens § 27 var "
    "mulig.",
    "Jobcentret har gennemgået de hjemviste sager og ændret arbejdsgangen, så der altid "
    "indhentes en opdateret lægeattest, før en forlængelsessag afgøres.",
    Heading("Videre forløb"),
    "Jobcentret orienterer udvalget igen, når Ankestyrelsens ankestatistik for 2025 foreligger.",
    NOTE,
]

NOTAT_FLEKSJOB = [
    "Notat",
    "Til: Beskæftigelsesudvalget",
    "Fra: Jobcenter Vejle, Enghavevej 2, 7100 Vejle",
    "12. juni 2025",
    "Svar på artikel i Vejle Amts Folkeblad om ventetid på fleksjob",
    "I avisens artikel den 9. juni 2025 oplyses det, at borgere i Vejle Kommune venter op til "
    "et år på at få en afgørelse om fleksjob, og at der er et loft over antallet af bevillinger.",
    "Der er ikke et loft over antallet af fleksjob. Kommunen skal i hver sag vurdere, om "
    "borgerens arbejdsevne er varigt og væsentligt nedsat, og om alle relevante tilbud er "
    "afprøvet, jf. lov om en aktiv beskæftigelsesindsats § 116. Sagen forelægges "
    "rehabiliteringsteamet, før der træffes afgørelse.",
    "Den gennemsnitlige sagsbehandlingstid fra ansøgning til afgørelse var 14 uger i 2024. "
    "Ankestyrelsen har i principmeddelelse 9-20 fastslået, at kommunen skal have et "
    "tilstrækkeligt oplyst grundlag, og jobcentret prioriterer derfor at indhente de "
    "nødvendige oplysninger tidligt i forløbet.",
    NOTE,
]

UDSPIL_RESSOURCEFORLOEB = [
    "Et udspil fra Foreningen af Sagsbehandlere i Jobcentre (eksempel)",
    Heading("Hvorfor et nyt udspil"),
    "Ressourceforløb skulle give borgere med komplekse problemer en sammenhængende indsats. "
    "Ankestyrelsens praksisundersøgelser viser, at planen for indsatsen mangler eller er for "
    "løs i hver fjerde sag, og at borgerne for ofte møder skiftende sagsbehandlere.",
    Heading("Vores forslag"),
    "1. Én koordinerende sagsbehandler i hele forløbet, med højst 35 sager.",
    "2. En plan for indsatsen senest fire uger efter rehabiliteringsteamets indstilling.",
    "3. Opfølgning med borgeren mindst hver tredje måned, som lov om en aktiv "
    "beskæftigelsesindsats allerede kræver.",
    "Foreningen af Sagsbehandlere i Jobcentre",
    "September 2025",
    NOTE,
]


def made() -> dict[str, bytes]:
    """The generated files, by their path under examples/import/."""
    return {
        "vejle-notater/notat-hjemviste-sygedagpengesager-2024.pdf": pdf_document(
            NOTAT_HJEMVISNINGER, title="Notat"
        ),
        "vejle-notater/notat-ventetid-fleksjob.docx": docx_document(NOTAT_FLEKSJOB),
        "udspil/udspil-ressourceforloeb.docx": docx_document(
            UDSPIL_RESSOURCEFORLOEB, title="Ressourceforløb, der hænger sammen: tre forslag"
        ),
    }


def main() -> None:
    for name, content in made().items():
        path = FOLDER / name
        path.write_bytes(content)
        print(f"{path.relative_to(ROOT)}: {len(content)} bytes")


if __name__ == "__main__":
    main()
