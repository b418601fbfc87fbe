"""What a shared server keeps beside the papers: users, sessions, API tokens, who owns which profile, a
profile's saved settings, and the small reads the web app makes (a rating's undo, text search, visibility).

Plain functions on a connection (the caller holds the transaction and resolves a profile's id), and
:class:`AccountsMixin`, the :class:`~papersift.store.Store` methods that open the transaction and call them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from ..errors import StoreError
from . import profiles
from . import schema as s


@dataclass(frozen=True)
class UserRecord:
    id: int
    name: str
    password_hash: str
    is_admin: bool
    created_at: str


@dataclass(frozen=True)
class ApiTokenRecord:
    """An API token as the store keeps it: never the token itself, only its label and dates."""

    label: str
    created_at: str
    expires_at: str | None


def _user(row: Any) -> UserRecord:
    return UserRecord(int(row.id), row.name, row.password_hash, bool(row.is_admin), row.created_at)


# -- users ------------------------------------------------------------------------------


def user_id(conn: Connection, name: str) -> int:
    row = conn.execute(select(s.users.c.id).where(s.users.c.name == name)).first()
    if row is None:
        raise StoreError(f"there is no user named '{name}' (`papersift user list` shows them)")
    return int(row.id)


def add_user(conn: Connection, name: str, password_hash: str, is_admin: bool, now: str) -> UserRecord:
    if conn.execute(select(s.users.c.id).where(s.users.c.name == name)).first():
        raise StoreError(f"there is already a user named '{name}'")
    conn.execute(insert(s.users).values(name=name, password_hash=password_hash, is_admin=int(is_admin), created_at=now))
    return _user(conn.execute(select(s.users).where(s.users.c.name == name)).one())


def get_user(conn: Connection, name: str) -> UserRecord | None:
    row = conn.execute(select(s.users).where(s.users.c.name == name)).first()
    return _user(row) if row else None


def list_users(conn: Connection) -> list[UserRecord]:
    return [_user(r) for r in conn.execute(select(s.users).order_by(s.users.c.name)).all()]


def remove_user(conn: Connection, name: str) -> None:
    """Remove a user with their sessions, tokens and ownerships (their profiles stay, unowned)."""
    found = user_id(conn, name)
    for table in (s.sessions, s.api_tokens, s.profile_owners):
        conn.execute(delete(table).where(table.c.user_id == found))
    conn.execute(delete(s.users).where(s.users.c.id == found))


def set_password_hash(conn: Connection, name: str, password_hash: str) -> None:
    """Replace a user's password hash and end all their sessions (their API tokens stay)."""
    found = user_id(conn, name)
    conn.execute(update(s.users).where(s.users.c.id == found).values(password_hash=password_hash))
    conn.execute(delete(s.sessions).where(s.sessions.c.user_id == found))


# -- sessions and API tokens ----------------------------------------------------------------


def create_session(conn: Connection, user: int, token_hash: str, csrf_token: str, now: str, expires_at: str) -> None:
    conn.execute(delete(s.sessions).where(s.sessions.c.expires_at < now))
    conn.execute(
        insert(s.sessions).values(
            token_hash=token_hash, user_id=user, csrf_token=csrf_token, created_at=now, expires_at=expires_at
        )
    )


def session_user(conn: Connection, token_hash: str, now: str) -> tuple[UserRecord, str] | None:
    """The user and CSRF token of a live session, or None."""
    row = conn.execute(
        select(s.users, s.sessions.c.csrf_token)
        .select_from(s.sessions.join(s.users, s.users.c.id == s.sessions.c.user_id))
        .where(s.sessions.c.token_hash == token_hash, s.sessions.c.expires_at >= now)
    ).first()
    return (_user(row), row.csrf_token) if row else None


def delete_session(conn: Connection, token_hash: str) -> None:
    conn.execute(delete(s.sessions).where(s.sessions.c.token_hash == token_hash))


