"""Profiles: their papers, their sources (re-pulled by `profile refresh`) and exclusions by identity key.

Plain functions on a connection; the caller holds the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from ..errors import StoreError
from ..identity import identity_keys
from . import schema as s
from .papers import load
from .sql import insert_if_new, insert_ignore


@dataclass(frozen=True)
class ProfileInfo:
    name: str
    n_papers: int
    created_at: str


@dataclass(frozen=True)
class SourceRecord:
    """One source of a profile's papers."""

    kind: str
    value: str
    added_at: str
    fetched_at: str | None = None


def ensure_profile(conn: Connection, name: str, now: str) -> int:
    insert_ignore(conn, s.profiles, [{"name": name, "created_at": now}])
    return profile_id(conn, name)


# Built once: nearly every store call starts here, and building the statement cost three times its execution.
_PROFILE_ID = select(s.profiles.c.id).where(s.profiles.c.name == bindparam("name"))


def profile_id(conn: Connection, name: str) -> int:
    row = conn.execute(_PROFILE_ID, {"name": name}).first()
    if row is None:
        known = [r.name for r in conn.execute(select(s.profiles.c.name).order_by(s.profiles.c.name)).all()]
        hint = f" (known profiles: {', '.join(known)})" if known else " (import one with `papersift profile import`)"
        raise StoreError(f"there is no profile named '{name}'{hint}")
    return int(row.id)


def visible_paper_ids(conn: Connection, profile: int, paper_ids: Sequence[int]) -> set[int]:
    """Which of ``paper_ids`` a profile's owner may see on a shared server: candidates, the profile's own
    papers (excluded ones too), and papers its digests or ratings refer to. Another member's uploads stay private."""
    wanted = list(dict.fromkeys(paper_ids))
    if not wanted:
        return set()
    seen: set[int] = set()
    for query in (
        select(s.candidates.c.paper_id).where(s.candidates.c.paper_id.in_(wanted)),
        select(s.profile_papers.c.paper_id).where(
            s.profile_papers.c.profile_id == profile, s.profile_papers.c.paper_id.in_(wanted)
        ),
        select(s.ratings.c.paper_id).where(s.ratings.c.profile_id == profile, s.ratings.c.paper_id.in_(wanted)),
        select(s.digest_picks.c.paper_id)
        .select_from(s.digest_picks.join(s.digests, s.digests.c.id == s.digest_picks.c.digest_id))
        .where(s.digests.c.profile_id == profile, s.digest_picks.c.paper_id.in_(wanted)),
    ):
        seen.update(int(r[0]) for r in conn.execute(query).all())
        if len(seen) == len(wanted):
            break
    return seen


def list_profiles(conn: Connection) -> list[ProfileInfo]:
    rows = conn.execute(
        select(s.profiles.c.name, s.profiles.c.created_at, func.count(s.profile_papers.c.paper_id))
        .select_from(s.profiles.outerjoin(s.profile_papers))
        .group_by(s.profiles.c.id, s.profiles.c.name, s.profiles.c.created_at)
        .order_by(s.profiles.c.name)
    ).all()
    return [ProfileInfo(name=r[0], created_at=r[1], n_papers=int(r[2])) for r in rows]


def profile_paper_ids(conn: Connection, profile: int, include_excluded: bool = False) -> list[int]:
    query = select(s.profile_papers.c.paper_id).where(s.profile_papers.c.profile_id == profile)
    if not include_excluded:
        query = query.where(s.profile_papers.c.excluded == 0)
    return [int(r.paper_id) for r in conn.execute(query.order_by(s.profile_papers.c.paper_id))]


# -- sources ----------------------------------------------------------------------


def add_source(conn: Connection, profile: int, kind: str, value: str, now: str) -> bool:
    """Remember a source of a profile; False if it was already known (its fetch time moves on)."""
    table = s.profile_sources
    known = conn.execute(
        select(table.c.id).where(table.c.profile_id == profile, table.c.kind == kind, table.c.value == value)
    ).first()
    if known:
        conn.execute(update(table).where(table.c.id == known.id).values(fetched_at=now))
        return False
    conn.execute(insert(table).values(profile_id=profile, kind=kind, value=value, added_at=now, fetched_at=now))
    return True


def sources(conn: Connection, profile: int) -> list[SourceRecord]:
    table = s.profile_sources
    rows = conn.execute(select(table).where(table.c.profile_id == profile).order_by(table.c.id)).all()
    return [SourceRecord(r.kind, r.value, r.added_at, r.fetched_at) for r in rows]


# -- exclusions ---------------------------------------------------------------------


def exclude(conn: Connection, profile: int, paper_id: int, now: str) -> None:
    """Keep a paper out of a profile now and whenever it comes back, under any of its identity keys."""
    keys = {r.key for r in conn.execute(select(s.paper_keys.c.key).where(s.paper_keys.c.paper_id == paper_id))}
    keys.update(identity_keys(load(conn, paper_id)))
    insert_ignore(
        conn,
        s.profile_exclusions,
        [{"profile_id": profile, "key": key, "excluded_at": now} for key in sorted(keys)],
    )
    table = s.profile_papers
    if not insert_if_new(conn, table, {"profile_id": profile, "paper_id": paper_id, "added_at": now, "excluded": 1}):
        conn.execute(
            update(table).where(table.c.profile_id == profile, table.c.paper_id == paper_id).values(excluded=1)
        )


def include(conn: Connection, profile: int, paper_id: int) -> None:
    """Undo :func:`exclude`."""
    keys = [r.key for r in conn.execute(select(s.paper_keys.c.key).where(s.paper_keys.c.paper_id == paper_id))]
    conn.execute(
        delete(s.profile_exclusions).where(
            s.profile_exclusions.c.profile_id == profile, s.profile_exclusions.c.key.in_(keys)
        )
    )
    table = s.profile_papers
    conn.execute(update(table).where(table.c.profile_id == profile, table.c.paper_id == paper_id).values(excluded=0))


def excluded_count(conn: Connection, profile: int) -> int:
    table = s.profile_papers
    query = select(func.count()).where(table.c.profile_id == profile, table.c.excluded == 1)
    return int(conn.execute(query).scalar_one())
