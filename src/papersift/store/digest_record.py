"""The digest record: one row of ``digests`` and one of ``digest_picks`` per pick (migration 10).

Every channel reads these rows: the terminal, the files, mail, RSS/Atom, the web and the JSON API;
``deliveries`` and ``shown`` point at them. A pick is read back as the one pick type,
:class:`papersift.models.Recommendation`, with its paper as the store has it now.

Plain functions on a connection; :class:`DigestRecords` (mixed into :class:`~papersift.store.Store`)
opens the transaction or snapshot and calls them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from ..errors import StoreError
from ..models import Match, RatingMatch, Recommendation
from . import learning, papers
from . import schema as s
from .profiles import profile_id

if TYPE_CHECKING:
    from .papers import PaperCache


@dataclass(frozen=True)
class DigestSummary:
    """One digest without its picks: what ``history`` and the web's list of digests show.

    ``day``: the delivery day of a daily-run digest (ISO; None for one made by ``digest`` or the web).
    ``n_candidates``: None when not known (daily digests made before migration 10 counted their picks).
    ``shown_at``: when its papers were marked shown; None while it is not delivered.
    """

    id: int
    created_at: str
    n_candidates: int | None
    n_picks: int
    model_id: str = ""
    day: str | None = None
    shown_at: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DigestRecord:
    """One digest with its picks, as recorded."""

    id: int
    profile: str
    summary: DigestSummary
    picks: list[Recommendation]

    @property
    def day(self) -> dt.date | None:
        return dt.date.fromisoformat(self.summary.day) if self.summary.day else None

    @property
    def shown(self) -> bool:
        return self.summary.shown_at is not None

    @property
    def paper_ids(self) -> list[int]:
        return [p.paper.store_id for p in self.picks if p.paper.store_id is not None]


# -- writing -------------------------------------------------------------------------------------


def insert_digest(
    conn: Connection,
    profile: int | None,
    picks: Sequence[Recommendation],
    *,
    model_id: str,
    n_candidates: int | None,
    params: dict[str, Any],
    now: str,
    day: dt.date | None = None,
) -> int:
    """Record a digest and its picks (their papers must be in the store); its id."""
    missing = [r.paper.title for r in picks if r.paper.store_id is None]
    if missing:
        raise StoreError(f"cannot record a digest of papers that are not in the store (e.g. '{missing[0][:80]}')")
    digest_id = s.new_row_id(
        conn.execute(
            s.digests.insert().values(
                profile_id=profile,
                day=day.isoformat() if day else None,
                model_id=model_id,
                n_candidates=n_candidates,
                params=json.dumps(params, ensure_ascii=False),
                created_at=now,
            )
        )
    )
    rows = [
        {
            "digest_id": digest_id,
            "rank": r.rank,
            "paper_id": r.paper.store_id,
            "score": float(r.score),
            "relevance": r.relevance,
            "interest": r.interest,
            "interest_id": r.interest_id,
            "why": json.dumps([m.to_dict() for m in r.why], ensure_ascii=False),
            "ratings": json.dumps([m.to_dict() for m in r.ratings], ensure_ascii=False),
        }
        for r in picks
    ]
    if rows:
        conn.execute(s.digest_picks.insert(), rows)
    return digest_id


def mark_digest_shown(conn: Connection, digest_id: int, now: str) -> None:
    """The digest's papers count as shown to its profile (never shown again unless asked)."""
    row = conn.execute(select(s.digests.c.profile_id).where(s.digests.c.id == digest_id)).first()
    if row is None or row.profile_id is None:
        return
    ids = [
        int(r.paper_id)
        for r in conn.execute(select(s.digest_picks.c.paper_id).where(s.digest_picks.c.digest_id == digest_id))
    ]
    learning.mark_shown(conn, int(row.profile_id), ids, digest_id, now)
    conn.execute(
        update(s.digests).where(s.digests.c.id == digest_id, s.digests.c.shown_at.is_(None)).values(shown_at=now)
    )


