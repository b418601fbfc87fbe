"""OpenAlex works: one work (/works/W...) or a list page (``{"meta": ..., "results": [...]}``).

The abstract is rebuilt from ``abstract_inverted_index``; the list page's
``next_cursor`` and ``count`` are in ``meta``. An author record (/authors/A...)
holds no papers: it is refused with an InputError that names its
``works_api_url``, the query that lists its works (:func:`works_api_url`).
"""

from __future__ import annotations

from typing import Any

from ..errors import InputError
from ..models import Paper, Provenance
from .base import ParseResult
from .common import (
    add_arxiv_from_url,
    add_doi,
    as_dict,
    collect_objects,
    drop_empty,
    iso_date,
    json_document,
    load_json,
    squash,
    unique,
)
from .sanitize import reader

FORMAT = "openalex"
_WHAT = "OpenAlex"
_PREFIX = "https://openalex.org/"


def _kind(obj: Any) -> str | None:
    """``work``, ``author`` or ``list`` for an OpenAlex document, else None."""
    if not isinstance(obj, dict):
        return None
    entity = str(obj.get("id") or "")
    if entity.startswith(_PREFIX + "W"):
        return "work"
    if entity.startswith(_PREFIX + "A") and "works_api_url" in obj:
        return "author"
    meta, results = obj.get("meta"), obj.get("results")
    if isinstance(meta, dict) and isinstance(results, list) and "count" in meta:
        if all(_kind(r) == "work" for r in results if r is not None) and ("group_by" in obj or "per_page" in meta):
            return "list"
    return None


def looks_like(text: str) -> bool:
    return _kind(json_document(text)) is not None


def works_api_url(text: str) -> str | None:
    """For an author (or institution, source...) record, the URL of the query listing its works."""
    data = json_document(text)
    url = data.get("works_api_url") if isinstance(data, dict) else None
    return url if isinstance(url, str) else None


def abstract_from_inverted_index(index: Any) -> str:
    """``{"Despite": [0], "growing": [1]}`` -> ``"Despite growing"``."""
    if not isinstance(index, dict):
        return ""
    positions: dict[int, str] = {}
    for word, places in index.items():
        for place in places if isinstance(places, list) else []:
            if isinstance(place, int):
                positions[place] = word
    return squash(" ".join(positions[i] for i in sorted(positions)))


def _short(value: Any) -> str:
    return str(value).removeprefix(_PREFIX) if value else ""


def _paper(work: dict[str, Any], origin: str, record: int) -> tuple[str, str, Paper]:
    title = squash(work.get("title") or work.get("display_name"))
    abstract = abstract_from_inverted_index(work.get("abstract_inverted_index"))
    authorships = [a for a in work.get("authorships") or [] if isinstance(a, dict)]
    authors = [squash((a.get("author") or {}).get("display_name")) for a in authorships]
    authors = [a for a in authors if a]
    raw_ids = as_dict(work.get("ids")) or {}
    ids: dict[str, str] = {}
    if work.get("id"):
        ids["openalex"] = _short(work["id"])
    add_doi(ids, work.get("doi") or raw_ids.get("doi"))
    for scheme in ("mag", "pmid", "pmcid"):
        if raw_ids.get(scheme):
            ids[scheme] = str(raw_ids[scheme]).rstrip("/").rsplit("/", 1)[-1]
    locations = [loc for loc in work.get("locations") or [] if isinstance(loc, dict)]
    primary = as_dict(work.get("primary_location")) or {}
    links = [work.get("doi")]
    for location in [primary, *locations]:
        for key in ("landing_page_url", "pdf_url"):
            add_arxiv_from_url(ids, location.get(key))
            links.append(location.get(key))
    source = as_dict(primary.get("source")) or {}
    open_access = as_dict(work.get("open_access")) or {}
    extra: dict[str, Any] = {
        "type": work.get("type"),
        "cited_by_count": work.get("cited_by_count"),
        "language": work.get("language"),
        "oa_status": open_access.get("oa_status"),
        "is_retracted": work.get("is_retracted"),
        "author_orcids": {
            squash(a["author"].get("display_name")): a["author"]["orcid"]
            for a in authorships
            if isinstance(a.get("author"), dict) and a["author"].get("orcid")
        },
        "keywords": unique([k.get("display_name") for k in work.get("keywords") or [] if isinstance(k, dict)]),
        "concepts": unique([c.get("display_name") for c in work.get("concepts") or [] if isinstance(c, dict)]),
    }
    topic = work.get("primary_topic")
    if isinstance(topic, dict) and topic.get("display_name"):
        extra["primary_topic"] = topic["display_name"]
    paper = Paper(
        title=title,
        abstract=abstract,
        authors=authors,
        n_authors=len(authors) or None,
        ids=ids,
        date=iso_date(work.get("publication_date")) or iso_date(work.get("publication_year")),
        venue=squash(source.get("display_name")) or None,
        links=unique(links),
        sources=[Provenance(origin, FORMAT, record=record)],
        extra=drop_empty(extra, (None, "", [], {})),
    )
    return title, abstract, paper


@reader(FORMAT)
def parse(text: str, origin: str = "<text>") -> ParseResult:
    data = load_json(text, origin, _WHAT)
    kind = _kind(data)
    if kind == "author":
        raise InputError(
            f"is an OpenAlex author record ({squash(data.get('display_name')) or _short(data.get('id'))}), "
            f"not a list of works; its works are listed at {data.get('works_api_url')}",
            origin,
        )
    if kind is None:
        raise InputError("is not an OpenAlex work or list of works", origin)
    works = data["results"] if kind == "list" else [data]
    result = ParseResult()
    if kind == "list":
        meta = data["meta"]
        result.meta = {"count": meta.get("count"), "next_cursor": meta.get("next_cursor")}
        result.meta.update({k: meta[k] for k in ("page", "per_page") if meta.get(k) is not None})
    return collect_objects(result, works, origin, "work", _paper)
