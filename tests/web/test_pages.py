"""The pages, in single-user mode: Today, earlier digests, votes without JavaScript, Paper, Profile, Search, Map."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from papersift.store import Store
from tests.fetch.helpers import make_client as make_http_client
from tests.fetch.helpers import openalex_page, text
from tests.web.conftest import csrf_of, finish_jobs, make_client

BIBTEX = b"""@article{knuth84,
  title = {Literate Programming about Sharpness},
  author = {Knuth, Donald},
  journal = {The Computer Journal},
  year = {1984},
  doi = {10.1093/comjnl/27.2.97}
}
@inproceedings{new25,
  title = {Unlearning with Influence Functions},
  author = {Lovelace, Ada},
  year = {2025}
}
"""


def _make_digest(client: TestClient) -> None:
    assert client.post("/p/ada/digest", data={"csrf_token": csrf_of(client, "/p/ada/today")}).status_code == 303
    finish_jobs(client)


def test_home_leads_to_a_profile(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "/p/ada/today" in page.text and "/p/bob/today" in page.text


def test_today_before_and_after_the_first_digest(client: TestClient) -> None:
    page = client.get("/p/ada/today")
    assert "No digest yet" in page.text
    _make_digest(client)
    page = client.get("/p/ada/today")
    assert page.status_code == 200
    assert "Relevance" in page.text and "Close to your paper" in page.text and "; shares " in page.text
    assert (
        'href="https://arxiv.org/abs/2411.00002"' in page.text
        and 'href="https://arxiv.org/pdf/2411.00002"' in page.text
    )
    assert 'href="https://github.com/x/flat"' in page.text  # the code link


def test_markup_in_records_renders_as_text(client: TestClient) -> None:
    _make_digest(client)
    for url in ("/p/ada/today", "/p/ada/papers/5", "/p/ada/search?q=flat"):
        page = client.get(url).text
        assert "<script>alert(1)</script>" not in page and "<b>bold</b>" not in page, url
        assert "&lt;b&gt;bold&lt;/b&gt;" in page, url
        assert "javascript:" not in page, url
    assert "Content-Security-Policy" in client.get("/p/ada/today").headers


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for url, status in (("/p/ada/today", 200), ("/no/such/page", 404), ("/api/v1/profiles", 200)):
        response = client.get(url)
        assert response.status_code == status, url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert response.headers["Referrer-Policy"] == "same-origin", url
        # The policy is for pages; JSON needs none.
        assert ("Content-Security-Policy" in response.headers) == url.startswith(("/p/", "/no/")), url


def test_single_user_mode_sets_its_csrf_cookie_once_and_keeps_it(client: TestClient) -> None:
    client.cookies.clear()
    first = client.get("/p/ada/today")
    assert first.headers.get_list("set-cookie") and "HttpOnly" in first.headers["set-cookie"]
    token = csrf_of(client, "/p/ada/today")
    again = client.get("/p/ada/today")
    assert not again.headers.get_list("set-cookie")
    assert csrf_of(client, "/p/ada/today") == token


def test_vote_without_javascript_persists_and_undoes(client: TestClient, store_path: str | Path) -> None:
    _make_digest(client)
    token = csrf_of(client, "/p/ada/today")
    response = client.post(
        "/p/ada/ratings", data={"csrf_token": token, "paper": "6", "rating": "up", "next": "/p/ada/today"}
    )
    assert response.status_code == 303 and response.headers["location"].startswith("/p/ada/today")
    page = client.get("/p/ada/today").text
    form = page[page.index('data-paper="6"') :][:1500]
    assert re.search(r'value="up" class="vote-up" aria-pressed="true"', form)
    assert "Rated: up" in form
    client.post("/p/ada/ratings", data={"csrf_token": token, "paper": "6", "rating": "undo"})
    with Store(store_path) as store:
        assert store.ratings("ada") == []
    assert client.post("/p/ada/ratings", data={"paper": "6", "rating": "up"}).status_code == 403


def test_papers_shown_once_and_earlier_digests(client: TestClient, store_path: str | Path) -> None:
    _make_digest(client)
    first = client.get("/api/v1/profiles/ada/digest").json()
    assert len(first) == 6
    _make_digest(client)
    assert client.get("/api/v1/profiles/ada/digest").json() == []  # every candidate was shown already
    history = client.get("/api/v1/profiles/ada/digests").json()
    assert [h["n_picks"] for h in history] == [0, 6]
    page = client.get("/p/ada/today")
    assert "Earlier digests" in page.text and f"?run={history[1]['id']}" in page.text
    earlier = client.get(f"/p/ada/today?run={history[1]['id']}")
    assert "Unlearning for language models" in earlier.text and "Back to the latest digest" in earlier.text
    assert client.get("/p/ada/today?run=999").status_code == 400


def test_paper_page(client: TestClient) -> None:
    _make_digest(client)
    page = client.get("/p/ada/papers/6")
    assert page.status_code == 200
    text_ = page.text
    assert "Why it was recommended" in text_ and "rank" in text_
    closest = text_[text_.index("Your closest papers") : text_.index("More like this")]
    assert 'href="/p/ada/papers/3">Machine unlearning at scale' in closest
    assert "More like this" in text_
    assert client.get("/p/ada/papers/12345").status_code == 404


def test_upload_bibtex_with_limits(store_path: str | Path) -> None:
    with make_client(store_path, max_upload_bytes=2000, max_upload_files=2) as client:
        token = csrf_of(client, "/p/ada/profile")
        files = [("files", ("mine.bib", BIBTEX, "application/x-bibtex"))]
        response = client.post("/p/ada/upload", data={"csrf_token": token}, files=files)
        assert response.status_code == 303 and "notice=" in response.headers["location"]
        with Store(store_path) as store:
            titles = {p.title for p in store.profile_papers("ada")}
        assert "Literate Programming about Sharpness" in titles and "Unlearning with Influence Functions" in titles
        profile = client.get("/p/ada/profile").text
        assert "uploaded mine.bib" in profile
        big = [("files", ("big.bib", BIBTEX * 20, "application/x-bibtex"))]
        refused = client.post("/p/ada/upload", data={"csrf_token": token}, files=big)
        assert "error=" in refused.headers["location"] and "upload%20limit" in refused.headers["location"]
        many = [("files", (f"f{i}.bib", BIBTEX, "text/plain")) for i in range(3)]
        assert "error=" in client.post("/p/ada/upload", data={"csrf_token": token}, files=many).headers["location"]
        huge = [("files", ("huge.bib", BIBTEX * 400, "text/plain"))]
        too_big = client.post("/p/ada/upload", data={"csrf_token": token}, files=huge)
        assert too_big.status_code == 413 and "larger than the limit" in too_big.text
        assert too_big.headers["X-Frame-Options"] == "DENY" and "Content-Security-Policy" in too_big.headers
        junk = [("files", ("junk.bin", b"\x00\x01\x02binary", "application/octet-stream"))]
        refused = client.post("/p/ada/upload", data={"csrf_token": token}, files=junk)
        assert "binary" in refused.headers["location"]


def test_new_profile_from_an_upload(client: TestClient, store_path: str | Path) -> None:
    token = csrf_of(client, "/?choose=1")
    files = [("files", ("mine.bib", BIBTEX, "text/plain"))]
    response = client.post("/profiles", data={"csrf_token": token, "name": "carol"}, files=files)
    assert response.status_code == 303 and response.headers["location"].startswith("/p/carol/profile")
    with Store(store_path) as store:
        assert len(store.profile_papers("carol")) == 2


def test_interests_by_form(client: TestClient, store_path: str | Path) -> None:
    _make_digest(client)
    token = csrf_of(client, "/p/ada/profile")
    with Store(store_path) as store:
        only = store.interests("ada")[0].id
    response = client.post(
        "/p/ada/interests", data={"csrf_token": token, "action": "split", "interest": str(only), "parts": "2"}
    )
    assert "notice=" in response.headers["location"], response.headers["location"]
    with Store(store_path) as store:
        parts = store.interests("ada")
    assert len(parts) == 2
    client.post(
        "/p/ada/interests",
        data={
            "csrf_token": token,
            "action": "rename",
            "interest": str(parts[0].id),
            "new_name": "My <i>flat</i> minima",
        },
    )
    client.post("/p/ada/interests", data={"csrf_token": token, "action": "mute", "interest": str(parts[1].id)})
    page = client.get("/p/ada/profile").text
    assert "My &lt;i&gt;flat&lt;/i&gt; minima" in page and "muted" in page
    client.post(
        "/p/ada/interests", data={"csrf_token": token, "action": "merge", "merge": [str(parts[0].id), str(parts[1].id)]}
    )
    with Store(store_path) as store:
        merged = store.interests("ada")
    assert len(merged) == 1 and merged[0].name == "My <i>flat</i> minima"


def test_exclude_and_include(client: TestClient, store_path: str | Path) -> None:
    token = csrf_of(client, "/p/ada/profile")
    assert client.post("/p/ada/papers/1/exclude", data={"csrf_token": token}).status_code == 303
    with Store(store_path) as store:
        assert 1 not in store.profile_paper_ids("ada")
    assert "Excluded (1)" in client.get("/p/ada/profile").text
    client.post("/p/ada/papers/1/include", data={"csrf_token": token})
    with Store(store_path) as store:
        assert 1 in store.profile_paper_ids("ada")
    assert client.post("/p/ada/papers/6/exclude", data={"csrf_token": token}).status_code == 404  # not one of ada's


def test_search_page(client: TestClient) -> None:
    page = client.get("/p/ada/search", params={"q": "Lovelace"}).text
    assert "Certified unlearning" in page and "Robot grasping" not in page
    page = client.get("/p/ada/search", params={"q": "plasma everywhere", "mode": "semantic"}).text
    assert page.index("Plasma confinement") < page.index("similarity")


def test_map_page_is_an_svg_with_titles_and_links(client: TestClient) -> None:
    _make_digest(client)
    page = client.get("/p/ada/map").text
    assert "<svg" in page and page.count("<circle") == 4 and page.count('class="pt pick') == 6
    assert "<title>Robot grasping (recommended" in page and 'href="/p/ada/papers/8"' in page


def test_settings_are_saved_and_used(client: TestClient) -> None:
    token = csrf_of(client, "/p/ada/settings")
    response = client.post(
        "/p/ada/settings",
        data={
            "csrf_token": token,
            "top": "2",
            "min_relevance": "0",
            "email": "ada@uni.edu",
            "day_mon": "1",
            "follow": "cs.LG",
        },
    )
    assert "notice=" in response.headers["location"]
    page = client.get("/p/ada/settings").text
    assert 'value="ada@uni.edu"' in page and 'id="day_mon" name="day_mon" value="1" checked' in page
    _make_digest(client)
    assert len(client.get("/api/v1/profiles/ada/digest").json()) == 2
    bad = client.post("/p/ada/settings", data={"csrf_token": token, "top": "0", "min_relevance": "2"})
    assert "error=" in bad.headers["location"]


def test_import_by_author_id_runs_as_a_job(store_path: str | Path) -> None:
    pages = {"*": openalex_page(1, "c2"), "c2": openalex_page(2, None)}

    def handler(request: httpx.Request) -> httpx.Response:
        return text(pages[request.url.params["cursor"]])

    def factory(contact: str | None) -> object:
        return make_http_client(handler, max_attempts=1)[0]

    with make_client(store_path, client_factory=factory) as client:
        token = csrf_of(client, "/p/ada/profile")
        response = client.post(
            "/p/ada/import-author", data={"csrf_token": token, "kind": "openalex", "value": "A5023888391"}
        )
        assert response.status_code == 303 and "job=" in response.headers["location"]
        job_id = int(response.headers["location"].split("job=")[1])
        finish_jobs(client)
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        assert job["state"] == "done" and job["result"] == {"got": 4, "new": 4}, job
    with Store(store_path) as store:
        assert len(store.profile_papers("ada")) == 8
        assert [(s.kind, s.value) for s in store.profile_sources("ada")] == [("openalex", "A5023888391")]


def test_lab_page_routes_papers_to_members(client: TestClient) -> None:
    page = client.get("/lab").text
    robot = page[page.index("Robot grasping") :][:400]
    assert "bob" in robot and robot.index("bob") < (robot.index("ada") if "ada" in robot else 10**6)
    rows = client.get("/api/v1/lab").json()
    unlearning = next(r for r in rows if r["title"] == "Unlearning for language models")
    assert unlearning["members"][0]["profile"] == "ada"
