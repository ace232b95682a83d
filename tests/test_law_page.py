"""The law page: the paragraphs the documents apply, counted as law_references counts them, and
the newest documents that refer to the law; reached from the document page."""

from __future__ import annotations

import html
import re

import pytest

from retskilde.db.sqlite import sqlite3
from retskilde.site import make_datasette


@pytest.fixture
def site(sample_db):
    return make_datasette(sample_db)


def _rows(page: str) -> dict[str, tuple[int, int]]:
    """Paragraph -> (documents, decisions) as the page's table shows them."""
    found = {}
    for cells in re.findall(r"<tr>\s*<td>§ ([^<]+)</td>(.*?)</tr>", page, re.S):
        numbers = re.findall(r'<td class="tal">(?:<a [^>]*>)?(\d+)', cells[1])
        found[cells[0]] = (int(numbers[0]), int(numbers[1]))
    return found


async def test_the_law_page_counts_the_documents_per_paragraph(site, sample_db):
    response = await site.client.get("/retskilde/laws/serviceloven")
    assert response.status_code == 200
    page = response.text
    assert "<h1>Lov om social service</h1>" in page and "SEL" in page
    conn = sqlite3.connect(sample_db)
    expected = {
        paragraph: (documents, decisions)
        for paragraph, documents, decisions in conn.execute(
            "select r.paragraph, count(distinct r.document_id), count(distinct case when "
            "d.doc_type = 'principmeddelelse' then d.id end) from law_references r join "
            "documents d on d.id = r.document_id where r.law_id = 'serviceloven' group by 1"
        )
    }
    shown = _rows(page)
    assert shown == expected and shown["112"][0] > 1
    # In the law's order: § 41 before § 112 before § 116 (not as text: "112" < "41").
    order = list(shown)
    assert order.index("41") < order.index("112") < order.index("116")
    # Each count leads to the documents, each paragraph to a search.
    assert "anvender_paragraf?lov=serviceloven&amp;paragraf=112" in page
    assert "/-/sok?q=serviceloven%20%C2%A7%20112" in page


async def test_the_newest_documents_are_listed_newest_first(site):
    page = (await site.client.get("/retskilde/laws/serviceloven")).text
    section = page.split("Nyeste dokumenter, der henviser til loven")[1]
    dates = re.findall(r"–[^,<]*, (\d{4}-\d{2}-\d{2})", html.unescape(section))
    assert dates and dates == sorted(dates, reverse=True)


async def test_a_replaced_law_and_its_successor_point_at_each_other(site):
    old = (await site.client.get("/retskilde/laws/dagpengeloven")).text
    assert "Afløst af" in old and "/retskilde/laws/sygedagpengeloven" in old
    assert "Ingen dokumenter i samlingen henviser til loven." in old
    new = (await site.client.get("/retskilde/laws/sygedagpengeloven")).text
    assert "Afløste:" in new and "/retskilde/laws/dagpengeloven" in new


async def test_the_document_page_links_its_laws(site, sample_db):
    conn = sqlite3.connect(sample_db)
    document_id, law_id = conn.execute(
        "select document_id, law_id from law_references where law_id is not null limit 1"
    ).fetchone()
    page = (await site.client.get(f"/retskilde/documents/{document_id}")).text
    assert f'href="/retskilde/laws/{law_id}"' in page
