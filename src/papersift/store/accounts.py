"""A digest run's picks as the web app reads them (run pick details, a profile's runs).

Plain functions over :meth:`Store.transaction`; only this package touches the database. Users, sessions,
ownership and settings live in :mod:`papersift.store.users`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection

from . import profiles
from . import schema as s
from .db import Store

run_picks = s.run_picks


def ensure_schema(store: Store) -> None:
    """Nothing to do: migration 4 is in migrations.NAMES, so every open store has these tables."""


def _profile_id(store: Store, conn: Connection, profile: str) -> int:
    return profiles.profile_id(conn, profile)


# -- runs and their picks ------------------------------------------------------------------


@dataclass(frozen=True)
class RunInfo:
    id: int
    created_at: str
    n_candidates: int
    n_picks: int


@dataclass(frozen=True)
class StoredPick:
    rank: int
    score: float
    paper_id: int
    why: list[dict[str, Any]]
    details: dict[str, Any]


def save_run_picks(store: Store, run_id: int, details: list[tuple[int, dict[str, Any]]]) -> None:
    ensure_schema(store)
    with store.transaction() as conn:
        conn.execute(delete(run_picks).where(run_picks.c.run_id == run_id))
        if details:
            conn.execute(
                insert(run_picks), [{"run_id": run_id, "rank": r, "details": json.dumps(d)} for r, d in details]
            )


def profile_runs(store: Store, profile: str, limit: int = 30) -> list[RunInfo]:
    """The profile's digest runs, newest first, with how many papers each showed."""
    with store.snapshot() as conn:
        profile_id = _profile_id(store, conn, profile)
        rows = conn.execute(
            select(s.runs.c.id, s.runs.c.created_at, s.runs.c.n_candidates, func.count(s.run_items.c.rank))
            .select_from(s.runs.outerjoin(s.run_items, s.run_items.c.run_id == s.runs.c.id))
            .where(s.runs.c.profile_id == profile_id)
            .group_by(s.runs.c.id, s.runs.c.created_at, s.runs.c.n_candidates)
            .order_by(s.runs.c.id.desc())
            .limit(limit)
        ).all()
    return [RunInfo(int(r[0]), r[1], int(r[2]), int(r[3])) for r in rows]


def find_run(store: Store, profile: str, run_id: int | None = None) -> RunInfo | None:
    """Run ``run_id`` of ``profile`` (its latest when None) with its number of picks; None when there is none."""
    with store.snapshot() as conn:
        profile_id = _profile_id(store, conn, profile)
        query = select(s.runs.c.id, s.runs.c.created_at, s.runs.c.n_candidates).where(s.runs.c.profile_id == profile_id)
        query = query.where(s.runs.c.id == run_id) if run_id is not None else query.order_by(s.runs.c.id.desc())
        row = conn.execute(query.limit(1)).first()
        if row is None:
            return None
        picks = conn.execute(select(func.count()).select_from(s.run_items).where(s.run_items.c.run_id == row.id))
        return RunInfo(int(row.id), row.created_at, int(row.n_candidates), int(picks.scalar_one()))


def latest_run_id(store: Store, profile: str) -> int | None:
    with store.snapshot() as conn:
        profile_id = _profile_id(store, conn, profile)
        row = conn.execute(
            select(s.runs.c.id).where(s.runs.c.profile_id == profile_id).order_by(s.runs.c.id.desc()).limit(1)
        ).first()
    return int(row.id) if row else None


def run_profile(store: Store, run_id: int) -> str | None:
    """The name of the profile a run was made for (None for a run of no profile or an unknown run)."""
    with store.snapshot() as conn:
        row = conn.execute(
            select(s.profiles.c.name)
            .select_from(s.runs.join(s.profiles, s.profiles.c.id == s.runs.c.profile_id))
            .where(s.runs.c.id == run_id)
        ).first()
    return row.name if row else None


def run_picks_of(store: Store, run_id: int) -> list[StoredPick]:
    ensure_schema(store)
    with store.snapshot() as conn:
        rows = conn.execute(
            select(s.run_items, run_picks.c.details)
            .select_from(
                s.run_items.outerjoin(
                    run_picks, (run_picks.c.run_id == s.run_items.c.run_id) & (run_picks.c.rank == s.run_items.c.rank)
                )
            )
            .where(s.run_items.c.run_id == run_id)
            .order_by(s.run_items.c.rank)
        ).all()
    return [
        StoredPick(int(r.rank), float(r.score), int(r.paper_id), json.loads(r.why), json.loads(r.details or "{}"))
        for r in rows
    ]


def recent_pick_ids(store: Store, profile: str, runs: int = 5) -> list[int]:
    """Papers the profile's last ``runs`` digests showed, newest first, once each."""
    with store.snapshot() as conn:
        profile_id = _profile_id(store, conn, profile)
        run_ids = [
            int(r.id)
            for r in conn.execute(
                select(s.runs.c.id).where(s.runs.c.profile_id == profile_id).order_by(s.runs.c.id.desc()).limit(runs)
            ).all()
        ]
        if not run_ids:
            return []
        rows = conn.execute(
            select(s.run_items.c.paper_id)
            .where(s.run_items.c.run_id.in_(run_ids))
            .order_by(s.run_items.c.run_id.desc(), s.run_items.c.rank)
        ).all()
    return list(dict.fromkeys(int(r.paper_id) for r in rows))
