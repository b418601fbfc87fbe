"""Profile sources, exclusions that survive refreshes, de-duplication across sources, and `update`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest

from papersift import api
from papersift.config import Config, FollowConfig, ProfileConfig, SourceSpec
from papersift.errors import ConfigError, StoreError
from papersift.fetch import ArxivDaily, HuggingFaceDaily, fetch_source
from papersift.store import Store
from tests.fetch.helpers import hf_entry, make_client, openalex_page, text
from tests.sources.services_helpers import fixture_text

RSS = fixture_text("arxiv_rss2_daily_multi.xml")
PAGES = {"*": openalex_page(1, "c2"), "c2": openalex_page(2, None)}


@pytest.fixture
def store(store_location: str | Path) -> Store:
    return Store(store_location)


def services(request: httpx.Request) -> httpx.Response:
    host = request.url.host
    if host == "api.openalex.org":
        return text(PAGES[request.url.params["cursor"]])
    if host == "pub.orcid.org":
        return text(fixture_text("orcid_works_empty.json"))
    if host == "rss.arxiv.org":
        return text(RSS)
    return text("<html><body>Bad gateway</body></html>", 502)


def test_import_from_services_remembers_the_sources_that_worked(store: Store) -> None:
    client, _ = make_client(services, max_attempts=1)
    reports = api.import_profile_from(
        store,
        "me",
        [SourceSpec("openalex", "https://openalex.org/a5023888391"), SourceSpec("dblp", "73/6258")],
        client,
    )
    assert [r.ok for r in reports] == [True, False]
    assert reports[1].error == "DBLP: GET https://dblp.org/pid/73/6258.xml: HTTP 502; gave up after 1 attempts"
    assert len(store.profile_papers("me")) == 4
    assert [(s.kind, s.value) for s in store.profile_sources("me")] == [("openalex", "A5023888391")]


def test_ids_are_checked_before_anything_is_fetched(store: Store) -> None:
    client, log = make_client(services)
    with pytest.raises(ConfigError, match="'0000-1' is not an ORCID iD"):
        api.import_profile_from(store, "me", [SourceSpec("openalex", "A1"), SourceSpec("orcid", "0000-1")], client)
    assert log.requests == [] and store.paper_count() == 0


def test_excluded_paper_stays_out_after_refresh_even_as_another_version(store: Store, tmp_path: Path) -> None:
    client, _ = make_client(services)
    api.import_profile_from(store, "me", [SourceSpec("openalex", "A5023888391")], client)
    papers = store.profile_papers("me")
    victim = next(p for p in papers if p.ids.get("doi") == "10.9999/page.1-0")
    api.exclude_from_profile(store, "me", "10.9999/page.1-0")
    assert len(store.profile_papers("me")) == 3

    reports = api.refresh_profile(store, "me", client)
    assert [r.ok for r in reports] == [True]
    assert len(store.profile_papers("me")) == 3
    assert victim.title not in {p.title for p in store.profile_papers("me")}

    # The same paper from a file, as a preprint with only its title in common, stays out too.
    preprint = tmp_file = tmp_path / "preprint.json"
    tmp_file.write_text(f'[{{"title": "{victim.title}", "ids": {{"arxiv": "2601.99999"}}}}]', encoding="utf-8")
    api.import_profile(store, "me", [preprint])
    assert victim.title not in {p.title for p in store.profile_papers("me")}
    assert store.excluded_count("me") == 1


def test_refresh_without_sources_says_how_to_add_some(store: Store) -> None:
    client, _ = make_client(services)
    api.import_profile_from(store, "me", [], client)
    store.import_papers([], profile="me")
    with pytest.raises(StoreError, match="has no sources to refresh from"):
        api.refresh_profile(store, "me", client)


def test_the_arxiv_version_later_on_hugging_face_is_one_paper(store: Store) -> None:
    client, _ = make_client(lambda _: text(RSS))
    fetch_source(store, ArxivDaily(("cs.LG",)), client)
    first = next(p for p in store.candidate_papers() if p.ids["arxiv"] == "2411.17700")
    entry = hf_entry("2411.17700", first.title, first.abstract, 17)
    client, _ = make_client(lambda _: httpx.Response(200, json=[entry]))
    report = fetch_source(store, HuggingFaceDaily(dt.date(2024, 11, 29)), client)
    assert report.got == 1 and report.new == 0
    merged = [p for p in store.candidate_papers() if p.ids["arxiv"] == "2411.17700"]
    assert len(merged) == 1 and merged[0].upvotes == 17
    assert {s.format for s in merged[0].sources} == {"arxiv-rss", "hf-api"}
    assert len(store.candidate_papers()) == 12


def test_update_runs_everything_and_one_failure_loses_nothing_else(store: Store) -> None:
    config = Config(
        contact="me@example.org",
        profiles=(ProfileConfig("me", {"openalex": ("A5023888391",), "orcid": ("0000-0003-1444-9135",)}),),
        follow=(
            FollowConfig("huggingface"),  # answers 502
            FollowConfig("arxiv", {"categories": "cs.LG"}),
            FollowConfig("openreview"),
        ),
    )
    client, _ = make_client(services, max_attempts=2)
    reports = api.update(store, config, client)
    lines = [r.describe() for r in reports]
    assert lines[0] == "OpenAlex author A5023888391: got 4 (new 4)"
    assert lines[1] == "ORCID 0000-0003-1444-9135: got 0 (new 0)"
    assert lines[2].startswith("Hugging Face Daily Papers (latest): failed: Hugging Face: GET https://huggingface.co/")
    assert lines[3] == "arXiv cs.LG (latest day): got 12 (new 12)"
    assert lines[4] == "openreview: failed: a 'openreview' source needs venue"
    assert len(store.candidate_papers()) == 12 and len(store.profile_papers("me")) == 4


def test_update_since_days_is_relative_to_today(store: Store) -> None:
    config = Config(follow=(FollowConfig("openalex", {"query": "sharpness", "since_days": 7}),))
    client, log = make_client(services)
    api.update(store, config, client, today=dt.date(2026, 6, 8))
    assert log.params(0)["filter"] == "from_publication_date:2026-06-01"
