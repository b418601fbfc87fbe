"""Looking after a store: the feed's candidates by day, clearing old ones, deleting and renaming
profiles (past digests: :mod:`.digest_record`). Plain functions taking a :class:`Store` (spine helper's
additions beside the store's own methods), every one behind the store's error translation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, update

from ..errors import StoreError
from . import schema as s
from .profiles import profile_id

if TYPE_CHECKING:
    from .db import Store


@dataclass(frozen=True)
class FeedDay:
    """How many candidates were first seen on one day."""

    day: str
    candidates: int


def feed_days(store: Store) -> list[FeedDay]:
    """The candidates in the store, counted by the day they were first seen (oldest first)."""
    day = func.substr(s.candidates.c.first_seen, 1, 10)
    with store.snapshot() as conn:
        rows = conn.execute(select(day.label("day"), func.count()).group_by(day).order_by(day)).all()
    return [FeedDay(str(r[0]), int(r[1])) for r in rows]


def clear_feed(store: Store, older_than_days: int | None, today: dt.date) -> int:
    """Forget candidates last seen more than ``older_than_days`` before ``today`` (None: all of them).

    The papers stay in the store (a profile, a rating or a past digest may name them); they are just
    no longer candidates. Returns how many were cleared.
    """
    query = delete(s.candidates)
    if older_than_days is not None:
        query = query.where(s.candidates.c.last_seen < (today - dt.timedelta(days=older_than_days)).isoformat())
    with store.transaction() as conn:
        return int(conn.execute(query).rowcount or 0)


def delete_profile(store: Store, name: str) -> None:
    """Delete a profile with its ratings, interests, sources, exclusions and history (its papers stay)."""
    with store.transaction() as conn:
        conn.execute(delete(s.profiles).where(s.profiles.c.id == profile_id(conn, name)))


def rename_profile(store: Store, name: str, new_name: str) -> None:
    new_name = new_name.strip()
    if not new_name:
        raise StoreError("a profile needs a name that is not empty")
    with store.transaction() as conn:
        pid = profile_id(conn, name)
        if conn.execute(select(s.profiles.c.id).where(s.profiles.c.name == new_name)).first():
            raise StoreError(f"there is already a profile named '{new_name}'")
        conn.execute(update(s.profiles).where(s.profiles.c.id == pid).values(name=new_name))
