"""BibTeX / BibLaTeX (Zotero, Google Scholar, DBLP exports) through bibtexparser."""

from __future__ import annotations

import logging
import re

from ..errors import InputError
from ..identity import decode_latex_accents, normalize_arxiv_id, normalize_doi
from ..models import Paper, Provenance
from .base import ParseResult
from .common import MAX_RAW_FIELD_CHARS
from .sanitize import reader

FORMAT = "bibtex"
# "[ \t]*", not "\s*", before the "@": "\s*" spans newlines, so every line start of a run of blank lines
# rescanned the whole run (quadratic).
_ENTRY_START = re.compile(r"^[ \t]*@(\w+)\s*[{(]", re.M)
_NON_PAPER = {"string", "preamble", "comment"}


def looks_like(text: str) -> bool:
    return any(m.group(1).lower() not in _NON_PAPER for m in _ENTRY_START.finditer(text))


# Titles are converted by pylatexenc when they hold math or commands beyond accents; it is slow
# (about 20 microseconds a character) and recursive, so longer fields get the linear decoder only.
_LATEX_TITLE_CHARS = 2_000
_ESCAPED = re.compile(r"\\([&%_$#])")


def _clean(value: str) -> str:
    """LaTeX accents decoded (``{\\"o}`` -> ö), braces dropped, the whitespace of wrapped lines collapsed."""
    value = decode_latex_accents(value[:MAX_RAW_FIELD_CHARS])
    value = _ESCAPED.sub(r"\1", value.replace("{", "").replace("}", ""))
    return " ".join(value.split())


def _title(value: str) -> str:
    """A BibTeX title as readable text: accents decoded, math and commands converted (``$\\ell_1$`` -> ℓ_1)."""
    value = decode_latex_accents(value)
    if len(value) <= _LATEX_TITLE_CHARS and ("\\" in value or "$" in value):
        from pylatexenc.latex2text import LatexNodes2Text  # imported when needed

        try:
            value = LatexNodes2Text(math_mode="text", strict_latex_spaces=True).latex_to_text(value)
        except (RecursionError, ValueError, IndexError, KeyError, AttributeError, TypeError):
            pass  # not LaTeX pylatexenc understands: the plain clean-up below still applies
    return _clean(value)


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

    # bibtexparser logs each block it gives up on to stderr; a failed block is our InputError instead.
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
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
        title = _title(fields.get("title", ""))
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
