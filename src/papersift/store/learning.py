"""What papersift learns from the user: ratings, interests, papers already shown.

Plain functions on a connection; the caller holds the transaction and resolves the profile's id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from ..errors import StoreError
from . import profiles
from . import schema as s
from .sql import insert_ignore, repoint, upsert

RATINGS = ("up", "down", "save", "dismiss")


@dataclass(frozen=True)
class RatingRecord:
    paper_id: int
    rating: str
    origin: str
    created_at: str


@dataclass
class InterestRecord:
    """One interest of a profile: its automatic label, the user's name for it, and its papers (store ids).

    ``budget``: the most picks a digest gives it (None: no limit of its own).
    """

    id: int
    label: str
    name: str | None
    muted: bool
    paper_ids: list[int] = field(default_factory=list)
    budget: int | None = None

    @property
    def display_name(self) -> str:
        return self.name or self.label or f"interest {self.id}"


# -- ratings ----------------------------------------------------------------------


def _write_rating(conn: Connection, profile: int, paper_id: int, rating: str, origin: str, now: str) -> None:
    if rating not in RATINGS:
        raise StoreError(f"unknown rating '{rating}' (use one of: {', '.join(RATINGS)})")
    if conn.execute(select(s.papers.c.id).where(s.papers.c.id == paper_id)).first() is None:
        raise StoreError(f"there is no paper with store id {paper_id}")
    upsert(
        conn,
        s.ratings,
        {"profile_id": profile, "paper_id": paper_id, "rating": rating, "origin": origin, "created_at": now},
        key=["profile_id", "paper_id"],
    )


def rate(
    conn: Connection, profile: int, paper_id: int, rating: str, origin: str, now: str, visible_only: bool = False
) -> tuple[str, str | None]:
    """Rate a candidate in the caller's write transaction, refusing one of the profile's own papers;
    returns the paper's title and the rating it had (None if unrated). The store's one writer of ratings.

    ``visible_only`` (a shared server): a paper the profile may not see (another member's upload) is
    refused as if it did not exist (:class:`PaperNotFound`)."""
    title = conn.execute(select(s.papers.c.title).where(s.papers.c.id == paper_id)).scalar_one_or_none()
    if title is None or (visible_only and not profiles.visible_paper_ids(conn, profile, [paper_id])):
        raise PaperNotFound(paper_id)
    own = conn.execute(
        select(s.profile_papers.c.paper_id).where(
            s.profile_papers.c.profile_id == profile,
            s.profile_papers.c.paper_id == paper_id,
            s.profile_papers.c.excluded == 0,
        )
    ).first()
    if own is not None:
        raise OwnPaperRated(paper_id, str(title))
    previous = conn.execute(
        select(s.ratings.c.rating).where(s.ratings.c.profile_id == profile, s.ratings.c.paper_id == paper_id)
    ).scalar_one_or_none()
    _write_rating(conn, profile, paper_id, rating, origin, now)
    return str(title), previous


class PaperNotFound(StoreError):
    """No paper has this store id (or, on a shared server, none the profile may see)."""

    def __init__(self, paper_id: int) -> None:
        self.paper_id = paper_id
        super().__init__(f"there is no paper with store id {paper_id}")


class OwnPaperRated(StoreError):
    """A rating for one of the profile's own papers (ratings are for candidates)."""

    def __init__(self, paper_id: int, title: str) -> None:
        self.paper_id, self.title = paper_id, title
        super().__init__(f"paper {paper_id} is one of the profile's own papers")


def ratings(conn: Connection, profile: int) -> list[RatingRecord]:
    rows = conn.execute(
        select(s.ratings)
        .where(s.ratings.c.profile_id == profile)
        .order_by(s.ratings.c.created_at, s.ratings.c.paper_id)
    ).all()
    return [RatingRecord(int(r.paper_id), r.rating, r.origin, r.created_at) for r in rows]


def reset_ratings(conn: Connection, profile: int) -> int:
    return int(conn.execute(delete(s.ratings).where(s.ratings.c.profile_id == profile)).rowcount or 0)


# -- papers already shown -------------------------------------------------------------


def shown_ids(conn: Connection, profile: int) -> set[int]:
    return {int(r.paper_id) for r in conn.execute(select(s.shown.c.paper_id).where(s.shown.c.profile_id == profile))}


def mark_shown(conn: Connection, profile: int, paper_ids: Sequence[int], digest_id: int | None, now: str) -> None:
    ids = dict.fromkeys(paper_ids)
    rows = [{"profile_id": profile, "paper_id": i, "digest_id": digest_id, "shown_at": now} for i in ids]
    insert_ignore(conn, s.shown, rows)


def reset_shown(conn: Connection, profile: int) -> int:
    return int(conn.execute(delete(s.shown).where(s.shown.c.profile_id == profile)).rowcount or 0)


# -- interests --------------------------------------------------------------------------


def interests(conn: Connection, profile: int) -> list[InterestRecord]:
    rows = conn.execute(select(s.interests).where(s.interests.c.profile_id == profile).order_by(s.interests.c.id))
    found = [
        InterestRecord(int(r.id), r.label, r.name, bool(r.muted), budget=None if r.budget is None else int(r.budget))
        for r in rows
    ]
    by_id = {i.id: i for i in found}
    if by_id:
        members = conn.execute(
            select(s.interest_papers)
            .where(s.interest_papers.c.interest_id.in_(list(by_id)))
            .order_by(s.interest_papers.c.paper_id)
        )
        for m in members:
            by_id[int(m.interest_id)].paper_ids.append(int(m.paper_id))
    return found


def insert_interests(
    conn: Connection,
    profile: int,
    groups: Sequence[tuple[str, Sequence[int]]],
    model_id: str,
    now: str,
    name: str | None = None,
    muted: bool = False,
    budget: int | None = None,
) -> list[int]:
    ids = []
    for index, (label, paper_ids) in enumerate(groups, start=1):
        interest_id = s.new_row_id(
            conn.execute(
                insert(s.interests).values(
                    profile_id=profile,
                    label=label,
                    name=f"{name} ({index})" if name else None,
                    muted=int(muted),
                    budget=budget,
                    model_id=model_id,
                    created_at=now,
                )
            )
        )
        members = [{"interest_id": interest_id, "paper_id": paper_id} for paper_id in dict.fromkeys(paper_ids)]
        if members:
            conn.execute(insert(s.interest_papers), members)
        ids.append(interest_id)
    return ids


def replace_all_interests(
    conn: Connection, profile: int, groups: Sequence[tuple[str, Sequence[int]]], model_id: str, now: str
) -> None:
    conn.execute(delete(s.interests).where(s.interests.c.profile_id == profile))
    insert_interests(conn, profile, groups, model_id, now)


def find_interest(conn: Connection, profile: int, profile_name: str, ref: str) -> InterestRecord:
    """An interest named by its number, its name or its label."""
    known = interests(conn, profile)
    if not known:
        raise StoreError(
            f"profile '{profile_name}' has no interests yet (run `papersift interests list --profile {profile_name}`)"
        )
    ref = ref.strip()
    for interest in known:
        if ref == str(interest.id):
            return interest
    matches = [i for i in known if ref.lower() in (i.display_name.lower(), i.label.lower())]
    if len(matches) == 1:
        return matches[0]
    choices = ", ".join(f"{i.id} ({i.display_name})" for i in known)
    if matches:
        raise StoreError(f"'{ref}' names several interests of '{profile_name}'; give its number: {choices}")
    raise StoreError(f"profile '{profile_name}' has no interest '{ref}' (its interests: {choices})")


def update_interest(conn: Connection, interest: InterestRecord, **values: Any) -> InterestRecord:
    """Set columns of one interest; the record as it is now."""
    conn.execute(update(s.interests).where(s.interests.c.id == interest.id).values(**values))
    for column, value in values.items():
        setattr(interest, column, bool(value) if column == "muted" else value)
    return interest


def merge_interests(conn: Connection, chosen: Sequence[InterestRecord]) -> InterestRecord:
    """Fold the second and later interests into the first (which keeps its name, mute and budget)."""
    if len({i.id for i in chosen}) < 2:
        raise StoreError("name at least two different interests to merge")
    target, others = chosen[0], [i for i in chosen[1:] if i.id != chosen[0].id]
    for other in others:
        repoint(conn, s.interest_papers, "interest_id", other.id, target.id)
        conn.execute(delete(s.interests).where(s.interests.c.id == other.id))
        target.paper_ids = sorted({*target.paper_ids, *other.paper_ids})
    return target
