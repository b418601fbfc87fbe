"""Accounts for a shared papersift server: users with argon2 password hashes, sessions, who owns which profile.

The web app and ``papersift user`` call these; the tables live behind :mod:`papersift.store.users`.
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

from . import clock
from .errors import ConfigError, StoreError
from .store import Store
from .store.users import ApiTokenRecord, UserRecord

__all__ = [
    "API_TOKEN_PREFIX",
    "ApiTokenRecord",
    "LoginLimiter",
    "ProfileTaken",
    "UserRecord",
    "add_user",
    "api_token_user",
    "api_tokens",
    "authenticate",
    "can_access",
    "claim_profile",
    "end_session",
    "list_users",
    "make_api_token",
    "remove_user",
    "reset_password",
    "revoke_api_token",
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
    return store.add_user(_check_name(name), _hasher.hash(_check_password(password)), is_admin)


def list_users(store: Store) -> list[UserRecord]:
    return store.list_users()


def remove_user(store: Store, name: str) -> None:
    store.remove_user(name)


def reset_password(store: Store, name: str, password: str) -> None:
    """A new password; every session of the user ends."""
    store.set_password_hash(name, _hasher.hash(_check_password(password)))


def authenticate(store: Store, name: str, password: str) -> UserRecord | None:
    """The user if the password is right, else None (in about the same time either way)."""
    user = store.get_user(name.strip())
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        store.set_password_hash(user.name, _hasher.hash(password))
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(store: Store, user: UserRecord, days: int = SESSION_DAYS) -> tuple[str, str]:
    """A new session: (token for the cookie, CSRF token for forms)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = clock.timestamp(store.clock() + dt.timedelta(days=days))
    store.create_session(user.id, _token_hash(token), csrf, expires)
    return token, csrf


def session_for(store: Store, token: str) -> tuple[UserRecord, str] | None:
    if not token:
        return None
    return store.session_user(_token_hash(token))


def end_session(store: Store, token: str) -> None:
    store.delete_session(_token_hash(token))


def can_access(store: Store, user: UserRecord, profile: str) -> bool:
    """Whether ``user`` may read and change ``profile`` (only its owner may)."""
    return store.profile_owner(profile) == user.id


def visible_profiles(store: Store, user: UserRecord) -> list[str]:
    return store.owned_profiles(user.id)


class ProfileTaken(StoreError):
    """The profile belongs to another user (the web answers it as a profile that does not exist)."""


def claim_profile(store: Store, user: UserRecord, profile: str) -> None:
    """Make ``user`` the owner of ``profile`` (created if new); refused when another user owns it."""
    owner = store.profile_owner(profile)
    if owner is not None and owner != user.id:
        raise ProfileTaken(f"the profile '{profile}' belongs to another user")
    store.set_profile_owner(profile, user.id)


# -- API tokens (scripts) --------------------------------------------------------------

# Marks a papersift API token in a script or a leaked log, so that it can be recognised (and revoked).
API_TOKEN_PREFIX = "pst_"


def _check_label(label: str) -> str:
    label = label.strip()
    if not label or len(label) > 100 or any(not c.isprintable() for c in label):
        raise ConfigError(f"'{label[:80]}' is not a token label (1-100 printable characters)")
    return label


def make_api_token(
    store: Store, user_name: str, label: str | None = None, days: int | None = None
) -> tuple[str, ApiTokenRecord]:
    """A new API token for ``user_name`` and its record: the token is returned this once, and kept only as
    its SHA-256 (as session tokens are).

    ``label`` names it for ``--list`` and ``--revoke`` (default: ``token-N``); ``days``: it expires after
    that many days (default: never)."""
    if label is None:
        taken = {t.label for t in store.api_tokens(user_name)}
        label = next(f"token-{n}" for n in range(1, len(taken) + 2) if f"token-{n}" not in taken)
    if days is not None and not 1 <= days <= 36500:
        raise ConfigError("a token lasts from 1 to 36500 days")
    expires = clock.timestamp(store.clock() + dt.timedelta(days=days)) if days is not None else None
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, store.add_api_token(user_name, _check_label(label), _token_hash(token), expires)


def api_token_user(store: Store, token: str) -> UserRecord | None:
    """The user a bearer token stands for; None for an unknown, revoked or expired one."""
    if not token.startswith(API_TOKEN_PREFIX) or len(token) > 200:
        return None
    return store.api_token_user(_token_hash(token))


def api_tokens(store: Store, user_name: str) -> list[ApiTokenRecord]:
    return store.api_tokens(user_name)


def revoke_api_token(store: Store, user_name: str, label: str) -> None:
    if not store.revoke_api_token(user_name, label):
        known = ", ".join(t.label for t in store.api_tokens(user_name)) or "none"
        raise StoreError(f"user '{user_name}' has no token labelled '{label}' (their tokens: {known})")


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
