"""OpenReview API notes (``{"notes": [...], "count": N}``), API v2 and v1.

In API v2 every content field is wrapped (``{"title": {"value": ...}}``); in v1
it is bare. Title, abstract, authors, venue and keywords are kept, with the
note id as ``ids.openreview``, the forum link, the PDF link, the publication
date (``pdate``, else ``cdate``, milliseconds since 1970) and the venue id,
domain and invitations in ``extra``. Top-level keys other than ``notes`` and
``count`` (such as a fixture's ``_fixture_note``) are ignored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import InputError
from ..models import Paper, Provenance
from .base import ParseResult, split_plain_authors
from .common import (
    add_arxiv_from_url,
    add_doi,
    as_dict,
    collect_objects,
    drop_empty,
    first_dict,
    json_document,
    load_json,
    squash,
    unique,
)
from .sanitize import reader

FORMAT = "openreview"
_WHAT = "OpenReview API"
_SITE = "https://openreview.net"


def looks_like(text: str) -> bool:
    data = json_document(text)
    if not isinstance(data, dict) or not isinstance(data.get("notes"), list):
        return False
    first = first_dict(data["notes"])
    return (first is None and "count" in data) or (first is not None and isinstance(first.get("content"), dict))


def _value(content: dict[str, Any], key: str) -> Any:
    value = content.get(key)
    return value.get("value") if isinstance(value, dict) and "value" in value else value


def _text(content: dict[str, Any], key: str) -> str:
    value = _value(content, key)
    return squash(value) if isinstance(value, str) else ""


def _date(milliseconds: Any) -> str | None:
    if isinstance(milliseconds, int | float) and milliseconds > 0:
        return dt.datetime.fromtimestamp(milliseconds / 1000, tz=dt.UTC).date().isoformat()
    return None


def _paper(note: dict[str, Any], origin: str, record: int) -> tuple[str, str, Paper]:
    content = as_dict(note.get("content")) or {}
    title, abstract = _text(content, "title"), _text(content, "abstract")
    raw_authors = _value(content, "authors")
    if isinstance(raw_authors, str):
        authors = split_plain_authors(raw_authors)
    else:
        authors = [squash(a) for a in raw_authors or [] if isinstance(a, str) and a.strip()]
    ids: dict[str, str] = {}
    if note.get("id"):
        ids["openreview"] = str(note["id"])
    add_doi(ids, _text(content, "doi"))
    links = []
    forum = note.get("forum") or note.get("id")
    if forum:
        links.append(f"{_SITE}/forum?id={forum}")
    pdf = _text(content, "pdf")
    if pdf:
        links.append(pdf if pdf.startswith("http") else f"{_SITE}{pdf}")
    for url in (_text(content, "html"), _text(content, "url")):
        add_arxiv_from_url(ids, url)
        links.append(url)
    keywords = _value(content, "keywords")
    invitations = note.get("invitations") or ([note["invitation"]] if note.get("invitation") else [])
    extra: dict[str, Any] = {
        "keywords": [squash(k) for k in keywords if isinstance(k, str)] if isinstance(keywords, list) else None,
        "tldr": _text(content, "TLDR") or _text(content, "TL;DR") or None,
        "venueid": _text(content, "venueid") or None,
        "primary_area": _text(content, "primary_area") or None,
        "authorids": _value(content, "authorids") or None,
        "domain": note.get("domain"),
        "invitations": invitations or None,
        "number": note.get("number"),
        "modified": _date(note.get("mdate") or note.get("tmdate")),
        "bibtex": _value(content, "_bibtex") or None,
    }
    paper = Paper(
        title=title,
        abstract=abstract,
        authors=authors,
        n_authors=len(authors) or None,
        ids=ids,
        date=_date(note.get("pdate")) or _date(note.get("cdate")) or _date(note.get("tcdate")),
        venue=_text(content, "venue") or None,
        links=unique(links),
        sources=[Provenance(origin, FORMAT, record=record)],
        extra=drop_empty(extra),
    )
    return title, abstract, paper


@reader(FORMAT)
def parse(text: str, origin: str = "<text>") -> ParseResult:
    data = load_json(text, origin, _WHAT)
    if isinstance(data, dict) and data.get("name") and data.get("message") and "notes" not in data:
        raise InputError(f"OpenReview answered with an error ({data['name']}): {data['message']}", origin)
    if not isinstance(data, dict) or not isinstance(data.get("notes"), list):
        raise InputError("is not an OpenReview notes response (no 'notes' list)", origin)
    result = ParseResult(meta={"count": data["count"]} if isinstance(data.get("count"), int) else {})
    return collect_objects(result, data["notes"], origin, "note", _paper)
