"""A pasted list of bare arXiv ids and DOIs (issue 14, item 10): looked up when online (arXiv's API
for the ids, OpenAlex by DOI, one request each), refused with one sentence naming the lines when
offline or when a lookup fails, and never imported as empty records.

The answers are the recorded responses of tests/fixtures/services (MIT; see SOURCES.md).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from papersift.errors import InputError
from papersift.loading import import_profile, load_papers
from papersift.store import Store
from tests.fetch.helpers import FakeClock, make_client, text
from tests.fetch.test_arxiv_titles import FIRST_TITLE, KNOWN, RECORDED, _cli, _title
from tests.sources.services_helpers import fixture_text

OPENALEX = fixture_text("openalex_works_list_built.json")
DOI = "10.7717/peerj.4375"
DOI_TITLE = "The state of OA: a large-scale analysis of the prevalence and impact of Open Access articles"


def services(request: httpx.Request) -> httpx.Response:
    if request.url.host == "export.arxiv.org":
        return text(RECORDED, headers={"content-type": "application/atom+xml"})
    assert request.url.host == "api.openalex.org" and request.url.path == "/works"
    assert request.url.params["filter"] == f"doi:{DOI}"
    return text(OPENALEX, headers={"content-type": "application/json"})


def write_ids(path: Path) -> Path:
    path.write_text(f"arXiv:{KNOWN[0]}\nhttps://arxiv.org/abs/{KNOWN[1]}\n\nhttps://doi.org/{DOI}\n", encoding="utf-8")
    return path


def test_a_list_of_ids_is_read_as_one_record_per_line_without_text(tmp_path: Path) -> None:
    papers = load_papers([write_ids(tmp_path / "ids.txt")]).papers
    assert [p.ids for p in papers] == [{"arxiv": KNOWN[0]}, {"arxiv": KNOWN[1]}, {"doi": DOI}]
    assert [p.sources[0].line for p in papers] == [1, 2, 4]
    assert all(p.untitled and not p.abstract for p in papers)


def test_online_the_ids_become_papers_with_titles_and_abstracts(tmp_path: Path) -> None:
    client, log = make_client(services)
    with client, Store(tmp_path / "s.db") as store:
        summary, _ = import_profile(store, "me", [write_ids(tmp_path / "ids.txt")], client=client)
        papers = {p.display_title: p for p in store.profile_papers("me")}
    assert summary.new == 3 and len(log.requests) == 2  # one arXiv request, one OpenAlex request
    assert set(papers) == {FIRST_TITLE, _title(KNOWN[1]), DOI_TITLE}
    assert all(p.abstract for p in papers.values())


def test_offline_the_import_is_refused_naming_the_lines_and_nothing_is_stored(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        with pytest.raises(InputError) as caught:
            import_profile(store, "me", [write_ids(tmp_path / "ids.txt")], client=None)
        assert store.profiles() == []
    message = str(caught.value)
    assert "ids.txt" in message and "line 1 (2202.12139), line 2 (2405.13786), line 4 (10.7717/peerj.4375)" in message
    assert "papersift is offline" in message and "without --offline" in message


def test_a_failing_service_refuses_the_import_and_says_why(tmp_path: Path) -> None:
    client, _ = make_client(lambda r: text("busy", 503), FakeClock(), max_attempts=1)
    with client, Store(tmp_path / "s.db") as store:
        with pytest.raises(InputError, match=r"looking them up did not work: .*HTTP 503"):
            import_profile(store, "me", [write_ids(tmp_path / "ids.txt")], client=client)
        assert store.profiles() == []


def test_feed_import_and_rank_refuse_bare_ids(tmp_path: Path, isolated_home: Path) -> None:
    ids = str(write_ids(tmp_path / "ids.txt"))
    sample = str(Path(__file__).parents[2] / "data" / "sample" / "profile_publications.txt")
    for args in (["feed", "import", ids], ["rank", "--profile", sample, "--feed", ids]):
        result, log = _cli(services, FakeClock(), *args)
        assert result.exit_code == 1 and log.requests == []
        assert "line 1 (2202.12139)" in result.stderr and "gives nothing to rank on" in result.stderr
        assert "Traceback" not in result.stderr


def test_cli_profile_import_of_ids_online(tmp_path: Path, isolated_home: Path) -> None:
    ids = str(write_ids(tmp_path / "ids.txt"))
    result, log = _cli(
        services, FakeClock(), "profile", "import", ids, "--profile", "me", env={"PAPERSIFT_OFFLINE": "0"}
    )
    assert result.exit_code == 0, result.stderr
    assert len(log.requests) == 2
    shown, _ = _cli(services, FakeClock(), "profile", "show")
    assert FIRST_TITLE in shown.stdout and "untitled" not in shown.stdout


def test_a_web_upload_is_refused_exactly_as_profile_import_refuses_it(tmp_path: Path, isolated_home: Path) -> None:
    """The web upload and `profile import` are one import: the same title lookup, the same refusal of
    records with nothing to rank on (a web upload once stored them as empty records)."""
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from papersift.config import Config
    from papersift.models import Paper
    from papersift.web import WebSettings, create_app
    from tests.conftest import KeywordEncoder
    from tests.fetch.helpers import Recorder, cli_client_factory
    from tests.web.conftest import csrf_of

    def busy(request: httpx.Request) -> httpx.Response:
        return text("busy", 503)

    ids = write_ids(tmp_path / "ids.txt")
    result, _ = _cli(
        busy, FakeClock(), "profile", "import", str(ids), "--profile", "me", env={"PAPERSIFT_OFFLINE": "0"}
    )
    assert result.exit_code == 1
    refusal = result.stderr.strip().splitlines()[-1].removeprefix("Error: ")
    assert "gives nothing to rank on" in refusal and "HTTP 503" in refusal

    web_store = tmp_path / "web.db"
    with Store(web_store) as store:
        store.import_papers([Paper(title="Sharpness", abstract="Flat minima.")], profile="me")
    factory = cli_client_factory(Recorder(busy, FakeClock()))
    settings = WebSettings(
        store=str(web_store),
        encoder=KeywordEncoder(),
        client_factory=lambda contact: factory(Config(contact=contact)),
        offline=False,  # the tests' environment says PAPERSIFT_OFFLINE
    )
    with TestClient(create_app(settings), follow_redirects=False) as web:
        token = csrf_of(web, "/p/me/profile")
        files = [("files", ("ids.txt", ids.read_bytes(), "text/plain"))]
        response = web.post("/p/me/upload", data={"csrf_token": token}, files=files)
    assert response.status_code == 303
    shown = parse_qs(urlsplit(response.headers["location"]).query)["error"][0]
    assert shown == refusal.replace(str(ids), "ids.txt")  # the page names the file as chosen
    with Store(web_store) as store:
        assert len(store.profile_papers("me")) == 1  # nothing of the refused upload was stored


def test_an_offline_server_refuses_an_upload_of_ids_as_profile_import_offline_does(
    tmp_path: Path, isolated_home: Path
) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from papersift.models import Paper
    from papersift.web import WebSettings, create_app
    from tests.conftest import KeywordEncoder
    from tests.web.conftest import csrf_of

    ids = write_ids(tmp_path / "ids.txt")
    result, log = _cli(services, FakeClock(), "profile", "import", str(ids), "--profile", "me", "--offline")
    assert result.exit_code == 1 and log.requests == []
    refusal = result.stderr.strip().splitlines()[-1].removeprefix("Error: ")
    assert "papersift is offline" in refusal
    web_store = tmp_path / "web.db"
    with Store(web_store) as store:
        store.import_papers([Paper(title="Sharpness", abstract="Flat minima.")], profile="me")
    settings = WebSettings(store=str(web_store), encoder=KeywordEncoder(), offline=True)
    with TestClient(create_app(settings), follow_redirects=False) as web:
        token = csrf_of(web, "/p/me/profile")
        files = [("files", ("ids.txt", ids.read_bytes(), "text/plain"))]
        response = web.post("/p/me/upload", data={"csrf_token": token}, files=files)
    shown = parse_qs(urlsplit(response.headers["location"]).query)["error"][0]
    assert shown == refusal.replace(str(ids), "ids.txt")  # the page names the file as chosen
