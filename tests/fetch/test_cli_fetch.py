"""`papersift fetch`, `update` and the profile source commands, offline through the CLI's client factory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from papersift.cli import cli
from papersift.cli.common import Resources
from tests.fetch.helpers import FakeClock, Recorder, cli_client_factory, openalex_page, text
from tests.sources.services_helpers import fixture_text

PAGES = {"*": openalex_page(1, "c2"), "c2": openalex_page(2, None)}


def services(request: httpx.Request) -> httpx.Response:
    host = request.url.host
    if host == "rss.arxiv.org":
        return text(
            fixture_text("arxiv_rss2_empty.xml" if "test" in request.url.path else "arxiv_rss2_daily_multi.xml")
        )
    if host == "api.openalex.org":
        return text(PAGES[request.url.params["cursor"]])
    if host == "example.org":
        return text(fixture_text("crossref_works_query.json"))
    return text("<html>Service Unavailable</html>", 503)


FACTORY: list = []  # the current test's client factory, handed to every invocation


@pytest.fixture
def log() -> Iterator[Recorder]:
    recorder = Recorder(services, FakeClock())
    FACTORY[:] = [cli_client_factory(recorder)]
    yield recorder
    FACTORY.clear()


def run(*args: str) -> tuple[int, str, str]:
    obj = Resources(client_factory=FACTORY[0]) if FACTORY else None
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, obj=obj)
    return result.exit_code, result.stdout, result.stderr


def test_fetch_arxiv_reports_what_it_got(log: Recorder) -> None:
    code, out, _ = run("fetch", "arxiv", "--category", "cs.LG", "--category", "stat.ML")
    assert code == 0
    assert out == "arXiv cs.LG stat.ML (latest day): got 12 (new 12)\n"
    code, out, _ = run("fetch", "arxiv", "-c", "cs.LG", "-c", "stat.ML")
    assert out == "arXiv cs.LG stat.ML (latest day): got 12 (new 0)\n"


def test_fetch_arxiv_empty_day(log: Recorder) -> None:
    code, out, _ = run("fetch", "arxiv", "-c", "test")
    assert code == 0 and "no announcements on 2024-11-28" in out


def test_a_failing_source_exits_1_with_one_line_and_no_traceback(log: Recorder) -> None:
    code, out, err = run("fetch", "huggingface", "--date", "2026-05-28")
    assert code == 1
    assert out.startswith("Hugging Face Daily Papers (2026-05-28): failed: Hugging Face: GET https://huggingface.co/")
    assert "HTTP 503" in out and "Traceback" not in out + err
    assert "1 of 1 sources failed" in err


def test_bad_date_and_bad_category_are_one_sentence(log: Recorder) -> None:
    code, _, err = run("fetch", "arxiv", "-c", "cs.LG", "--date", "28/05/2026")
    assert code == 1 and "--date must be a date written YYYY-MM-DD" in err
    code, _, err = run("fetch", "arxiv", "-c", "cs LG")
    assert code == 1 and "'cs LG' is not an arXiv category" in err
    assert log.requests == []


def test_fetch_openalex_and_file(log: Recorder) -> None:
    code, out, _ = run("fetch", "openalex", "--query", "sharpness", "--since", "2026-01-01")
    assert code == 0 and out == "OpenAlex search 'sharpness' since 2026-01-01: got 4 (new 4)\n"
    code, out, _ = run("fetch", "file", "https://example.org/works.json")
    assert code == 0 and out == "https://example.org/works.json: got 2 (new 2)\n"
    code, _, err = run("fetch", "openalex", "--since", "2026-01-01")
    assert code == 1 and "either --query or --concept" in err


def test_profile_import_show_exclude_refresh(log: Recorder, tmp_path: Path) -> None:
    bib = tmp_path / "mine.bib"
    bib.write_text(fixture_text("zotero_export_native_bibtex_arxiv.bib"), encoding="utf-8")
    code, out, _ = run("profile", "import", "--name", "me", str(bib), "--openalex", "A5023888391")
    assert code == 0
    assert "profile 'me': 1 paper read, 1 new" in out
    assert "OpenAlex author A5023888391: got 4 (new 4)" in out

    code, out, _ = run("profile", "show", "--profile", "me")
    assert code == 0
    assert "api.openalex.org/works" in out and "mine.bib" in out
    assert "sources (2):" in out and "openalex     A5023888391" in out and f"file         {bib.resolve()}" in out

    code, out, _ = run("profile", "exclude", "10.9999/page.1-1", "--profile", "me")
    assert code == 0 and out.startswith("profile 'me': excluded ")

    code, out, _ = run("profile", "refresh", "--profile", "me")
    assert code == 0
    assert out.splitlines() == [f"{bib.resolve()}: got 1 (new 0)", "OpenAlex author A5023888391: got 4 (new 0)"]
    code, out, _ = run("profile", "show", "--profile", "me")
    assert "papers (4):" in out and "excluded (1, kept out on refresh" in out


def test_profile_import_needs_files_or_a_service(log: Recorder) -> None:
    code, _, err = run("profile", "import", "--name", "me")
    assert code == 2 and "give FILES or a service" in err


def test_profile_import_failed_source_exits_1(log: Recorder) -> None:
    code, out, _ = run("profile", "import", "--name", "me", "--dblp", "73/6258")
    assert code == 1 and "DBLP 73/6258: failed: DBLP: GET https://dblp.org/pid/73/6258.xml: HTTP 503" in out


def test_update_from_the_config_file(log: Recorder, isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text(
        '[contact]\nemail = "ada@example.org"\n\n[[profiles]]\nname = "me"\nopenalex = "A5023888391"\n\n'
        '[[follow]]\nsource = "arxiv"\ncategories = ["cs.LG"]\n\n[[follow]]\nsource = "huggingface"\n',
        encoding="utf-8",
    )
    code, out, err = run("update")
    assert code == 1
    assert out.splitlines()[0] == "OpenAlex author A5023888391: got 4 (new 4)"
    assert out.splitlines()[1] == "arXiv cs.LG (latest day): got 12 (new 12)"
    assert "failed" in out.splitlines()[2]
    assert "mailto:ada@example.org" in log.requests[0][1].headers["User-Agent"]
    assert log.params(0)["mailto"] == "ada@example.org"


def test_update_without_config_says_what_to_write(log: Recorder) -> None:
    code, _, err = run("update")
    assert code == 1 and "declares no [[profiles]] and no [[follow]]" in err


def test_bad_config_is_one_sentence(log: Recorder, tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[[follow]]\nsource = 'arxiv'\n", encoding="utf-8")
    code, _, err = run("update", "--config", str(path))
    assert code == 1 and err.strip() == f"Error: {path}: follow[0]: a 'arxiv' source needs categories"


def test_fetch_file_in_an_unknown_format_says_what_to_do_not_to_rerun(log: Recorder, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("x = 1\ny = 2\n", encoding="utf-8")
    code, out, err = run("fetch", "file", str(path))
    assert code == 1
    assert "is in no known format" in out and "--input-format" in out and "bibtex" in out
    assert "rerun" not in out + err
    assert err.strip() == "1 of 1 sources failed; fix what its line names and run again"


def test_a_rerun_is_suggested_for_the_network_failures_only(log: Recorder, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("x = 1\ny = 2\n", encoding="utf-8")
    code, _, err = run("fetch", "file", str(path), "https://down.example.org/list.bib")
    assert code == 1
    assert "2 of 2 sources failed; rerun to resume the 1 the network failed" in err


def test_fetch_file_reads_a_file_url(log: Recorder, tmp_path: Path) -> None:
    path = tmp_path / "items.json"
    path.write_text(fixture_text("zotero_export_csl.json"), encoding="utf-8")
    code, out, _ = run("fetch", "file", path.as_uri())
    assert code == 0 and out == f"{path.as_uri()}: got 1 (new 1)\n"
    assert log.requests == []
