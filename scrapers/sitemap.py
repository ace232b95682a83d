"""Parse XML sitemaps (urlset and sitemapindex) into entries with their <lastmod>."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from scrapers.errors import SourceError


class SitemapError(SourceError):
    """A sitemap that is not a readable urlset or sitemapindex."""


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    lastmod: str | None = None


@dataclass
class Sitemap:
    entries: list[SitemapEntry] = field(default_factory=list)
    children: list[SitemapEntry] = field(default_factory=list)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child_text(element: etree._Element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name and child.text and child.text.strip():
            return child.text.strip()
    return None


def parse_sitemap(content: bytes, url: str) -> Sitemap:
    """The pages (urlset) or child sitemaps (sitemapindex) listed in `content`."""
    # No entity expansion and no network: a sitemap is data, never a way to read local files.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False, huge_tree=True)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise SitemapError(url, f"ikke gyldig XML ({exc})") from exc
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise SitemapError(url, f"rod-elementet er <{kind}>, ikke <urlset> eller <sitemapindex>")
    sitemap = Sitemap()
    wanted = "url" if kind == "urlset" else "sitemap"
    target = sitemap.entries if kind == "urlset" else sitemap.children
    for element in root:
        if _local(element.tag) != wanted:
            continue
        loc = _child_text(element, "loc")
        if loc:
            target.append(SitemapEntry(loc, _child_text(element, "lastmod")))
    return sitemap
