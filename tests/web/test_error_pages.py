"""A mistyped address in the browser gets papersift's error page, not the framework's JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from papersift.loading import import_profile  # noqa: E402
from papersift.store import Store  # noqa: E402
from papersift.web import WebSettings, create_app  # noqa: E402

SAMPLE = Path(__file__).parents[2] / "data" / "sample"


def test_an_unknown_page_is_an_html_page_saying_so_and_the_api_stays_json(tmp_path: Path) -> None:
    app = create_app(WebSettings(store=str(tmp_path / "papersift.db")))
    with TestClient(app) as client:
        page = client.get("/today")
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert "there is no page at /today" in page.text and 'href="/"' in page.text
        api = client.get("/api/v1/nothing")
        assert api.status_code == 404 and api.json() == {"detail": "Not Found"}


def test_a_wrong_value_in_a_page_address_is_a_page_saying_so_and_the_api_keeps_its_422(tmp_path: Path) -> None:
    with Store(tmp_path / "papersift.db") as store:
        import_profile(store, "me", [SAMPLE / "profile_publications.txt"])
    app = create_app(WebSettings(store=str(tmp_path / "papersift.db")))
    with TestClient(app) as client:
        page = client.get("/p/me/papers/abc")
        assert page.status_code == 422
        assert page.headers["content-type"].startswith("text/html")
        # One sentence in the page's words: no validator wording ("Input should be a valid integer").
        assert "&#39;abc&#39; is not a paper&#39;s store id (a whole number)" in page.text
        assert "int_parsing" not in page.text and "Input should" not in page.text and "paper_id" not in page.text
        api = client.get("/api/v1/profiles/me/papers/abc")
        assert api.status_code == 422 and api.json()["detail"][0]["type"] == "int_parsing"
