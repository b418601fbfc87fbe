"""DBLP: the publication search API (/search/publ/api?format=json) and person XML (/pid/XX/YYYY.xml).

Search hits carry ``info`` with authors (a list, or one object for a single
author), title, venue, year, key, DOI and electronic editions. A person document
is ``<dblpperson>`` with one ``<r>`` per record (``<article>``, ``<inproceedings>``...,
as in dblp.dtd). DBLP has no abstracts; its disambiguation suffixes ("Xiaopeng
Zhang 0009") are dropped from names, the person ids kept in ``extra``.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element

from ..errors import InputError
from ..models import Paper, Provenance
from .base import ParseResult
from .common import (
    add_arxiv_from_url,
    add_doi,
    as_dict,
    child_text,
    children,
    iso_date,
    json_document,
    load_json,
    local_name,
    note_missing_abstracts,
    parse_xml,
    skip_without_text,
    squash,
    unique,
    xml_head,
)
from .sanitize import reader

FORMAT = "dblp"
_WHAT = "DBLP"
_HOMONYM = re.compile(r"\s+\d{4}$")
_CORR_VOLUME = re.compile(r"^abs/(\S+)$")
_DOI_URL = re.compile(r"doi[^/]{0,40}/(10\.\d{4,9}/\S+)", re.IGNORECASE)  # doi.org, dx.doi.org, doi.acm.org


def looks_like(text: str) -> bool:
    head = xml_head(text)
    if head:
        return "<dblpperson" in head or bool(re.search(r"<dblp[\s>]", head))
    data = json_document(text)
    return isinstance(data, dict) and isinstance(data.get("result"), dict) and "hits" in data["result"]


def _name(value: str) -> str:
    return _HOMONYM.sub("", squash(value))


def _title(value: str) -> str:
    """DBLP ends every title with a period; one is dropped (an ellipsis is kept)."""
    value = squash(value)
    return value[:-1] if value.endswith(".") and not value.endswith("...") else value


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _finish(ids: dict[str, str], venue: str, volume: str, electronic: list[str]) -> None:
    for url in electronic:
        doi = _DOI_URL.search(url)
        add_doi(ids, doi.group(1) if doi else None)
        add_arxiv_from_url(ids, url)
    corr = _CORR_VOLUME.match(volume or "")
    if venue == "CoRR" and corr:
        ids.setdefault("arxiv", corr.group(1))


def _hit_paper(info: dict[str, Any], origin: str, record: int) -> tuple[str, str, Paper]:
    title = _title(str(info.get("title") or ""))
    raw_authors = _as_list((info.get("authors") or {}).get("author") if isinstance(info.get("authors"), dict) else None)
    authors = [_name(a.get("text", "") if isinstance(a, dict) else str(a)) for a in raw_authors]
    pids = [a.get("@pid") for a in raw_authors if isinstance(a, dict) and a.get("@pid")]
    ids: dict[str, str] = {}
    if info.get("key"):
        ids["dblp"] = str(info["key"])
    add_doi(ids, info.get("doi"))
    venue = squash(" ".join(_as_list(info.get("venue")))) if info.get("venue") else ""
    electronic = [str(e) for e in _as_list(info.get("ee"))]
    _finish(ids, venue, str(info.get("volume") or ""), electronic)
    extra = {"type": info.get("type"), "pages": info.get("pages"), "access": info.get("access"), "author_pids": pids}
    paper = Paper(
        title=title,
        authors=[a for a in authors if a],
        n_authors=len([a for a in authors if a]) or None,
        ids=ids,
        date=iso_date(str(info.get("year") or "")),
        venue=venue or None,
        links=unique([*electronic, info.get("url")]),
        sources=[Provenance(origin, FORMAT, record=record)],
        extra={k: v for k, v in extra.items() if v},
    )
    return title, "", paper


def _record_paper(element: Element, origin: str, record: int) -> tuple[str, str, Paper]:
    title = _title("".join(children(element, "title")[0].itertext()) if children(element, "title") else "")
    people = children(element, "author") or children(element, "editor")
    authors = [_name("".join(p.itertext())) for p in people]
    venue = child_text(element, "journal") or child_text(element, "booktitle") or child_text(element, "school")
    ids: dict[str, str] = {}
    if element.get("key"):
        ids["dblp"] = element.get("key", "")
    electronic = [squash("".join(e.itertext())) for e in children(element, "ee")]
    _finish(ids, venue, child_text(element, "volume"), electronic)
    extra: dict[str, Any] = {
        "type": local_name(element.tag),
        "publtype": element.get("publtype"),
        "mdate": element.get("mdate"),
        "pages": child_text(element, "pages"),
        "volume": child_text(element, "volume"),
        "number": child_text(element, "number"),
        "author_pids": [p.get("pid") for p in people if p.get("pid")],
        "author_orcids": {_name("".join(p.itertext())): p.get("orcid") for p in people if p.get("orcid")},
    }
    links = electronic + ([f"https://dblp.org/rec/{ids['dblp']}"] if "dblp" in ids else [])
    paper = Paper(
        title=title,
        authors=[a for a in authors if a],
        n_authors=len([a for a in authors if a]) or None,
        ids=ids,
        date=iso_date(child_text(element, "year")),
        venue=venue or None,
        links=unique(links),
        sources=[Provenance(origin, FORMAT, record=record)],
        extra={k: v for k, v in extra.items() if v},
    )
    return title, "", paper


def _parse_xml(text: str, origin: str) -> ParseResult:
    root = parse_xml(text, origin, _WHAT)
    kind = local_name(root.tag)
    if kind == "dblpperson":
        records = [r[0] for r in children(root, "r") if len(r)]
        meta = {"person": root.get("name"), "pid": root.get("pid"), "n": root.get("n")}
    elif kind == "dblp":
        records = [r for r in root if local_name(r.tag) not in ("www", "person")]
        meta = {}
    else:
        raise InputError(f"is not a DBLP person or record document (its root element is <{kind}>)", origin)
    result = ParseResult(meta={k: v for k, v in meta.items() if v})
    for number, element in enumerate(records, start=1):
        title, abstract, paper = _record_paper(element, origin, number)
        if not skip_without_text(result, origin, number, title, abstract):
            result.papers.append(paper)
    return result


def _parse_json(text: str, origin: str) -> ParseResult:
    data = load_json(text, origin, _WHAT)
    found = data.get("result") if isinstance(data, dict) else None
    if not isinstance(found, dict):
        raise InputError("is not a DBLP search response (no 'result')", origin)
    status = as_dict(found.get("status")) or {}
    if status.get("@code") not in (None, "200"):
        raise InputError(f"DBLP answered with an error: {status.get('text') or status.get('@code')}", origin)
    hits = as_dict(found.get("hits")) or {}
    meta = {"total": hits.get("@total"), "first": hits.get("@first"), "sent": hits.get("@sent")}
    result = ParseResult(meta={k: int(str(v)) for k, v in meta.items() if str(v or "").isdigit()})
    for number, hit in enumerate(_as_list(hits.get("hit")), start=1):
        info = hit.get("info") if isinstance(hit, dict) else None
        if not isinstance(info, dict):
            result.warnings.append(f"{origin}, record {number}: hit without 'info'; skipped")
            continue
        title, abstract, paper = _hit_paper(info, origin, number)
        if not skip_without_text(result, origin, number, title, abstract):
            result.papers.append(paper)
    return result


@reader(FORMAT)
def parse(text: str, origin: str = "<text>") -> ParseResult:
    stripped = text.lstrip()
    is_xml = stripped.startswith("<") and not stripped[:15].lower().startswith(("<!doctype html", "<html"))
    result = _parse_xml(text, origin) if is_xml else _parse_json(text, origin)
    note_missing_abstracts(result, origin)
    return result
