"""PaperCache: a daily run builds each paper from its rows once, and never serves a changed paper stale."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from papersift import api
from papersift.models import Paper
from papersift.ranking import RankOptions
from papersift.ranking.personal import DigestOptions
from papersift.store import Store
from papersift.store.papers import PaperCache
from tests.conftest import KeywordEncoder

TODAY = dt.date(2026, 11, 24)


class Clock:
    def __init__(self) -> None:
        self.at = dt.datetime(2026, 11, 24, 7, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.at


def _paper(n: int, title: str, abstract: str) -> Paper:
    return Paper(title=title, abstract=abstract, ids={"arxiv": f"2411.{n:05d}"}, date="2026-11-20")


def test_papers_are_built_once_and_a_changed_one_again(store_location: str | Path) -> None:
    clock = Clock()
    with Store(store_location, clock=clock) as store:
        store.import_papers([_paper(1, "Sharp minima", ""), _paper(2, "Flat minima", "Flat.")], as_candidates=True)
        one, two = store.resolve_paper("2411.00001"), store.resolve_paper("2411.00002")
        cache = PaperCache()
        first = store.papers_by_id([two, one, 999_999], cache)
        assert [p.title for p in first] == ["Flat minima", "Sharp minima"] and len(cache) == 2
        again = store.papers_by_id([one, two], cache)
        assert again[0] is first[1] and again[1] is first[0]  # the same objects: not built again
        clock.at += dt.timedelta(seconds=5)
        richer = _paper(1, "Sharp minima", "Sharp minima generalise worse, we show why.")
        store.import_papers([richer], as_candidates=True)  # merged into paper `one`, which changes
        after = store.papers_by_id([one, two], cache)
        assert after[0].abstract == richer.abstract and after[0] is not first[1]
        assert after[1] is first[0]


def test_a_daily_run_ranks_the_same_with_and_without_the_cache(store_location: str | Path) -> None:
    encoder = KeywordEncoder()
    topics = ["sharpness minima", "unlearning forgetting", "pruning sparsity", "plasma tokamak"]
    with Store(store_location) as store:
        for i, topic in enumerate(topics[:2]):
            own = [_paper(100 + 10 * i + k, f"{topic} study {k}", f"We study {topic} {k}.") for k in range(3)]
            store.import_papers(own, profile=f"p{i}")
        pool = [_paper(1000 + n, f"{topics[n % 4]} paper {n}", f"About {topics[n % 4]}, case {n}.") for n in range(40)]
        store.import_papers(pool, as_candidates=True)
        cache = PaperCache()
        for profile in ("p0", "p1"):
            settings = DigestOptions(today=TODAY)
            plain = api.digest_from_store(store, profile, encoder, RankOptions(top=10), record=False, settings=settings)
            cached = api.digest_from_store(
                store, profile, encoder, RankOptions(top=10), record=False, settings=settings, paper_cache=cache
            )
            assert [(r.paper.store_id, round(r.score, 6)) for r in cached.recommendations] == [
                (r.paper.store_id, round(r.score, 6)) for r in plain.recommendations
            ]
            assert cached.recommendations
        assert len(cache) >= 40  # the candidates, read for the first profile, served to the second
