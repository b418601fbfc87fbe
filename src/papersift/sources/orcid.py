"""ORCID public API v3.0: a works summary (/{orcid}/works), a single work, or a bulk /works answer.

A summary group is one work as several sources report it; the first summary
gives the title, date and venue, and the external ids of the whole group are
joined (``doi``, ``arxiv``, others by their ORCID type). ``put-code`` becomes
``ids.orcid_put_code``. A single work's ``short-description`` is the abstract,
its contributors the authors; a BibTeX ``citation`` fills what the work lacks.
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
    as_list,
    iso_date,
    json_document,
    load_json,
    note_missing_abstracts,
    skip_without_text,
    squash,
    strip_markup,
    unique,
)
from .sanitize import reader

FORMAT = "orcid"
_WHAT = "ORCID API"
_OTHER_ID_TYPES = ("pmid", "pmc", "isbn", "eid", "wosuid", "handle", "dblp", "ssrn")


def _value(obj: Any, *path: str) -> Any:
    for key in path:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


def _is_work(obj: Any) -> bool:
    return isinstance(obj, dict) and "put-code" in obj and isinstance(obj.get("title"), dict)


def looks_like(text: str) -> bool:
    data = json_document(text)
    if not isinstance(data, dict):
        return False
    if isinstance(data.get("group"), list) and ("path" in data or "last-modified-date" in data):
        return True
    return _is_work(data) or (
        isinstance(data.get("bulk"), list) and "work" in str((as_list(data.get("bulk")) or [])[:1])
    )


def _add_external_ids(ids: dict[str, str], container: Any) -> None:
    for ext in _value(container, "external-ids", "external-id") or []:
        if not isinstance(ext, dict):
            continue
        kind = str(ext.get("external-id-type") or "").lower()
        value = _value(ext, "external-id-normalized", "value") or ext.get("external-id-value")
        if not isinstance(value, str) or not value.strip():
            continue
        if kind == "doi":
            add_doi(ids, value)
        elif kind == "arxiv":
            add_arxiv(ids, value)
        elif kind in _OTHER_ID_TYPES:
            ids.setdefault(kind, value.strip())


def _date(work: dict[str, Any]) -> str | None:
    parts = [_value(work, "publication-date", p, "value") for p in ("year", "month", "day")]
    parts = [str(p) for p in parts if p]
    return iso_date("-".join(parts)) if parts else None


def _from_citation(work: dict[str, Any], origin: str) -> Paper | None:
    citation = as_dict(work.get("citation")) or {}
    if str(citation.get("citation-type", "")).lower() != "bibtex" or not citation.get("citation-value"):
        return None
    from . import bibtex

    try:
        papers = bibtex.parse(str(citation["citation-value"]), origin).papers
    except InputError:
        return None
    return papers[0] if papers else None


def _paper(work: dict[str, Any], group: dict[str, Any] | None, origin: str, record: int) -> tuple[str, str, Paper]:
    title = squash(_value(work, "title", "title", "value"))
    subtitle = squash(_value(work, "title", "subtitle", "value"))
    if title and subtitle:
        title = f"{title}: {subtitle}"
    abstract = strip_markup(work.get("short-description"))
    contributors = _value(work, "contributors", "contributor") or []
    authors = [n for n in (squash(_value(c, "credit-name", "value")) for c in contributors) if n]
    ids: dict[str, str] = {}
    _add_external_ids(ids, work)
    if group is not None:
        _add_external_ids(ids, group)
    if work.get("put-code") is not None:
        ids["orcid_put_code"] = str(work["put-code"])
    cited = _from_citation(work, origin)
    extra: dict[str, Any] = {
        "type": work.get("type"),
        "source": squash(_value(work, "source", "source-name", "value")) or None,
        "orcid_path": work.get("path"),
    }
    if cited is not None:
        title = title or cited.title
        abstract = abstract or cited.abstract
        authors = authors or cited.authors
        for scheme in ("doi", "arxiv"):
            if scheme in cited.ids:
                ids.setdefault(scheme, cited.ids[scheme])
        extra["bibtex"] = _value(work, "citation", "citation-value")
    paper = Paper(
        title=title,
        abstract=abstract,
        authors=authors,
        n_authors=len(authors) or None,
        ids=ids,
        date=_date(work) or (cited.date if cited else None),
        venue=squash(_value(work, "journal-title", "value")) or (cited.venue if cited else None),
        links=unique([_value(work, "url", "value")]),
        sources=[Provenance(origin, FORMAT, record=record)],
        extra={k: v for k, v in extra.items() if v},
    )
    return title, abstract, paper


@reader(FORMAT)
def parse(text: str, origin: str = "<text>") -> ParseResult:
    data = load_json(text, origin, _WHAT)
    if not isinstance(data, dict):
        raise InputError("is not an ORCID works document", origin)
    if data.get("error-code") or data.get("developer-message"):
        raise InputError(
            f"ORCID answered with an error: {data.get('user-message') or data.get('developer-message')}", origin
        )
    result = ParseResult()
    works: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    if isinstance(data.get("group"), list):
        path = str(data.get("path") or "")
        if path.count("/") >= 2:
            result.meta["orcid"] = path.strip("/").split("/")[0]
        for group in data["group"]:
            summaries = group.get("work-summary") if isinstance(group, dict) else None
            first = next((s for s in summaries or [] if isinstance(s, dict)), {})
            works.append((first, group if isinstance(group, dict) else None))
    elif isinstance(data.get("bulk"), list):
        works = [(item.get("work") or {}, None) for item in data["bulk"] if isinstance(item, dict)]
    elif _is_work(data):
        works = [(data, None)]
    else:
        raise InputError("is not an ORCID works summary or work", origin)
    for record, (work, group) in enumerate(works, start=1):
        title, abstract, paper = _paper(work, group, origin, record)
        if not skip_without_text(result, origin, record, title, abstract):
            result.papers.append(paper)
    note_missing_abstracts(result, origin)
    return result
