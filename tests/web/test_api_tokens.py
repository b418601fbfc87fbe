"""API tokens for scripts: `papersift user token`, `Authorization: Bearer` on the JSON API, no CSRF for
bearer requests (cookie sessions keep it), refused when wrong, revoked or expired, and only a hash at rest."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from papersift import accounts
from papersift.cli.main import cli
from papersift.config import store_location
from papersift.store import Store
from papersift.store import schema as s
from tests.web.conftest import PASSWORD, fill_store, make_client


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _users(path: str | Path) -> None:
    with Store(path) as store:
        accounts.claim_profile(store, accounts.add_user(store, "ada", PASSWORD), "ada")
        accounts.claim_profile(store, accounts.add_user(store, "bob", PASSWORD), "bob")


def test_a_bearer_token_uses_the_json_api_without_csrf(store_path: str | Path) -> None:
    _users(store_path)
    with Store(store_path) as store:
        token, _ = accounts.make_api_token(store, "ada", "script")
    with make_client(store_path, multi_user=True) as client:
        assert client.get("/api/v1/profiles", headers=_bearer(token)).json() == ["ada"]
        vote = client.post("/api/v1/profiles/ada/ratings", json={"paper": 6, "rating": "up"}, headers=_bearer(token))
        assert vote.status_code == 200 and vote.json()["rating"] == "up"
        undo = client.delete("/api/v1/profiles/ada/ratings/6", headers=_bearer(token))
        assert undo.status_code == 200 and undo.json()["previous"] == "up"
        # The token is ada's: bob's profile does not exist for it, as for ada's session.
        other = client.get("/api/v1/profiles/bob/ratings", headers=_bearer(token))
        assert other.status_code == 404 and other.json()["detail"] == "there is no profile named 'bob' of yours"
        # A cookie session still needs its CSRF token for the same write.
        client.post("/login", data={"username": "ada", "password": PASSWORD})
        assert client.post("/api/v1/profiles/ada/ratings", json={"paper": 6, "rating": "up"}).status_code == 403


def test_wrong_revoked_and_expired_tokens_are_401(store_path: str | Path) -> None:
    _users(store_path)
    clock = [dt.datetime(2020, 1, 1, tzinfo=dt.UTC)]
    with Store(store_path, clock=lambda: clock[0]) as store:
        kept, _ = accounts.make_api_token(store, "ada", "kept")
        revoked, _ = accounts.make_api_token(store, "ada", "gone")
        short, _ = accounts.make_api_token(store, "ada", "short", days=1)
        accounts.revoke_api_token(store, "ada", "gone")
    with make_client(store_path, multi_user=True) as client:
        assert client.get("/api/v1/profiles", headers=_bearer(kept)).status_code == 200
        # Expiry is read against the server's store clock: the real one is years past 2020-01-02.
        for token in (revoked, short, kept[:-2] + "xx", "pst_", "not-a-token", kept + " " + kept):
            answer = client.get("/api/v1/profiles", headers=_bearer(token))
            assert answer.status_code == 401, token
            assert answer.headers["www-authenticate"] == "Bearer" and "not valid" in answer.json()["detail"]
            vote = client.post(
                "/api/v1/profiles/ada/ratings", json={"paper": 6, "rating": "up"}, headers=_bearer(token)
            )
            assert vote.status_code == 401
    with Store(store_path) as store:
        assert store.ratings("ada") == []
        accounts.remove_user(store, "ada")  # removing the account ends its tokens
    with make_client(store_path, multi_user=True) as client:
        assert client.get("/api/v1/profiles", headers=_bearer(kept)).status_code == 401


def test_only_the_hash_is_stored(store_path: str | Path) -> None:
    _users(store_path)
    with Store(store_path) as store:
        token, _ = accounts.make_api_token(store, "ada")
        with store.snapshot() as conn:
            rows = conn.execute(select(s.api_tokens)).all()
    assert [r.label for r in rows] == ["token-1"]
    assert rows[0].token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith("pst_") and len(token) > 40
    if Path(str(store_path)).is_file():
        assert token.encode() not in Path(str(store_path)).read_bytes()


def test_user_token_command(tmp_path: Path) -> None:
    fill_store(store_location())
    runner = CliRunner()
    assert (
        runner.invoke(cli, ["user", "add", "ada", "--password-stdin", "--profile", "ada"], input=PASSWORD).exit_code
        == 0
    )
    made = runner.invoke(cli, ["user", "token", "ada", "--label", "nightly", "--days", "90"])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert token.startswith("pst_") and "\n" not in token  # alone on stdout, for TOKEN=$(...)
    assert "shown only now" in made.stderr and "--revoke nightly" in made.stderr
    second = runner.invoke(cli, ["user", "token", "ada"])
    assert second.exit_code == 0 and second.stdout.strip() != token
    again = runner.invoke(cli, ["user", "token", "ada", "--label", "nightly"])
    assert again.exit_code == 1 and "already has a token labelled 'nightly'" in again.output
    listed = runner.invoke(cli, ["user", "token", "ada", "--list"])
    assert listed.exit_code == 0 and listed.stdout.startswith("nightly\tcreated ")
    assert "token-1\t" in listed.stdout and "expires never" in listed.stdout and token not in listed.stdout
    with make_client(store_location(), multi_user=True) as client:
        assert client.get("/api/v1/profiles", headers=_bearer(token)).json() == ["ada"]
        revoked = runner.invoke(cli, ["user", "token", "ada", "--revoke", "nightly"])
        assert revoked.exit_code == 0 and "revoked" in revoked.output
        assert client.get("/api/v1/profiles", headers=_bearer(token)).status_code == 401
    unknown = runner.invoke(cli, ["user", "token", "ada", "--revoke", "nightly"])
    assert unknown.exit_code == 1 and "no token labelled 'nightly' (their tokens: token-1)" in unknown.output
    nobody = runner.invoke(cli, ["user", "token", "eve"])
    assert nobody.exit_code == 1 and "no user named 'eve'" in nobody.output
    mixed = runner.invoke(cli, ["user", "token", "ada", "--list", "--label", "x"])
    assert mixed.exit_code == 2
