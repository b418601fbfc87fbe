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
