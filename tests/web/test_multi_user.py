"""Multi-user mode: sign-in, sessions, CSRF, the login rate limit, and nobody reaching another's profile."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from papersift import accounts
from papersift.store import Store
from tests.web.conftest import PASSWORD, csrf_of, finish_jobs, make_client

ADA_PAGES = [
    "/p/ada/today",
    "/p/ada/today?run=1",
    "/p/ada/profile",
    "/p/ada/search?q=unlearning",
    "/p/ada/map",
    "/p/ada/settings",
    "/p/ada/papers/1",
]
ADA_API_READS = [
    "/api/v1/profiles/ada/digest",
    "/api/v1/profiles/ada/digests",
    "/api/v1/profiles/ada/ratings",
    "/api/v1/profiles/ada/interests",
    "/api/v1/profiles/ada/papers/1",
    "/api/v1/profiles/ada/search?q=unlearning",
    "/api/v1/profiles/ada/map",
]


def _writes(token: str) -> list[tuple[str, str, dict[str, object]]]:
    form = {"data": {"csrf_token": token}}
    return [
        ("POST", "/p/ada/digest", form),
        ("POST", "/p/ada/ratings", {"data": {"csrf_token": token, "paper": "6", "rating": "up"}}),
        ("POST", "/p/ada/upload", form),
        ("POST", "/p/ada/import-author", {"data": {"csrf_token": token, "kind": "orcid", "value": "0000-0001"}}),
        ("POST", "/p/ada/papers/1/exclude", form),
        ("POST", "/p/ada/papers/1/include", form),
        (
            "POST",
            "/p/ada/interests",
            {"data": {"csrf_token": token, "action": "rename", "interest": "1", "new_name": "x"}},
        ),
        ("POST", "/p/ada/settings", {"data": {"csrf_token": token, "top": "3", "lab_opt_in": "1"}}),
        ("POST", "/api/v1/profiles/ada/digest", {"headers": {"X-CSRF-Token": token}}),
        (
            "POST",
            "/api/v1/profiles/ada/ratings",
            {"json": {"paper": 6, "rating": "up"}, "headers": {"X-CSRF-Token": token}},
        ),
        ("DELETE", "/api/v1/profiles/ada/ratings/6", {"headers": {"X-CSRF-Token": token}}),
        (
            "POST",
            "/api/v1/profiles/ada/interests/1/rename",
            {"json": {"name": "x"}, "headers": {"X-CSRF-Token": token}},
        ),
        (
            "POST",
            "/api/v1/profiles/ada/interests/1/mute",
            {"json": {"muted": True}, "headers": {"X-CSRF-Token": token}},
        ),
        ("POST", "/api/v1/profiles/ada/interests/1/split", {"json": {"parts": 2}, "headers": {"X-CSRF-Token": token}}),
        (
            "POST",
            "/api/v1/profiles/ada/interests/merge",
            {"json": {"interests": ["1", "2"]}, "headers": {"X-CSRF-Token": token}},
        ),
        ("POST", "/api/v1/profiles/ada/papers/1/exclude", {"headers": {"X-CSRF-Token": token}}),
        ("POST", "/api/v1/profiles/ada/papers/1/include", {"headers": {"X-CSRF-Token": token}}),
        (
            "POST",
            "/api/v1/profiles/ada/imports/author",
            {"json": {"kind": "orcid", "value": "0000-0001"}, "headers": {"X-CSRF-Token": token}},
        ),
    ]


def _snapshot(path: str | Path) -> tuple[object, ...]:
    with Store(path) as store:
        return (
            store.ratings("ada"),
            store.profile_paper_ids("ada"),
            [(i.name, i.muted, i.paper_ids) for i in store.interests("ada")],
            store.digest_count(),
            store.profile_settings("ada"),
        )


def test_unauthenticated_pages_redirect_and_the_api_says_401(store_path: str | Path) -> None:
    with make_client(store_path, multi_user=True) as client:
        for url in ["/", *ADA_PAGES, "/lab"]:
            response = client.get(url)
            assert response.status_code == 303, url
            assert response.headers["location"].startswith("/login?next="), url
        for url in [*ADA_API_READS, "/api/v1/profiles", "/api/v1/lab", "/api/v1/jobs/1"]:
            assert client.get(url).status_code == 401, url
        assert client.post("/api/v1/profiles/ada/ratings", json={"paper": 6, "rating": "up"}).status_code == 401
        assert client.get("/login").status_code == 200


def test_sign_in_sets_a_safe_cookie_and_sign_out_ends_it(store_path: str | Path) -> None:
    with Store(store_path) as store:
        accounts.claim_profile(store, accounts.add_user(store, "ada", PASSWORD), "ada")
    with make_client(store_path, multi_user=True, secure_cookies=True) as client:
        wrong = client.post("/login", data={"username": "ada", "password": "wrong password"})
        assert wrong.status_code == 401 and "do not match" in wrong.text
        response = client.post("/login", data={"username": "ada", "password": PASSWORD, "next": "/p/ada/today"})
        assert response.status_code == 303 and response.headers["location"] == "/p/ada/today"
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax") and "Secure" in cookie
        client.cookies.set("papersift_session", re.search(r"papersift_session=([^;]+)", cookie).group(1))  # type: ignore[union-attr]
        token = csrf_of(client, "/p/ada/today")
        assert client.post("/logout").status_code == 403  # CSRF applies to signing out too
        assert client.post("/logout", data={"csrf_token": token}).status_code == 303
        assert client.get("/p/ada/today").status_code == 303


def test_open_redirects_are_refused(store_path: str | Path) -> None:
    with Store(store_path) as store:
        accounts.add_user(store, "ada", PASSWORD)
    with make_client(store_path, multi_user=True) as client:
        for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
            response = client.post("/login", data={"username": "ada", "password": PASSWORD, "next": target})
            assert response.headers["location"] == "/", target


def test_login_is_rate_limited(store_path: str | Path) -> None:
    with Store(store_path) as store:
        accounts.add_user(store, "ada", PASSWORD)
    with make_client(store_path, multi_user=True, login_attempts=3) as client:
        for _ in range(3):
            assert client.post("/login", data={"username": "ada", "password": "not it at all"}).status_code == 401
        refused = client.post("/login", data={"username": "ada", "password": PASSWORD})
        assert refused.status_code == 429 and "Too many" in refused.text


def test_every_route_of_another_user_is_404(multi: tuple[TestClient, TestClient], store_path: str | Path) -> None:
    ada, bob = multi
    token = csrf_of(ada, "/p/ada/today")
    ada.post("/p/ada/digest", data={"csrf_token": token})
    finish_jobs(ada)
    ada.post("/api/v1/profiles/ada/ratings", json={"paper": 6, "rating": "save"}, headers={"X-CSRF-Token": token})
    for url in ADA_PAGES:
        assert ada.get(url).status_code == 200, url
        assert bob.get(url).status_code == 404, url
    for url in ADA_API_READS:
        assert ada.get(url).status_code == 200, url
        assert bob.get(url).status_code == 404, url
    assert "ada" not in bob.get("/api/v1/profiles").json()
    before = _snapshot(store_path)
    bob_token = csrf_of(bob, "/p/bob/today")
    for method, url, kwargs in _writes(bob_token):
        response = bob.request(method, url, **kwargs)  # type: ignore[arg-type]
        assert response.status_code in (403, 404), (method, url, response.status_code)
    finish_jobs(ada)
    assert _snapshot(store_path) == before
    # Bob's own job ids are his; ada's are not visible to him.
    assert bob.get("/api/v1/jobs/1").status_code == 404


def test_csrf_token_of_one_user_does_not_work_for_another(multi: tuple[TestClient, TestClient]) -> None:
    ada, bob = multi
    ada_token = csrf_of(ada, "/p/ada/today")
    response = bob.post(
        "/api/v1/profiles/bob/ratings", json={"paper": 8, "rating": "up"}, headers={"X-CSRF-Token": ada_token}
    )
    assert response.status_code == 403
    bob_token = csrf_of(bob, "/p/bob/today")
    ok = bob.post(
        "/api/v1/profiles/bob/ratings", json={"paper": 8, "rating": "up"}, headers={"X-CSRF-Token": bob_token}
    )
    assert ok.status_code == 200


def test_private_papers_of_another_member_stay_private(multi: tuple[TestClient, TestClient]) -> None:
    ada, bob = multi
    assert bob.get("/p/bob/search", params={"q": "manuscript"}).text.count("Private robot draft") == 1
    assert "Private robot draft" not in ada.get("/p/ada/search", params={"q": "manuscript"}).text
    assert ada.get("/p/ada/papers/12").status_code == 404  # bob's unpublished draft (store id 12)
    assert ada.get("/api/v1/profiles/ada/papers/12").status_code == 404
    headers = {"X-CSRF-Token": csrf_of(ada, "/p/ada/today")}
    assert (
        ada.post("/api/v1/profiles/ada/ratings", json={"paper": 12, "rating": "up"}, headers=headers).status_code == 404
    )
    form = {"csrf_token": headers["X-CSRF-Token"], "paper": "12", "rating": "up"}
    assert ada.post("/p/ada/ratings", data=form).status_code == 404  # the no-JavaScript vote
    missing = ada.post("/api/v1/profiles/ada/ratings", json={"paper": 99999, "rating": "up"}, headers=headers)
    assert missing.status_code == 404 and "no paper with store id 99999" in missing.json()["detail"]
    # The refused votes stored nothing.
    assert all(r["paper"] != 12 for r in ada.get("/api/v1/profiles/ada/ratings").json())


def test_new_profile_belongs_to_its_maker(multi: tuple[TestClient, TestClient], store_path: str | Path) -> None:
    ada, bob = multi
    token = csrf_of(ada, "/?choose=1")
    assert ada.post("/profiles", data={"csrf_token": token, "name": "ada-2"}).status_code == 303
    assert ada.get("/p/ada-2/profile").status_code == 200
    assert bob.get("/p/ada-2/profile").status_code == 404
    bob_token = csrf_of(bob, "/?choose=1")
    taken = bob.post("/profiles", data={"csrf_token": bob_token, "name": "ada-2"})
    # The answer every other route gives for a profile that is not yours: nothing says it exists.
    assert taken.status_code == 404 and "no profile named &#39;ada-2&#39; of yours" in taken.text
    assert "another user" not in taken.text
    assert bob.get("/p/no-such/profile").text.replace("no-such", "ada-2") == taken.text


def test_lab_shows_only_profiles_that_opted_in(multi: tuple[TestClient, TestClient]) -> None:
    ada, bob = multi
    assert "bob" not in {m["profile"] for r in ada.get("/api/v1/lab").json() for m in r["members"]}
    token = csrf_of(bob, "/p/bob/settings")
    bob.post("/p/bob/settings", data={"csrf_token": token, "top": "20", "min_relevance": "0", "lab_opt_in": "1"})
    rows = ada.get("/api/v1/lab").json()
    robot = next(r for r in rows if r["title"] == "Robot grasping")
    assert robot["members"][0]["profile"] == "bob"


@pytest.mark.parametrize("password", ["short", ""])
def test_weak_passwords_are_refused(store_path: str | Path, password: str) -> None:
    from papersift.errors import ConfigError

    with Store(store_path) as store, pytest.raises(ConfigError):
        accounts.add_user(store, "x", password)
