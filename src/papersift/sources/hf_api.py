"""Hugging Face Daily Papers API (/api/daily_papers, /api/papers/{id}).

A daily list holds entries ``{"paper": {...}, "title", "summary", "numComments", ...}``;
``paper.id`` is the arXiv id. Upvotes, authors, dates, AI keywords and summary,
GitHub repository, project page and organisation are kept.
"""

from __future__ import annotations

from typing import Any

from ..errors import InputError
from ..models import Paper, Provenance
from .base import ParseResult
from .common import (
    add_arxiv,
    as_list,
    collect_objects,
    first_dict,
    iso_date,
    json_document,
    load_json,
    squash,
    unique,
)
from .sanitize import reader

FORMAT = "hf-api"
_WHAT = "Hugging Face Daily Papers API"


def _is_bare_paper(obj: Any) -> bool:
    return isinstance(obj, dict) and {"id", "upvotes"} <= obj.keys() and ("summary" in obj or "authors" in obj)


def _is_entry(obj: Any) -> bool:
    return isinstance(obj, dict) and (
        (isinstance(obj.get("paper"), dict) and "id" in obj["paper"]) or _is_bare_paper(obj)
    )


def looks_like(text: str) -> bool:
    data = json_document(text)
    if isinstance(data, list):
        first = first_dict(data)
        return first is not None and _is_entry(first)
    return _is_entry(data)


def _name(value: Any) -> str:
    if isinstance(value, dict):
        return squash(value.get("name") or value.get("fullname") or "")
    return squash(value) if isinstance(value, str) else ""


def _paper(entry: dict[str, Any], origin: str, record: int) -> tuple[str, str, Paper]:
    paper = entry["paper"] if isinstance(entry.get("paper"), dict) else entry
    title = squash(paper.get("title") or entry.get("title"))
    abstract = squash(paper.get("summary") or entry.get("summary"))
    raw_authors = as_list(paper.get("authors")) or []
    authors = [n for n in (_name(a) for a in raw_authors) if n]
    ids: dict[str, str] = {}
    paper_id = str(paper.get("id") or "")
    add_arxiv(ids, paper_id)
    if paper_id and "arxiv" not in ids:
        ids["hf"] = paper_id
    upvotes = paper.get("upvotes")
    extra: dict[str, Any] = {}
    for source_key, key in (
        ("ai_keywords", "ai_keywords"),
        ("ai_summary", "ai_summary"),
        ("githubStars", "github_stars"),
        ("discussionId", "discussion_id"),
    ):
        if paper.get(source_key) not in (None, "", []):
            extra[key] = paper[source_key]
    if iso_date(paper.get("submittedOnDailyAt")):
        extra["listed_on"] = iso_date(paper.get("submittedOnDailyAt"))
    if isinstance(entry.get("numComments"), int):
        extra["num_comments"] = entry["numComments"]
    organization = paper.get("organization") or entry.get("organization")
    if isinstance(organization, dict) and (organization.get("fullname") or organization.get("name")):
        extra["organization"] = organization.get("fullname") or organization.get("name")
    submitter = paper.get("submittedOnDailyBy") or entry.get("submittedBy")
    if isinstance(submitter, dict) and submitter.get("name"):
        extra["submitted_by"] = submitter["name"]
    links = [f"https://huggingface.co/papers/{paper_id}"] if paper_id else []
    if "arxiv" in ids:
        links.append(f"https://arxiv.org/abs/{ids['arxiv']}")
    links += [u for u in (paper.get("githubRepo"), paper.get("projectPage")) if isinstance(u, str)]
    result = Paper(
        title=title,
        abstract=abstract,
        authors=authors,
        n_authors=len(authors) or None,
        ids=ids,
        date=iso_date(paper.get("publishedAt") or entry.get("publishedAt")),
        upvotes=upvotes if isinstance(upvotes, int) else None,
        links=unique(links),
        sources=[Provenance(origin, FORMAT, record=record)],
        extra=extra,
    )
    return title, abstract, result


@reader(FORMAT)
def parse(text: str, origin: str = "<text>") -> ParseResult:
    data = load_json(text, origin, _WHAT)
    entries = data if isinstance(data, list) else [data]
    if isinstance(data, dict) and not _is_entry(data):
        raise InputError("is not a Hugging Face Daily Papers response (expected a list of papers)", origin)
    result = ParseResult()
    return collect_objects(result, entries, origin, "paper", _paper)
