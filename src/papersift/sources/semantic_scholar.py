"""Semantic Scholar Graph API: paper batches, search and author-papers pages, authors with papers.

Shapes read: a list of papers from POST /paper/batch (``null`` for an unknown
id: skipped with a warning), ``{"total", "offset", "next", "data": [...]}`` pages
(search, /author/{id}/papers, citations with ``citingPaper``), an author object
with ``papers``, and a single paper. ``externalIds`` become ids (``DOI`` ->
``doi``, ``ArXiv`` -> ``arxiv``, ``DBLP`` -> ``dblp``, ``CorpusId`` -> ``s2_corpus``...).
"""

from __future__ import annotations

from typing import Any

from ..errors import InputError
from ..models import Paper, Provenance
from .base import ParseResult
from .common import (
    add_arxiv,
    add_doi,
    as_dict,
    collect_objects,
    drop_empty,
    first_dict,
    iso_date,
    json_document,
    load_json,
    squash,
    unique,
)
from .sanitize import reader

FORMAT = "s2"
_WHAT = "Semantic Scholar API"
_ID_SCHEMES = {"DBLP": "dblp", "CorpusId": "s2_corpus", "MAG": "mag", "PubMed": "pmid", "PubMedCentral": "pmcid"}
_ID_SCHEMES |= {"ACL": "acl"}
_WRAPPERS = ("citingPaper", "citedPaper", "paper")


def _is_paper(obj: Any) -> bool:
    if isinstance(obj, dict):
        inner = next((obj[w] for w in _WRAPPERS if isinstance(obj.get(w), dict)), obj)
        return "paperId" in inner
    return False


def _items(data: Any) -> tuple[list[Any], dict[str, Any]] | None:
    """The paper records of a response and what it says about paging; None if not an S2 response."""
    if isinstance(data, list):
        first = first_dict(data)
        if first is not None and _is_paper(first) or (data and all(item is None for item in data)):
            return data, {}
        return None
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("data"), list) and ({"offset", "next", "total", "token"} & data.keys()):
        first = first_dict(data["data"])
        if first is None or _is_paper(first):
            meta = {k: data[k] for k in ("total", "offset", "next", "token") if data.get(k) is not None}
            return data["data"], meta
        return None
    if "authorId" in data and isinstance(data.get("papers"), list):
        meta = {"author_id": data["authorId"], "author_name": data.get("name")}
        return data["papers"], {k: v for k, v in meta.items() if v}
    if "paperId" in data:
        return [data], {}
    return None


def looks_like(text: str) -> bool:
    return _items(json_document(text)) is not None


def _name(author: Any) -> str:
    return squash(author.get("name")) if isinstance(author, dict) else squash(author)


def _paper(raw: dict[str, Any], origin: str, record: int) -> tuple[str, str, Paper]:
    item = next((raw[w] for w in _WRAPPERS if isinstance(raw.get(w), dict)), raw)
    title, abstract = squash(item.get("title")), squash(item.get("abstract"))
    authors = [n for n in (_name(a) for a in item.get("authors") or []) if n]
    ids: dict[str, str] = {}
    if item.get("paperId"):
        ids["s2"] = str(item["paperId"])
    external = as_dict(item.get("externalIds")) or {}
    add_doi(ids, external.get("DOI"))
    add_arxiv(ids, external.get("ArXiv"))
    for key, scheme in _ID_SCHEMES.items():
        if external.get(key) not in (None, ""):
            ids.setdefault(scheme, str(external[key]))
    journal = as_dict(item.get("journal")) or {}
    venue_obj = as_dict(item.get("publicationVenue")) or {}
    venue = squash(item.get("venue")) or squash(journal.get("name")) or squash(venue_obj.get("name"))
    pdf = as_dict(item.get("openAccessPdf")) or {}
    tldr = as_dict(item.get("tldr")) or {}
    extra: dict[str, Any] = {
        "citation_count": item.get("citationCount"),
        "influential_citation_count": item.get("influentialCitationCount"),
        "reference_count": item.get("referenceCount"),
        "fields_of_study": item.get("fieldsOfStudy"),
        "publication_types": item.get("publicationTypes"),
        "is_open_access": item.get("isOpenAccess"),
        "tldr": tldr.get("text"),
        "journal_volume": journal.get("volume"),
        "journal_pages": squash(journal.get("pages")) or None,
    }
    paper = Paper(
        title=title,
        abstract=abstract,
        authors=authors,
        n_authors=len(authors) or None,
        ids=ids,
        date=iso_date(item.get("publicationDate")) or iso_date(item.get("year")),
        venue=venue or None,
        links=unique([item.get("url"), pdf.get("url")]),
        sources=[Provenance(origin, FORMAT, record=record)],
        extra=drop_empty(extra),
    )
    return title, abstract, paper


@reader(FORMAT)
def parse(text: str, origin: str = "<text>") -> ParseResult:
    data = load_json(text, origin, _WHAT)
    found = _items(data)
    if found is None:
        if isinstance(data, dict) and (data.get("error") or data.get("message")):
            raise InputError(f"Semantic Scholar answered with an error: {data.get('error') or data['message']}", origin)
        raise InputError("is not a Semantic Scholar paper list, search page or author", origin)
    items, meta = found
    result = ParseResult(meta=meta)
    return collect_objects(result, items, origin, "paper", _paper, null_reason="an id Semantic Scholar does not know")
