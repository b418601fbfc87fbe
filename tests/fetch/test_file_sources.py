"""``fetch file`` and ``[[follow]] source = "file"``: paths and ``file://`` URLs through the parsers'
bounded reader; failures a rerun cannot fix never suggest one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from papersift.config import INPUT_MAX_BYTES_ENV, SourceSpec, load_config
from papersift.errors import InputError
from papersift.fetch import FetchReport, FileSource, fetch_source, update
from papersift.fetch.files import local_path
from papersift.fetch.registry import normalize_source
from papersift.store import Store
from tests.fetch.helpers import make_client, text
from tests.sources.services_helpers import fixture_text


@pytest.fixture
def store(store_location: str | Path) -> Store:
    return Store(store_location)


@pytest.fixture
def csl(tmp_path: Path) -> Path:
    path = tmp_path / "my items.json"
    path.write_text(fixture_text("zotero_export_csl.json"), encoding="utf-8")
    return path


def test_a_file_url_is_read_like_the_path_it_names(store: Store, csl: Path) -> None:
    client, log = make_client(lambda _: text(""))
    for location in (csl.as_uri(), "file://localhost" + csl.as_uri()[len("file://") :]):
        report = fetch_source(store, FileSource(location), client)
        assert report.ok and report.got == 1, report.describe()
    assert log.requests == []
    assert store.candidate_papers()[0].sources[0].origin == str(csl)


def test_file_urls_and_other_schemes_name_their_problem() -> None:
    assert local_path("file:///tmp/a%20b.bib") == Path("/tmp/a b.bib")
    assert local_path("file:/tmp/x.bib") == Path("/tmp/x.bib")
    with pytest.raises(InputError, match="on the host 'elsewhere'"):
        local_path("file://elsewhere/tmp/x.bib")
    with pytest.raises(InputError, match="scheme 'ftp'"):
        local_path("ftp://example.org/x.bib")


def test_a_file_url_goes_through_the_bounded_reader(store: Store, csl: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client, _ = make_client(lambda _: text(""))
    report = fetch_source(store, FileSource("file:///dev/zero"), client)
    assert not report.ok and "is not a regular file" in (report.error or "")
    monkeypatch.setenv(INPUT_MAX_BYTES_ENV, "100")
    report = fetch_source(store, FileSource(csl.as_uri()), client)
    assert not report.ok and "is too large (over 100 bytes" in (report.error or "")
    assert not report.retry


def test_a_profile_file_url_is_remembered_as_its_path(csl: Path) -> None:
    assert normalize_source(SourceSpec("file", csl.as_uri())).value == str(csl.resolve())


def test_a_followed_file_url_is_fetched_by_update(store: Store, csl: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[[follow]]\nsource = "file"\nurl = "{csl.as_uri()}"\n', encoding="utf-8")
    client, log = make_client(lambda _: text(""))
    [report] = update(store, load_config(config), client)
    assert report.ok and report.got == 1 and log.requests == []


def test_input_errors_do_not_suggest_a_rerun(store: Store, tmp_path: Path) -> None:
    unknown = tmp_path / "notes.txt"
    unknown.write_text("x = 1\ny = 2\n", encoding="utf-8")
    client, _ = make_client(lambda _: text("x = 1\ny = 2\n"))
    for location in (str(unknown), "https://example.org/list.txt"):
        report = fetch_source(store, FileSource(location), client)
        assert not report.ok and not report.retry
        assert "--input-format" in (report.error or "") and "bibtex" in (report.error or "")
        assert "rerun" not in report.describe()


def test_only_network_failures_are_worth_a_rerun(store: Store) -> None:
    client, _ = make_client(lambda _: text("down", status=503), max_attempts=2)
    report = fetch_source(store, FileSource("https://example.org/list.bib"), client)
    assert not report.ok and report.retry and "gave up after 2 attempts" in (report.error or "")
    client, _ = make_client(lambda _: text("gone", status=404))
    report = fetch_source(store, FileSource("https://example.org/list.bib"), client)
    assert not report.ok and not report.retry


def test_kept_pages_suggest_resuming_only_when_a_rerun_can_help() -> None:
    broken = FetchReport("OpenAlex", "k", got=200, pages=2, error="a page in no known format")
    assert broken.describe() == "OpenAlex: failed: a page in no known format; 200 papers from 2 earlier pages kept"
    down = FetchReport("OpenAlex", "k", got=200, pages=2, error="HTTP 503; gave up", retry=True)
    assert down.describe().endswith("200 papers from 2 earlier pages kept, rerun to resume")


def test_the_bounded_reader_is_not_bypassed_for_special_files(store: Store, tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    client, _ = make_client(lambda _: text(""))
    report = fetch_source(store, FileSource(fifo.as_uri()), client)
    assert not report.ok and "is not a regular file" in (report.error or "")
