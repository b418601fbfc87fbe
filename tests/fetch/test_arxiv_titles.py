"""Untitled arXiv-listing records get their titles from one batched arXiv API request; offline or on
failure they are kept untitled and the import says how many and how to fill them in.

The arXiv answer is the recorded API response of tests/fixtures/services (arxiv.py's recording,
MIT; see SOURCES.md): the listing below holds three of its ids, without titles, and one id it
does not have.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from papersift.cli.common import Resources
from papersift.cli.main import cli
from papersift.fetch.arxiv_titles import add_missing_titles
from papersift.loading import import_profile, load_papers
from papersift.store import Store
from tests.fetch.helpers import FakeClock, Recorder, cli_client_factory, make_client, text
from tests.sources.services_helpers import fixture_text

RECORDED = fixture_text("arxiv_api_query_testing_m10.xml")
KNOWN = ("2202.12139", "2405.13786", "2005.14124")
FIRST_TITLE = "Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques"
UNKNOWN = "2501.99999"


def _summary(arxiv_id: str) -> str:
    entry = RECORDED.split(f"<id>http://arxiv.org/abs/{arxiv_id}")[1].split("</entry>")[0]
    return " ".join(entry.split("<summary>")[1].split("</summary>")[0].split())


def _title(arxiv_id: str) -> str:
    entry = RECORDED.split(f"<id>http://arxiv.org/abs/{arxiv_id}")[1].split("</entry>")[0]
    return " ".join(entry.split("<title>")[1].split("</title>")[0].split())


def write_listing(path: Path) -> Path:
    """An arXiv author listing as copied from arxiv.org without its title lines."""
    records = [f"{_summary(i)}\n\narXiv:{i}\nCreated: 2024-05-01\n" for i in KNOWN] + [
        f"A paper arXiv has not heard of, about sharpness.\n\narXiv:{UNKNOWN}\nCreated: 2025-01-02\n"
    ]
    path.write_text("\n".join(records), encoding="utf-8")
    return path


def arxiv_api(request: httpx.Request) -> httpx.Response:
    assert request.url.host == "export.arxiv.org" and request.url.path == "/api/query"
    return text(RECORDED, headers={"content-type": "application/atom+xml"})


def test_one_batched_request_fills_the_titles(tmp_path: Path) -> None:
    papers = load_papers([write_listing(tmp_path / "arxiv.txt")]).papers
    assert [p.untitled for p in papers] == [True] * 4
    client, log = make_client(arxiv_api)
    with client:
        lookup = add_missing_titles(client, papers)
    assert len(log.requests) == 1
    params = log.params(0)
    assert params["id_list"].split(",") == [*KNOWN, UNKNOWN] and params["max_results"] == "4"
    by_id = {p.ids["arxiv"]: p for p in papers}
    assert by_id["2202.12139"].title == FIRST_TITLE
    for arxiv_id in ("2405.13786", "2005.14124"):
        assert by_id[arxiv_id].title == _title(arxiv_id) and by_id[arxiv_id].authors
        assert {s.format for s in by_id[arxiv_id].sources} == {"arxiv-listing", "arxiv-api"}
    assert by_id["2202.12139"].date == "2024-05-01"  # the listing's own fields stay
    assert by_id[UNKNOWN].untitled
    assert (lookup.untitled, lookup.filled, lookup.missing, lookup.error) == (4, 3, 1, None)
    message = lookup.message() or ""
    assert message.startswith("3 titles looked up on arXiv; 1 record has no title") and "arXiv did not know" in message


def test_offline_keeps_every_record_untitled_and_says_how_to_fill_them(tmp_path: Path) -> None:
    listing = write_listing(tmp_path / "arxiv.txt")
    with Store(tmp_path / "s.db") as store:
        summary, warnings = import_profile(store, "me", [listing], offline_hint="go online")
        assert summary.read == 4 and summary.new == 4
        assert warnings[-1] == (
            "4 records have no title and are shown by their abstract's first sentence: titles are looked up "
            "on arXiv only when online; go online to fetch the titles (the papers are kept either way)"
        )
        # Importing again online fills the stored papers in.
        client, log = make_client(arxiv_api)
        with client:
            summary, warnings = import_profile(store, "me", [listing], client=client)
        assert summary.merged == 4 and len(log.requests) == 1
        titles = {p.ids["arxiv"]: p.title for p in store.profile_papers("me")}
    assert titles["2202.12139"] == FIRST_TITLE and titles[UNKNOWN] == ""


def test_a_failing_arxiv_keeps_the_records_and_names_the_failure(tmp_path: Path) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("name resolution failed", request=request)

    papers = load_papers([write_listing(tmp_path / "arxiv.txt")]).papers
    client, log = make_client(down, max_attempts=2)
    with client:
        lookup = add_missing_titles(client, papers)
    assert len(papers) == 4 and all(p.untitled for p in papers)
    assert (lookup.untitled, lookup.filled, lookup.online) == (4, 0, True)
    message = lookup.message("run it again") or ""
    assert message.startswith("4 records have no title") and "looking them up on arXiv failed (arXiv: GET" in message
    assert message.endswith("run it again to fetch the titles (the papers are kept either way)")


def test_titled_records_and_papers_without_an_arxiv_id_are_not_asked_for(tmp_path: Path) -> None:
    papers = load_papers([Path(__file__).parents[2] / "data" / "sample" / "profile_publications.txt"]).papers
    client, log = make_client(arxiv_api)
    with client:
        lookup = add_missing_titles(client, papers)
    assert log.requests == [] and lookup.message() is None


@pytest.fixture
def cli_clock() -> FakeClock:
    return FakeClock()


def _cli(handler, clock: FakeClock, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    recorder = Recorder(handler, clock)
    resources = Resources(client_factory=cli_client_factory(recorder))
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, obj=resources, env=env or {})
    return result, recorder


def test_cli_profile_import_looks_titles_up_online_and_marks_them_offline(
    tmp_path: Path, isolated_home: Path, cli_clock: FakeClock
) -> None:
    listing = str(write_listing(tmp_path / "arxiv.txt"))
    offline, log = _cli(arxiv_api, cli_clock, "profile", "import", listing, "--profile", "me", "--offline")
    assert offline.exit_code == 0 and log.requests == []
    assert "warning: 4 records have no title" in offline.stderr
    assert "run the same import again without --offline" in offline.stderr
    shown, _ = _cli(arxiv_api, cli_clock, "profile", "show")
    assert len(re.findall(r"untitled", shown.stdout)) == 4

    online, log = _cli(
        arxiv_api, cli_clock, "profile", "import", listing, "--profile", "me", env={"PAPERSIFT_OFFLINE": "0"}
    )
    assert online.exit_code == 0 and len(log.requests) == 1
    assert "looking up 4 missing titles on arXiv (--offline skips this)" in online.stderr
    assert "3 titles looked up on arXiv; 1 record has no title" in online.stderr
    shown, _ = _cli(arxiv_api, cli_clock, "profile", "show")
    assert FIRST_TITLE in shown.stdout and len(re.findall(r"untitled", shown.stdout)) == 1

    failing, _ = _cli(
        lambda r: text("busy", 503),
        cli_clock,
        "profile",
        "import",
        listing,
        "--profile",
        "me",
        env={"PAPERSIFT_OFFLINE": "0"},
    )
    assert failing.exit_code == 0 and "looking them up on arXiv failed" in failing.stderr
    assert "run the same import again when arXiv answers" in failing.stderr


def test_cli_profile_refresh_looks_titles_up_once_and_keeps_them_untitled_offline(
    tmp_path: Path, isolated_home: Path, cli_clock: FakeClock
) -> None:
    listing = str(write_listing(tmp_path / "arxiv.txt"))
    imported, _ = _cli(arxiv_api, cli_clock, "profile", "import", listing, "--profile", "me", "--offline")
    assert imported.exit_code == 0  # the listing is now a source of the profile, its records untitled

    offline, log = _cli(arxiv_api, cli_clock, "profile", "refresh", "--offline")
    assert offline.exit_code == 0, offline.output
    assert log.requests == []
    assert "warning: 4 records have no title" in offline.stderr
    assert "run the same refresh again without --offline" in offline.stderr
    assert offline.stdout.strip() == f"{listing}: got 4 (new 0)"

    online, log = _cli(arxiv_api, cli_clock, "profile", "refresh", env={"PAPERSIFT_OFFLINE": "0"})
    assert online.exit_code == 0, online.output
    assert len(log.requests) == 1 and log.params(0)["id_list"] == ",".join([*KNOWN, UNKNOWN])
    assert "looking up 4 missing titles on arXiv (--offline skips this)" in online.stderr
    assert "3 titles looked up on arXiv; 1 record has no title" in online.stderr
    shown, _ = _cli(arxiv_api, cli_clock, "profile", "show")
    assert FIRST_TITLE in shown.stdout and len(re.findall(r"untitled", shown.stdout)) == 1

    # The stored papers keep their titles; only the id arXiv did not know is asked for again.
    again, log = _cli(arxiv_api, cli_clock, "profile", "refresh", env={"PAPERSIFT_OFFLINE": "0"})
    assert again.exit_code == 0 and len(log.requests) == 1 and log.params(0)["id_list"] == UNKNOWN
    assert "1 record has no title" in again.stderr and "arXiv did not know their ids" in again.stderr
    shown, _ = _cli(arxiv_api, cli_clock, "profile", "show")
    assert FIRST_TITLE in shown.stdout and len(re.findall(r"untitled", shown.stdout)) == 1


def test_cli_update_looks_titles_up_as_profile_refresh_does_and_not_offline(
    tmp_path: Path, isolated_home: Path, cli_clock: FakeClock
) -> None:
    listing = write_listing(tmp_path / "arxiv.txt")
    config = tmp_path / "config.toml"
    config.write_text(f'[[profiles]]\nname = "me"\nfiles = ["{listing.name}"]\n', encoding="utf-8")
    offline, log = _cli(arxiv_api, cli_clock, "update", "--config", str(config), "--offline")
    assert offline.exit_code == 0, offline.output
    assert log.requests == []
    shown, _ = _cli(arxiv_api, cli_clock, "profile", "show")
    assert len(re.findall(r"untitled", shown.stdout)) == 4
    online, log = _cli(arxiv_api, cli_clock, "update", "--config", str(config), env={"PAPERSIFT_OFFLINE": "0"})
    assert online.exit_code == 0, online.output
    assert len(log.requests) == 1 and log.params(0)["id_list"] == ",".join([*KNOWN, UNKNOWN])
    shown, _ = _cli(arxiv_api, cli_clock, "profile", "show")
    assert FIRST_TITLE in shown.stdout and len(re.findall(r"untitled", shown.stdout)) == 1
