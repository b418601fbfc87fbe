"""A mistyped address in the browser gets papersift's error page, not the framework's JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from papersift.web import WebSettings, create_app  # noqa: E402


def test_an_unknown_page_is_an_html_page_saying_so_and_the_api_stays_json(tmp_path: Path) -> None:
    app = create_app(WebSettings(store=str(tmp_path / "papersift.db")))
    with TestClient(app) as client:
        page = client.get("/today")
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert "there is no page at /today" in page.text and 'href="/"' in page.text
        api = client.get("/api/v1/nothing")
        assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
