"""Several processes on one store at once (issue 11): no duplicates, no lost writes, no tracebacks;
readers never wait for a writer, and a waiting writer says who holds the store. On both backends."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from papersift import api
from papersift.errors import StoreError
from papersift.identity import identity_keys
from papersift.models import Paper
from papersift.store import Store
from papersift.store import papers as store_papers
from papersift.store import schema as s
from tests.conftest import FEED_FILES, PROFILE_FILES, KeywordEncoder

CONTEXT = multiprocessing.get_context("fork")


def _run(target: Any, *args: Any) -> tuple[Any, Any]:
    results = CONTEXT.Queue()
    process = CONTEXT.Process(target=target, args=(*args, results))
    process.start()
    return process, results


def _import(location: str | Path, files: list[Path], barrier: Any, results: Any) -> None:
    try:
        with Store(location, command=f"import {len(files)} files") as store:
            barrier.wait()
            summary, _ = api.import_feed(store, files)
            results.put(("ok", summary.new))
    except BaseException as exc:  # noqa: BLE001 - reported to the test
        results.put(("failed", f"{type(exc).__name__}: {exc}"))


def check_no_duplicates(store: Store) -> None:
    """Every identity key names exactly one paper, and every paper's keys are stored for it."""
    with store.snapshot() as conn:
        stored = {row.key: row.paper_id for row in conn.execute(select(s.paper_keys))}
    owners: dict[str, int] = {}
    for paper in all_papers(store):
        for key in identity_keys(paper):
            assert stored.get(key) == paper.store_id, f"{key} of paper {paper.store_id} is not stored for it"
            assert owners.setdefault(key, paper.store_id or 0) == paper.store_id, f"two papers share {key}"


def all_papers(store: Store) -> list[Paper]:
    with store.snapshot() as conn:
        ids = list(conn.execute(select(s.papers.c.id).order_by(s.papers.c.id)).scalars())
    return store.papers_by_id(ids)


def test_concurrent_importers_of_overlapping_feeds_store_each_paper_once(new_store_location: Any) -> None:
    expected_location = new_store_location("sequential.db")
    with Store(expected_location) as store:
        api.import_feed(store, FEED_FILES)
        expected = sorted(p.title for p in all_papers(store))
    assert len(expected) == 183
    location = new_store_location("concurrent.db")
    feeds = [FEED_FILES, FEED_FILES[:2], FEED_FILES[1:], [FEED_FILES[0], FEED_FILES[2]], FEED_FILES[::-1], FEED_FILES]
    barrier = CONTEXT.Barrier(len(feeds))
    runs = [_run(_import, location, files, barrier) for files in feeds]
    outcomes = [results.get(timeout=120) for _, results in runs]
    for process, _ in runs:
        process.join(timeout=60)
    assert [o[0] for o in outcomes] == ["ok"] * len(feeds), outcomes
    with Store(location) as store:
        papers = all_papers(store)
        assert sorted(p.title for p in papers) == expected
        assert len(store.candidate_papers()) == 183
        check_no_duplicates(store)
        assert not [t for t, n in Counter(p.title for p in papers).items() if n > 1]


def _slow_import(location: str | Path, seconds: float, results: Any) -> None:
    """An import whose transaction stays open ``seconds`` after writing (a slow disk, a huge file)."""
    original = store_papers.write_keys_and_sources
    slept: list[bool] = []

    def slow(*args: Any) -> None:
        original(*args)
        if not slept:
            slept.append(True)
            results.put(("writing", time.monotonic()))
            time.sleep(seconds)

    store_papers.write_keys_and_sources = slow  # this process only (forked)
    try:
        with Store(location, command="papersift feed import") as store:
            summary, _ = api.import_feed(store, FEED_FILES[:1])
            results.put(("done", summary.new))
    except BaseException as exc:  # noqa: BLE001 - reported to the test
        results.put(("failed", f"{type(exc).__name__}: {exc}"))


@pytest.fixture
def rated_store(store_location: str | Path) -> str | Path:
    with Store(store_location) as store:
        api.import_profile(store, "me", PROFILE_FILES)
        api.import_feed(store, FEED_FILES[1:])
    return store_location


