"""Accounts for a shared papersift server: users with argon2 password hashes, sessions, who owns which profile.

The web app and ``papersift user`` call these; the tables live behind :mod:`papersift.store.accounts`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
from collections import deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .errors import ConfigError, StoreError
from .store import Store
from .store import accounts as table
from .store.accounts import UserRecord

__all__ = [
    "LoginLimiter",
    "UserRecord",
    "add_user",
    "authenticate",
    "can_access",
    "claim_profile",
    "end_session",
    "list_users",
    "remove_user",
    "reset_password",
    "session_for",
    "start_session",
    "visible_profiles",
]

MIN_PASSWORD = 8
SESSION_DAYS = 14
_hasher = PasswordHasher()
# Verified when the user does not exist, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 100 or any(c.isspace() or not c.isprintable() for c in name):
        raise ConfigError(f"'{name}' is not a user name (1-100 printable characters, no spaces)")
    return name


def _check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"a password needs at least {MIN_PASSWORD} characters")
    return password


def add_user(store: Store, name: str, password: str, is_admin: bool = False) -> UserRecord:
    return table.add_user(store, _check_name(name), _hasher.hash(_check_password(password)), is_admin)


def list_users(store: Store) -> list[UserRecord]:
    return table.list_users(store)


def remove_user(store: Store, name: str) -> None:
    table.remove_user(store, name)


def reset_password(store: Store, name: str, password: str) -> None:
    """A new password; every session of the user ends."""
    table.set_password_hash(store, name, _hasher.hash(_check_password(password)))


def authenticate(store: Store, name: str, password: str) -> UserRecord | None:
    """The user if the password is right, else None (in about the same time either way)."""
    user = table.get_user(store, name.strip())
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        table.set_password_hash(store, user.name, _hasher.hash(password))
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(store: Store, user: UserRecord, days: int = SESSION_DAYS) -> tuple[str, str]:
    """A new session: (token for the cookie, CSRF token for forms)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).isoformat(timespec="seconds")
    table.create_session(store, user.id, _token_hash(token), csrf, expires)
    return token, csrf


def session_for(store: Store, token: str) -> tuple[UserRecord, str] | None:
    if not token:
        return None
    return table.session_user(store, _token_hash(token))


def end_session(store: Store, token: str) -> None:
    table.delete_session(store, _token_hash(token))


def can_access(store: Store, user: UserRecord, profile: str) -> bool:
    """Whether ``user`` may read and change ``profile`` (only its owner may)."""
    return table.profile_owner(store, profile) == user.id


def visible_profiles(store: Store, user: UserRecord) -> list[str]:
    return table.owned_profiles(store, user.id)


def claim_profile(store: Store, user: UserRecord, profile: str) -> None:
    """Make ``user`` the owner of ``profile`` (created if new); refused when another user owns it."""
    owner = table.profile_owner(store, profile) if table.profile_exists(store, profile) else None
    if owner is not None and owner != user.id:
        raise StoreError(f"the profile '{profile}' belongs to another user")
    table.create_profile(store, profile)
    table.set_owner(store, profile, user.id)


class LoginLimiter:
    """At most ``attempts`` failed sign-ins per ``window`` seconds per user name and per client address."""

    def __init__(self, attempts: int = 5, window: float = 300.0) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def allowed(self, name: str, address: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return all(len(self._recent(k, now)) < self.attempts for k in (f"u:{name}", f"a:{address}"))

    def failed(self, name: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in (f"u:{name}", f"a:{address}"):
                self._recent(key, now).append(now)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(f"u:{name}", None)
