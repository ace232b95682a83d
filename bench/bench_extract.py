"""Benchmark text extraction (PDF, DOCX) and the STAR crawl offline; prints figures and ratios.

PDF: generated reports of growing length (full pages of Danish text, running heads, page
numbers, every other page in two columns), so the cost per page and how it scales are visible,
and the same files through pdfminer's own reading order for comparison. DOCX: a long generated
Word report. Crawl: STAR publications with a report each on the local test site, rate limit
off: our own cost per publication, first run and a second run where nothing changed.

    .venv/bin/python bench/bench_extract.py [--pages 10 40 160] [--publications 40]
"""

from __future__ import annotations

import argparse
import io
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import docx  # noqa: E402
from pdfminer.high_level import extract_text as pdfminer_text  # noqa: E402
from pdfminer.layout import LAParams  # noqa: E402

from retskilde.scrapers.extract import extract_paragraphs  # noqa: E402
from retskilde.scrapers.fetcher import Fetcher, FetchPolicy  # noqa: E402
from retskilde.scrapers.rawstore import RawStore  # noqa: E402
from retskilde.scrapers.sources.star import StarOptions, crawl_star  # noqa: E402
from tests.scrapers import fakesite  # noqa: E402
from tests.scrapers.pdfmaker import Heading, PdfPage, Text, make_pdf, report_page  # noqa: E402

SENTENCES = [
    "Kommunen skal holde den første samtale med borgeren inden for fire uger.",
    "Revisionen viser, at arbejdsevnen var tilstrækkeligt beskrevet i 71 procent af sagerne.",
    "Borgere på ledighedsydelse skal have en aktiv indsats, der kan føre til et fleksjob.",
    "Rehabiliteringsteamet indstillede til ressourceforløb i to ud af tre sager.",
    "Sygedagpengene kan forlænges efter lovens § 27, hvis betingelserne er opfyldt.",
    "I Aarhus, Hvidovre og Guldborgsund blev sagerne gennemgået sammen med lederne.",
]


def _paragraph(i: int) -> str:
    return " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(4))


def report(pages: int) -> bytes:
    """A report of `pages` full pages."""
    out = []
    for n in range(1, pages + 1):
        head = "Fokusrevision af indsatsen | Eksempel" if n > 1 else None
        body = [Heading(f"Afsnit {n}"), *(_paragraph(n + i) for i in range(4))]
        if n % 2:
            out.append(report_page(n, pages, head, full=body))
        else:
            out.append(report_page(n, pages, head, full=body[:1], columns=body[1:]))
    return make_pdf(out)


def pdfminer_default(content: bytes) -> str:
    """pdfminer.six's own extract_text: its default layout analysis and reading order."""
    return pdfminer_text(io.BytesIO(content), laparams=LAParams())


def timed(function, *args) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def bench_pdf(sizes: list[int]) -> None:
    print("PDF (generated reports; full pages, every other page two columns)")
    base = None
    for pages in sizes:
        content = report(pages)
        ours, paragraphs = timed(extract_paragraphs, content, "bench.pdf")
        theirs, _ = timed(pdfminer_default, content)
        per_page = ours / pages
        base = base or per_page
        print(
            f"  {pages:4d} pages {len(content) / 1024:7.0f} KiB: {ours:6.2f} s = "
            f"{pages / ours:6.1f} pages/s ({per_page * 1000:5.1f} ms/page, "
            f"x{per_page / base:.2f} of the smallest per page); {len(paragraphs)} paragraphs; "
            f"pdfminer's own reading order: {theirs:6.2f} s (ours x{ours / theirs:.2f})"
        )


def table_report(pages: int) -> bytes:
    """Pages of a 50 x 6 table: many small text boxes, where reading order costs the most."""
    out = []
    for _ in range(pages):
        texts = [
            Text(40 + column * 90, 780 - row * 14, f"Kommune {row}: {row * column} pct.", 8)
            for row in range(50)
            for column in range(6)
        ]
        out.append(PdfPage(texts))
    return make_pdf(out)