def test_reads_go_on_and_writes_wait_while_a_long_import_runs(rated_store: str | Path) -> None:
    notices: list[str] = []
    with Store(rated_store, on_wait=notices.append) as store:
        paper_id = store.candidate_papers()[0].store_id or 0
        importer, results = _run(_slow_import, rated_store, 3.0)
        assert results.get(timeout=60)[0] == "writing"
        # A reader does not wait for the writer...
        started = time.monotonic()
        before = store.paper_count()
        inputs = store.digest_inputs("me", today=dt.date.today(), max_age_days=None, include_seen=True,
                                     candidate_window_days=30)  # fmt: skip
        assert time.monotonic() - started < 1.5 and len(inputs.pool) > 0
        # ...a writer waits for it, says for whom, and then succeeds: nothing lost, no traceback.
        store.rate("me", paper_id, "up")
        waited = time.monotonic() - started
        digest = api.digest_from_store(store, "me", encoder=KeywordEncoder())
        outcome = results.get(timeout=60)
        importer.join(timeout=60)
        assert outcome[0] == "done" and outcome[1] > 0
        assert waited > 1.0
        assert notices and "papersift feed import" in notices[0] and str(importer.pid) in notices[0]
        assert [(r.paper_id, r.rating) for r in store.ratings("me")] == [(paper_id, "up")]
        assert store.paper_count() == before + outcome[1]
        assert digest.recommendations and store.digest_count() == 1


def test_a_writer_that_waits_too_long_gets_one_sentence(rated_store: str | Path) -> None:
    with Store(rated_store, lock_timeout=1.0, on_wait=lambda _: None) as store:
        paper_id = store.candidate_papers()[0].store_id or 0
        importer, results = _run(_slow_import, rated_store, 4.0)
        assert results.get(timeout=60)[0] == "writing"
        with pytest.raises(StoreError, match=r"busy: papersift feed import \(pid \d+\).*try again"):
            store.rate("me", paper_id, "up")
        assert results.get(timeout=60)[0] == "done"
        importer.join(timeout=60)
        store.rate("me", paper_id, "up")
        assert len(store.ratings("me")) == 1


def _rate_many(location: str | Path, paper_ids: list[int], barrier: Any, results: Any) -> None:
    try:
        with Store(location) as store:
            barrier.wait()
            for i, paper_id in enumerate(paper_ids):
                store.rate("me", paper_id, ("up", "down", "save")[i % 3])
            results.put(("ok", len(paper_ids)))
    except BaseException as exc:  # noqa: BLE001 - reported to the test
        results.put(("failed", f"{type(exc).__name__}: {exc}"))


def test_an_import_and_ratings_at_once_lose_nothing(rated_store: str | Path) -> None:
    with Store(rated_store) as store:
        paper_ids = [p.store_id or 0 for p in store.candidate_papers()[:40]]
        papers_before = store.paper_count()
    barrier = CONTEXT.Barrier(2)
    rater = _run(_rate_many, rated_store, paper_ids, barrier)
    importer = _run(_import, rated_store, FEED_FILES, barrier)
    outcomes = [rater[1].get(timeout=120), importer[1].get(timeout=120)]
    for process, _ in (rater, importer):
        process.join(timeout=60)
    assert [o[0] for o in outcomes] == ["ok", "ok"], outcomes
    with Store(rated_store) as store:
        assert sorted(r.paper_id for r in store.ratings("me")) == sorted(paper_ids)
        assert store.paper_count() == papers_before + outcomes[1][1]
        with store.snapshot() as conn:
            assert conn.execute(select(func.count()).select_from(s.candidates)).scalar_one() == 183
        check_no_duplicates(store)


def test_a_waiting_postgresql_writer_gets_the_lock_when_it_is_released_and_keeps_no_timeout(
    store_location: str | Path,
) -> None:
    """PostgreSQL hands the write lock over inside the server; the waiter's own statements are not
    cut by the timeout it waited with (SQLite takes its lock at BEGIN and has neither question)."""
    import threading

    from sqlalchemy import text

    if not (isinstance(store_location, str) and "://" in store_location):
        pytest.skip("PostgreSQL only (set PAPERSIFT_TEST_DATABASE_URL)")
    holding, released = threading.Event(), {}
    with Store(store_location) as first, Store(store_location, on_wait=lambda _: None) as second:

        def hold() -> None:
            with first.transaction():
                holding.set()
                time.sleep(1.6)  # longer than one cut wait (NOTICE_AFTER = 1 s)
                released["at"] = time.monotonic()

        holder = threading.Thread(target=hold)
        holder.start()
        assert holding.wait(10)
        with second.transaction() as conn:
            got = time.monotonic()
            timeout = conn.execute(text("SHOW lock_timeout")).scalar()
        holder.join()
    assert timeout == "0"
    assert got - released["at"] < 0.5  # handed over by the server when the holder commits