# -- reading -------------------------------------------------------------------------------------

_N_PICKS = select(func.count()).where(s.digest_picks.c.digest_id == s.digests.c.id).scalar_subquery().label("n_picks")


def _summary(row: Any) -> DigestSummary:
    try:
        params = json.loads(row.params or "{}")
    except ValueError:
        params = {}
    return DigestSummary(
        id=int(row.id),
        created_at=row.created_at,
        n_candidates=None if row.n_candidates is None else int(row.n_candidates),
        n_picks=int(row.n_picks),
        model_id=row.model_id or "",
        day=row.day,
        shown_at=row.shown_at,
        params=params if isinstance(params, dict) else {},
    )


def summaries(conn: Connection, profile: int, limit: int = 50, *, daily: bool = False) -> list[DigestSummary]:
    """The profile's digests, newest first (``daily``: only the daily run's, newest day first)."""
    query = select(s.digests, _N_PICKS).where(s.digests.c.profile_id == profile)
    if daily:
        query = query.where(s.digests.c.day.is_not(None)).order_by(s.digests.c.day.desc())
    else:
        query = query.order_by(s.digests.c.id.desc())
    return [_summary(r) for r in conn.execute(query.limit(limit))]


def find_summary(
    conn: Connection, profile: int, digest_id: int | None = None, day: dt.date | None = None
) -> DigestSummary | None:
    """Digest ``digest_id`` of the profile, or its digest of ``day``, or (neither given) its latest."""
    query = select(s.digests, _N_PICKS).where(s.digests.c.profile_id == profile)
    if digest_id is not None:
        query = query.where(s.digests.c.id == digest_id)
    if day is not None:
        query = query.where(s.digests.c.day == day.isoformat())
    row = conn.execute(query.order_by(s.digests.c.id.desc()).limit(1)).first()
    return _summary(row) if row is not None else None


def read_picks(conn: Connection, digest_id: int, cache: PaperCache | None = None) -> list[Recommendation]:
    """A digest's picks, best first, each with its paper as stored now."""
    rows = conn.execute(
        select(s.digest_picks).where(s.digest_picks.c.digest_id == digest_id).order_by(s.digest_picks.c.rank)
    ).all()
    ids = [int(r.paper_id) for r in rows]
    loaded = cache.load(conn, ids) if cache is not None else papers.load_many(conn, ids)
    by_id = {p.store_id: p for p in loaded}
    return [_pick(r, by_id[int(r.paper_id)]) for r in rows if int(r.paper_id) in by_id]


def _pick(row: Any, paper: Any) -> Recommendation:
    return Recommendation(
        rank=int(row.rank),
        score=float(row.score),
        paper=paper,
        why=[
            Match(
                paper_title=str(m.get("paper", "")),
                similarity=float(m.get("similarity", 0.0)),
                shared_terms=tuple(m.get("shared_terms", ())),
                paper_ids=dict(m.get("ids", {})),
            )
            for m in json.loads(row.why or "[]")
        ],
        interest=row.interest,
        relevance=None if row.relevance is None else float(row.relevance),
        ratings=[
            RatingMatch(
                str(m.get("paper", "")),
                str(m.get("rating", "")),
                float(m.get("similarity", 0.0)),
                dict(m.get("ids", {})),
            )
            for m in json.loads(row.ratings or "[]")
        ],
        interest_id=None if row.interest_id is None else int(row.interest_id),
    )


def read_digest(
    conn: Connection, profile_name: str, summary: DigestSummary, cache: PaperCache | None = None
) -> DigestRecord:
    return DigestRecord(summary.id, profile_name, summary, read_picks(conn, summary.id, cache))