def add_api_token(
    conn: Connection, user: int, label: str, token_hash: str, now: str, expires_at: str | None
) -> ApiTokenRecord:
    table = s.api_tokens
    if conn.execute(select(table.c.id).where(table.c.user_id == user, table.c.label == label)).first():
        raise StoreError(f"this user already has a token labelled '{label}' (revoke it first, or choose another label)")
    conn.execute(
        insert(table).values(user_id=user, label=label, token_hash=token_hash, created_at=now, expires_at=expires_at)
    )
    return ApiTokenRecord(label, now, expires_at)


def api_token_user(conn: Connection, token_hash: str, now: str) -> UserRecord | None:
    """The user of a live (not revoked, not expired) API token, or None."""
    table = s.api_tokens
    row = conn.execute(
        select(s.users)
        .select_from(table.join(s.users, s.users.c.id == table.c.user_id))
        .where(table.c.token_hash == token_hash, or_(table.c.expires_at.is_(None), table.c.expires_at >= now))
    ).first()
    return _user(row) if row else None


def api_tokens(conn: Connection, user: int) -> list[ApiTokenRecord]:
    table = s.api_tokens
    rows = conn.execute(select(table).where(table.c.user_id == user).order_by(table.c.created_at, table.c.id)).all()
    return [ApiTokenRecord(r.label, r.created_at, r.expires_at) for r in rows]


def revoke_api_token(conn: Connection, user: int, label: str) -> bool:
    """Forget a token (requests carrying it are refused from now on); whether there was one."""
    table = s.api_tokens
    result = conn.execute(delete(table).where(table.c.user_id == user, table.c.label == label))
    return bool(result.rowcount)


# -- ownership and settings --------------------------------------------------------------------


def set_owner(conn: Connection, profile: int, user: int) -> None:
    conn.execute(delete(s.profile_owners).where(s.profile_owners.c.profile_id == profile))
    conn.execute(insert(s.profile_owners).values(profile_id=profile, user_id=user))


def profile_owner(conn: Connection, profile: str) -> int | None:
    """The owning user's id; None for an unowned profile (or one that does not exist)."""
    row = conn.execute(
        select(s.profile_owners.c.user_id)
        .select_from(s.profile_owners.join(s.profiles, s.profiles.c.id == s.profile_owners.c.profile_id))
        .where(s.profiles.c.name == profile)
    ).first()
    return int(row.user_id) if row else None


def owned_profiles(conn: Connection, user: int) -> list[str]:
    rows = conn.execute(
        select(s.profiles.c.name)
        .select_from(s.profile_owners.join(s.profiles, s.profiles.c.id == s.profile_owners.c.profile_id))
        .where(s.profile_owners.c.user_id == user)
        .order_by(s.profiles.c.name)
    ).all()
    return [r.name for r in rows]


def profile_exists(conn: Connection, profile: str) -> bool:
    return conn.execute(select(s.profiles.c.id).where(s.profiles.c.name == profile)).first() is not None


def get_settings(conn: Connection, profile: int) -> tuple[dict[str, Any], bool]:
    """(settings, lab opt-in) of a profile; empty and False when never saved."""
    table = s.profile_settings
    row = conn.execute(select(table).where(table.c.profile_id == profile)).first()
    if row is None:
        return {}, False
    return json.loads(row.settings), bool(row.lab_opt_in)


def save_settings(conn: Connection, profile: int, settings: dict[str, Any], lab_opt_in: bool, now: str) -> None:
    table = s.profile_settings
    values = {"settings": json.dumps(settings, sort_keys=True), "lab_opt_in": int(lab_opt_in), "updated_at": now}
    where = table.c.profile_id == profile
    if conn.execute(select(table.c.profile_id).where(where)).first():
        conn.execute(update(table).where(where).values(**values))
    else:
        conn.execute(insert(table).values(profile_id=profile, **values))


def lab_profiles(conn: Connection) -> list[str]:
    """Profiles whose owners share them with the lab."""
    table = s.profile_settings
    rows = conn.execute(
        select(s.profiles.c.name)
        .select_from(table.join(s.profiles, s.profiles.c.id == table.c.profile_id))
        .where(table.c.lab_opt_in == 1)
        .order_by(s.profiles.c.name)
    ).all()
    return [r.name for r in rows]


