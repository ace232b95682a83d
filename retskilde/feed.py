"""A search as an Atom feed (RFC 4287): the newest matching documents, for a feed reader that
tells a caseworker or a journalist when something new matches her search."""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree import ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
# Documents without a date sort last in the feed and get this one (a feed entry needs one).
UNDATED = "1970-01-01T00:00:00Z"


@dataclass
class Entry:
    """One document in the feed."""

    id: str  # the source's own address: permanent, and the same in every feed
    title: str
    page_url: str  # its page on this site
    source_url: str
    date: str | None  # YYYY-MM-DD
    summary_html: str  # the snippet, with <mark> around the matched words
    author: str  # the source, as a reader knows it
    category: str  # the kind of document


def _timestamp(date: str | None) -> str:
    return f"{date[:10]}T00:00:00Z" if date else UNDATED


def atom_feed(
    title: str, feed_url: str, page_url: str, entries: list[Entry], subtitle: str | None = None
) -> bytes:
    """The feed as UTF-8 XML; its id is the feed's own address (the search is the feed)."""
    ET.register_namespace("", ATOM)

    def add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str):
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM}}}feed")
    add(feed, "id", feed_url)
    add(feed, "title", title)
    if subtitle:
        add(feed, "subtitle", subtitle)
    add(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    add(feed, "link", rel="alternate", type="text/html", href=page_url)
    add(feed, "updated", max((_timestamp(e.date) for e in entries), default=UNDATED))
    add(add(feed, "author"), "name", "Retskilde")
    add(feed, "generator", "Retskilde")
    for entry in entries:
        item = add(feed, "entry")
        add(item, "id", entry.id)
        add(item, "title", entry.title)
        add(item, "link", rel="alternate", type="text/html", href=entry.page_url)
        add(item, "link", rel="via", href=entry.source_url)
        add(item, "updated", _timestamp(entry.date))
        if entry.date:
            add(item, "published", _timestamp(entry.date))
        add(add(item, "author"), "name", entry.author)
        add(item, "category", term=entry.category)
        add(item, "summary", entry.summary_html, type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
