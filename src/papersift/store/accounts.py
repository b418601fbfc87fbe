"""Table access for the web app: users, sessions, profile ownership and settings, a rating's undo,
and text search over the stored papers. (A digest and its picks: :mod:`.digest_record`.)

Plain functions over :meth:`Store.transaction`; only this package touches the database.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from ..errors import StoreError
from ..models import Paper
from . import profiles
from . import schema as s
from .db import Store

users, sessions, profile_owners, profile_settings = (s.users, s.sessions, s.profile_owners, s.profile_settings)


def ensure_schema(store: Store) -> None:
    """Nothing to do: migration 4 is in migrations.NAMES, so every open store has these tables."""


def _profile_id(store: Store, conn: Connection, profile: str) -> int:
    return profiles.profile_id(conn, profile)


def profile_paper_ids(store: Store, profile: str, include_excluded: bool = False) -> list[int]:
    with store.snapshot() as conn:
        return profiles.profile_paper_ids(conn, _profile_id(store, conn, profile), include_excluded)


# -- users -------------------------------------------------------------------------


@dataclass(frozen=True)
class UserRecord:
    id: int
    name: str
    password_hash: str
    is_admin: bool
    created_at: str


def _user(row: Any) -> UserRecord:
    return UserRecord(int(row.id), row.name, row.password_hash, bool(row.is_admin), row.created_at)


def add_user(store: Store, name: str, password_hash: str, is_admin: bool = False) -> UserRecord:
    ensure_schema(store)
    with store.transaction() as conn:
        if conn.execute(select(users.c.id).where(users.c.name == name)).first():
            raise StoreError(f"there is already a user named '{name}'")
        conn.execute(
            insert(users).values(name=name, password_hash=password_hash, is_admin=int(is_admin), created_at=store.now())
        )
        return _user(conn.execute(select(users).where(users.c.name == name)).one())


def get_user(store: Store, name: str) -> UserRecord | None:
    ensure_schema(store)
    with store.snapshot() as conn:
        row = conn.execute(select(users).where(users.c.name == name)).first()
    return _user(row) if row else None


def list_users(store: Store) -> list[UserRecord]:
    ensure_schema(store)
    with store.snapshot() as conn:
        return [_user(r) for r in conn.execute(select(users).order_by(users.c.name)).all()]


def remove_user(store: Store, name: str) -> None:
    """Remove a user with their sessions and ownerships (their profiles stay, unowned)."""
    ensure_schema(store)
    with store.transaction() as conn:
        row = conn.execute(select(users.c.id).where(users.c.name == name)).first()
        if row is None:
            raise StoreError(f"there is no user named '{name}'")
        for table in (sessions, profile_owners):
            conn.execute(delete(table).where(table.c.user_id == row.id))
        conn.execute(delete(users).where(users.c.id == row.id))


def set_password_hash(store: Store, name: str, password_hash: str) -> None:
    """Replace a user's password hash and end all their sessions."""
    ensure_schema(store)
    with store.transaction() as conn:
        row = conn.execute(select(users.c.id).where(users.c.name == name)).first()
        if row is None:
            raise StoreError(f"there is no user named '{name}'")
        conn.execute(update(users).where(users.c.id == row.id).values(password_hash=password_hash))
        conn.execute(delete(sessions).where(sessions.c.user_id == row.id))


# -- sessions ------------------------------------------------------------------------


def create_session(store: Store, user_id: int, token_hash: str, csrf_token: str, expires_at: str) -> None:
    ensure_schema(store)
    now = store.now()
    with store.transaction() as conn:
        conn.execute(delete(sessions).where(sessions.c.expires_at < now))
        conn.execute(
            insert(sessions).values(
                token_hash=token_hash, user_id=user_id, csrf_token=csrf_token, created_at=now, expires_at=expires_at
            )
        )


def session_user(store: Store, token_hash: str) -> tuple[UserRecord, str] | None:
    """The user and CSRF token of a live session, or None."""
    ensure_schema(store)
    with store.snapshot() as conn:
        row = conn.execute(
            select(users, sessions.c.csrf_token)
            .select_from(sessions.join(users, users.c.id == sessions.c.user_id))
            .where(sessions.c.token_hash == token_hash, sessions.c.expires_at >= store.now())
        ).first()
    return (_user(row), row.csrf_token) if row else None


