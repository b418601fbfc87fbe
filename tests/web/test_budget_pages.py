"""A per-interest budget on the Profile page (a form, no JavaScript) and in the JSON API; Today honours it."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from papersift.models import Paper
from papersift.store import Store
from tests.conftest import KeywordEncoder
from tests.web.conftest import csrf_of, finish_jobs


def two_interests(store_path: str | Path) -> tuple[int, int]:
    """ada's papers as two interests, "Sharpness" and "Unlearning" (their ids), and two more unlearning candidates."""
    with Store(store_path) as store:
        store.import_papers(
            [
                Paper(title="Unlearning in vision", abstract="Unlearning images.", ids={"arxiv": "2411.00011"}),
                Paper(title="Auditing unlearning", abstract="Was it unlearned?", ids={"arxiv": "2411.00012"}),
            ],
            as_candidates=True,
        )
        own = {p.title: p.store_id for p in store.profile_papers("ada")}
        store.save_interests(
            "ada",
            [
                ("sharpness", [own["Sharpness-aware minimization revisited"], own["Sharpness and generalization"]]),
                ("unlearning", [own["Machine unlearning at scale"], own["Certified unlearning"]]),
            ],
            KeywordEncoder.model_id,
        )
        first, second = store.interests("ada")
        store.rename_interest("ada", str(first.id), "Sharpness")
        store.rename_interest("ada", str(second.id), "Unlearning")
    return first.id, second.id


def today_groups(client: TestClient) -> dict[str, int]:
    """Each interest of the Today page (its heading without the "Interest N: " the presenter puts before the
    name) with how many papers it holds."""
    page = client.get("/p/ada/today").text
    found: dict[str, int] = {}
    for section in page.split('<section class="interest"')[1:]:
        heading = re.search(r"</span>([^<]+)", section)
        assert heading
        name = re.sub(r"^Interest \d+: ", "", heading.group(1).strip())
        found[name] = section.count('<article class="paper')
    return found


def make_digest(client: TestClient) -> None:
    assert client.post("/p/ada/digest", data={"csrf_token": csrf_of(client, "/p/ada/today")}).status_code == 303
    finish_jobs(client)


def test_budget_by_form_shows_on_the_profile_and_caps_today(client: TestClient, store_path: str | Path) -> None:
    _, unlearning = two_interests(store_path)
    token = csrf_of(client, "/p/ada/profile")
    assert client.post("/p/ada/settings", data={"csrf_token": token, "top": "3"}).status_code == 303
    make_digest(client)
    before = today_groups(client)
    assert before == {"Unlearning": 2, "Sharpness": 1}, before
    page = client.get("/p/ada/profile").text
    assert 'id="interest-budget"' in page and 'name="budget"' in page and 'value="budget"' in page
    response = client.post(
        "/p/ada/interests", data={"csrf_token": token, "action": "budget", "interest": str(unlearning), "budget": "1"}
    )
    assert response.status_code == 303 and "at%20most%201%20pick" in response.headers["location"]
    with Store(store_path) as store:
        assert store.find_interest("ada", "Unlearning").budget == 1
        store.reset_shown("ada")
    assert "at most 1 pick</span>" in client.get("/p/ada/profile").text
    make_digest(client)
    # The freed slot went to the other interest: the digest is as long as before.
    assert today_groups(client) == {"Unlearning": 1, "Sharpness": 2}
    assert "at most 1 pick</a>" in client.get("/p/ada/today").text
    # An empty field clears the budget.
    response = client.post(
        "/p/ada/interests", data={"csrf_token": token, "action": "budget", "interest": str(unlearning), "budget": ""}
    )
    assert "usual%20share" in response.headers["location"]
    with Store(store_path) as store:
        assert store.find_interest("ada", "Unlearning").budget is None


def test_a_bad_budget_is_one_sentence_and_changes_nothing(client: TestClient, store_path: str | Path) -> None:
    sharpness, _ = two_interests(store_path)
    token = csrf_of(client, "/p/ada/profile")
    for bad in ("many", "-2", "1.5", "99999999"):
        response = client.post(
            "/p/ada/interests",
            data={"csrf_token": token, "action": "budget", "interest": str(sharpness), "budget": bad},
        )
        assert response.status_code == 303 and "error=" in response.headers["location"], bad
    with Store(store_path) as store:
        assert store.find_interest("ada", "Sharpness").budget is None
    no_csrf = client.post("/p/ada/interests", data={"action": "budget", "interest": str(sharpness), "budget": "1"})
    assert no_csrf.status_code == 403


def test_budget_through_the_json_api(client: TestClient, store_path: str | Path) -> None:
    sharpness, _ = two_interests(store_path)
    headers = {"X-CSRF-Token": csrf_of(client, "/p/ada/today")}
    url = f"/api/v1/profiles/ada/interests/{sharpness}/budget"
    response = client.post(url, json={"budget": 2}, headers=headers)
    assert response.status_code == 200 and response.json()["budget"] == 2
    assert [i["budget"] for i in client.get("/api/v1/profiles/ada/interests").json()] == [2, None]
    assert client.post(url, json={"budget": -1}, headers=headers).status_code == 422
    assert client.post(url, json={"budget": None}, headers=headers).json()["budget"] is None


def test_another_users_interest_budget_is_out_of_reach(
    multi: tuple[TestClient, TestClient], store_path: str | Path
) -> None:
    ada, bob = multi
    sharpness, _ = two_interests(store_path)
    bob_token = csrf_of(bob, "/p/bob/today")
    form = {"csrf_token": bob_token, "action": "budget", "interest": str(sharpness), "budget": "0"}
    assert bob.post("/p/ada/interests", data=form).status_code in (403, 404)
    api = bob.post(
        f"/api/v1/profiles/ada/interests/{sharpness}/budget", json={"budget": 0}, headers={"X-CSRF-Token": bob_token}
    )
    assert api.status_code in (403, 404)
    with Store(store_path) as store:
        assert store.find_interest("ada", "Sharpness").budget is None
    ada_token = csrf_of(ada, "/p/ada/profile")
    assert ada.post("/p/ada/interests", data={**form, "csrf_token": ada_token}).status_code == 303
    with Store(store_path) as store:
        assert store.find_interest("ada", "Sharpness").budget == 0
