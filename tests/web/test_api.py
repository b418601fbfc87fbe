"""The JSON API under /api/v1: the digest as the CLI writes it, ratings and their undo, OpenAPI."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from papersift.digest.render import render_json
from papersift.explore import digest_view
from papersift.store import Store
from tests.web.conftest import csrf_of, finish_jobs


def _digest(client: TestClient, token: str) -> None:
    response = client.post("/api/v1/profiles/ada/digest", headers={"X-CSRF-Token": token})
    assert response.status_code == 202, response.text
    assert response.json()["kind"] == "digest"
    finish_jobs(client)
    job = client.get(f"/api/v1/jobs/{response.json()['id']}").json()
    assert job["state"] == "done", job


def test_digest_api_is_the_cli_json_of_the_stored_digest(client: TestClient, store_path: str | Path) -> None:
    token = csrf_of(client, "/p/ada/today")
    _digest(client, token)
    picks = client.get("/api/v1/profiles/ada/digest").json()
    with Store(store_path) as store:
        expected = json.loads(render_json(digest_view(store, "ada").recommendations))
    assert picks == expected
    assert {p["title"] for p in picks[:2]} <= {
        "Flat minima and sharpness <b>bold</b>",
        "Unlearning for language models",
        "Sharpness of unlearning",
    }
    first = picks[0]
    assert isinstance(first["id"], int) and 0 <= first["relevance"] <= 1 and first["why"] and first["interest"]
    # Robot and plasma papers share no keyword with the profile: they rank last.
    assert {p["title"] for p in picks[-2:]} == {"Robot grasping", "Plasma confinement"}


def test_reading_the_digest_changes_nothing(client: TestClient, store_path: str | Path) -> None:
    token = csrf_of(client, "/p/ada/today")
    _digest(client, token)
    with Store(store_path) as store:
        runs = store.digest_count()
    for _ in range(3):
        assert client.get("/api/v1/profiles/ada/digest").status_code == 200
    with Store(store_path) as store:
        assert store.digest_count() == runs


def test_rate_then_undo(client: TestClient, store_path: str | Path) -> None:
    token = csrf_of(client, "/p/ada/today")
    headers = {"X-CSRF-Token": token}
    response = client.post("/api/v1/profiles/ada/ratings", json={"paper": 6, "rating": "up"}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"paper": 6, "title": "Unlearning for language models", "rating": "up", "previous": None}
    again = client.post("/api/v1/profiles/ada/ratings", json={"paper": 6, "rating": "save"}, headers=headers)
    assert again.json()["previous"] == "up"
    with Store(store_path) as store:
        assert [(r.paper_id, r.rating, r.origin) for r in store.ratings("ada")] == [(6, "save", "web")]
    undone = client.delete("/api/v1/profiles/ada/ratings/6", headers=headers)
    assert undone.status_code == 200 and undone.json()["previous"] == "save" and undone.json()["rating"] is None
    with Store(store_path) as store:
        assert store.ratings("ada") == []
    assert client.get("/api/v1/profiles/ada/ratings").json() == []


def test_rating_needs_the_csrf_token(client: TestClient, store_path: str | Path) -> None:
    csrf_of(client, "/p/ada/today")
    response = client.post("/api/v1/profiles/ada/ratings", json={"paper": 6, "rating": "up"})
    assert response.status_code == 403
    wrong = client.post(
        "/api/v1/profiles/ada/ratings", json={"paper": 6, "rating": "up"}, headers={"X-CSRF-Token": "forged"}
    )
    assert wrong.status_code == 403
    assert client.delete("/api/v1/profiles/ada/ratings/6").status_code == 403
    with Store(store_path) as store:
        assert store.ratings("ada") == []


def test_bad_ratings_are_refused_with_a_reason(client: TestClient) -> None:
    headers = {"X-CSRF-Token": csrf_of(client, "/p/ada/today")}
    assert (
        client.post("/api/v1/profiles/ada/ratings", json={"paper": 6, "rating": "love"}, headers=headers).status_code
        == 422
    )
    missing = client.post("/api/v1/profiles/ada/ratings", json={"paper": 999, "rating": "up"}, headers=headers)
    assert missing.status_code == 404 and "999" in missing.json()["detail"]
    assert (
        client.post("/api/v1/profiles/nobody/ratings", json={"paper": 6, "rating": "up"}, headers=headers).status_code
        == 404
    )


def test_openapi_describes_the_v1_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    assert "get" in paths["/api/v1/profiles/{name}/digest"]
    assert "post" in paths["/api/v1/profiles/{name}/ratings"]
    assert "delete" in paths["/api/v1/profiles/{name}/ratings/{paper_id}"]
    assert not [p for p in paths if p.startswith(("/p/", "/login", "/profiles", "/lab"))], "pages stay out of it"
    # The delivery helper's routes (one-click votes from e-mail, feeds) are served, but they are links, not API.
    assert not [p for p in paths if p.startswith(("/mail/", "/feed/"))]
    assert client.get("/mail/vote/not-a-token").status_code != 405


def test_no_state_change_by_get(client: TestClient) -> None:
    assert client.get("/p/ada/ratings").status_code in (404, 405)
    assert client.get("/p/ada/digest").status_code in (404, 405)
    for path, spec in client.get("/openapi.json").json()["paths"].items():
        for method in spec:
            if method == "get":
                assert not any(w in path for w in ("rename", "merge", "split", "mute", "exclude", "include")), path


def test_interest_actions_by_api(client: TestClient) -> None:
    headers = {"X-CSRF-Token": csrf_of(client, "/p/ada/today")}
    _digest(client, headers["X-CSRF-Token"])
    interests = client.get("/api/v1/profiles/ada/interests").json()
    assert len(interests) == 1 and len(interests[0]["papers"]) == 4  # four papers make one interest
    only = interests[0]["id"]
    split = client.post(f"/api/v1/profiles/ada/interests/{only}/split", json={"parts": 2}, headers=headers)
    assert split.status_code == 200, split.text
    parts = split.json()
    assert sorted(len(p["papers"]) for p in parts) == [2, 2]
    first = parts[0]["id"]
    renamed = client.post(f"/api/v1/profiles/ada/interests/{first}/rename", json={"name": "Flatness"}, headers=headers)
    assert renamed.status_code == 200 and renamed.json()["name"] == "Flatness"
    muted = client.post(f"/api/v1/profiles/ada/interests/{first}/mute", json={"muted": True}, headers=headers)
    assert muted.json()["muted"] is True
    merged = client.post(
        "/api/v1/profiles/ada/interests/merge", json={"interests": [str(p["id"]) for p in parts]}, headers=headers
    )
    assert merged.status_code == 200 and len(merged.json()["papers"]) == 4 and merged.json()["name"] == "Flatness"
    bad = client.post("/api/v1/profiles/ada/interests/99/rename", json={"name": "x"}, headers=headers)
    assert bad.status_code == 400 and "99" in bad.json()["detail"]


def test_search_paper_and_map_by_api(client: TestClient) -> None:
    hits = client.get("/api/v1/profiles/ada/search", params={"q": "unlearning"}).json()
    assert {h["title"] for h in hits} >= {"Unlearning for language models", "Certified unlearning"}
    semantic = client.get("/api/v1/profiles/ada/search", params={"q": "a robot", "semantic": "true"}).json()
    assert semantic[0]["title"] == "Robot grasping" and semantic[0]["similarity"] > 0.9
    paper = client.get("/api/v1/profiles/ada/papers/6").json()
    assert paper["paper"]["title"] == "Unlearning for language models"
    assert {p["title"] for p in paper["closest_own"][:2]} == {"Machine unlearning at scale", "Certified unlearning"}
    assert paper["more_like_this"][0]["title"] in {
        "Machine unlearning at scale",
        "Certified unlearning",
        "Sharpness of unlearning",
    }
    data = client.get("/api/v1/profiles/ada/map").json()
    assert len(data["points"]) == 4 and all(-1 <= p["x"] <= 1 and -1 <= p["y"] <= 1 for p in data["points"])


def test_the_scheduler_runs_the_daily_job_inside_the_server(store_path: str | Path) -> None:
    import time

    from tests.web.conftest import make_client

    with make_client(store_path, scheduler=True) as client:
        daily = client.app.state.daily  # type: ignore[attr-defined]
        deadline = time.monotonic() + 60
        while daily.runs == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert daily.runs == 1, daily.last
        assert not any("unexpectedly" in line for line in daily.last), daily.last


def test_rating_one_of_the_profiles_own_papers_is_refused_and_nothing_is_stored(
    client: TestClient, store_path: str | Path
) -> None:
    token = csrf_of(client, "/p/ada/today")
    with Store(store_path) as store:
        own = store.profile_papers("ada")[0]
    response = client.post(
        "/api/v1/profiles/ada/ratings", json={"paper": own.store_id, "rating": "up"}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 400
    assert "is one of the papers of profile 'ada': ratings are for candidates" in response.json()["detail"]
    with Store(store_path) as store:
        assert store.ratings("ada") == []
