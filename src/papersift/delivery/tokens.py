"""The secret key, and signed single-purpose tokens for acting without a login.

A link in a digest mail carries a token that can do exactly one thing: rate one paper for one
profile (``vote``), stop mail to one address (``unsubscribe``), or read one profile's feed
(``feed``). Each purpose signs with its own salt, so a token of one kind is refused as any other;
vote and unsubscribe tokens expire; a feed token stays valid until the profile's feed nonce is
rotated (``papersift feed-url --rotate``). A forwarded mail can therefore rate, and nothing more.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeSerializer, URLSafeTimedSerializer

from ..config import Config, user_dir
from ..errors import ConfigError, PapersiftError

SECRET_ENV = "PAPERSIFT_SECRET_KEY"
SECRET_FILENAME = "secret_key"
VOTE_MAX_AGE = 60 * 24 * 3600  # a mail read two months later still rates
UNSUBSCRIBE_MAX_AGE = 365 * 24 * 3600  # RFC 8058 asks unsubscribe links to keep working a long time
RATINGS = ("up", "down", "save", "dismiss")


class TokenError(PapersiftError):
    """A token was tampered with, expired, or made for another purpose."""


def secret_key(config: Config | None = None) -> bytes:
    """``$PAPERSIFT_SECRET_KEY``, else ``[web] secret_key``, else a random key kept in the data directory (0600).

    The key file is created once, atomically (O_EXCL), so two processes starting together agree on it.
    """
    from_env = os.environ.get(SECRET_ENV)
    if from_env:
        return from_env.encode("utf-8")
    configured = config.web.secret_key if config is not None else None
    if configured:
        return configured.encode("utf-8")
    return _key_file(user_dir() / SECRET_FILENAME)


def _key_file(path: Path) -> bytes:
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key(path)
    except OSError as exc:
        raise ConfigError(f"cannot create the secret key file {path}: {exc.strerror}") from None
    key = secrets.token_urlsafe(48)
    with os.fdopen(handle, "w", encoding="ascii") as stream:
        stream.write(key)
        stream.flush()
        os.fsync(stream.fileno())
    return key.encode("ascii")


def _read_key(path: Path) -> bytes:
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        # A file being written by a concurrent first start, or truncated: not a key to sign with.
        raise ConfigError(f"the secret key file {path} is empty or too short; delete it to make a new one")
    return key.encode("ascii")


@dataclass(frozen=True)
class Vote:
    profile: str
    paper_id: int
    rating: str


@dataclass(frozen=True)
class Unsubscribe:
    profile: str
    address: str


@dataclass(frozen=True)
class FeedAccess:
    profile: str
    nonce: str


class Tokens:
    """Makes and checks the three kinds of token with one secret; ``clock`` (seconds) lets tests travel in time."""

    def __init__(self, secret: bytes, clock: Callable[[], float] = time.time) -> None:
        if len(secret) < 16:
            raise ConfigError("the secret key is too short (use at least 16 characters)")
        self._secret = secret
        self._clock = clock

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        clock = self._clock

        class ClockSigner(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(clock())

        return URLSafeTimedSerializer(self._secret, salt=f"papersift.{purpose}", signer=ClockSigner)

    def _load(self, purpose: str, token: str, max_age: int | None) -> Any:
        try:
            return self._serializer(purpose).loads(token, max_age=max_age)
        except SignatureExpired:
            raise TokenError(f"this {purpose} link has expired") from None
        except BadSignature:
            raise TokenError(f"this {purpose} link is not valid (altered, or made for something else)") from None

    def vote(self, profile: str, paper_id: int, rating: str) -> str:
        if rating not in RATINGS:
            raise ValueError(f"unknown rating {rating!r}")
        return str(self._serializer("vote").dumps([profile, int(paper_id), rating]))

    def read_vote(self, token: str, max_age: int = VOTE_MAX_AGE) -> Vote:
        data = self._load("vote", token, max_age)
        try:
            profile, paper_id, rating = data
            vote = Vote(str(profile), int(paper_id), str(rating))
        except (TypeError, ValueError):
            raise TokenError("this vote link is not valid") from None
        if vote.rating not in RATINGS:
            raise TokenError("this vote link is not valid")
        return vote

    def unsubscribe(self, profile: str, address: str) -> str:
        return str(self._serializer("unsubscribe").dumps([profile, address]))

    def read_unsubscribe(self, token: str, max_age: int = UNSUBSCRIBE_MAX_AGE) -> Unsubscribe:
        data = self._load("unsubscribe", token, max_age)
        try:
            profile, address = data
        except (TypeError, ValueError):
            raise TokenError("this unsubscribe link is not valid") from None
        return Unsubscribe(str(profile), str(address))

    def _feed_serializer(self) -> URLSafeSerializer:
        # No timestamp: the same profile and nonce always give the same address (it is revoked by the nonce).
        return URLSafeSerializer(self._secret, salt="papersift.feed")

    def feed(self, profile: str, nonce: str = "") -> str:
        return str(self._feed_serializer().dumps([profile, nonce]))

    def read_feed(self, token: str) -> FeedAccess:
        try:
            data = self._feed_serializer().loads(token)
        except BadSignature:
            raise TokenError("this feed link is not valid (altered, or made for something else)") from None
        try:
            profile, nonce = data
        except (TypeError, ValueError):
            raise TokenError("this feed link is not valid") from None
        return FeedAccess(str(profile), str(nonce))
