"""Plain data: papers, where they came from, and recommendations. No I/O here."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .latex import latex_to_text


@dataclass(frozen=True)
class Provenance:
    """Where one copy of a paper was read: a file (or URL) in a format, at a record."""

    origin: str
    format: str
    record: int | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class Paper:
    """A paper as papersift knows it; every field a source gave is kept.

    ``ids`` holds external identifiers by scheme (``arxiv`` without version,
    ``doi`` lower-cased, ``s2``, ``openreview``, ...). ``date`` is ISO
    (``YYYY-MM-DD``, or ``YYYY`` when only the year is known).
    """

    title: str = ""
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    n_authors: int | None = None
    ids: dict[str, str] = field(default_factory=dict)
    date: str | None = None
    venue: str | None = None
    comments: str | None = None
    upvotes: int | None = None
    links: list[str] = field(default_factory=list)
    sources: list[Provenance] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    # The row id in the store this paper was read from; None for a paper read from a file or a service.
    store_id: int | None = field(default=None, compare=False)

    @property
    def display_title(self) -> str:
        """The title as a person reads it (LaTeX turned into Unicode text: ``$\\alpha$-Flow`` -> ``α-Flow``),
        or for a title-less record (an arXiv listing read offline) its abstract's first sentence.
        ``title`` keeps the text as the source gave it; identity keys are made from that."""
        if self.title:
            return latex_to_text(self.title)
        first = self.display_abstract.split(". ")[0].strip()
        return (first[:117] + "...") if len(first) > 120 else first or "(untitled)"

    @property
    def display_abstract(self) -> str:
        """The abstract with its LaTeX turned into Unicode text, for every renderer."""
        return latex_to_text(self.abstract)

    @property
    def untitled(self) -> bool:
        """True for a record that came without a title (shown by its abstract's first sentence)."""
        return not self.title.strip()

    @property
    def year(self) -> int | None:
        if self.date and self.date[:4].isdigit():
            return int(self.date[:4])
        return None

    def text(self) -> str:
        """The text an encoder sees: title and abstract."""
        if self.title and self.abstract:
            return f"{self.title}. {self.abstract}"
        return self.title or self.abstract

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["sources"] = [s.to_dict() for s in self.sources]
        del data["store_id"]
        if self.store_id is not None:
            data["id"] = self.store_id
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Paper:
        sources = [Provenance(**s) for s in data.get("sources", [])]
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data and k not in ("sources", "store_id")}
        return cls(**known, sources=sources)


@dataclass(frozen=True)
class Match:
    """One reason a candidate was picked: a profile paper it is close to."""

    paper_title: str
    similarity: float
    shared_terms: tuple[str, ...] = ()
    paper_ids: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "paper": self.paper_title,
            "similarity": round(self.similarity, 4),
            "shared_terms": list(self.shared_terms),
            "ids": dict(self.paper_ids),
        }


@dataclass(frozen=True)
class RatingMatch:
    """A reason from feedback: a paper the user rated that the candidate is close to."""

    paper_title: str
    rating: str
    similarity: float
    paper_ids: dict[str, str] = field(default_factory=dict)

    @property
    def sentence(self) -> str:
        verb = {"up": "up-voted", "save": "saved", "down": "down-voted", "dismiss": "dismissed"}.get(
            self.rating, self.rating
        )
        return f"close to a paper you {verb}: {self.paper_title}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "paper": self.paper_title,
            "rating": self.rating,
            "similarity": round(self.similarity, 4),
            "ids": dict(self.paper_ids),
        }


@dataclass
class Recommendation:
    """A ranked candidate with its score and the reasons for it.

    ``relevance`` is the calibrated score in [0, 1] (None when not calibrated),
    ``interest`` the profile interest it serves (``interest_id`` its number), ``ratings`` the
    ratings that moved it.
    """

    rank: int
    score: float
    paper: Paper
    why: list[Match] = field(default_factory=list)
    interest: str | None = None
    relevance: float | None = None
    ratings: list[RatingMatch] = field(default_factory=list)
    interest_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        p = self.paper
        return {
            "id": p.store_id,
            "rank": self.rank,
            "score": round(self.score, 4),
            "title": p.display_title,
            "raw_title": p.title,
            "authors": p.authors,
            "n_authors": p.n_authors,
            "abstract": p.abstract,
            "date": p.date,
            "venue": p.venue,
            "comments": p.comments,
            "upvotes": p.upvotes,
            "ids": p.ids,
            "links": p.links,
            "sources": [s.to_dict() for s in p.sources],
            "why": [m.to_dict() for m in self.why],
            "interest": self.interest,
            "interest_id": self.interest_id,
            "relevance": None if self.relevance is None else round(self.relevance, 4),
            "ratings": [r.to_dict() for r in self.ratings],
        }
