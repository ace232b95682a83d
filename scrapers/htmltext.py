"""HTML helpers shared by the scrapers: decode bytes, clean to a safe subset, extract plain text."""

from __future__ import annotations

import codecs
import re
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlparse

if TYPE_CHECKING:
    from bs4 import BeautifulSoup, NavigableString, Tag


# Tags kept in the cleaned HTML; everything else is unwrapped (its text kept) or dropped.
ALLOWED_TAGS = {
    "h2",
    "h3",
    "h4",
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "b",
    "i",
    "a",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "dl",
    "dt",
    "dd",
}
# Dropped with their content: code, page chrome and embedded objects never belong in a record.
DROPPED_TAGS = {
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "svg",
    "form",
    "input",
    "select",
    "textarea",
    "nav",
    "header",
    "footer",
    "img",
    "picture",
    "video",
    "audio",
}
BLOCK_TAGS = {
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "li",
    "blockquote",
    "tr",
    "dt",
    "dd",
    "pre",
    "div",
    "section",
    "article",
    "ul",
    "ol",
    "table",
    "thead",
    "tbody",
    "dl",
}
HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_SPACE = re.compile(r"\s+")


def decode_html(content: bytes) -> str:
    """Text of an HTML page whatever it claims: BOM, then strict UTF-8, then <meta>, then cp1252."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16")):
        if content.startswith(bom):
            return content[len(bom) :].decode(encoding, errors="replace")
    # Strict UTF-8 first: Latin-1 bytes for æ/ø/å almost never form valid UTF-8, so a page
    # that decodes cleanly is UTF-8 whatever its header or <meta> says.
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    match = _META_CHARSET.search(content[:4096])
    if match:
        try:
            codec = codecs.lookup(match.group(1).decode("ascii"))
        except LookupError:
            codec = None
        if codec is not None and codec.name != "utf-8":
            return content.decode(codec.name, errors="replace")
    # Danish pages that are not UTF-8 are in practice Windows-1252 (a superset of Latin-1).
    return content.decode("cp1252", errors="replace")


def soup_of(content: bytes) -> BeautifulSoup:
    """A parsed HTML document (lxml), decoded with `decode_html`."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(decode_html(content), "lxml")


def squash(text: str) -> str:
    """Whitespace runs (including non-breaking spaces) as one space, trimmed."""
    return _SPACE.sub(" ", text.replace("\u00a0", " ")).strip()


def _has_block_child(tag: Tag) -> bool:
    from bs4 import Tag

    return any(isinstance(d, Tag) and d.name in BLOCK_TAGS for d in tag.descendants)


def _inline_text(node: Tag | NavigableString) -> str:
    # Strings are joined as they stand ("<a>pdf</a>." stays "pdf."); only <br> and cells add space.
    from bs4 import Comment, NavigableString

    if isinstance(node, Comment):
        return ""
    if isinstance(node, NavigableString):
        return str(node)
    if node.name == "br":
        return " "
    if node.name == "tr":
        return " | ".join(squash(_inline_text(cell)) for cell in node.find_all(["th", "td"]))
    return "".join(_inline_text(child) for child in node.children)


def inline_text(node: Tag) -> str:
    """The text of `node` on one line, spaced as a reader sees it."""
    return squash(_inline_text(node))


def paragraphs(node: Tag) -> list[str]:
    """The text of `node` as paragraphs: one per block element, headings their own paragraph."""
    from bs4 import Comment, Tag

    out: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = squash("".join(buffer))
        if text:
            out.append(text)
        buffer.clear()

    for child in node.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, Tag) and (child.name in BLOCK_TAGS or _has_block_child(child)):
            flush()
            if child.name != "tr" and _has_block_child(child):
                out.extend(paragraphs(child))
            else:
                text = squash(_inline_text(child))
                if text:
                    out.append(text)
        else:
            buffer.append(_inline_text(child))
    flush()
    return out


def _safe_href(href: str, base_url: str) -> str | None:
    absolute = urljoin(base_url, href.strip())
    return absolute if urlparse(absolute).scheme in ("http", "https") else None


def clean_html(node: Tag, base_url: str) -> str:
    """`node`'s content reduced to a safe tag subset, no attributes but absolute http(s) links."""
    from bs4 import BeautifulSoup, Comment

    fragment = BeautifulSoup(str(node), "lxml")
    root = fragment.body or fragment
    for comment in root.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in root.find_all(DROPPED_TAGS):
        tag.decompose()
    for tag in root.find_all(True):
        if tag.name in ("h1", "h5", "h6"):
            # The page title is a record field; deeper headings fold into the kept levels.
            tag.name = "h2" if tag.name == "h1" else "h4"
        if tag.name not in ALLOWED_TAGS:
            tag.unwrap()
            continue
        href = tag.get("href") if tag.name == "a" else None
        tag.attrs = {}
        if tag.name == "a":
            safe = _safe_href(href, base_url) if isinstance(href, str) else None
            if safe is None:
                tag.unwrap()
            else:
                tag["href"] = safe
    # Drop elements left empty by the cleaning (wrappers around removed chrome).
    for tag in reversed(root.find_all(True)):
        if tag.name not in ("br",) and not tag.get_text(strip=True) and not tag.find("br"):
            tag.decompose()
    html = "".join(str(child) for child in root.children)
    html = re.sub(r">\s+<", ">\n<", html)
    return html.strip()


def link_title(tag: Tag) -> str:
    """A link's visible text, or the file name of its target when the text is empty."""
    text = inline_text(tag)
    if text:
        return text
    href = tag.get("href") or ""
    return href.rstrip("/").rsplit("/", 1)[-1] or href
