"""Request bodies are bounded: a client cannot make the server hold an arbitrarily large body."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.testclient import TestClient

from papersift.web.app import API_BODY_LIMIT
from tests.web.conftest import csrf_of


def _ratings(client: TestClient) -> list[dict[str, object]]:
    return client.get("/api/v1/profiles/ada/ratings").json()  # type: ignore[no-any-return]


def test_an_api_body_over_the_limit_is_refused_before_it_is_read(client: TestClient) -> None:
    headers = {"X-CSRF-Token": csrf_of(client, "/p/ada/today"), "Content-Type": "application/json"}
    body = b'{"paper": "' + b"x" * (API_BODY_LIMIT + 10) + b'", "rating": "up"}'
    response = client.post("/api/v1/profiles/ada/ratings", content=body, headers=headers)
    assert response.status_code == 413
    assert response.json() == {"detail": f"the request body is larger than the limit of {API_BODY_LIMIT} bytes"}
    assert _ratings(client) == []


def test_a_body_sent_without_a_length_is_cut_off_at_the_limit(client: TestClient) -> None:
    headers = {"X-CSRF-Token": csrf_of(client, "/p/ada/today"), "Content-Type": "application/json"}

    def chunks() -> Iterator[bytes]:
        yield b'{"paper": "'
        for _ in range(40):
            yield b"x" * 65536  # 2.5 MiB in all, sent chunked
        yield b'", "rating": "up"}'

    response = client.post("/api/v1/profiles/ada/ratings", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert _ratings(client) == []


def test_an_overlong_paper_reference_is_a_validation_error_not_a_lookup(client: TestClient) -> None:
    headers = {"X-CSRF-Token": csrf_of(client, "/p/ada/today")}
    response = client.post("/api/v1/profiles/ada/ratings", json={"paper": "x" * 5000, "rating": "up"}, headers=headers)
    assert response.status_code == 422


def test_a_sign_in_form_over_the_limit_gets_the_error_page(client: TestClient) -> None:
    response = client.post(
        "/login",
        content=b"username=" + b"a" * (API_BODY_LIMIT + 1) + b"&password=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413 and "larger than the limit" in response.text
    assert response.headers["content-type"].startswith("text/html")


def test_numbers_no_store_id_can_be_are_wrong_values_not_server_errors(client: TestClient) -> None:
    """Beyond a 64-bit integer the database driver cannot even bind the number: refused first (422)."""
    huge = "9" * 30
    assert client.get(f"/p/ada/papers/{huge}").status_code == 422
    assert client.get(f"/api/v1/profiles/ada/papers/{huge}").status_code == 422
    assert client.get("/p/ada/today", params={"run": huge}).status_code == 422
    assert client.get(f"/api/v1/jobs/{huge}").status_code == 422
    headers = {"X-CSRF-Token": csrf_of(client, "/p/ada/today"), "Content-Type": "application/json"}
    # As a string the same digits are a name to look up, which names nothing (400), not a driver error.
    as_name = client.post("/api/v1/profiles/ada/ratings", json={"paper": huge, "rating": "up"}, headers=headers)
    assert as_name.status_code == 400 and "no paper" in as_name.json()["detail"]
    for paper in (huge, "1e999", "-1"):
        response = client.post(
            "/api/v1/profiles/ada/ratings", content=f'{{"paper": {paper}, "rating": "up"}}', headers=headers
        )
        assert response.status_code == 422, paper
        assert response.json()["detail"], paper  # a JSON answer even for an infinite number
    form = {"csrf_token": headers["X-CSRF-Token"], "paper": huge, "rating": "up"}
    assert client.post("/p/ada/ratings", data=form).status_code == 422
    assert _ratings(client) == []


def test_a_search_too_long_to_be_a_search_gets_one_sentence(client: TestClient) -> None:
    page = client.get("/p/ada/search", params={"q": "sharpness " + "x" * 60000})
    assert page.status_code == 400 and "a search is at most 5,000 characters" in page.text
    word = client.get("/p/ada/search", params={"q": "x" * 1000})
    assert word.status_code == 400 and "a search word is at most 200 characters" in word.text
    assert client.get("/p/ada/search", params={"q": "flat minima"}).status_code == 200
