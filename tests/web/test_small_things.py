"""What a new user met on the pages (issue 20, item 10): an icon on every page, dates that do not wrap,
upload errors in the page's words, and vote links that read as actions."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from fastapi.testclient import TestClient

from papersift import accounts, explore
from papersift.store import Store
from tests.web.conftest import PASSWORD, csrf_of, finish_jobs, make_client


def test_the_icon_is_served_and_linked(client: TestClient, store_path: str | Path) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO header
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    for url in ("/p/ada/today", "/p/ada/profile", "/p/ada/settings", "/nowhere"):
        assert '<link rel="icon" href="/static/favicon.svg"' in client.get(url).text, url
    with Store(store_path) as store:
        accounts.add_user(store, "ada", PASSWORD)
    with make_client(store_path, multi_user=True) as signed_out:  # no sign-in needed for the icon
        assert signed_out.get("/favicon.ico").status_code == 200
        assert '<link rel="icon"' in signed_out.get("/login").text


def test_profile_dates_do_not_wrap(client: TestClient) -> None:
    page = client.get("/p/ada/profile").text
    assert '<td class="date">2020-01-05</td>' in page
    css = client.get("/static/app.css").text
    assert ".date { white-space: nowrap; }" in css


def test_an_upload_error_names_the_file_and_the_format_menu(client: TestClient) -> None:
    token = csrf_of(client, "/p/ada/profile")
    files = [("files", ("notes.txt", b"x = 1\ny = 2\n", "text/plain"))]
    refused = client.post("/p/ada/upload", data={"csrf_token": token}, files=files)
    error = unquote(refused.headers["location"].split("error=", 1)[1])
    assert error.startswith("notes.txt: ") and "Format menu" in error
    assert "upload:" not in error and "--input-format" not in error
    broken = [("files", ("broken.json", b"{not json", "application/json"))]
    answer = client.post("/p/ada/upload", data={"csrf_token": token}, files=broken)
    error = unquote(answer.headers["location"].split("error=", 1)[1])
    assert error.startswith("broken.json, line 1: invalid JSON") and "upload:" not in error
    assert "notes.txt" in client.get(refused.headers["location"]).text


def test_today_names_an_interest_as_every_other_channel_does(client: TestClient) -> None:
    """The web's group heading is the presenter's "Interest N: label", as the terminal, mail and history say."""
    from papersift.digest import present

    token = csrf_of(client, "/p/ada/today")
    assert client.post("/p/ada/digest", data={"csrf_token": token}).status_code == 303
    finish_jobs(client)
    page = client.get("/p/ada/today").text
    app_state = client.app.state.papersift  # type: ignore[attr-defined]
    view = explore.digest_view(app_state.store, "ada")
    names = {present.interest_name(r) for r in view.recommendations} - {None}
    assert names and all(str(name).replace(":", "") in page.replace(":", "") for name in names), names
