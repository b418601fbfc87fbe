"""Publication lists as people paste them: records separated by blank lines, or one title per line.

A block (lines between blank lines) is one record: its first line the title, then

- an authors line (names separated by commas or "and") and optionally an abstract (the rest), or
- an abstract (a long line of prose) with no authors, or
- nothing: a title alone.

A block of short lines that are neither authors nor an abstract is a list of titles, one paper per
line, never one paper (a warning says so). A line that is only an arXiv id or a DOI is refused with a
sentence: a file gives papersift no title or abstract to rank it on.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..errors import InputError
from ..identity import normalize_arxiv_id, normalize_doi
from ..models import Paper, Provenance
from .base import ParseResult, split_inverted_authors, split_plain_authors

_ID_ONLY = re.compile(
    r"^(?:arxiv:\s*|https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/|doi:\s*|https?://(?:dx\.)?doi\.org/)?"
    r"(?:\d{4}\.\d{4,5}(?:v\d+)?|[a-z-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?|10\.\d{4,9}/\S+)$",
    re.IGNORECASE,
)
_MARKUP_START = tuple("<{[@%#|>")
_PROSE_CHARS = 150
_PROSE_WORDS = 20
_MAX_TITLE = 400


def blocks(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks of stripped lines, each with the line number it starts on."""
    found: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.strip())
        elif current:
            found.append((start, current))
            current = []
    if current:
        found.append((start, current))
    return found


def is_authors(line: str, names_line: Callable[[str], bool]) -> bool:
    """Names separated by commas or "and" (a single name is not told from a short title)."""
    return names_line(line) and ("," in line or " and " in line)


def _authors(line: str) -> list[str]:
    """ "Last, First, Last, First" (every other part one word) or "First Last, First Last and First Last"."""
    parts = [p.strip() for p in line.replace(" and ", ", ").split(",") if p.strip()]
    if len(parts) % 2 == 0 and all(len(p.split()) == 1 for p in parts[0::2]):
        return split_inverted_authors(", ".join(parts))
    return split_plain_authors(line)


def is_prose(line: str) -> bool:
    return len(line) >= _PROSE_CHARS or len(line.split()) >= _PROSE_WORDS


def is_id(line: str) -> bool:
    return len(line) <= 300 and bool(_ID_ONLY.match(line.strip()))


def plain_line(line: str) -> bool:
    return not line.startswith(_MARKUP_START) and len(line) <= 5_000 and not re.match(r"^[A-Z][A-Z0-9]  - ", line)


def looks_like_blocks(text: str, names_line: Callable[[str], bool]) -> bool:
    """Blank-line separated records, at least one with authors or an abstract, and nothing structured."""
    found = blocks(text)
    if not found or any(raw[:1].isspace() and raw.strip() for raw in text.split("\n")[:2000]):
        return False
    lines = [line for _, block in found for line in block]
    if not all(plain_line(line) for line in lines) or any(len(block[0]) > _MAX_TITLE for _, block in found):
        return False
    structured = sum(
        1 for _, block in found if len(block) >= 2 and (is_authors(block[1], names_line) or is_prose(block[1]))
    )
    return structured >= max(1, len(found) // 2)


def looks_like_ids(text: str) -> bool:
    lines = [line.strip() for line in text.split("\n")[:10_000] if line.strip()]
    return bool(lines) and all(is_id(line) for line in lines)


def bare_id_paper(value: str, origin: str, fmt: str, number: int, line: int) -> Paper:
    """A record that is an arXiv id or a DOI alone: no title, no abstract, only its id.

    Nothing to rank on yet: a profile import looks such records up (arXiv, OpenAlex) and refuses
    them, naming their lines, when they cannot be (:func:`papersift.loading.refuse_textless`).
    """
    doi = normalize_doi(value)  # first: a DOI's digits can look like an arXiv id
    arxiv = None if doi else normalize_arxiv_id(value)
    ids = {"arxiv": arxiv} if arxiv else ({"doi": doi} if doi else {})
    return Paper(title="", abstract="", ids=ids, sources=[Provenance(origin, fmt, record=number, line=line)])


def parse_blocks(text: str, origin: str, fmt: str, names_line: Callable[[str], bool]) -> ParseResult:
    """Every block one record (or, for a block of bare titles, one record per line); nothing merged."""
    result = ParseResult()
    found = blocks(text)
    owner = None
    first = found[0][1][0] if found else ""
    # The researcher's name on its own ("Doe, Jane") before a record of several lines.
    if len(found) > 1 and len(found[0][1]) == 1 and first.count(",") == 1 and len(first.split()) <= 4:
        if names_line(first) and len(found[1][1]) >= 2:
            owner = first
            found = found[1:]
    for start, block in found:
        records: list[tuple[int, str, str, list[str]]] = []
        if len(block) >= 2 and is_authors(block[1], names_line) and not is_prose(block[1]):
            records.append((start, block[0], " ".join(block[2:]), _authors(block[1])))
        elif len(block) >= 2 and any(is_prose(line) for line in block[1:]):
            records.append((start, block[0], " ".join(block[1:]), []))
        else:
            if len(block) > 1:
                result.warnings.append(
                    f"{origin}, line {start}: {len(block)} lines with neither authors nor an abstract; "
                    f"read as {len(block)} separate titles"
                )
            records.extend((start + i, line, "", []) for i, line in enumerate(block))
        for line_no, title, abstract, authors in records:
            number = len(result.papers) + 1
            if is_id(title):
                result.papers.append(bare_id_paper(title, origin, fmt, number, line_no))
                continue
            paper = Paper(
                title=title,
                abstract=abstract,
                authors=authors,
                n_authors=len(authors) or None,
                sources=[Provenance(origin, fmt, record=number, line=line_no)],
            )
            if owner:
                paper.extra["listed_for"] = owner
            result.papers.append(paper)
    if not result.papers:
        raise InputError("holds no papers", origin)
    missing = [p for p in result.papers if not p.abstract and not p.untitled]
    if missing:
        where = ", ".join(f"line {p.sources[0].line}" for p in missing[:5]) + (" ..." if len(missing) > 5 else "")
        result.warnings.append(
            f"{origin}: {len(missing)} of {len(result.papers)} records have no abstract ({where}); "
            "ranked on their titles alone"
        )
    return result
