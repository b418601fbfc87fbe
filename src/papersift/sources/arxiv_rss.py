"""arXiv daily announcement feeds (rss.arxiv.org): RSS 2.0 and the Atom variant.

Each item's description reads ``arXiv:2411.17700v1 Announce Type: new Abstract: ...``;
the announce type (new, cross, replace, replace-cross) is kept in ``extra``. A
day without announcements is a valid channel with no items: the result is
empty and ``meta["empty_day"]`` is True, so a caller can tell it from a failure.
A feed for an unknown archive ("Feed error for query") is an InputError.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element

from ..errors import InputError
from ..identity import normalize_arxiv_id
from ..models import Paper, Provenance
from .base import ParseResult, split_plain_authors
from .common import (
    add_arxiv_from_url,
    add_doi,
    child_text,
    children,
    iso_date,
    local_name,
    note_missing_abstracts,
    parse_xml,
    skip_without_text,
    unique,
    xml_head,
)
from .sanitize import reader

FORMAT = "arxiv-rss"
_WHAT = "arXiv RSS"
_DESCRIPTION = re.compile(
    r"^\s*arXiv:(?P<id>\S+)\s+Announce Type:\s*(?P<type>[\w-]+)\s*(?:Abstract:\s*)?(?P<abstract>.*)$", re.DOTALL
)


def looks_like(text: str) -> bool:
    head = xml_head(text)
    if "<rss" in head:
        return "arxiv" in head.lower()
    return "<feed" in head and "opensearch" not in head and ("rss.arxiv.org" in head or "announce_type" in text[:20000])


def _item_paper(item: Element, atom: bool, origin: str, record: int) -> tuple[str, str, Paper] | None:
    title = child_text(item, "title")
    description = child_text(item, "summary" if atom else "description")
    match = _DESCRIPTION.match(description)
    ids: dict[str, str] = {}
    version: int | None = None
    if match:
        abstract = match.group("abstract").strip()
        announce_type = match.group("type")
        raw_id = match.group("id")
    else:
        abstract = description
        announce_type = child_text(item, "announce_type")
        raw_id = child_text(item, "id" if atom else "guid")
    announce_type = child_text(item, "announce_type") or announce_type
    arxiv = normalize_arxiv_id(raw_id) or normalize_arxiv_id(child_text(item, "id" if atom else "guid"))
    if arxiv:
        ids["arxiv"] = arxiv
        tail = raw_id.rsplit("v", 1)[-1]
        version = int(tail) if tail.isdigit() and raw_id != tail else None
    link = next((lk.get("href", "") for lk in children(item, "link")), "") if atom else child_text(item, "link")
    add_arxiv_from_url(ids, link)
    if "arxiv" not in ids:
        return None
    add_doi(ids, child_text(item, "DOI") or child_text(item, "doi"))
    authors: list[str] = []
    for creator in children(item, "creator"):
        authors.extend(split_plain_authors("".join(creator.itertext())))
    categories = [c.get("term", "") for c in children(item, "category")] if atom else []
    categories = unique(categories or ["".join(c.itertext()) for c in children(item, "category")])
    announced = iso_date(child_text(item, "published" if atom else "pubDate"))
    extra: dict[str, Any] = {"announce_type": announce_type or None, "categories": categories}
    if announced:
        extra["announced"] = announced
    if version:
        extra["version"] = version
    if child_text(item, "rights"):
        extra["license"] = child_text(item, "rights")
    paper = Paper(
        title=title,
        abstract=abstract,
        authors=authors,
        n_authors=len(authors) or None,
        ids=ids,
        # A first version is published the day it is announced; a replacement's first date is not in the feed.
        date=announced if version == 1 else None,
        venue=child_text(item, "journal_reference") or None,
        links=unique([link, f"https://arxiv.org/abs/{ids['arxiv']}"]),
        sources=[Provenance(origin, FORMAT, record=record)],
        extra=extra,
    )
    return title, abstract, paper


@reader(FORMAT)
def parse(text: str, origin: str = "<text>") -> ParseResult:
    root = parse_xml(text, origin, _WHAT)
    atom = local_name(root.tag) == "feed"
    if atom:
        channel = root
    else:
        found = children(root, "channel")
        if local_name(root.tag) != "rss" or not found:
            raise InputError(f"is not an RSS feed (its root element is <{local_name(root.tag)}>)", origin)
        channel = found[0]
    title = child_text(channel, "title")
    if title.lower().startswith("feed error"):
        message = child_text(channel, "subtitle" if atom else "description") or title
        raise InputError(f"arXiv's feed reports an error: {message}", origin)
    items = children(channel, "entry" if atom else "item")
    skip_days = ["".join(day.itertext()).strip() for days in children(channel, "skipDays") for day in days]
    result = ParseResult(
        meta={
            "channel": title,
            "pub_date": iso_date(child_text(channel, "updated" if atom else "pubDate")),
            "skip_days": [d for d in skip_days if d],
            "empty_day": not items,
        }
    )
    for record, item in enumerate(items, start=1):
        built = _item_paper(item, atom, origin, record)
        if built is None:
            result.warnings.append(f"{origin}, record {record}: no arXiv id; skipped")
            continue
        item_title, abstract, paper = built
        if not skip_without_text(result, origin, record, item_title, abstract):
            result.papers.append(paper)
    note_missing_abstracts(result, origin)
    return result
