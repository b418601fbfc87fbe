"""CSL-JSON (Zotero's built-in "CSL JSON" export, Better BibTeX CSL JSON, citeproc input).

A list of items with ``id``, ``type``, ``title``, ``abstract``, ``author``
(``family``/``given`` or ``literal``), ``issued.date-parts``, ``DOI``, ``URL`` and
``container-title``. A Zotero item URI id becomes ``ids.zotero``; any other id
(a Better BibTeX citation key) ``ids.bibtex``, as in the BibTeX reader.
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
    date_from_parts,
    drop_empty,
    json_document,
    load_json,
    note_missing_abstracts,
    skip_without_text,
    squash,
    strip_markup,
    unique,
)
from .sanitize import reader

FORMAT = "csl-json"
_WHAT = "CSL-JSON"
_ZOTERO_URI = re.compile(r"zotero\.org/(?:users|groups)/\d+/items/(\w+)$")
_CSL_MARKERS = ("issued", "container-title", "author", "DOI", "URL", "publisher", "title")


def _is_item(obj: Any) -> bool:
    return isinstance(obj, dict) and "id" in obj and isinstance(obj.get("type"), str) and "paperId" not in obj


def looks_like(text: str) -> bool:
    data = json_document(text)
    items = data if isinstance(data, list) else [data]
    dicts = [i for i in items if isinstance(i, dict)]
    return bool(dicts) and all(_is_item(i) for i in dicts) and any(m in dicts[0] for m in _CSL_MARKERS)


def _name(person: Any) -> str:
    if not isinstance(person, dict):
        return ""
    parts = [person.get("given"), person.get("non-dropping-particle"), person.get("family"), person.get("suffix")]
    name = " ".join(squash(p) for p in parts if isinstance(p, str) and p.strip())
    return name or squash(person.get("literal"))


def _paper(item: dict[str, Any], origin: str, record: int) -> tuple[str, str, Paper]:
    title, abstract = squash(item.get("title")), strip_markup(item.get("abstract"))
    authors = [n for n in (_name(a) for a in item.get("author") or []) if n]
    ids: dict[str, str] = {}
    raw_id = str(item.get("id") or "")
    zotero = _ZOTERO_URI.search(raw_id)
    if zotero:
        ids["zotero"] = zotero.group(1)
    elif raw_id:
        ids["bibtex"] = raw_id
    add_doi(ids, item.get("DOI"))
    add_arxiv_from_url(ids, item.get("URL"))
    number = str(item.get("number") or "")
    if number.lower().startswith("arxiv:"):
        add_arxiv(ids, number)
    venue = squash(item.get("container-title")) or squash(item.get("event-title")) or squash(item.get("event"))
    extra: dict[str, Any] = {
        "type": item.get("type"),
        "publisher": item.get("publisher"),
        "volume": item.get("volume"),
        "issue": item.get("issue"),
        "pages": item.get("page"),
        "note": item.get("note"),
        "keywords": item.get("keyword"),
        "pmid": item.get("PMID"),
        "isbn": item.get("ISBN"),
    }
    paper = Paper(
        title=title,
        abstract=abstract,
        authors=authors,
        n_authors=len(authors) or None,
        ids=ids,
        date=date_from_parts(item.get("issued")),
        venue=venue or None,
        links=unique([item.get("URL")]),
        sources=[Provenance(origin, FORMAT, record=record)],
        extra=drop_empty(extra),
    )
    return title, abstract, paper


@reader(FORMAT)
def parse(text: str, origin: str = "<text>") -> ParseResult:
    data = load_json(text, origin, _WHAT)
    items = data if isinstance(data, list) else [data]
    result = ParseResult()
    for record, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InputError("expected a CSL-JSON item object", origin, record=record)
        title, abstract, paper = _paper(item, origin, record)
        if not skip_without_text(result, origin, record, title, abstract):
            result.papers.append(paper)
    note_missing_abstracts(result, origin)
    return result
