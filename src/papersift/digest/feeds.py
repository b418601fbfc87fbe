"""RSS 2.0 and Atom renderings of digests.

Entries are built with ElementTree, so every title, abstract and author is escaped as XML text;
characters XML 1.0 cannot carry (most control characters) are dropped. An entry's id depends only on
the paper (its arXiv id, DOI or store id), so a feed reader never shows the same paper twice.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import format_datetime

from .. import clock
from ..models import Recommendation
from . import present

ATOM_NS = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FeedItem:
    """One entry: a picked paper, with the day of the digest that picked it."""

    id: str
    title: str
    link: str | None
    summary: str
    published: dt.datetime
    authors: tuple[str, ...] = ()
    category: str | None = None


@dataclass(frozen=True)
class FeedInfo:
    title: str
    link: str
    id: str
    subtitle: str = ""
    self_link: str | None = None
    updated: dt.datetime = field(default_factory=clock.now)


def _clean(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def entry_id(rec: Recommendation) -> str:
    """A stable id for a pick's entry: its paper's arXiv id, DOI or store id (an id, never the link)."""
    ids = rec.paper.ids or {}
    for scheme in ("arxiv", "doi", "openreview", "s2"):
        if ids.get(scheme):
            return f"urn:papersift:{scheme}:{_clean(str(ids[scheme])).replace(' ', '%20')}"
    return f"urn:papersift:paper:{rec.paper.store_id}"


def item_from_recommendation(rec: Recommendation, published: dt.datetime) -> FeedItem:
    """One entry of a pick, worded and linked by :mod:`.present` as every channel is."""
    why = " ".join([*present.reasons(rec), *([f"Relevance {rec.relevance:.2f}."] if rec.relevance is not None else [])])
    summary = f"{why}\n\n{rec.paper.display_abstract}".strip()
    category = present.interest_name(rec)
    return FeedItem(
        id=entry_id(rec),
        title=_clean(present.title(rec)),
        link=present.paper_link(rec.paper),
        summary=_clean(summary),
        published=published,
        authors=tuple(_clean(a) for a in rec.paper.authors),
        category=_clean(category) if category else None,
    )


def items_from_recommendations(recs: Sequence[Recommendation], published: dt.datetime) -> list[FeedItem]:
    return [item_from_recommendation(r, published) for r in recs]


def _iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat(timespec="seconds")


def _rfc822(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return format_datetime(moment)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = _clean(text)
    return element


def render_rss(info: FeedInfo, items: Sequence[FeedItem]) -> str:
    ET.register_namespace("atom", ATOM_NS)
    rss = ET.Element("rss", {"version": "2.0"})
    channel = _sub(rss, "channel")
    _sub(channel, "title", info.title)
    _sub(channel, "link", info.link)
    _sub(channel, "description", info.subtitle or info.title)
    _sub(channel, "lastBuildDate", _rfc822(info.updated))
    _sub(channel, "generator", "papersift")
    if info.self_link:
        _sub(channel, f"{{{ATOM_NS}}}link", href=info.self_link, rel="self", type="application/rss+xml")
    for item in items:
        node = _sub(channel, "item")
        _sub(node, "title", item.title)
        if item.link:
            _sub(node, "link", item.link)
        _sub(node, "guid", item.id, isPermaLink="false")
        _sub(node, "pubDate", _rfc822(item.published))
        _sub(node, "description", item.summary)
        if item.category:
            _sub(node, "category", item.category)
    return _xml(rss)


def render_atom(info: FeedInfo, items: Sequence[FeedItem]) -> str:
    ET.register_namespace("", ATOM_NS)
    a = f"{{{ATOM_NS}}}"
    feed = ET.Element(f"{a}feed")
    _sub(feed, f"{a}title", info.title)
    if info.subtitle:
        _sub(feed, f"{a}subtitle", info.subtitle)
    _sub(feed, f"{a}id", info.id)
    _sub(feed, f"{a}updated", _iso(info.updated))
    _sub(feed, f"{a}link", href=info.link, rel="alternate")
    if info.self_link:
        _sub(feed, f"{a}link", href=info.self_link, rel="self")
    _sub(feed, f"{a}author").append(_named(a, "papersift"))
    _sub(feed, f"{a}generator", "papersift")
    for item in items:
        entry = _sub(feed, f"{a}entry")
        _sub(entry, f"{a}title", item.title)
        _sub(entry, f"{a}id", item.id)
        _sub(entry, f"{a}updated", _iso(item.published))
        _sub(entry, f"{a}published", _iso(item.published))
        if item.link:
            _sub(entry, f"{a}link", href=item.link, rel="alternate")
        for name in item.authors:
            _sub(entry, f"{a}author").append(_named(a, name))
        if item.category:
            _sub(entry, f"{a}category", term=item.category)
        _sub(entry, f"{a}summary", item.summary, type="text")
    return _xml(feed)


def _named(ns: str, name: str) -> ET.Element:
    element = ET.Element(f"{ns}name")
    element.text = _clean(name) or "unknown"
    return element


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render_feed(
    recs: Sequence[Recommendation], fmt: str, title: str, subtitle: str, link: str = "https://papersift.invalid/"
) -> str:
    """One digest as a feed (``fmt`` rss or atom): what ``papersift digest --format rss|atom`` writes."""
    now = clock.now().replace(microsecond=0)
    feed_id = "urn:papersift:digest:" + re.sub(r"\W+", "-", title).strip("-")
    info = FeedInfo(title=title, link=link, id=feed_id, subtitle=subtitle, updated=now)
    items = items_from_recommendations(recs, now)
    return render_rss(info, items) if fmt == "rss" else render_atom(info, items)
