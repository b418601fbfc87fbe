"""Zotero Web API v3 items (``[{"key", "data": {...}, "meta": {...}}]``, or one such item).

Attachments, notes and annotations are not papers and are skipped (counted in
``meta["skipped_children"]``). Authors are the creators of type ``author``
(all creators when a record names none), the date is Zotero's ``parsedDate``,
the venue the publication, proceedings, book or website title.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import InputError
from ..models import Paper, Provenance
from .base import ParseResult
from .common import (
    add_arxiv,
    add_arxiv_from_url,
    add_doi,
    as_dict,
    drop_empty,
    first_dict,
    iso_date,
    json_document,
    load_json,
    note_missing_abstracts,
    skip_without_text,
    squash,
    unique,
)
from .sanitize import reader

FORMAT = "zotero-api"
_WHAT = "Zotero Web API"
_CHILD_TYPES = {"attachment", "note", "annotation"}
_VENUE_FIELDS = ("publicationTitle", "proceedingsTitle", "bookTitle", "conferenceName", "websiteTitle", "repository")
_ARXIV_IN_EXTRA = re.compile(r"arXiv:\s*(\S+)", re.IGNORECASE)


def _is_item(obj: Any) -> bool:
    return isinstance(obj, dict) and "key" in obj and isinstance(obj.get("data"), dict) and "itemType" in obj["data"]


def looks_like(text: str) -> bool:
    data = json_document(text)
    if isinstance(data, list):
        first = first_dict(data)
        return first is not None and _is_item(first)
    return _is_item(data)


def _creator(creator: Any) -> str:
    if not isinstance(creator, dict):
        return ""
    name = " ".join(squash(creator.get(k)) for k in ("firstName", "lastName") if creator.get(k))
    return name or squash(creator.get("name"))


def _paper(item: dict[str, Any], origin: str, record: int) -> tuple[str, str, Paper]:
    data, meta = item["data"], as_dict(item.get("meta")) or {}
    title, abstract = squash(data.get("title")), squash(data.get("abstractNote"))
    creators = [c for c in data.get("creators") or [] if isinstance(c, dict)]
    primary = [c for c in creators if c.get("creatorType") == "author"] or creators
    authors = [n for n in (_creator(c) for c in primary) if n]
    ids: dict[str, str] = {"zotero": str(item.get("key") or data.get("key"))}
    add_doi(ids, data.get("DOI"))
    add_arxiv_from_url(ids, data.get("url"))
    for field in ("archiveID", "extra"):
        found = _ARXIV_IN_EXTRA.search(str(data.get(field) or ""))
        if found:
            add_arxiv(ids, found.group(1))
    venue = next((squash(data[f]) for f in _VENUE_FIELDS if squash(data.get(f))), None)
    alternate = (
        ((item.get("links") or {}).get("alternate") or {}).get("href") if isinstance(item.get("links"), dict) else None
    )
    tags = [squash(t.get("tag")) for t in data.get("tags") or [] if isinstance(t, dict)]
    library = as_dict(item.get("library")) or {}
    extra: dict[str, Any] = {
        "item_type": data.get("itemType"),
        "tags": [t for t in tags if t],
        "collections": data.get("collections"),
        "isbn": data.get("ISBN"),
        "issn": data.get("ISSN"),
        "date_added": data.get("dateAdded"),
        "library": library.get("name"),
        "zotero_extra": data.get("extra"),
        "contributors": [n for n in (_creator(c) for c in creators if c not in primary) if n],
    }
    paper = Paper(
        title=title,
        abstract=abstract,
        authors=authors,
        n_authors=len(authors) or None,
        ids={k: v for k, v in ids.items() if v and v != "None"},
        date=iso_date(meta.get("parsedDate")) or iso_date(data.get("date")),
        venue=venue,
        links=unique([data.get("url"), alternate]),
        sources=[Provenance(origin, FORMAT, record=record)],
        extra=drop_empty(extra),
    )
    return title, abstract, paper


@reader(FORMAT)
def parse(text: str, origin: str = "<text>") -> ParseResult:
    data = load_json(text, origin, _WHAT)
    items = data if isinstance(data, list) else [data]
    if not any(_is_item(i) for i in items) and items:
        raise InputError("is not a Zotero Web API items response (expected objects with 'key' and 'data')", origin)
    result = ParseResult()
    skipped = 0
    for record, item in enumerate(items, start=1):
        if not _is_item(item):
            result.warnings.append(f"{origin}, record {record}: not a Zotero item; skipped")
            continue
        if item["data"].get("itemType") in _CHILD_TYPES:
            skipped += 1
            continue
        title, abstract, paper = _paper(item, origin, record)
        if not skip_without_text(result, origin, record, title, abstract):
            result.papers.append(paper)
    result.meta["skipped_children"] = skipped
    note_missing_abstracts(result, origin)
    return result
