"""Crossref REST API: one work (``message-type: work``) or a work list (``message.items``).

JATS abstracts (``<jats:p>...``) become plain text: tags are dropped, never
interpreted. The list's ``next-cursor`` and ``total-results`` are in ``meta``.
"""

from __future__ import annotations

from typing import Any

from ..errors import InputError
from ..models import Paper, Provenance
from .base import ParseResult
from .common import (
    add_doi,
    as_dict,
    as_list,
    collect_objects,
    date_from_parts,
    drop_empty,
    json_document,
    load_json,
    squash,
    strip_markup,
    unique,
)
from .sanitize import reader

FORMAT = "crossref"
_WHAT = "Crossref API"
_DATE_FIELDS = ("issued", "published", "published-print", "published-online", "posted", "created")


def looks_like(text: str) -> bool:
    data = json_document(text)
    return isinstance(data, dict) and "message-type" in data and "message" in data


def _first(value: Any) -> str:
    if isinstance(value, list):
        return next((squash(v) for v in value if isinstance(v, str) and v.strip()), "")
    return squash(value)


def _person(person: Any) -> str:
    if not isinstance(person, dict):
        return ""
    name = " ".join(squash(person.get(k)) for k in ("given", "family") if person.get(k))
    return name or squash(person.get("name"))


def _paper(item: dict[str, Any], origin: str, record: int) -> tuple[str, str, Paper]:
    title = _first(item.get("title"))
    subtitle = _first(item.get("subtitle"))
    if title and subtitle and subtitle.lower() not in title.lower():
        title = f"{title}: {subtitle}"
    abstract = strip_markup(item.get("abstract"))
    authors = [n for n in (_person(p) for p in item.get("author") or []) if n]
    ids: dict[str, str] = {}
    add_doi(ids, item.get("DOI"))
    date = next((d for d in (date_from_parts(item.get(f)) for f in _DATE_FIELDS) if d), None)
    links = [item.get("URL")]
    event = as_dict(item.get("event")) or {}
    resource = item.get("resource")
    if isinstance(resource, dict) and isinstance(resource.get("primary"), dict):
        links.append(resource["primary"].get("URL"))
    extra: dict[str, Any] = {
        "type": item.get("type"),
        "publisher": item.get("publisher"),
        "cited_by_count": item.get("is-referenced-by-count"),
        "subjects": item.get("subject") or None,
        "issn": item.get("ISSN") or None,
        "isbn": item.get("ISBN") or None,
        "volume": item.get("volume"),
        "issue": item.get("issue"),
        "pages": item.get("page"),
        "language": item.get("language"),
    }
    orcids = {_person(p): p["ORCID"] for p in item.get("author") or [] if isinstance(p, dict) and p.get("ORCID")}
    if orcids:
        extra["author_orcids"] = orcids
    paper = Paper(
        title=title,
        abstract=abstract,
        authors=authors,
        n_authors=len(authors) or None,
        ids=ids,
        date=date,
        venue=_first(item.get("container-title")) or _first(event.get("name")) or None,
        links=unique(links),
        sources=[Provenance(origin, FORMAT, record=record)],
        extra=drop_empty(extra),
    )
    return title, abstract, paper


@reader(FORMAT)
def parse(text: str, origin: str = "<text>") -> ParseResult:
    data = load_json(text, origin, _WHAT)
    if not isinstance(data, dict) or "message" not in data:
        raise InputError("is not a Crossref API response (no 'message')", origin)
    kind, message = data.get("message-type"), data["message"]
    if data.get("status") not in (None, "ok") or kind not in ("work", "work-list"):
        detail = message if isinstance(message, str) else squash(str(message))[:300]
        raise InputError(f"Crossref answered with an error ({kind or data.get('status')}): {detail}", origin)
    if not isinstance(message, dict):
        raise InputError("is not a Crossref work or work list", origin)
    result = ParseResult()
    if kind == "work-list":
        items = as_list(message.get("items")) or []
        result.meta = {"total_results": message.get("total-results"), "next_cursor": message.get("next-cursor")}
        if message.get("items-per-page") is not None:
            result.meta["per_page"] = message["items-per-page"]
    else:
        items = [message]
    return collect_objects(result, items, origin, "work", _paper)