def recent_pick_ids(conn: Connection, profile: int, digests: int = 5) -> list[int]:
    """Papers the profile's last ``digests`` digests showed, newest first, once each."""
    latest = (
        select(s.digests.c.id).where(s.digests.c.profile_id == profile).order_by(s.digests.c.id.desc()).limit(digests)
    )
    rows = conn.execute(
        select(s.digest_picks.c.paper_id)
        .where(s.digest_picks.c.digest_id.in_(latest.scalar_subquery()))
        .order_by(s.digest_picks.c.digest_id.desc(), s.digest_picks.c.rank)
    ).all()
    return list(dict.fromkeys(int(r.paper_id) for r in rows))


def digest_profile(conn: Connection, digest_id: int) -> str | None:
    """The name of the profile a digest was made for (None for an unknown digest)."""
    row = conn.execute(
        select(s.profiles.c.name)
        .select_from(s.digests.join(s.profiles, s.profiles.c.id == s.digests.c.profile_id))
        .where(s.digests.c.id == digest_id)
    ).first()
    return row.name if row else None


def digest_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(s.digests)).scalar_one())


# -- the store's methods -------------------------------------------------------------------------


class DigestRecords:
    """The :class:`~papersift.store.Store` methods of the digest record: each one transaction or snapshot."""

    if TYPE_CHECKING:

        def transaction(self) -> AbstractContextManager[Connection]: ...
        def snapshot(self) -> AbstractContextManager[Connection]: ...
        def now(self) -> str: ...

    def record_digest(
        self,
        profile: str,
        picks: Sequence[Recommendation],
        *,
        model_id: str,
        n_candidates: int | None,
        params: dict[str, Any] | None = None,
        mark_shown: bool = True,
    ) -> int:
        """Record a digest (made now, by ``digest`` or the web) and, with ``mark_shown``, count its papers shown."""
        now = self.now()
        with self.transaction() as conn:
            digest_id = insert_digest(
                conn,
                profile_id(conn, profile),
                picks,
                model_id=model_id,
                n_candidates=n_candidates,
                params=params or {},
                now=now,
            )
            if mark_shown:
                mark_digest_shown(conn, digest_id, now)
        return digest_id

    def mark_digest_shown(self, digest_id: int) -> None:
        with self.transaction() as conn:
            mark_digest_shown(conn, digest_id, self.now())

    def digest_summaries(self, profile: str, limit: int = 50) -> list[DigestSummary]:
        with self.snapshot() as conn:
            return summaries(conn, profile_id(conn, profile), limit)

    def find_digest_summary(self, profile: str, digest_id: int | None = None) -> DigestSummary | None:
        with self.snapshot() as conn:
            return find_summary(conn, profile_id(conn, profile), digest_id)

    def digest(
        self, profile: str, digest_id: int | None = None, cache: PaperCache | None = None
    ) -> DigestRecord | None:
        """Digest ``digest_id`` of ``profile`` (its latest when None) with its picks; None when there is none."""
        with self.snapshot() as conn:
            found = find_summary(conn, profile_id(conn, profile), digest_id)
            return read_digest(conn, profile, found, cache) if found is not None else None

    def digest_of_day(self, profile: str, day: dt.date) -> DigestRecord | None:
        """The daily run's digest of ``profile`` for ``day``."""
        with self.snapshot() as conn:
            found = find_summary(conn, profile_id(conn, profile), day=day)
            return read_digest(conn, profile, found) if found is not None else None

    def daily_digests(self, profile: str, limit: int = 30) -> list[DigestRecord]:
        """The profile's daily-run digests, newest day first (what its feed shows, what a run retries)."""
        with self.snapshot() as conn:
            found = summaries(conn, profile_id(conn, profile), limit, daily=True)
            return [read_digest(conn, profile, f) for f in found]

    def recent_pick_ids(self, profile: str, digests: int = 5) -> list[int]:
        with self.snapshot() as conn:
            return recent_pick_ids(conn, profile_id(conn, profile), digests)

    def digest_profile(self, digest_id: int) -> str | None:
        with self.snapshot() as conn:
            return digest_profile(conn, digest_id)

    def digest_count(self) -> int:
        with self.snapshot() as conn:
            return digest_count(conn)