def delete_session(store: Store, token_hash: str) -> None:
    ensure_schema(store)
    with store.transaction() as conn:
        conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash))


# -- ownership and settings ------------------------------------------------------------


def set_owner(store: Store, profile: str, user_id: int) -> None:
    ensure_schema(store)
    with store.transaction() as conn:
        profile_id = _profile_id(store, conn, profile)
        conn.execute(delete(profile_owners).where(profile_owners.c.profile_id == profile_id))
        conn.execute(insert(profile_owners).values(profile_id=profile_id, user_id=user_id))


def profile_owner(store: Store, profile: str) -> int | None:
    """The owning user's id; None for an unowned profile (or one that does not exist)."""
    ensure_schema(store)
    with store.snapshot() as conn:
        row = conn.execute(
            select(profile_owners.c.user_id)
            .select_from(profile_owners.join(s.profiles, s.profiles.c.id == profile_owners.c.profile_id))
            .where(s.profiles.c.name == profile)
        ).first()
    return int(row.user_id) if row else None


def owned_profiles(store: Store, user_id: int) -> list[str]:
    ensure_schema(store)
    with store.snapshot() as conn:
        rows = conn.execute(
            select(s.profiles.c.name)
            .select_from(profile_owners.join(s.profiles, s.profiles.c.id == profile_owners.c.profile_id))
            .where(profile_owners.c.user_id == user_id)
            .order_by(s.profiles.c.name)
        ).all()
    return [r.name for r in rows]


def profile_exists(store: Store, profile: str) -> bool:
    with store.snapshot() as conn:
        return conn.execute(select(s.profiles.c.id).where(s.profiles.c.name == profile)).first() is not None


def create_profile(store: Store, profile: str) -> None:
    """An empty profile (a no-op when it exists)."""
    with store.transaction() as conn:
        profiles.ensure_profile(conn, profile, store.now())


def get_settings(store: Store, profile: str) -> tuple[dict[str, Any], bool]:
    """(settings, lab opt-in) of a profile; empty and False when never saved."""
    ensure_schema(store)
    with store.snapshot() as conn:
        profile_id = _profile_id(store, conn, profile)
        row = conn.execute(select(profile_settings).where(profile_settings.c.profile_id == profile_id)).first()
    if row is None:
        return {}, False
    return json.loads(row.settings), bool(row.lab_opt_in)


def save_settings(store: Store, profile: str, settings: dict[str, Any], lab_opt_in: bool) -> None:
    ensure_schema(store)
    values = {
        "settings": json.dumps(settings, sort_keys=True),
        "lab_opt_in": int(lab_opt_in),
        "updated_at": store.now(),
    }
    with store.transaction() as conn:
        profile_id = _profile_id(store, conn, profile)
        where = profile_settings.c.profile_id == profile_id
        if conn.execute(select(profile_settings.c.profile_id).where(where)).first():
            conn.execute(update(profile_settings).where(where).values(**values))
        else:
            conn.execute(insert(profile_settings).values(profile_id=profile_id, **values))


def lab_profiles(store: Store) -> list[str]:
    """Profiles whose owners share them with the lab."""
    ensure_schema(store)
    with store.snapshot() as conn:
        rows = conn.execute(
            select(s.profiles.c.name)
            .select_from(profile_settings.join(s.profiles, s.profiles.c.id == profile_settings.c.profile_id))
            .where(profile_settings.c.lab_opt_in == 1)
            .order_by(s.profiles.c.name)
        ).all()
    return [r.name for r in rows]


# -- ratings --------------------------------------------------------------------------------


def delete_rating(store: Store, profile: str, paper_id: int) -> bool:
    """Forget one rating; whether there was one."""
    with store.transaction() as conn:
        profile_id = _profile_id(store, conn, profile)
        result = conn.execute(
            delete(s.ratings).where(s.ratings.c.profile_id == profile_id, s.ratings.c.paper_id == paper_id)
        )
        return bool(result.rowcount)


