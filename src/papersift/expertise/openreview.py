"""The OpenReview expertise layout: ``DIR/~ID.jsonl`` archives (one paper per line) and ``submissions.json``.

Reviewer ids are the archive files' names without ``.jsonl``. Submissions may
also be the project's own JSON / JSONL paper files.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..models import Paper
from ..sources import decode, read_bytes, read_papers
from ..sources.jsonfmt import parse_jsonl


@dataclass
class Archive:
    """A reviewer's papers."""

    reviewer_id: str
    papers: list[Paper]


def submission_id(paper: Paper, fallback: int) -> str:
    """The key of a ``{id: paper}`` file, else the paper's OpenReview id, id, arXiv id or DOI, else its number."""
    key = paper.extra.get("key")
    if isinstance(key, str) and key:
        return key
    for scheme in ("openreview", "id", "arxiv", "doi"):
        if paper.ids.get(scheme):
            return paper.ids[scheme]
    return str(fallback)


def read_submissions(path: str | Path) -> list[tuple[str, Paper]]:
    """(submission id, paper) pairs, in file order."""
    result = read_papers(path, input_format=_json_kind(Path(path)))
    return [(submission_id(p, i), p) for i, p in enumerate(result.papers, start=1)]


def _json_kind(path: Path) -> str | None:
    if path.suffix == ".jsonl":
        return "jsonl"
    if path.suffix == ".json":
        return "json"
    return None


def iter_archives(directory: str | Path) -> Iterator[Archive]:
    """Each reviewer's archive, sorted by reviewer id; an empty archive gives an empty paper list."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError("is not a directory of reviewer archives (*.jsonl)", directory)
    files = sorted(directory.glob("*.jsonl"))
    if not files:
        raise InputError("holds no reviewer archives (*.jsonl)", directory)
    for file in files:
        data = read_bytes(file)  # a regular file within the input size limit, never a FIFO or device
        papers = parse_jsonl(decode(data, str(file)), str(file)).papers if data.strip() else []
        yield Archive(reviewer_id=file.stem, papers=papers)


def read_archives(directory: str | Path) -> list[Archive]:
    return list(iter_archives(directory))
