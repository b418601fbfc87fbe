"""Signed tokens: single-purpose, expiring, tamper-evident; the secret key file is private and stable."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from papersift.config import Config, WebConfig
from papersift.delivery.tokens import SECRET_ENV, TokenError, Tokens, Vote, secret_key

SECRET = b"k" * 40


def test_vote_round_trip_and_purpose() -> None:
    tokens = Tokens(SECRET)
    token = tokens.vote("me", 42, "up")
    assert tokens.read_vote(token) == Vote("me", 42, "up")
    with pytest.raises(TokenError):
        tokens.read_unsubscribe(token)  # a vote link cannot unsubscribe
    with pytest.raises(TokenError):
        tokens.read_feed(token)
    with pytest.raises(TokenError):
        tokens.read_vote(tokens.unsubscribe("me", "a@b.org"))


def test_tampered_and_foreign_tokens_are_refused() -> None:
    tokens = Tokens(SECRET)
    token = tokens.vote("me", 42, "up")
    payload, _, rest = token.partition(".")
    forged = Tokens(b"x" * 40).vote("me", 42, "down")
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged, "garbage", ""):
        with pytest.raises(TokenError):
            tokens.read_vote(bad)


def test_votes_expire() -> None:
    now = [1_000_000.0]
    tokens = Tokens(SECRET, clock=lambda: now[0])
    token = tokens.vote("me", 1, "save")
    now[0] += 3600
    assert tokens.read_vote(token, max_age=7200).rating == "save"
    now[0] += 7200
    with pytest.raises(TokenError, match="expired"):
        tokens.read_vote(token, max_age=7200)


def test_feed_tokens_do_not_expire_and_carry_the_nonce() -> None:
    now = [1_000_000.0]
    tokens = Tokens(SECRET, clock=lambda: now[0])
    token = tokens.feed("me", "n1")
    now[0] += 10 * 365 * 86400
    access = tokens.read_feed(token)
    assert (access.profile, access.nonce) == ("me", "n1")


def test_secret_key_sources(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    first = secret_key(Config())
    key_file = isolated_home / "secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert secret_key(Config()) == first and len(first) >= 32
    assert secret_key(Config(web=WebConfig(secret_key="from-config-" * 3))) == b"from-config-" * 3
    monkeypatch.setenv(SECRET_ENV, "from-env-" * 4)
    assert secret_key(Config(web=WebConfig(secret_key="from-config-" * 3))) == b"from-env-" * 4


def test_feed_address_is_stable() -> None:
    now = [1_000_000.0]
    tokens = Tokens(SECRET, clock=lambda: now[0])
    first = tokens.feed("me", "n1")
    now[0] += 5
    assert tokens.feed("me", "n1") == first and tokens.feed("me", "n2") != first
