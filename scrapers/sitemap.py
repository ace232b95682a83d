"""Parse XML sitemaps (urlset and sitemapindex, plain or .xml.gz) into entries with <lastmod>."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from retskilde.scrapers.errors import SourceError

if TYPE_CHECKING:
    from lxml import etree

# sitemaps.org: a sitemap is at most 50 MB uncompressed; more is a broken or hostile file.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
MAX_SITEMAPS = 500  # child sitemaps followed from one root, nested indexes included
MAX_DEPTH = 3  # index → index → urlset is as deep as real sites go
_GZIP_MAGIC = b"\x1f\x8b"


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


def _gunzip(content: bytes, url: str) -> bytes:
    """The XML inside a gzipped sitemap, refusing more than MAX_SITEMAP_BYTES."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        xml = inflater.decompress(content, MAX_SITEMAP_BYTES + 1)
    except zlib.error as exc:
        raise SitemapError(url, f"gzip-filen kan ikke pakkes ud ({exc})") from exc
    if len(xml) > MAX_SITEMAP_BYTES:
        raise SitemapError(url, f"udpakket over {MAX_SITEMAP_BYTES // (1024 * 1024)} MB")
    return xml


def parse_sitemap(content: bytes, url: str) -> Sitemap:
    """The pages (urlset) or child sitemaps (sitemapindex) listed in `content`.

    A gzipped sitemap (`sitemap.xml.gz`, served as a file rather than with Content-Encoding)
    is recognised by its bytes, whatever its name.
    """
    if content[:2] == _GZIP_MAGIC:
        content = _gunzip(content, url)
    # No entity expansion and no network: a sitemap is data, never a way to read local files.
    from lxml import etree

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


@dataclass
class SitemapWalk:
    """Every page of a sitemap tree, and the sitemaps of it that could not be read."""

    entries: list[SitemapEntry] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)


def walk_sitemaps(
    root_url: str,
    fetch: Callable[[str], bytes],
    errors: tuple[type[Exception], ...] = (),
) -> SitemapWalk:
    """The pages of the sitemap at `root_url` and of every sitemap its indexes name, nested too.

    `fetch` returns a URL's bytes; the exceptions in `errors` (a failed fetch) and SitemapError
    make a child a named failure. The root failing raises: without it there is nothing to walk.
    Each page once (first <lastmod> kept); a sitemap once, however often an index names it.
    """
    walk = SitemapWalk()
    seen_pages: set[str] = set()
    seen_maps = {root_url}
    queue: list[tuple[str, int]] = [(root_url, 0)]
    while queue:
        url, depth = queue.pop(0)
        try:
            sitemap = parse_sitemap(fetch(url), url)
        except (SitemapError, *errors) as exc:
            if url == root_url:
                raise
            walk.failures.append((url, str(exc)))
            continue
        for entry in sitemap.entries:
            if entry.loc not in seen_pages:
                seen_pages.add(entry.loc)
                walk.entries.append(entry)
        for child in sitemap.children:
            if child.loc in seen_maps:
                continue
            if depth + 1 > MAX_DEPTH or len(seen_maps) >= MAX_SITEMAPS:
                walk.failures.append((child.loc, "for mange eller for dybt indlejrede sitemaps"))
                continue
            seen_maps.add(child.loc)
            queue.append((child.loc, depth + 1))
    return walk
