"""RIS (Zotero, EndNote, Mendeley exports), read with rispy.

Every record runs from ``TY  - `` to ``ER  - ``; a record without its ``ER``
line is a truncated file and an InputError naming the record and line (rispy
alone would drop it silently). ``AU``/``A1`` names ("Last, First") become
"First Last"; ``DA``/``PY`` the date; ``T2``/``JO``/``JF`` the venue.
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
    drop_empty,
    iso_date,
    note_missing_abstracts,
    reject_html,
    skip_without_text,
    squash,
    unique,
)
from .sanitize import reader

FORMAT = "ris"
_TY = re.compile(r"^TY  - ", re.MULTILINE)
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])  - ?(.*)$")
_VENUE_KEYS = ("secondary_title", "journal_name", "alternate_title3", "alternate_title1", "alternate_title2")


def looks_like(text: str) -> bool:
    first = next((line for line in text.split("\n") if line.strip()), "")
    return bool(re.match(r"^TY  - \w+", first.lstrip("\ufeff")))


def _name(value: str) -> str:
    if "," in value:
        last, _, first = value.partition(",")
        return squash(f"{first} {last}")
    return squash(value)


def _date(record: dict[str, Any]) -> str | None:
    for key in ("date", "year", "publication_year"):
        raw = str(record.get(key) or "").strip()
        if raw:
            parts = [p for p in raw.replace("/", "-").split("-") if p.strip()]
            found = iso_date("-".join(parts[:3]))
            if found:
                return found
    return None


def _paper(record: dict[str, Any], origin: str, number: int, line: int) -> tuple[str, str, Paper]:
    title = squash(record.get("title") or record.get("primary_title") or record.get("translated_title"))
    abstract = squash(record.get("abstract") or record.get("notes_abstract"))
    names = (record.get("authors") or []) + (record.get("first_authors") or [])
    authors = [n for n in (_name(a) for a in names) if n]
    ids: dict[str, str] = {}
    add_doi(ids, record.get("doi"))
    urls = record.get("urls") or []
    for url in urls:
        add_arxiv_from_url(ids, url)
    for note in record.get("notes") or []:
        found = re.search(r"arXiv:\s*(\S+)", str(note), re.IGNORECASE)
        if found:
            add_arxiv(ids, found.group(1))
    if record.get("id"):
        ids["ris"] = str(record["id"])
    venue = next((squash(record[k]) for k in _VENUE_KEYS if squash(record.get(k))), None)
    pages = "-".join(str(record[k]) for k in ("start_page", "end_page") if record.get(k))
    extra: dict[str, Any] = {
        "type": record.get("type_of_reference"),
        "keywords": record.get("keywords"),
        "publisher": record.get("publisher"),
        "volume": record.get("volume"),
        "issue": record.get("number"),
        "pages": pages,
        "issn": record.get("issn"),
        "language": record.get("language"),
        "database": record.get("name_of_database") or record.get("database_provider"),
        "notes": record.get("notes"),
        "contributors": [_name(a) for a in record.get("secondary_authors") or []],
    }
    paper = Paper(
        title=title,
        abstract=abstract,
        authors=authors,
        n_authors=len(authors) or None,
        ids=ids,
        date=_date(record),
        venue=venue,
        links=unique(list(urls)),
        sources=[Provenance(origin, FORMAT, record=number, line=line)],
        extra=drop_empty(extra),
    )
    return title, abstract, paper


def _check_complete(text: str, origin: str) -> list[int]:
    """The line of each record's TY; a record that never reaches its ER is a truncated file."""
    starts: list[int] = []
    open_record: int | None = None
    for line_no, line in enumerate(text.split("\n"), start=1):
        match = _TAG_LINE.match(line.lstrip("\ufeff"))
        if not match:
            continue
        tag = match.group(1)
        if tag == "TY":
            if open_record is not None:
                raise InputError(
                    "RIS record has no ER line before the next TY", origin, line=open_record, record=len(starts)
                )
            starts.append(line_no)
            open_record = line_no
        elif tag == "ER":
            open_record = None
    if open_record is not None:
        raise InputError("truncated RIS record (no ER line)", origin, line=open_record, record=len(starts))
    return starts


@reader(FORMAT)
def parse(text: str, origin: str = "<text>") -> ParseResult:
    import rispy  # imported when needed: most runs read no RIS

    reject_html(text, origin, "RIS")
    starts = _check_complete(text, origin)
    try:
        records = rispy.loads(text.lstrip("\ufeff"), skip_unknown_tags=False, enforce_list_tags=True)
    except (OSError, ValueError) as exc:
        raise InputError(f"malformed RIS ({exc})", origin) from None
    if not records:
        raise InputError("no RIS records found", origin)
    if len(records) != len(starts):  # rispy dropped or split a record: never lose one silently
        raise InputError(
            f"holds {len(starts)} RIS records (TY lines) but {len(records)} could be read", origin, line=starts[0]
        )
    result = ParseResult()
    for number, record in enumerate(records, start=1):
        line = starts[number - 1] if number <= len(starts) else 0
        title, abstract, paper = _paper(record, origin, number, line)
        if not skip_without_text(result, origin, number, title, abstract):
            result.papers.append(paper)
    note_missing_abstracts(result, origin)
    return result
