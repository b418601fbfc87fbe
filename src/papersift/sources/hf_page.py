"""A Hugging Face Daily Papers page as copied from the browser.

Records are: title, abstract, ``• N authors``, ``·``, a date (``Oct 16, 2023``,
or ``Jun 6`` in the current year) optionally followed by the upvote count.

A page copied as text carries no links, so its papers have no arXiv id (``rank`` shows a handle made
from the title instead). Where the copy kept the paper's link (a Markdown title
``[Title](https://huggingface.co/papers/2411.12345)``, or the URL on a line of the author/date
block), the arXiv id in it is recorded.

The author/date block is optional: the page itself shows none under some papers
(three of the bundled sample's 193 records), so a record without one is kept
silently. Only the last record's missing block is warned about, since there it
is what a page cut off while copying looks like.
"""

from __future__ import annotations

import datetime as dt
import re

from .. import clock
from ..errors import InputError
from ..models import Paper, Provenance
from .base import ParseResult
from .sanitize import reader

FORMAT = "hf-page"
_AUTHORS = re.compile(r"^\s*•\s*(\d+)\s+authors?\s*$")
_DATE = re.compile(r"^([A-Z][a-z]{2}) (\d{1,2})(?:, (\d{4}))?(?:\s+(\d+))?$")
_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), start=1)}
_MAX_TITLE = 300
_MARKDOWN_TITLE = re.compile(r"^\[(.+)\]\((https?://[^\s)]+)\)$")
_PAPER_URL = re.compile(r"^https?://(?:www\.)?(?:huggingface\.co/papers|arxiv\.org/(?:abs|pdf))/(\d{4}\.\d{4,5})")
_BOILERPLATE = {
    "new",
    "get trending papers in your email inbox!",
    "subscribe",
    "daily papers",
    "byak and the research community",
}


def looks_like(text: str) -> bool:
    return any(_AUTHORS.match(line) for line in text.split("\n"))


def _date(month: str, day: str, year: str | None, reference: dt.date) -> str | None:
    """An ISO date; a date shown without a year is the latest such date not after ``reference``."""
    if month not in _MONTHS:
        return None
    try:
        if year:
            return dt.date(int(year), _MONTHS[month], int(day)).isoformat()
        for candidate_year in (reference.year, reference.year - 1):
            candidate = dt.date(candidate_year, _MONTHS[month], int(day))
            if candidate <= reference:
                return candidate.isoformat()
    except ValueError:
        return None
    return None


def _paragraphs(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated paragraphs with the line number where each starts."""
    paragraphs: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for line_no, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = line_no
            current.append(line.strip())
        elif current:
            paragraphs.append((start, current))
            current = []
    if current:
        paragraphs.append((start, current))
    return paragraphs


def _is_trailer(lines: list[str]) -> bool:
    """The block under an abstract: author count (or organisation), a dot, the date."""
    return "·" in lines or any(_AUTHORS.match(line) for line in lines)


def _is_title(paragraph: list[str], following: list[str] | None) -> bool:
    """A short one-line paragraph followed by a longer text paragraph starts a record."""
    if len(paragraph) != 1 or _is_trailer(paragraph):
        return False
    if following is None or _is_trailer(following):
        return len(paragraph[0]) <= _MAX_TITLE
    return len(paragraph[0]) <= _MAX_TITLE and len(" ".join(following)) > len(paragraph[0])


@reader(FORMAT)
def parse(text: str, origin: str = "<text>", today: dt.date | None = None) -> ParseResult:
    today = today or clock.today()
    paragraphs = _paragraphs(text)
    index = 0
    page_date: str | None = None
    while index < len(paragraphs):
        content = " ".join(paragraphs[index][1])
        date_match = _DATE.match(content)
        if content.lower() in _BOILERPLATE:
            index += 1
        elif date_match and not date_match.group(4):
            page_date = _date(date_match.group(1), date_match.group(2), date_match.group(3), today)
            index += 1
        else:
            break
    reference = dt.date.fromisoformat(page_date) if page_date else today
    result = ParseResult()
    while index < len(paragraphs):
        line_no, lines = paragraphs[index]
        record = len(result.papers) + 1
        if _is_trailer(lines):
            raise InputError("author/date block without a title before it", origin, line=line_no, record=record)
        title = lines[0] if len(lines) == 1 else ""
        title_link = _MARKDOWN_TITLE.match(title)
        if title_link:
            title = title_link.group(1).strip()
        if not title or len(title) > _MAX_TITLE:
            raise InputError("expected a title line", origin, line=line_no, record=record)
        index += 1
        abstract = ""
        following = paragraphs[index][1] if index < len(paragraphs) else None
        after = paragraphs[index + 1][1] if index + 1 < len(paragraphs) else None
        if following is not None and not _is_trailer(following) and not _is_title(following, after):
            abstract = " ".join(following)
            index += 1
        paper = Paper(
            title=title,
            abstract=abstract,
            sources=[Provenance(origin, FORMAT, record=record, line=line_no)],
        )
        if title_link:
            _note_url(paper, title_link.group(2))
        if page_date:
            paper.extra["listed_on"] = page_date
        if not abstract:
            result.warnings.append(f"{origin}, line {line_no}: no abstract; ranked on its title alone")
        if index < len(paragraphs) and _is_trailer(paragraphs[index][1]):
            _read_trailer(paper, paragraphs[index][1], reference)
            index += 1
        elif index >= len(paragraphs):
            result.warnings.append(
                f"{origin}, line {line_no}: the last record has no author count or date (was the page cut off?)"
            )
        result.papers.append(paper)
    if not result.papers:
        raise InputError("no Hugging Face Papers records found", origin)
    return result


def _read_trailer(paper: Paper, lines: list[str], reference: dt.date) -> None:
    for line in lines:
        authors_match = _AUTHORS.match(line)
        date_match = _DATE.match(line)
        if authors_match:
            paper.n_authors = int(authors_match.group(1))
        elif date_match:
            paper.date = _date(date_match.group(1), date_match.group(2), date_match.group(3), reference)
            if date_match.group(4):
                paper.upvotes = int(date_match.group(4))
        elif _PAPER_URL.match(line):
            _note_url(paper, line)
        elif line != "·":
            paper.extra["organization"] = line


def _note_url(paper: Paper, url: str) -> None:
    """The paper's own link, and the arXiv id a Hugging Face or arXiv paper URL carries."""
    if url not in paper.links:
        paper.links.append(url)
    match = _PAPER_URL.match(url)
    if match:
        paper.ids.setdefault("arxiv", match.group(1))