def ratings_for(store: Store, profile: str, paper_ids: list[int]) -> dict[int, str]:
    if not paper_ids:
        return {}
    with store.snapshot() as conn:
        profile_id = _profile_id(store, conn, profile)
        rows = conn.execute(
            select(s.ratings.c.paper_id, s.ratings.c.rating).where(
                s.ratings.c.profile_id == profile_id, s.ratings.c.paper_id.in_(paper_ids)
            )
        ).all()
    return {int(r.paper_id): r.rating for r in rows}


def count_ratings(store: Store) -> int:
    with store.snapshot() as conn:
        return int(conn.execute(select(func.count()).select_from(s.ratings)).scalar_one())


# -- papers ------------------------------------------------------------------------------------


def last_updated(store: Store, paper_ids: Sequence[int]) -> str:
    """A stamp of the texts of ``paper_ids`` (their newest ``updated_at`` and their texts' total length):
    part of a cache key, so that a paper merged with a richer record is not served from its old text."""
    newest, size = "", 0
    ids = list(dict.fromkeys(paper_ids))
    text_size = func.length(func.coalesce(s.papers.c.title, "")) + func.length(func.coalesce(s.papers.c.abstract, ""))
    with store.snapshot() as conn:
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            row = conn.execute(
                select(func.max(s.papers.c.updated_at), func.sum(text_size)).where(s.papers.c.id.in_(chunk))
            ).one()
            newest, size = max(newest, row[0] or ""), size + int(row[1] or 0)
    return f"{newest}/{size}"


def paper_exists(store: Store, paper_id: int) -> bool:
    with store.snapshot() as conn:
        return conn.execute(select(s.papers.c.id).where(s.papers.c.id == paper_id)).first() is not None


def search_paper_ids(store: Store, words: list[str], limit: int = 50) -> list[int]:
    """Papers whose title, abstract or authors contain every word (case-insensitive), newest first."""
    if not words:
        return []
    query = select(s.papers.c.id)
    for word in words:
        # SQLite's lower() folds ASCII only, so a word is also looked for as typed, capitalised and in
        # capitals; authors are stored as JSON, where a non-ASCII letter is an escape (\\u00fc), so the
        # word is looked for escaped too.
        columns = (s.papers.c.title, s.papers.c.abstract, s.papers.c.authors)
        conditions = [func.lower(c).like(_pattern(word.lower()), escape="\\") for c in columns]
        if not word.isascii():
            for form in dict.fromkeys([word, word.capitalize(), word.upper()]):
                conditions += [c.like(_pattern(form), escape="\\") for c in columns]
            escaped = json.dumps(word.lower())[1:-1]
            conditions.append(func.lower(s.papers.c.authors).like(_pattern(escaped), escape="\\"))
        query = query.where(or_(*conditions))
    # Newest first, undated last on every backend (PostgreSQL puts NULLs first when descending).
    order = (s.papers.c.date.desc().nulls_last(), s.papers.c.id.desc())
    with store.snapshot() as conn:
        rows = conn.execute(query.order_by(*order).limit(limit)).all()
    return [int(r.id) for r in rows]


def _pattern(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def recent_candidate_ids(store: Store, limit: int) -> list[int]:
    """The candidates first seen most recently."""
    with store.snapshot() as conn:
        rows = conn.execute(
            select(s.candidates.c.paper_id)
            .order_by(s.candidates.c.first_seen.desc(), s.candidates.c.paper_id.desc())
            .limit(limit)
        ).all()
    return [int(r.paper_id) for r in rows]


def load_papers(store: Store, paper_ids: list[int]) -> list[Paper]:
    return store.papers_by_id(paper_ids)


def visible_paper_ids(store: Store, profile: str, paper_ids: list[int]) -> set[int]:
    """Which of ``paper_ids`` a profile's owner may see on a shared server (:func:`profiles.visible_paper_ids`)."""
    if not paper_ids:
        return set()
    with store.snapshot() as conn:
        return profiles.visible_paper_ids(conn, _profile_id(store, conn, profile), paper_ids)
