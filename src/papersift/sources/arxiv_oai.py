"""arXiv OAI-PMH ListRecords / GetRecord responses (oai_dc, arXiv and arXivRaw metadata).

The page's ``resumptionToken`` (None on the last page) is in ``meta`` for the
fetcher; ``noRecordsMatch`` is an empty result, any other OAI-PMH error an
InputError. Deleted records are skipped with a warning.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element

from ..errors import InputError
from ..identity import normalize_arxiv_id
from ..models import Paper, Provenance
from .base import ParseResult, split_inverted_authors, split_plain_authors
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
    squash,
    unique,
    xml_head,
)
from .sanitize import reader

FORMAT = "arxiv-oai"
_WHAT = "OAI-PMH"


def looks_like(text: str) -> bool:
    return "<OAI-PMH" in xml_head(text)


def _texts(element: Element, name: str) -> list[str]:
    return [squash("".join(e.itertext())) for e in children(element, name)]


def _from_oai_dc(dc: Element, fields: dict[str, Any]) -> None:
    fields["title"] = child_text(dc, "title")
    descriptions = _texts(dc, "description")
    comments = [d.removeprefix("Comment:").strip() for d in descriptions if d.startswith("Comment:")]
    fields["abstract"] = next((d for d in descriptions if not d.startswith("Comment:")), "")
    fields["comments"] = "; ".join(comments) or None
    fields["authors"] = [name for c in _texts(dc, "creator") for name in [_inverted(c)] if name]
    dates = [iso_date(d) for d in _texts(dc, "date")]
    fields["date"] = dates[0] if dates else None
    if len(dates) > 1:
        fields["extra"]["updated"] = dates[-1]
    fields["extra"]["subjects"] = _texts(dc, "subject")
    for identifier in _texts(dc, "identifier"):
        add_arxiv_from_url(fields["ids"], identifier)
        if identifier.lower().startswith("doi:") or identifier.startswith("10."):
            add_doi(fields["ids"], identifier)
        if identifier.startswith("http") and "arxiv.org/abs/" not in identifier:
            fields["links"].append(identifier)


def _inverted(name: str) -> str:
    parts = split_inverted_authors(name)
    return parts[0] if len(parts) == 1 else name


def _from_arxiv(meta: Element, fields: dict[str, Any]) -> None:
    fields["title"] = child_text(meta, "title")
    fields["abstract"] = child_text(meta, "abstract")
    fields["comments"] = child_text(meta, "comments") or None
    fields["venue"] = child_text(meta, "journal-ref") or None
    authors_element = children(meta, "authors")
    if authors_element and len(authors_element[0]):
        for author in children(authors_element[0], "author"):
            name = " ".join(p for p in (child_text(author, "forenames"), child_text(author, "keyname")) if p)
            suffix = child_text(author, "suffix")
            if name:
                fields["authors"].append(f"{name} {suffix}".strip())
    elif authors_element:  # arXivRaw: one string of names
        fields["authors"] = split_plain_authors(child_text(meta, "authors"))
    versions = [child_text(v, "date") for v in children(meta, "version")]
    fields["date"] = iso_date(child_text(meta, "created")) or (iso_date(versions[0]) if versions else None)
    if child_text(meta, "updated"):
        fields["extra"]["updated"] = iso_date(child_text(meta, "updated"))
    fields["ids"].setdefault("arxiv", normalize_arxiv_id(child_text(meta, "id")) or "")
    add_doi(fields["ids"], child_text(meta, "doi").split(" ")[0])
    fields["extra"]["categories"] = child_text(meta, "categories").split()
    for name in ("license", "msc-class", "acm-class", "report-no", "submitter"):
        if child_text(meta, name):
            fields["extra"][name.replace("-", "_")] = child_text(meta, name)


def _record_paper(record_el: Element, origin: str, record: int) -> tuple[str, str, Paper] | None:
    header = children(record_el, "header")
    identifier = child_text(header[0], "identifier") if header else ""
    fields: dict[str, Any] = {"ids": {}, "authors": [], "links": [], "extra": {}, "venue": None, "comments": None}
    arxiv = normalize_arxiv_id(identifier)
    if arxiv:
        fields["ids"]["arxiv"] = arxiv
    if header:
        fields["extra"]["datestamp"] = child_text(header[0], "datestamp")
        fields["extra"]["sets"] = _texts(header[0], "setSpec")
    metadata = children(record_el, "metadata")
    payload = metadata[0][0] if metadata and len(metadata[0]) else None
    if payload is None:
        return None
    if local_name(payload.tag) == "dc":
        _from_oai_dc(payload, fields)
    else:
        _from_arxiv(payload, fields)
    ids = {k: v for k, v in fields["ids"].items() if v}
    if "arxiv" in ids:
        fields["links"].append(f"https://arxiv.org/abs/{ids['arxiv']}")
    paper = Paper(
        title=fields["title"],
        abstract=fields["abstract"],
        authors=fields["authors"],
        n_authors=len(fields["authors"]) or None,
        ids=ids,
        date=fields.get("date"),
        venue=fields["venue"],
        comments=fields["comments"],
        links=unique(fields["links"]),
        sources=[Provenance(origin, FORMAT, record=record)],
        extra=fields["extra"],
    )
    return fields["title"], fields["abstract"], paper


def _resumption(container: Element | None) -> dict[str, Any]:
    tokens = children(container, "resumptionToken") if container is not None else []
    if not tokens:
        return {"resumption_token": None}
    token = tokens[0]
    meta: dict[str, Any] = {"resumption_token": (token.text or "").strip() or None}
    for attribute, key in (("cursor", "cursor"), ("completeListSize", "complete_list_size")):
        if (token.get(attribute) or "").isdigit():
            meta[key] = int(token.get(attribute, "0"))
    return meta


@reader(FORMAT)
def parse(text: str, origin: str = "<text>") -> ParseResult:
    root = parse_xml(text, origin, _WHAT)
    if local_name(root.tag) != "OAI-PMH":
        raise InputError(f"is not an OAI-PMH response (its root element is <{local_name(root.tag)}>)", origin)
    for error in children(root, "error"):
        code = error.get("code", "")
        if code == "noRecordsMatch":
            return ParseResult(meta={"resumption_token": None, "no_records": True})
        raise InputError(f"the OAI-PMH server answered with an error ({code}): {squash(error.text or '')}", origin)
    container = next((c for c in root if local_name(c.tag) in ("ListRecords", "GetRecord")), None)
    result = ParseResult(meta=_resumption(container))
    records = children(container, "record") if container is not None else []
    for number, record_el in enumerate(records, start=1):
        header = children(record_el, "header")
        if header and header[0].get("status") == "deleted":
            result.warnings.append(f"{origin}, record {number}: deleted from arXiv; skipped")
            continue
        built = _record_paper(record_el, origin, number)
        if built is None:
            result.warnings.append(f"{origin}, record {number}: no metadata; skipped")
            continue
        title, abstract, paper = built
        if not skip_without_text(result, origin, number, title, abstract):
            result.papers.append(paper)
    note_missing_abstracts(result, origin)
    return result
