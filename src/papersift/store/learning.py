"""The store's side of learning: ratings, interests, and papers already shown (migration 2).

A mixin of :class:`~papersift.store.db.Store`; every public write is one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from ..clock import now_iso as _now
from ..errors import StoreError
from ..identity import normalize_arxiv_id, normalize_doi, normalize_text
from . import schema as s

if TYPE_CHECKING:
    from pathlib import Path

    from ..models import Paper

RATINGS = ("up", "down", "save", "dismiss")


@dataclass(frozen=True)
class RatingRecord:
    paper_id: int
    rating: str
    origin: str
    created_at: str


@dataclass
class InterestRecord:
    """One interest of a profile: its automatic label, the user's name for it, and its papers (store ids)."""

    id: int
    label: str
    name: str | None
    muted: bool
    paper_ids: list[int] = field(default_factory=list)

    @property
    def display_name(self) -> str:
        return self.name or self.label or f"interest {self.id}"


class LearningMixin:
    """Methods :class:`Store` gains from migration 2."""

    engine: Engine
    path: Path

    if TYPE_CHECKING:  # provided by Store

        def transaction(self) -> AbstractContextManager[Connection]: ...

        def _read(self) -> AbstractContextManager[Connection]: ...

        def _profile_id(self, conn: Connection, name: str) -> int: ...

        def _load_many(self, conn: Connection, paper_ids: Sequence[int]) -> list[Paper]: ...

    # -- finding a paper by what the user knows of it ----------------------

    def resolve_paper(self, ref: str) -> int:
        """The store id of the paper called ``ref``: a store id, an arXiv id (any version), a DOI or an exact title."""
        ref = ref.strip()
        if not ref:
            raise StoreError("name a paper: a store id, an arXiv id, a DOI or its exact title")
        keys = []
        arxiv = normalize_arxiv_id(ref)
        if arxiv:
            keys.append("arxiv:" + arxiv)
        doi = normalize_doi(ref)
        if doi:
            keys.append("doi:" + doi)
        title = normalize_text(ref)
        if title:
            keys.append("title:" + title)
        found: set[int] = set()
        with self._read() as conn:
            if ref.isdigit():
                row = conn.execute(select(s.papers.c.id).where(s.papers.c.id == int(ref))).first()
                if row:
                    found.add(int(row.id))
            if keys:
                rows = conn.execute(select(s.paper_keys.c.paper_id).where(s.paper_keys.c.key.in_(keys))).all()
                found.update(int(r.paper_id) for r in rows)
            if not found and title:
                # Titles too short to be identity keys are matched by scanning.
                for row in conn.execute(select(s.papers.c.id, s.papers.c.title)).all():
                    if row.title and normalize_text(row.title) == title:
                        found.add(int(row.id))
        if not found:
            raise StoreError(
                f"no paper in the store matches '{ref}' (give a store id, an arXiv id, a DOI or the exact title)"
            )
        if len(found) > 1:
            ids = ", ".join(str(i) for i in sorted(found))
            raise StoreError(f"'{ref}' matches several papers (store ids {ids}); give one store id")
        return found.pop()

    # -- ratings -----------------------------------------------------------

    def rate(self, profile: str, paper_id: int, rating: str, origin: str = "cli") -> None:
        """Rate a paper for a profile; a new rating replaces the old one."""
        if rating not in RATINGS:
            raise StoreError(f"unknown rating '{rating}' (use one of: {', '.join(RATINGS)})")
        with self.transaction() as conn:
            profile_id = self._profile_id(conn, profile)
            if conn.execute(select(s.papers.c.id).where(s.papers.c.id == paper_id)).first() is None:
                raise StoreError(f"there is no paper with store id {paper_id}")
            conn.execute(
                insert(s.ratings)
                .prefix_with("OR REPLACE")
                .values(profile_id=profile_id, paper_id=paper_id, rating=rating, origin=origin, created_at=_now())
            )

    def ratings(self, profile: str) -> list[RatingRecord]:
        with self._read() as conn:
            profile_id = self._profile_id(conn, profile)
            rows = conn.execute(
                select(s.ratings)
                .where(s.ratings.c.profile_id == profile_id)
                .order_by(s.ratings.c.created_at, s.ratings.c.paper_id)
            ).all()
        return [RatingRecord(int(r.paper_id), r.rating, r.origin, r.created_at) for r in rows]

    def reset_ratings(self, profile: str) -> int:
        """Forget every rating of a profile; returns how many there were."""
        with self.transaction() as conn:
            profile_id = self._profile_id(conn, profile)
            return int(conn.execute(delete(s.ratings).where(s.ratings.c.profile_id == profile_id)).rowcount or 0)

    # -- papers already shown ------------------------------------------------

    def shown_paper_ids(self, profile: str) -> set[int]:
        with self._read() as conn:
            profile_id = self._profile_id(conn, profile)
            rows = conn.execute(select(s.shown.c.paper_id).where(s.shown.c.profile_id == profile_id)).all()
        return {int(r.paper_id) for r in rows}

    def _mark_shown(self, conn: Connection, profile_id: int, paper_ids: Sequence[int], run_id: int | None) -> None:
        now = _now()
        for paper_id in paper_ids:
            conn.execute(
                insert(s.shown)
                .prefix_with("OR IGNORE")
                .values(profile_id=profile_id, paper_id=paper_id, run_id=run_id, shown_at=now)
            )

    def reset_shown(self, profile: str) -> int:
        with self.transaction() as conn:
            profile_id = self._profile_id(conn, profile)
            return int(conn.execute(delete(s.shown).where(s.shown.c.profile_id == profile_id)).rowcount or 0)

    # -- interests -----------------------------------------------------------

    def interests(self, profile: str) -> list[InterestRecord]:
        with self._read() as conn:
            return self._interests(conn, self._profile_id(conn, profile))

    def _interests(self, conn: Connection, profile_id: int) -> list[InterestRecord]:
        rows = conn.execute(
            select(s.interests).where(s.interests.c.profile_id == profile_id).order_by(s.interests.c.id)
        ).all()
        found = [InterestRecord(int(r.id), r.label, r.name, bool(r.muted)) for r in rows]
        by_id = {i.id: i for i in found}
        if by_id:
            members = conn.execute(
                select(s.interest_papers)
                .where(s.interest_papers.c.interest_id.in_(list(by_id)))
                .order_by(s.interest_papers.c.paper_id)
            ).all()
            for m in members:
                by_id[int(m.interest_id)].paper_ids.append(int(m.paper_id))
        return found

    def save_interests(self, profile: str, groups: Sequence[tuple[str, Sequence[int]]], model_id: str = "") -> None:
        """Replace a profile's interests by ``groups`` of (label, paper ids); names and mutes are forgotten."""
        with self.transaction() as conn:
            profile_id = self._profile_id(conn, profile)
            conn.execute(delete(s.interests).where(s.interests.c.profile_id == profile_id))
            self._insert_interests(conn, profile_id, groups, model_id)

    def _insert_interests(
        self,
        conn: Connection,
        profile_id: int,
        groups: Sequence[tuple[str, Sequence[int]]],
        model_id: str,
        name: str | None = None,
        muted: bool = False,
    ) -> list[int]:
        ids = []
        now = _now()
        for index, (label, paper_ids) in enumerate(groups, start=1):
            interest_id = s.new_row_id(
                conn.execute(
                    insert(s.interests).values(
                        profile_id=profile_id,
                        label=label,
                        name=f"{name} ({index})" if name else None,
                        muted=int(muted),
                        model_id=model_id,
                        created_at=now,
                    )
                )
            )
            for paper_id in dict.fromkeys(paper_ids):
                conn.execute(insert(s.interest_papers).values(interest_id=interest_id, paper_id=paper_id))
            ids.append(interest_id)
        return ids

    def find_interest(self, profile: str, ref: str) -> InterestRecord:
        with self._read() as conn:
            return self._find_interest(conn, self._profile_id(conn, profile), profile, ref)

    def _find_interest(self, conn: Connection, profile_id: int, profile: str, ref: str) -> InterestRecord:
        known = self._interests(conn, profile_id)
        if not known:
            raise StoreError(
                f"profile '{profile}' has no interests yet (run `papersift interests list --profile {profile}`)"
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
            raise StoreError(f"'{ref}' names several interests of '{profile}'; give its number: {choices}")
        raise StoreError(f"profile '{profile}' has no interest '{ref}' (its interests: {choices})")

    def _update_interest(self, profile: str, ref: str, **values: Any) -> InterestRecord:
        """Set columns of one interest (named by number or name) in one transaction; the record as it is now."""
        with self.transaction() as conn:
            profile_id = self._profile_id(conn, profile)
            interest = self._find_interest(conn, profile_id, profile, ref)
            conn.execute(update(s.interests).where(s.interests.c.id == interest.id).values(**values))
            for column, value in values.items():
                setattr(interest, column, bool(value) if column == "muted" else value)
            return interest

    def rename_interest(self, profile: str, ref: str, name: str) -> InterestRecord:
        name = name.strip()
        if not name:
            raise StoreError("an interest's name cannot be empty")
        return self._update_interest(profile, ref, name=name)

    def relabel_interest(self, profile: str, ref: str, label: str) -> InterestRecord:
        return self._update_interest(profile, ref, label=label)

    def set_interest_muted(self, profile: str, ref: str, muted: bool) -> InterestRecord:
        return self._update_interest(profile, ref, muted=int(muted))

    def merge_interests(self, profile: str, refs: Sequence[str]) -> InterestRecord:
        """Fold the second and later interests into the first (which keeps its name and mute)."""
        with self.transaction() as conn:
            profile_id = self._profile_id(conn, profile)
            chosen = [self._find_interest(conn, profile_id, profile, ref) for ref in refs]
            if len({i.id for i in chosen}) < 2:
                raise StoreError("name at least two different interests to merge")
            target, others = chosen[0], [i for i in chosen[1:] if i.id != chosen[0].id]
            for other in others:
                conn.execute(
                    update(s.interest_papers)
                    .prefix_with("OR IGNORE")
                    .where(s.interest_papers.c.interest_id == other.id)
                    .values(interest_id=target.id)
                )
                conn.execute(delete(s.interests).where(s.interests.c.id == other.id))
                target.paper_ids = sorted({*target.paper_ids, *other.paper_ids})
            return target

    def replace_interest(
        self, profile: str, ref: str, groups: Sequence[tuple[str, Sequence[int]]], model_id: str = ""
    ) -> list[InterestRecord]:
        """Split: one interest becomes ``groups`` (each keeps the old mute; a user name gets a number)."""
        with self.transaction() as conn:
            profile_id = self._profile_id(conn, profile)
            old = self._find_interest(conn, profile_id, profile, ref)
            conn.execute(delete(s.interests).where(s.interests.c.id == old.id))
            ids = self._insert_interests(conn, profile_id, groups, model_id, name=old.name, muted=old.muted)
            return [i for i in self._interests(conn, profile_id) if i.id in ids]

    def profile_paper_ids(self, profile: str) -> list[int]:
        with self._read() as conn:
            profile_id = self._profile_id(conn, profile)
            rows = conn.execute(
                select(s.profile_papers.c.paper_id)
                .where(s.profile_papers.c.profile_id == profile_id, s.profile_papers.c.excluded == 0)
                .order_by(s.profile_papers.c.paper_id)
            ).all()
        return [int(r.paper_id) for r in rows]

    def papers_by_id(self, paper_ids: Sequence[int]) -> list[Paper]:
        with self._read() as conn:
            return self._load_many(conn, list(paper_ids))

    def background_paper_ids(self, exclude: Sequence[int] = (), limit: int = 400) -> list[int]:
        """A stable sample of the store's papers: the same ids come back as the store grows.

        Papers are ordered by a hash of their id (SQLite has no seeded random), so a
        paper in the sample stays in it until enough papers with smaller hashes arrive.
        """
        excluded = set(exclude)
        with self._read() as conn:
            ids = [int(r.id) for r in conn.execute(select(s.papers.c.id)).all()]
        ranked = sorted((i for i in ids if i not in excluded), key=lambda i: ((i * 2654435761) % 4294967296, i))
        return ranked[:limit]

    def rating_counts(self, profile: str) -> dict[str, int]:
        with self._read() as conn:
            profile_id = self._profile_id(conn, profile)
            rows = conn.execute(
                select(s.ratings.c.rating, func.count())
                .where(s.ratings.c.profile_id == profile_id)
                .group_by(s.ratings.c.rating)
            ).all()
        return {r[0]: int(r[1]) for r in rows}
