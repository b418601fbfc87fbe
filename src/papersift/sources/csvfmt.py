"""CSV exports of a library: Google Scholar ("Export" -> CSV), Zotero ("Export Collection" -> CSV), and alike.

The first row names the columns; a file is read as CSV when it names a ``Title`` column and at
least one other bibliographic column. Columns are matched by name, whatever their case or order:

- title: ``Title``; abstract: ``Abstract``, ``Abstract Note`` (Zotero), ``Summary``;
- authors: ``Authors`` (Google Scholar), ``Author`` (Zotero), ``Creators``: names separated by
  ``;`` are "Last, First" (inverted), otherwise the list is "First Last, First Last and ...";
- date: ``Date``, ``Publication Year`` (Zotero), ``Year`` (Google Scholar);
- venue: ``Publication`` (Google Scholar), ``Publication Title`` (Zotero), ``Journal``, ``Venue``, ``Booktitle``;
- ids: ``DOI``, ``arXiv``/``eprint``, an arXiv id in ``Url`` or ``Extra``, the Zotero ``Key``;
- kept in ``extra``: item type, publisher, volume, number/issue, pages, tags.

A row with neither a title nor an abstract is skipped with a warning naming its line.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from ..errors import InputError
from ..models import Paper, Provenance
from .base import ParseResult, split_plain_authors
from .common import MAX_RAW_FIELD_CHARS, add_arxiv, add_arxiv_from_url, add_doi, drop_empty, iso_date, squash, unique
from .sanitize import reader

FORMAT = "csv"
_COLUMNS = {
    "title": ("title",),
    "abstract": ("abstract", "abstract note", "abstractnote", "summary"),
    "authors": ("authors", "author", "creators"),
    "date": ("date", "publication year", "year"),
    "venue": ("publication", "publication title", "journal", "venue", "booktitle", "source title", "source"),
    "doi": ("doi",),
    "arxiv": ("arxiv", "eprint", "arxiv id"),
    "url": ("url", "link"),
    "extra": ("extra",),
    "key": ("key",),
    "type": ("item type", "type"),
    "publisher": ("publisher",),
    "volume": ("volume",),
    "number": ("number", "issue"),
    "pages": ("pages",),
    "tags": ("manual tags", "keywords", "tags"),
}
_BIBLIOGRAPHIC = {"abstract", "authors", "date", "venue", "doi", "arxiv", "key"}
_ARXIV_IN_TEXT = re.compile(r"arXiv:\s*(\S+)", re.IGNORECASE)


def _header(line: str) -> list[str]:
    try:
        return [cell.strip().lstrip("\ufeff").lower() for cell in next(csv.reader([line]))]
    except (csv.Error, StopIteration):
        return []


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for field, names in _COLUMNS.items():
        for name in names:
            if name in header:
                found[field] = header.index(name)
                break
    return found


def looks_like(text: str) -> bool:
    end = text.find("\n", 0, 65536)
    first = text[: end if end >= 0 else 65536]
    if "," not in first:
        return False
    columns = _columns(_header(first))
    return "title" in columns and bool(_BIBLIOGRAPHIC & columns.keys())


def _authors(value: str) -> list[str]:
    value = squash(value)
    if ";" in value:  # "Last, First; Last, First" (Zotero, Google Scholar)
        names = []
        for name in value.split(";"):
            last, comma, first = name.partition(",")
            names.append(squash(f"{first} {last}") if comma else squash(name))
        return [n for n in names if n]
    return split_plain_authors(value)


def _paper(row: list[str], columns: dict[str, int], origin: str, record: int, line: int) -> tuple[str, str, Paper]:
    def cell(field: str) -> str:
        index = columns.get(field)
        return row[index][:MAX_RAW_FIELD_CHARS].strip() if index is not None and index < len(row) else ""

    title, abstract = squash(cell("title")), squash(cell("abstract"))
    authors = _authors(cell("authors"))
    ids: dict[str, str] = {}
    add_doi(ids, cell("doi"))
    add_arxiv(ids, cell("arxiv"))
    add_arxiv_from_url(ids, cell("url"))
    extra_text = _ARXIV_IN_TEXT.search(cell("extra")[:10_000])
    if extra_text:
        add_arxiv(ids, extra_text.group(1))
    if cell("key"):
        ids["zotero"] = cell("key")
    extra: dict[str, Any] = {
        "type": cell("type"),
        "publisher": cell("publisher"),
        "volume": cell("volume"),
        "issue": cell("number"),
        "pages": cell("pages"),
        "tags": [t.strip() for t in cell("tags").split(";") if t.strip()],
    }
    paper = Paper(
        title=title,
        abstract=abstract,
        authors=authors,
        n_authors=len(authors) or None,
        ids=ids,
        date=iso_date(cell("date")),
        venue=squash(cell("venue")) or None,
        links=unique([cell("url")]),
        sources=[Provenance(origin, FORMAT, record=record, line=line)],
        extra=drop_empty(extra),
    )
    return title, abstract, paper


@reader(FORMAT)
def parse(text: str, origin: str = "<text>") -> ParseResult:
    rows = csv.reader(io.StringIO(text))
    try:
        header = [cell.strip().lstrip("\ufeff").lower() for cell in next(rows)]
    except StopIteration:
        raise InputError("is empty", origin) from None
    except csv.Error as exc:
        raise InputError(f"malformed CSV header ({exc})", origin, line=1) from None
    columns = _columns(header)
    if "title" not in columns:
        raise InputError("is a CSV file without a Title column (export with titles, or give BibTeX or RIS)", origin)
    result = ParseResult()
    record = 0
    while True:
        line = rows.line_num + 1
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(f"malformed CSV ({exc})", origin, line=line) from None
        if not any(cell.strip() for cell in row):
            continue
        record += 1
        title, abstract, paper = _paper(row, columns, origin, record, line)
        if not title and not abstract:
            result.warnings.append(f"{origin}, line {line}: row {record} has neither a title nor an abstract; skipped")
            continue
        result.papers.append(paper)
    if not result.papers:
        raise InputError("holds no papers (a header and no rows with a title)", origin)
    missing = sum(1 for paper in result.papers if not paper.abstract)
    if missing:
        result.warnings.append(
            f"{origin}: {missing} of {len(result.papers)} rows have no abstract; ranked on their titles alone"
        )
    return result
