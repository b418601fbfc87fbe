"""An arXiv author listing as copied from arxiv.org.

Each record is: [title line + authors line], abstract paragraph, [comments],
``arXiv:ID``, ``Created: YYYY-MM-DD``. Title and authors are often absent.
"""

from __future__ import annotations

import re

from ..errors import InputError
from ..identity import normalize_arxiv_id
from ..models import Paper, Provenance
from .base import ParseResult, split_plain_authors
from .sanitize import reader

FORMAT = "arxiv-listing"
_ID_LINE = re.compile(r"^arXiv:\s*(\S+)\s*$")
_CREATED_LINE = re.compile(r"^Created:\s*(\d{4}-\d{2}-\d{2})\s*$")


def looks_like(text: str) -> bool:
    return bool(re.search(r"^arXiv:\s*\S+\s*$", text, re.M)) and bool(
        re.search(r"^Created:\s*\d{4}-\d{2}-\d{2}\s*$", text, re.M)
    )


def _paragraphs(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    paragraphs: list[list[tuple[int, str]]] = [[]]
    for line_no, line in lines:
        if line.strip():
            paragraphs[-1].append((line_no, line.strip()))
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


def _build(
    body: list[tuple[int, str]], arxiv_id: str, created: str | None, origin: str, record: int
) -> tuple[Paper, list[str]]:
    warnings: list[str] = []
    paragraphs = _paragraphs(body)
    first_line = body[0][0] if body else None
    if not paragraphs:
        raise InputError("record has no abstract before its arXiv id", origin, line=first_line, record=record)
    # The abstract is the longest one-line paragraph (a title + authors paragraph has two
    # lines, and a long author list can outgrow the abstract); what follows it is the comments.
    single = [i for i, p in enumerate(paragraphs) if len(p) == 1] or list(range(len(paragraphs)))
    abstract_index = max(single, key=lambda i: sum(len(t) for _, t in paragraphs[i]))
    abstract = " ".join(t for _, t in paragraphs[abstract_index])
    title, authors = "", []
    before = [t for p in paragraphs[:abstract_index] for _, t in p]
    if before:
        title = before[0]
        if len(before) > 1:
            authors = split_plain_authors(" ".join(before[1:]))
    comments = " ".join(t for p in paragraphs[abstract_index + 1 :] for _, t in p) or None
    normalized = normalize_arxiv_id(arxiv_id)
    if normalized is None:
        raise InputError(f"'{arxiv_id}' is not an arXiv id", origin, line=first_line, record=record)
    if created is None:
        warnings.append(f"{origin}, record {record}: no Created: date")
    paper = Paper(
        title=title,
        abstract=abstract,
        authors=authors,
        n_authors=len(authors) or None,
        ids={"arxiv": normalized},
        date=created,
        comments=comments,
        links=[f"https://arxiv.org/abs/{normalized}"],
        sources=[Provenance(origin, FORMAT, record=record, line=first_line)],
    )
    return paper, warnings


@reader(FORMAT)
def parse(text: str, origin: str = "<text>") -> ParseResult:
    result = ParseResult()
    body: list[tuple[int, str]] = []
    pending_id: tuple[int, str] | None = None
    lines = text.split("\n")
    for line_no, line in enumerate(lines, start=1):
        id_match = _ID_LINE.match(line.strip())
        created_match = _CREATED_LINE.match(line.strip())
        if created_match:
            if pending_id is None:
                raise InputError("Created: line without an arXiv: id before it", origin, line=line_no)
            paper, warnings = _build(body, pending_id[1], created_match.group(1), origin, len(result.papers) + 1)
            result.papers.append(paper)
            result.warnings.extend(warnings)
            body, pending_id = [], None
        elif id_match:
            if pending_id is not None:
                paper, warnings = _build(body, pending_id[1], None, origin, len(result.papers) + 1)
                result.papers.append(paper)
                result.warnings.extend(warnings)
                body = []
            pending_id = (line_no, id_match.group(1))
        elif pending_id is not None and line.strip():
            # Text after an id that was not followed by its date: the record had no date.
            paper, warnings = _build(body, pending_id[1], None, origin, len(result.papers) + 1)
            result.papers.append(paper)
            result.warnings.extend(warnings)
            body, pending_id = [(line_no, line)], None
        else:
            body.append((line_no, line))
    if pending_id is not None:
        paper, warnings = _build(body, pending_id[1], None, origin, len(result.papers) + 1)
        result.papers.append(paper)
        result.warnings.extend(warnings)
    elif any(t.strip() for _, t in body):
        start = next(n for n, t in body if t.strip())
        raise InputError(
            "truncated record: text without an arXiv: id and Created: date after it",
            origin,
            line=start,
            record=len(result.papers) + 1,
        )
    if not result.papers:
        raise InputError("no arXiv listing records found", origin)
    return result