# -- ratings ------------------------------------------------------------------------------------


def delete_rating(conn: Connection, profile: int, paper_id: int) -> bool:
    """Forget one rating; whether there was one."""
    table = s.ratings
    result = conn.execute(delete(table).where(table.c.profile_id == profile, table.c.paper_id == paper_id))
    return bool(result.rowcount)


def ratings_for(conn: Connection, profile: int, paper_ids: Sequence[int]) -> dict[int, str]:
    table = s.ratings
    rows = conn.execute(
        select(table.c.paper_id, table.c.rating).where(table.c.profile_id == profile, table.c.paper_id.in_(paper_ids))
    ).all()
    return {int(r.paper_id): r.rating for r in rows}


def count_ratings(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(s.ratings)).scalar_one())


# -- papers ---------------------------------------------------------------------------------------


def last_updated(conn: Connection, paper_ids: Sequence[int]) -> str:
    """A stamp of the texts of ``paper_ids`` (their newest ``updated_at`` and their texts' total length):
    part of a cache key, so that a paper merged with a richer record is not served from its old text."""
    newest, size = "", 0
    ids = list(dict.fromkeys(paper_ids))
    text_size = func.length(func.coalesce(s.papers.c.title, "")) + func.length(func.coalesce(s.papers.c.abstract, ""))
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        row = conn.execute(
            select(func.max(s.papers.c.updated_at), func.sum(text_size)).where(s.papers.c.id.in_(chunk))
        ).one()
        newest, size = max(newest, row[0] or ""), size + int(row[1] or 0)
    return f"{newest}/{size}"


def paper_exists(conn: Connection, paper_id: int) -> bool:
    return conn.execute(select(s.papers.c.id).where(s.papers.c.id == paper_id)).first() is not None


def search_paper_ids(conn: Connection, words: Sequence[str], limit: int = 50) -> list[int]:
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
    return [int(r.id) for r in conn.execute(query.order_by(*order).limit(limit)).all()]


