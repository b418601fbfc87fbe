"""arXiv API responses (export.arxiv.org/api/query): an Atom feed with OpenSearch paging.

A query with no match is a valid feed with no entries (an empty result); a bad
query is a feed whose one entry is an error, which becomes an InputError quoting
arXiv's message. :func:`total_results` and :func:`start_index` let a fetcher page.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from ..errors import InputError
from ..identity import normalize_arxiv_id
from ..models import Paper, Provenance
from .base import ParseResult
from .common import (
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

FORMAT = "arxiv-api"
_WHAT = "arXiv API"


def looks_like(text: str) -> bool:
    head = xml_head(text)
    return "<feed" in head and "opensearch" in head and "arxiv" in head.lower()


def _opensearch(root: Element) -> dict[str, int]:
    found: dict[str, int] = {}
    for name, key in (("totalResults", "total_results"), ("startIndex", "start_index"), ("itemsPerPage", "per_page")):
        value = child_text(root, name)
        if value.isdigit():
            found[key] = int(value)
    return found


def total_results(text: str, origin: str = "<text>") -> int | None:
    """How many entries the whole query matches (OpenSearch ``totalResults``)."""
    return _opensearch(parse_xml(text, origin, _WHAT)).get("total_results")


def start_index(text: str, origin: str = "<text>") -> int | None:
    """The offset of this page's first entry (OpenSearch ``startIndex``)."""
    return _opensearch(parse_xml(text, origin, _WHAT)).get("start_index")


def _raise_on_error_entry(entries: list[Element], origin: str) -> None:
    for entry in entries:
        entry_id = child_text(entry, "id")
        if "/api/errors" in entry_id or (child_text(entry, "title") == "Error" and not normalize_arxiv_id(entry_id)):
            message = child_text(entry, "summary") or entry_id
            raise InputError(f"the arXiv API answered with an error: {message}", origin)


def _paper(entry: Element, origin: str, record: int) -> tuple[str, str, Paper] | None:
    title, abstract = child_text(entry, "title"), child_text(entry, "summary")
    entry_id = child_text(entry, "id")
    arxiv = normalize_arxiv_id(entry_id)
    if arxiv is None:
        return None
    authors, affiliations = [], {}
    for author in children(entry, "author"):
        name = child_text(author, "name")
        if name:
            authors.append(name)
            places = [squash("".join(a.itertext())) for a in children(author, "affiliation")]
            if places:
                affiliations[name] = places
    ids = {"arxiv": arxiv}
    add_doi(ids, child_text(entry, "doi"))
    links = []
    for link in children(entry, "link"):
        href = link.get("href", "")
        links.append(href)
    categories = unique([c.get("term", "") for c in children(entry, "category")])
    primary = children(entry, "primary_category")
    version = entry_id.rsplit("v", 1)[-1] if entry_id.rsplit("v", 1)[-1].isdigit() else None
    extra: dict[str, object] = {"categories": categories}
    if primary and primary[0].get("term"):
        extra["primary_category"] = primary[0].get("term")
    if child_text(entry, "updated"):
        extra["updated"] = iso_date(child_text(entry, "updated"))
    if version:
        extra["version"] = int(version)
    if affiliations:
        extra["affiliations"] = affiliations
    paper = Paper(
        title=title,
        abstract=abstract,
        authors=authors,
        n_authors=len(authors) or None,
        ids=ids,
        date=iso_date(child_text(entry, "published")),
        venue=child_text(entry, "journal_ref") or None,
        comments=child_text(entry, "comment") or None,
        links=unique(links) or [f"https://arxiv.org/abs/{arxiv}"],
        sources=[Provenance(origin, FORMAT, record=record)],
        extra=extra,
    )
    return title, abstract, paper


@reader(FORMAT)
def parse(text: str, origin: str = "<text>") -> ParseResult:
    root = parse_xml(text, origin, _WHAT)
    if local_name(root.tag) != "feed":
        raise InputError(f"is not an arXiv API response (its root element is <{local_name(root.tag)}>)", origin)
    entries = children(root, "entry")
    _raise_on_error_entry(entries, origin)
    result = ParseResult(meta=_opensearch(root))
    for record, entry in enumerate(entries, start=1):
        built = _paper(entry, origin, record)
        if built is None:
            result.warnings.append(f"{origin}, record {record}: no arXiv id in <id>; skipped")
            continue
        title, abstract, paper = built
        if not skip_without_text(result, origin, record, title, abstract):
            result.papers.append(paper)
    note_missing_abstracts(result, origin)
    return result
