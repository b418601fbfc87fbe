"""A lone surrogate ("\\ud800": JSON can spell it, UTF-8 cannot carry it) anywhere in a JSON API request is a
4xx with a short, valid answer, never a 500 (the fault suite of 2026-12-07 found 9 routes answering 500)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from papersift import api
from papersift.store import Store
from papersift.web.errors import safe_text
from tests.conftest import KeywordEncoder
from tests.web.conftest import csrf_of, make_client

LONE = '"\\ud800"'  # the JSON text of a lone surrogate
# Every JSON route that reads a body, with each of its fields in turn made a lone surrogate.
BODIES = [
    ("/api/v1/profiles/ada/ratings", {"paper": LONE, "rating": '"up"'}),
    ("/api/v1/profiles/ada/ratings", {"paper": "6", "rating": LONE}),
    ("/api/v1/profiles/ada/interests/1/rename", {"name": LONE}),
    ("/api/v1/profiles/ada/interests/1/mute", {"muted": LONE}),
    ("/api/v1/profiles/ada/interests/1/budget", {"budget": LONE}),
    ("/api/v1/profiles/ada/interests/merge", {"interests": f"[{LONE}, {LONE}]"}),
    ("/api/v1/profiles/ada/interests/merge", {"interests": f'["1", {LONE}]'}),
    ("/api/v1/profiles/ada/interests/1/split", {"parts": LONE}),
    ("/api/v1/profiles/ada/imports/author", {"kind": LONE, "value": '"x"'}),
    ("/api/v1/profiles/ada/imports/author", {"kind": '"orcid"', "value": LONE}),
]


@pytest.fixture
def api_client(store_path: str | Path) -> TestClient:
    with Store(store_path) as store:
        api.find_interests(store, "ada", KeywordEncoder())
    return make_client(store_path)


def _body(fields: dict[str, str]) -> bytes:
    return ("{" + ", ".join(f'"{k}": {v}' for k, v in fields.items()) + "}").encode()


def _assert_safe(response: Response, where: str) -> None:
    assert 400 <= response.status_code < 500, (where, response.status_code)
    json.loads(response.content.decode("utf-8"))  # valid UTF-8 and valid JSON
    assert len(response.content) < 4000, where


def test_a_lone_surrogate_in_any_json_body_is_a_4xx(api_client: TestClient) -> None:
    with api_client as client:
        token = csrf_of(client, "/p/ada/profile")
        headers = {"X-CSRF-Token": token, "Content-Type": "application/json"}
        for url, fields in BODIES:
            response = client.post(url, content=_body(fields), headers=headers)
            _assert_safe(response, f"{url} {fields}")
            assert response.status_code == 422
        # As a key, in an array body, and as bytes that are no UTF-8 at all.
        for content in (b'{"\\ud800": 1, "name": "x"}', b'["\\ud800"]', b'{"name": "\xed\xa0\x80"}'):
            response = client.post("/api/v1/profiles/ada/interests/1/rename", content=content, headers=headers)
            assert response.status_code in (200, 422), content
            response.content.decode("utf-8")
        # In the address and the query (percent-encoded: decoded with replacement, never a surrogate).
        for url in ("/api/v1/profiles/%ED%A0%80/digest", "/api/v1/profiles/ada/search?q=%ED%A0%80"):
            response = client.get(url)
            assert response.status_code in (200, 404), url
            response.content.decode("utf-8")
        # Nothing was renamed, rated or imported.
        assert client.get("/api/v1/profiles/ada/ratings").json() == []


def test_an_error_quoting_a_lone_surrogate_is_written_safely() -> None:
    """The error handlers' one way to quote input: encodable, and cut when long."""
    assert safe_text("interest '\ud800' not found") == "interest '\\ud800' not found"
    assert safe_text("x" * 500, 200) == "x" * 200 + "..."
    safe_text("\udfff" * 10).encode("utf-8")