def _pattern(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def recent_candidate_ids(conn: Connection, limit: int) -> list[int]:
    """The candidates first seen most recently."""
    table = s.candidates
    rows = conn.execute(
        select(table.c.paper_id).order_by(table.c.first_seen.desc(), table.c.paper_id.desc()).limit(limit)
    ).all()
    return [int(r.paper_id) for r in rows]


# -- the Store methods ----------------------------------------------------------------------------


class AccountsMixin:
    """:class:`~papersift.store.Store`'s methods for the tables above: each one transaction or snapshot."""

    if TYPE_CHECKING:

        def transaction(self) -> AbstractContextManager[Connection]: ...
        def snapshot(self) -> AbstractContextManager[Connection]: ...
        def now(self) -> str: ...

    # users
    def add_user(self, name: str, password_hash: str, is_admin: bool = False) -> UserRecord:
        now = self.now()
        with self.transaction() as conn:
            return add_user(conn, name, password_hash, is_admin, now)

    def get_user(self, name: str) -> UserRecord | None:
        with self.snapshot() as conn:
            return get_user(conn, name)

    def list_users(self) -> list[UserRecord]:
        with self.snapshot() as conn:
            return list_users(conn)

    def remove_user(self, name: str) -> None:
        with self.transaction() as conn:
            remove_user(conn, name)

    def set_password_hash(self, name: str, password_hash: str) -> None:
        with self.transaction() as conn:
            set_password_hash(conn, name, password_hash)

    # sessions and API tokens
    def create_session(self, user: int, token_hash: str, csrf_token: str, expires_at: str) -> None:
        now = self.now()
        with self.transaction() as conn:
            create_session(conn, user, token_hash, csrf_token, now, expires_at)

    def session_user(self, token_hash: str) -> tuple[UserRecord, str] | None:
        now = self.now()
        with self.snapshot() as conn:
            return session_user(conn, token_hash, now)

    def delete_session(self, token_hash: str) -> None:
        with self.transaction() as conn:
            delete_session(conn, token_hash)

    def add_api_token(self, user: str, label: str, token_hash: str, expires_at: str | None = None) -> ApiTokenRecord:
        now = self.now()
        with self.transaction() as conn:
            return add_api_token(conn, user_id(conn, user), label, token_hash, now, expires_at)

    def api_token_user(self, token_hash: str) -> UserRecord | None:
        now = self.now()
        with self.snapshot() as conn:
            return api_token_user(conn, token_hash, now)

    def api_tokens(self, user: str) -> list[ApiTokenRecord]:
        with self.snapshot() as conn:
            return api_tokens(conn, user_id(conn, user))

    def revoke_api_token(self, user: str, label: str) -> bool:
        with self.transaction() as conn:
            return revoke_api_token(conn, user_id(conn, user), label)

    # ownership and settings
    def set_profile_owner(self, profile: str, user: int) -> None:
        """Make ``user`` the owner of ``profile``, which is created if new."""
        now = self.now()
        with self.transaction() as conn:
            set_owner(conn, profiles.ensure_profile(conn, profile, now), user)

    def profile_owner(self, profile: str) -> int | None:
        with self.snapshot() as conn:
            return profile_owner(conn, profile)

    def owned_profiles(self, user: int) -> list[str]:
        with self.snapshot() as conn:
            return owned_profiles(conn, user)

    def profile_exists(self, profile: str) -> bool:
        with self.snapshot() as conn:
            return profile_exists(conn, profile)

    def create_profile(self, profile: str) -> None:
        """An empty profile (a no-op when it exists)."""
        now = self.now()
        with self.transaction() as conn:
            profiles.ensure_profile(conn, profile, now)

    def profile_settings(self, profile: str) -> tuple[dict[str, Any], bool]:
        with self.snapshot() as conn:
            return get_settings(conn, profiles.profile_id(conn, profile))

    def save_profile_settings(self, profile: str, settings: dict[str, Any], lab_opt_in: bool) -> None:
        now = self.now()
        with self.transaction() as conn:
            save_settings(conn, profiles.profile_id(conn, profile), settings, lab_opt_in, now)

    def lab_profiles(self) -> list[str]:
        with self.snapshot() as conn:
            return lab_profiles(conn)

    # ratings
    def delete_rating(self, profile: str, paper_id: int) -> bool:
        with self.transaction() as conn:
            return delete_rating(conn, profiles.profile_id(conn, profile), paper_id)

    def ratings_for(self, profile: str, paper_ids: Sequence[int]) -> dict[int, str]:
        if not paper_ids:
            return {}
        with self.snapshot() as conn:
            return ratings_for(conn, profiles.profile_id(conn, profile), paper_ids)

    def count_ratings(self) -> int:
        with self.snapshot() as conn:
            return count_ratings(conn)

    # papers
    def last_updated(self, paper_ids: Sequence[int]) -> str:
        with self.snapshot() as conn:
            return last_updated(conn, paper_ids)

    def paper_exists(self, paper_id: int) -> bool:
        with self.snapshot() as conn:
            return paper_exists(conn, paper_id)

    def search_paper_ids(self, words: Sequence[str], limit: int = 50) -> list[int]:
        with self.snapshot() as conn:
            return search_paper_ids(conn, words, limit)

    def recent_candidate_ids(self, limit: int) -> list[int]:
        with self.snapshot() as conn:
            return recent_candidate_ids(conn, limit)

    def visible_paper_ids(self, profile: str, paper_ids: Sequence[int]) -> set[int]:
        """Which of ``paper_ids`` a profile's owner may see on a shared server (:func:`profiles.visible_paper_ids`)."""
        if not paper_ids:
            return set()
        with self.snapshot() as conn:
            return profiles.visible_paper_ids(conn, profiles.profile_id(conn, profile), paper_ids)
