"""A pasted publication list: a name line, then title / authors / abstract, one line each.

Lists pasted with blank lines between records, with one record, with short or missing abstracts,
or as one title per line are read by :mod:`.publist_blocks`; a list of bare arXiv ids or DOIs
becomes records with an id and no text, which ``profile import`` looks up online (and refuses,
naming the lines, when it cannot).
"""

from __future__ import annotations

import re

from ..errors import InputError
from ..models import Paper, Provenance
from . import publist_blocks
from .base import ParseResult, split_inverted_authors
from .sanitize import reader

FORMAT = "publist"


def _has_header(lines: list[str]) -> bool:
    """The first line names the researcher ("Cevher, Volkan") rather than starting a paper.

    Records are title / authors / abstract, so whichever reading puts the
    longest lines (abstracts) third in each record is the right one; this
    also holds for a file whose last record was cut short.
    """

    def abstract_length(offset: int) -> float:
        third = [len(line) for line in lines[offset + 2 :: 3]]
        return sum(third) / len(third) if third else 0.0

    return abstract_length(1) > abstract_length(0)


# An author line is names: letters, spaces, commas, dots, hyphens, apostrophes; never markup, a key,
# a URL or code. Checking it is what keeps YAML, XML or a JSON fragment from passing for a list.
_NOT_NAMES = re.compile(r"[:/=<>{}\[\]()@\"\\|#*;_$%^~`+!?\d]|https?|\t")
_MAX_NAME_WORDS = 8
_TAGGED = re.compile(r"^[A-Z][A-Z0-9]  - ")  # RIS and similar tagged exports


def _names_line(line: str) -> bool:
    line = line.strip()
    if not line or not line[0].isalpha() or _NOT_NAMES.search(line):
        return False
    line = line.replace(" and ", ", ")
    return all(0 < len(part.split()) <= _MAX_NAME_WORDS for part in line.split(",") if part.strip())


def _three_line_shape(lines: list[str]) -> bool:
    """The classic title / authors / abstract layout, where a blank line is a missing field (truncation is an error).

    Either no line is blank and some line is prose, or the lines fall into threes (after the researcher's
    name) whose first line is a title and second line names or blank.
    """
    if all(line.strip() for line in lines):
        return any(publist_blocks.is_prose(line) for line in lines)
    body = lines[1:] if _has_header(lines) else lines
    if len(body) < 3 or len(body) % 3:
        return False
    titles_ok = all(line.strip() for line in body[0::3])
    return titles_ok and all(not line.strip() or _names_line(line) for line in body[1::3])


def looks_like(text: str) -> bool:
    """Strict: the classic layout, blank-line separated records, or a list of bare ids (looked up on import)."""
    if len(text) > 8 * 1024 * 1024:
        return False
    if _looks_like_three_lines(text):
        return True
    if publist_blocks.looks_like_ids(text):  # every line an arXiv id or DOI: unambiguous
        return True
    lines = text.rstrip("\n").split("\n")
    if _three_line_shape(lines):
        return False
    return publist_blocks.looks_like_blocks(text, _names_line)


def _looks_like_three_lines(text: str) -> bool:
    """Strict: every record's second line must be names and every line plain, unindented prose.

    A loose check took a truncated YAML file for 171 papers; a file this does not recognise is
    refused with a sentence (or read with ``--input-format publist`` if the user says so).
    """
    if len(text) > 8 * 1024 * 1024:  # a pasted list is never this large; spare the checks below
        return False
    lines = text.rstrip("\n").split("\n")
    if len(lines) < 3 or any(not line.strip() or line[:1].isspace() for line in lines):
        return False
    body = lines[1:] if _has_header(lines) else lines
    if len(body) % 3:
        return False
    if body is not lines and not _names_line(lines[0]):
        return False
    if not all(_names_line(line) for line in body[1::3]):
        return False
    if any(_TAGGED.match(line) for line in lines):
        return False
    if any(len(line) > 600 or line.lstrip()[:1] in "<{[@%#" for line in body[0::3]):
        return False
    # The third line of a record is an abstract: long prose.
    return sum(len(line) for line in body[2::3]) / max(1, len(body) // 3) > 150


@reader(FORMAT)
def parse(text: str, origin: str = "<text>") -> ParseResult:
    lines = text.rstrip("\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise InputError("is empty", origin)
    if not _three_line_shape(lines) or publist_blocks.looks_like_ids(text):
        return publist_blocks.parse_blocks(text, origin, FORMAT, _names_line)
    result = ParseResult()
    start = 1 if _has_header(lines) else 0
    owner = lines[0].strip() if start else None
    body = lines[start:]
    for index in range(0, len(body), 3):
        record = index // 3 + 1
        line_no = start + index + 1
        chunk = body[index : index + 3]
        if len(chunk) < 3:
            raise InputError(
                f"truncated record: expected title, authors and abstract lines, found {len(chunk)}",
                origin,
                line=line_no,
                record=record,
            )
        title, authors, abstract = (part.strip() for part in chunk)
        if not title:
            raise InputError("record has no title", origin, line=line_no, record=record)
        if not abstract:
            result.warnings.append(f"{origin}, record {record}: no abstract; ranked on its title alone")
        if not authors:
            result.warnings.append(f"{origin}, record {record}: no authors")
        paper = Paper(
            title=title,
            abstract=abstract,
            authors=split_inverted_authors(authors),
            sources=[Provenance(origin, FORMAT, record=record, line=line_no)],
        )
        paper.n_authors = len(paper.authors) or None
        if owner:
            paper.extra["listed_for"] = owner
        result.papers.append(paper)
    return result
