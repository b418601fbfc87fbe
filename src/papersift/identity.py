"""When two records are the same paper.

Two records are one paper when they share an arXiv id (version stripped), a
DOI, a normalized title, or a normalized abstract (arXiv author listings carry
no title, so the abstract is what ties them to a publication list).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from .models import Paper

_ARXIV_NEW = re.compile(r"(\d{4}\.\d{4,5})(v\d+)?", re.IGNORECASE)
_ARXIV_OLD = re.compile(r"([a-z\-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?", re.IGNORECASE)
_LATEX_CMD = re.compile(r"\\[a-zA-Z]+")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# A title shorter than this is too generic ("Introduction") to identify a paper alone.
_MIN_TITLE_KEY = 12
_MIN_ABSTRACT_KEY = 200


def normalize_arxiv_id(value: str) -> str | None:
    """``arXiv:2501.13676v2`` or an abs/pdf URL -> ``2501.13676``; None if not an arXiv id."""
    value = value.strip()
    for pattern in (_ARXIV_NEW, _ARXIV_OLD):
        match = pattern.search(value)
        if match:
            return match.group(1)
    return None


def normalize_doi(value: str) -> str | None:
    value = value.strip()
    value = re.sub(r"^(https?://)?(dx\.)?doi\.org/", "", value, flags=re.IGNORECASE)
    value = re.sub(r"^doi:\s*", "", value, flags=re.IGNORECASE)
    return value.lower() if value.startswith("10.") else None


def normalize_text(value: str) -> str:
    """Case, accents, LaTeX commands, punctuation and spacing removed."""
    if not value.isascii():
        value = unicodedata.normalize("NFKD", value)
        value = "".join(ch for ch in value if not unicodedata.combining(ch))
    value = _LATEX_CMD.sub(" ", value)
    return _NON_ALNUM.sub(" ", value.lower()).strip()


def identity_keys(paper: Paper) -> list[str]:
    """Every key under which this paper may be recognised elsewhere."""
    keys: list[str] = []
    if paper.ids.get("arxiv"):
        keys.append("arxiv:" + paper.ids["arxiv"])
    if paper.ids.get("doi"):
        keys.append("doi:" + paper.ids["doi"])
    title = normalize_text(paper.title)
    if len(title) >= _MIN_TITLE_KEY:
        keys.append("title:" + title)
    abstract = normalize_text(paper.abstract)
    if len(abstract) >= _MIN_ABSTRACT_KEY:
        keys.append("abstract:" + hashlib.sha1(abstract.encode()).hexdigest())
    return keys


def merge(into: Paper, other: Paper) -> Paper:
    """Fold ``other`` into ``into``: fields ``into`` lacks are taken, provenances joined."""
    if not into.title:
        into.title = other.title
    if len(other.abstract) > len(into.abstract):
        into.abstract = other.abstract
    if len(other.authors) > len(into.authors):
        into.authors = list(other.authors)
    for name in ("n_authors", "date", "venue", "comments", "upvotes"):
        if getattr(into, name) in (None, "") and getattr(other, name) not in (None, ""):
            setattr(into, name, getattr(other, name))
    if other.upvotes is not None and into.upvotes is not None:
        into.upvotes = max(into.upvotes, other.upvotes)
    for scheme, value in other.ids.items():
        into.ids.setdefault(scheme, value)
    into.links.extend(link for link in other.links if link not in into.links)
    into.sources.extend(s for s in other.sources if s not in into.sources)
    for key, value in other.extra.items():
        into.extra.setdefault(key, value)
    return into


def deduplicate(papers: Iterable[Paper]) -> list[Paper]:
    """One paper per identity, in order of first appearance, provenances merged.

    Keys are transitive: if A shares a title with B and B an arXiv id with C,
    all three are one paper.
    """
    merged: list[Paper | None] = []
    owner: dict[str, int] = {}
    for paper in papers:
        keys = identity_keys(paper)
        hits = sorted({owner[k] for k in keys if k in owner})
        if not hits:
            index = len(merged)
            merged.append(Paper.from_dict(paper.to_dict()))
        else:
            index = hits[0]
            target = merged[index]
            assert target is not None
            merge(target, paper)
            for other_index in hits[1:]:
                other = merged[other_index]
                if other is None:
                    continue
                merge(target, other)
                merged[other_index] = None
                for key, where in list(owner.items()):
                    if where == other_index:
                        owner[key] = index
        target = merged[index]
        assert target is not None
        for key in identity_keys(target):
            owner[key] = index
    return [p for p in merged if p is not None]