def bench_tables(pages: int) -> None:
    content = table_report(pages)
    ours, _ = timed(extract_paragraphs, content, "tabeller.pdf")
    theirs, _ = timed(pdfminer_default, content)
    print(
        f"  {pages:4d} table pages (300 cells each): {ours:6.2f} s = {pages / ours:6.1f} pages/s; "
        f"pdfminer's own reading order: {theirs:6.2f} s (pdfminer x{theirs / ours:.1f} slower)"
    )


def bench_docx(paragraphs: int) -> None:
    document = docx.Document()
    for i in range(paragraphs):
        document.add_paragraph(_paragraph(i))
    buffer = io.BytesIO()
    document.save(buffer)
    seconds, found = timed(extract_paragraphs, buffer.getvalue(), "bench.docx")
    assert len(found) == paragraphs
    print(
        f"DOCX: {paragraphs} paragraphs in {seconds:.2f} s = {paragraphs / seconds:,.0f} "
        "paragraphs/s"
    )


PAGE = """<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main><h1>{title}</h1><p>05-03-2025</p><p class="manchet">{lead}</p><p>{lead}</p>
<ul><li><a href="/media/{n}/rapport-{n}.pdf">Rapporten (pdf)</a></li></ul>
<p>Eksempel: Dette er et fiktivt eksempeldokument skrevet til Retskilde.</p></main></body></html>
"""


def bench_crawl(publications: int, pages: int) -> None:
    site = fakesite.FakeSite()
    server, _ = fakesite.start(site)
    listing = "/viden-og-tal/analyser/"
    try:
        links = []
        pdf = report(pages)
        for n in range(publications):
            path = f"{listing}analyse-{n}/"
            title = f"Analyse {n} af ledighedsydelse"
            site.add(path, PAGE.format(title=title, lead=SENTENCES[n % 6], n=n))
            site.add(f"/media/{n}/rapport-{n}.pdf", pdf, content_type="application/pdf")
            links.append(f'<li><a href="{path}">{title}</a></li>')
        site.add(listing, f"<main><ul>{''.join(links)}</ul></main>")
        with tempfile.TemporaryDirectory() as folder:
            corpus = Path(folder)
            options = StarOptions(
                corpus=corpus, base_url=site.base_url, listings=((listing, "analyse"),)
            )
            timings = []
            for _ in range(2):
                fetcher = Fetcher(RawStore(corpus / "star" / "raw"), FetchPolicy(rate=0))
                seconds, summary = timed(crawl_star, options, fetcher)
                fetcher.close()
                assert summary.ok, summary.failed
                timings.append((seconds, summary))
        (first, one), (second, two) = timings
        print(f"crawl: {publications} publications with a {pages}-page report each, rate limit off")
        print(
            f"  run 1 (all new): {first:6.2f} s = {first / publications * 1000:6.0f} ms per "
            f"publication; {one.fetched} fetched"
        )
        print(
            f"  run 2 (nothing changed): {second:6.2f} s = "
            f"{second / publications * 1000:6.1f} ms per publication; {two.fetched} fetched, "
            f"{two.not_modified} not modified; ratio run 1 / run 2: x{first / second:.0f}"
        )
        live = publications * 2 + 1  # requests at the default 1 per second
        print(
            f"  our cost in run 1 vs. the {live} s the same requests take live at 1 req/s: "
            f"{first / live:.1%}"
        )
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[10, 40, 160])
    parser.add_argument("--table-pages", type=int, default=10)
    parser.add_argument("--docx-paragraphs", type=int, default=2000)
    parser.add_argument("--publications", type=int, default=40)
    parser.add_argument("--report-pages", type=int, default=20)
    args = parser.parse_args()
    bench_pdf(args.pages)
    bench_tables(args.table_pages)
    bench_docx(args.docx_paragraphs)
    bench_crawl(args.publications, args.report_pages)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS): {peak:.0f} MB")


if __name__ == "__main__":
    main()
