from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from retskilde.scrapers.htmltext import clean_html, decode_html, paragraphs

DANISH = "Ankestyrelsen fastslår, at særlige behov for hjælp skal vurderes – også § 112."


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (DANISH.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + DANISH.encode("utf-8"), "utf-8 with BOM"),
        (DANISH.encode("cp1252"), "cp1252 without any declaration"),
        (
            b'<meta charset="utf-8">' + DANISH.encode("cp1252"),
            "cp1252 bytes that claim to be utf-8",
        ),
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
            + DANISH.encode("latin-1", errors="replace"),
            "latin-1 declared in meta only",
        ),
    ],
)
def test_decode_html_recovers_danish_letters(content, why):
    text = decode_html(content)
    assert "fastslår" in text and "særlige" in text, why
    assert "\ufffd" not in text.replace("?", ""), why


def test_paragraphs_follow_blocks_and_keep_inline_spacing():
    soup = BeautifulSoup(
        "<div><h2>Praksis</h2><p>Se <a href='/x'>12-19</a>.</p>"
        "<ul><li>Første</li><li><p>Anden</p></li></ul>løs tekst<br>med linjeskift"
        "<table><tr><th>A</th><td>1</td></tr></table></div>",
        "lxml",
    )
    assert paragraphs(soup.div) == [
        "Praksis",
        "Se 12-19.",
        "Første",
        "Anden",
        "løs tekst med linjeskift",
        "A | 1",
    ]


def test_clean_html_keeps_a_safe_subset_with_absolute_links():
    soup = BeautifulSoup(
        """<div class="x" onclick="evil()">
        <h1>Titel</h1><script>alert(1)</script><style>p{}</style>
        <p style="color:red">Tekst <a href="/media/a.pdf" target="_blank">bilag</a>
        <a href="javascript:alert(1)">klik</a> <img src="x.png" onerror="evil()"></p>
        <iframe src="https://example.org"></iframe><span>span-tekst</span>
        <div><div></div></div></div>""",
        "lxml",
    )
    html = clean_html(soup.div, "https://www.ast.dk/side")
    assert "<script" not in html and "alert" not in html and "<style" not in html
    assert "onclick" not in html and "style=" not in html and "class=" not in html
    assert "<img" not in html and "<iframe" not in html and "<span" not in html
    assert '<a href="https://www.ast.dk/media/a.pdf">bilag</a>' in html
    assert "klik" in html and "javascript" not in html
    assert "span-tekst" in html
    assert "<h2>Titel</h2>" in html
    assert "<div" not in html
