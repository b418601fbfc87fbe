"""Loss-free and resumable: each page is stored with its checkpoint; a rerun continues where it stopped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from papersift.fetch import ArxivDaily, author_works, fetch_source
from papersift.store import Store
from papersift.store import schema as s
from tests.fetch.helpers import make_client, oai_page, openalex_page, text

PAGES = {
    "*": openalex_page(1, "c2"),
    "c2": openalex_page(2, "c3"),
    "c3": openalex_page(3, "c4"),
    "c4": openalex_page(4, None),
}


@pytest.fixture
def store(store_location: str | Path) -> Store:
    return Store(store_location)


def provenance_rows(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(s.provenance)).scalar_one())


def dying_on(cursor: str, error: type[BaseException] = httpx.ConnectError):
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params["cursor"] == cursor:
            raise error("the service died")
        return text(PAGES[request.url.params["cursor"]])

    return answer


def test_a_dead_service_keeps_earlier_pages_and_a_rerun_resumes(store: Store) -> None:
    fetcher = author_works("A5023888391")
    client, _ = make_client(dying_on("c3"), max_attempts=2)
    first = fetch_source(store, fetcher, client, profile="me")
    assert not first.ok and first.pages == 2 and first.got == 4
    assert "gave up after 2 attempts" in (first.error or "")
    assert "4 papers from 2 earlier pages kept, rerun to resume" in first.describe()
    assert len(store.profile_papers("me")) == 4
    checkpoint = store.checkpoint(fetcher.key)
    assert checkpoint is not None and checkpoint.state == {"cursor": "c3"} and not checkpoint.done

    client, log = make_client(lambda r: text(PAGES[r.url.params["cursor"]]))
    second = fetch_source(store, fetcher, client, profile="me")
    assert second.ok and second.resumed
    assert [log.params(i)["cursor"] for i in range(len(log.requests))] == ["c3", "c4"]
    assert second.got == 8 and second.pages == 4 and second.new == 8
    assert store.paper_count() == 8 and len(store.profile_papers("me")) == 8
    assert provenance_rows(store) == 8  # nothing stored twice
    assert store.checkpoint(fetcher.key).done  # type: ignore[union-attr]


def test_a_crash_mid_way_leaves_stored_pages_intact(store: Store) -> None:
    fetcher = author_works("A5023888391")
    client, _ = make_client(dying_on("c3", KeyboardInterrupt))  # an interrupt ends the run; nothing else does
    with pytest.raises(KeyboardInterrupt):
        fetch_source(store, fetcher, client)
    assert store.paper_count() == 4
    assert store.checkpoint(fetcher.key).state == {"cursor": "c3"}  # type: ignore[union-attr]

    client, log = make_client(lambda r: text(PAGES[r.url.params["cursor"]]))
    report = fetch_source(store, fetcher, client)
    assert report.resumed and log.params(0)["cursor"] == "c3"
    assert store.paper_count() == 8 and len(store.candidate_papers()) == 8 and provenance_rows(store) == 8


def test_a_bad_page_mid_way_is_not_written_and_the_rerun_retries_it(store: Store) -> None:
    fetcher = author_works("A5023888391")
    broken = dict(PAGES, c3=PAGES["c3"][:200])
    client, _ = make_client(lambda r: text(broken[r.url.params["cursor"]]))
    report = fetch_source(store, fetcher, client)
    assert not report.ok and "cursor=c3" in (report.error or "") and "truncated" in (report.error or "")
    assert store.paper_count() == 4
    client, log = make_client(lambda r: text(PAGES[r.url.params["cursor"]]))
    assert fetch_source(store, fetcher, client).got == 8
    assert log.params(0)["cursor"] == "c3"


def test_a_finished_fetch_starts_afresh_and_duplicates_nothing(store: Store) -> None:
    fetcher = author_works("A5023888391")
    client, log = make_client(lambda r: text(PAGES[r.url.params["cursor"]]))
    fetch_source(store, fetcher, client)
    again = fetch_source(store, fetcher, client)
    assert not again.resumed and again.got == 8 and again.new == 0
    assert log.params(4)["cursor"] == "*"
    assert store.paper_count() == 8 and provenance_rows(store) == 8


def test_oai_listing_resumes_from_its_resumption_token(store: Store) -> None:
    pages = {
        None: oai_page([{"id": "2605.00001"}], "t1"),
        "t1": oai_page([{"id": "2605.00002"}], "t2"),
        "t2": oai_page([{"id": "2605.00003"}], None),
    }
    fetcher = ArxivDaily(("cs.LG",), dt.date(2026, 5, 27))

    def dies_on_t2(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("resumptionToken") == "t2":
            return text("", 503)
        return text(pages[request.url.params.get("resumptionToken")])

    client, _ = make_client(dies_on_t2, max_attempts=1)
    assert fetch_source(store, fetcher, client).pages == 2
    client, log = make_client(lambda r: text(pages[r.url.params.get("resumptionToken")]))
    report = fetch_source(store, fetcher, client)
    assert log.params(0) == {"verb": "ListRecords", "resumptionToken": "t2"}
    assert report.ok and report.got == 3 and store.paper_count() == 3


def test_an_unexpected_exception_fails_only_this_source_and_keeps_its_pages(store: Store) -> None:
    fetcher = author_works("A5023888391")
    client, _ = make_client(dying_on("c3", RuntimeError))
    report = fetch_source(store, fetcher, client)
    assert not report.ok and report.pages == 2
    assert "unexpected RuntimeError (the service died)" in (report.error or "")
    assert store.paper_count() == 4
