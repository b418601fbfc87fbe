"""BibTeX / BibLaTeX (Zotero, Google Scholar, DBLP exports) through bibtexparser."""

from __future__ import annotations

import re

from ..errors import InputError
from ..identity import normalize_arxiv_id, normalize_doi
from ..models import Paper, Provenance
from .base import ParseResult
from .sanitize import reader

FORMAT = "bibtex"
# "[ \t]*", not "\s*", before the "@": "\s*" spans newlines, so every line start of a run of blank lines
# rescanned the whole run (quadratic).
_ENTRY_START = re.compile(r"^[ \t]*@(\w+)\s*[{(]", re.M)
_NON_PAPER = {"string", "preamble", "comment"}


def looks_like(text: str) -> bool:
    return any(m.group(1).lower() not in _NON_PAPER for m in _ENTRY_START.finditer(text))


def _clean(value: str) -> str:
    """Drop BibTeX braces and collapse the whitespace of wrapped lines."""
    value = value.replace("{", "").replace("}", "")
    value = re.sub(r"\\[`'^\"~=.uvHtcdbk]\s*(\w)", r"\1", value)
    return re.sub(r"\s+", " ", value).strip()


def _authors(value: str) -> list[str]:
    names = []
    for name in _clean(value).split(" and "):  # _clean collapsed the whitespace: no backtracking split
        if "," in name:
            last, _, first = name.partition(",")
            name = f"{first.strip()} {last.strip()}".strip()
        if name:
            names.append(name)
    return names


def _arxiv_id(fields: dict[str, str]) -> str | None:
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").lower()
    if fields.get("eprint") and ("arxiv" in prefix or not prefix):
        found = normalize_arxiv_id(fields["eprint"])
        if found:
            return found
    for name in ("url", "journal", "doi", "note"):
        value = fields.get(name, "")
        if "arxiv" in value.lower():
            found = normalize_arxiv_id(value)
            if found:
                return found
    return None


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


@reader(FORMAT)
def parse(text: str, origin: str = "<text>") -> ParseResult:
    import bibtexparser  # imported when needed: most runs read no BibTeX

    library = bibtexparser.parse_string(text)
    result = ParseResult()
    starts = [m for m in _ENTRY_START.finditer(text) if m.group(1).lower() not in _NON_PAPER]
    for failed in library.failed_blocks:
        start = getattr(failed, "start_line", None)
        line = start + 1 if isinstance(start, int) else None
        raise InputError("malformed BibTeX entry", origin, line=line)
    for record, entry in enumerate(library.entries, start=1):
        fields = {f.key.lower(): str(f.value) for f in entry.fields}
        line = (
            (entry.start_line + 1)
            if entry.start_line is not None
            else (_line_of(text, starts[record - 1].start()) if record <= len(starts) else None)
        )
        title = _clean(fields.get("title", ""))
        abstract = _clean(fields.get("abstract", ""))
        if not title:
            raise InputError(f"entry '{entry.key}' has no title", origin, line=line, record=record)
        if not abstract:
            result.warnings.append(f"{origin}, entry '{entry.key}': no abstract; ranked on its title alone")
        ids: dict[str, str] = {"bibtex": entry.key}
        doi = normalize_doi(fields.get("doi", ""))
        if doi:
            ids["doi"] = doi
        arxiv = _arxiv_id(fields)
        if arxiv:
            ids["arxiv"] = arxiv
        year = fields.get("year", "").strip()
        date = fields.get("date", "").strip() or (year if year.isdigit() else None)
        authors = _authors(fields.get("author", ""))
        venue = (
            _clean(fields.get("journal", "") or fields.get("journaltitle", "") or fields.get("booktitle", "")) or None
        )
        links = [fields["url"].strip()] if fields.get("url") else []
        result.papers.append(
            Paper(
                title=title,
                abstract=abstract,
                authors=authors,
                n_authors=len(authors) or None,
                ids=ids,
                date=date or None,
                venue=venue,
                comments=_clean(fields.get("note", "")) or None,
                links=links,
                sources=[Provenance(origin, FORMAT, record=record, line=line)],
            )
        )
    if not result.papers:
        raise InputError("no BibTeX entries found", origin)
    return result
