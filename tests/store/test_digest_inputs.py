"""Store.digest_inputs: the filtering a digest used to do in Python, done by the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from papersift import api
from papersift.models import Paper, Recommendation
from papersift.ranking.personal import within_age
from papersift.store import Store
from tests.conftest import FEED_FILES, PAGE_DAY, PROFILE_FILES


def fixed_clock(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=dt.UTC)


def python_filtering(store: Store, profile: str, today: dt.date, max_age_days: int | None, include_seen: bool):
    """What digest_from_store computed in Python before (every candidate loaded)."""
    own = store.profile_papers(profile)
    own_ids = {p.store_id for p in own}
    everything = store.candidate_papers()
    candidates = [c for c in everything if c.store_id not in own_ids]
    rated_ids = {r.paper_id for r in store.ratings(profile)}
    hidden = set() if include_seen else store.shown_paper_ids(profile) | rated_ids
    fresh = [c for c in candidates if c.store_id not in hidden]
    pool = [c for c, ok in zip(fresh, within_age(fresh, max_age_days, today), strict=True) if ok]
    return own, pool, len(everything) - len(candidates), len(candidates) - len(fresh), len(fresh) - len(pool)


@pytest.fixture
def store(store_location: str | Path) -> Store:
    store = Store(store_location, clock=lambda: fixed_clock(PAGE_DAY))
    api.import_profile(store, "me", PROFILE_FILES)
    api.import_feed(store, FEED_FILES)
    # Some profile papers are candidates too, some candidates were shown, some rated.
    store.import_papers(store.profile_papers("me")[:3], as_candidates=True)
    pool = store.candidate_papers()
    picks = [Recommendation(i, 1.0, p) for i, p in enumerate(pool[5:10], 1)]
    store.record_digest("me", picks, model_id="m", n_candidates=5)
    store.rate("me", pool[20].store_id or 0, "up")
    store.rate("me", pool[21].store_id or 0, "down")
    return store


@pytest.mark.parametrize("max_age_days", [None, 7, 30, 400])
@pytest.mark.parametrize("include_seen", [False, True])
def test_same_answer_as_filtering_in_python(store: Store, max_age_days: int | None, include_seen: bool) -> None:
    own, pool, excluded_own, excluded_seen, excluded_old = python_filtering(
        store, "me", PAGE_DAY, max_age_days, include_seen
    )
    got = store.digest_inputs(
        "me", today=PAGE_DAY, max_age_days=max_age_days, include_seen=include_seen, candidate_window_days=30
    )
    assert [p.store_id for p in got.own] == [p.store_id for p in own]
    assert [p.store_id for p in got.pool] == [p.store_id for p in pool]
    assert (got.excluded_own, got.excluded_seen, got.excluded_old) == (excluded_own, excluded_seen, excluded_old)
    assert excluded_own == 3 and (include_seen or excluded_seen == 7)
    assert sorted(r for _, r in got.ratings) == ["down", "up"]
    assert all(p.title for p in got.pool) and all(p.store_id is not None for p in got.pool)


DATES = ["2026-11-20", "2026-11-20T23:59:00Z", "2026-10-01", "2026-10", "2026-11", "2025", "2026", "20261120",
         "2026-13-45", "2026-02-31", "2024-02-29", "2023-02-29", "2026-11-00", "2026/11/20", "soon", "", None,
         "2026-1", "2026-10-3", "2026-00", "2026-11-31"]  # fmt: skip


def test_dates_in_every_form_are_judged_as_the_ranking_judges_them(store_location: str | Path) -> None:
    store = Store(store_location, clock=lambda: fixed_clock(PAGE_DAY))
    store.import_papers([Paper(title="Own paper about things", ids={"doi": "10.1/own"})], profile="me")
    papers = [Paper(title=f"Candidate number {i} with a date", date=d) for i, d in enumerate(DATES)]
    store.import_papers(papers, as_candidates=True)
    for max_age_days in (10, 60, 400):
        got = store.digest_inputs(
            "me", today=PAGE_DAY, max_age_days=max_age_days, include_seen=False, candidate_window_days=30
        )
        expected = [p.date for p, ok in zip(papers, within_age(papers, max_age_days, PAGE_DAY), strict=True) if ok]
        assert [p.date for p in got.pool] == expected, max_age_days
        assert got.excluded_old == len(papers) - len(expected)


def test_candidates_never_shown_age_out_after_the_window(new_store_location: Callable[[str], str | Path]) -> None:
    location = new_store_location("s.db")
    early, late = dt.date(2026, 9, 1), dt.date(2026, 11, 20)
    with Store(location, clock=lambda: fixed_clock(early)) as store:
        store.import_papers([Paper(title="My own paper on sharpness", ids={"doi": "10.1/own"})], profile="me")
        store.import_papers([Paper(title=f"September candidate {i}") for i in range(3)], as_candidates=True)
    with Store(location, clock=lambda: fixed_clock(late)) as store:
        store.import_papers([Paper(title=f"November candidate {i}") for i in range(2)], as_candidates=True)
        # Fetched again in November: a September paper is current again.
        store.import_papers([Paper(title="September candidate 0")], as_candidates=True)

        def pool(window: int, today: dt.date = late) -> list[str]:
            got = store.digest_inputs("me", today=today, max_age_days=None, include_seen=False,
                                      candidate_window_days=window)  # fmt: skip
            return sorted(p.title for p in got.pool)

        assert pool(30) == ["November candidate 0", "November candidate 1", "September candidate 0"]
        assert pool(100) == [
            *(f"November candidate {i}" for i in range(2)),
            *(f"September candidate {i}" for i in range(3)),
        ]
        assert pool(5, dt.date(2027, 1, 1)) == []
