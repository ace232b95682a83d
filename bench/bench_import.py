"""Benchmark `retskilde import` on a folder of generated notater: files/s and pages/s.

Half the files are PDFs and half DOCX, each a memo with a Til/Fra block and `--pages` pages of
Danish text. Three runs into one corpus: the first import, the same folder again (nothing
changed: every file read, hashed and compared, nothing written), and after every file was
changed (each record updated in place). Figures are printed with the share of the time spent
reading the files (text extraction), the part the import shares with the scrapers.

    .venv/bin/python bench/bench_import.py [--files 40] [--pages 4]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retskilde.scrapers.importer import import_paths  # noqa: E402
from retskilde.scrapers.importread import read_file  # noqa: E402
from tests.scrapers.docmaker import docx_document, pdf_document  # noqa: E402
from tests.scrapers.pdfmaker import Heading  # noqa: E402

SENTENCES = [
    "Jobcentret har gennemgået sagerne om ressourceforløb og fleksjob fra det seneste år.",
    "Ankestyrelsen hjemviste ni sager, fordi de lægelige oplysninger ikke var tilstrækkelige.",
    "Sagsbehandlingstiden var i gennemsnit 14 uger fra ansøgning til afgørelse.",
    "Rehabiliteringsteamet indstillede til ressourceforløb i to ud af tre sager.",
    "Sygedagpengene kan forlænges efter lovens § 27, hvis betingelserne er opfyldt.",
    "Udvalget orienteres igen, når ankestatistikken for året foreligger.",
]
# About one A4 page of 10 pt text per section (a heading and four paragraphs of four sentences).
PARAGRAPHS_PER_PAGE = 4


def memo(number: int, pages: int, version: int = 0) -> list[str | Heading]:
    body: list[str | Heading] = [
        "NOTAT",
        "Til: Beskæftigelsesudvalget",
        "Fra: Jobcenter Vejle, Enghavevej 2, 7100 Vejle",
        f"{1 + number % 28}. marts 2025",
        f"Notat nr. {number} om sager i jobcentret (version {version})",
    ]
    for page in range(pages):
        body.append(Heading(f"Afsnit {page + 1}"))
        for i in range(PARAGRAPHS_PER_PAGE):
            body.append(" ".join(SENTENCES[(number + page + i + k) % 6] for k in range(5)))
    body.append("Eksempel: Dette er et fiktivt eksempeldokument skrevet til Retskilde.")
    return body


def make_folder(folder: Path, files: int, pages: int, version: int = 0) -> int:
    """Write the files; returns the number of PDF pages written (DOCX has no fixed pages)."""
    pdf_pages = 0
    for n in range(files):
        if n % 2:
            (folder / f"notat-{n:04d}.docx").write_bytes(docx_document(memo(n, pages, version)))
        else:
            content = pdf_document(memo(n, pages, version))
            pdf_pages += content.count(b"/Type /Page ")
            (folder / f"notat-{n:04d}.pdf").write_bytes(content)
    return pdf_pages


def timed(label: str, folder: Path, corpus: Path, files: int, pages: int) -> float:
    start = time.perf_counter()
    report = import_paths([folder], corpus)
    seconds = time.perf_counter() - start
    assert not report.failures, report.failures[0].error
    outcomes = {str(r.outcome) for r in report.results}
    print(
        f"{label:28} {seconds:7.2f} s  {files / seconds:7.1f} filer/s  "
        f"{pages / seconds:7.1f} sider/s  ({', '.join(sorted(outcomes))})"
    )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--pages", type=int, default=4, help="sider tekst pr. fil")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder, corpus = Path(tmp) / "notater", Path(tmp) / "corpus"
        folder.mkdir()
        pdf_pages = make_folder(folder, args.files, args.pages)
        pages = pdf_pages * 2  # the DOCX files hold the same text as the PDFs
        print(
            f"{args.files} filer ({args.files // 2 + args.files % 2} PDF, {args.files // 2} "
            f"DOCX), ~{pages} sider i alt"
        )
        start = time.perf_counter()
        for file in sorted(folder.iterdir()):
            read_file(file, file.name)
        reading = time.perf_counter() - start
        first = timed("første import", folder, corpus, args.files, pages)
        again = timed("samme mappe igen", folder, corpus, args.files, pages)
        make_folder(folder, args.files, args.pages, version=1)
        changed = timed("alle filer ændret", folder, corpus, args.files, pages)
        print(
            f"tekstudtræk alene {reading:.2f} s = {reading / first:.0%} af første import; "
            f"uændret/første {again / first:.2f}, ændret/første {changed / first:.2f}"
        )


if __name__ == "__main__":
    main()
