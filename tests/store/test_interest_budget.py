"""A per-interest budget stored with the interest (migration 8) and honoured by the stored digest."""

from __future__ import annotations

from pathlib import Path

import pytest

from papersift import api
from papersift.errors import StoreError
from papersift.models import Paper
from papersift.ranking import RankOptions
from papersift.ranking.personal import DigestOptions
from papersift.store import Store
from tests.conftest import KeywordEncoder

OWN = [
    Paper(title="Sharpness-aware minimization", abstract="sharpness minima", ids={"arxiv": "2010.00001"}),
    Paper(title="Flat minima and sharpness", abstract="sharpness robot robot", ids={"arxiv": "2010.00002"}),
    Paper(title="Machine unlearning at scale", abstract="unlearning examples", ids={"arxiv": "2010.00003"}),
    Paper(title="Certified unlearning", abstract="unlearning guarantees", ids={"arxiv": "2010.00004"}),
]
CANDIDATES = [
    Paper(title=f"Sharpness study {i}", abstract="sharpness " * (6 - i), ids={"arxiv": f"2401.0000{i}"})
    for i in range(1, 5)
] + [
    Paper(title=f"Unlearning study {i}", abstract="unlearning " * (6 - i) + "pruning", ids={"arxiv": f"2401.0010{i}"})
    for i in range(1, 5)
]


@pytest.fixture
def store(store_location: str | Path) -> Store:
    s = Store(store_location)
    s.import_papers(OWN, profile="me")
    s.import_papers(CANDIDATES, as_candidates=True)
    own = {p.title: p.store_id for p in s.profile_papers("me")}
    s.save_interests(
        "me",
        [
            ("sharpness", [own["Sharpness-aware minimization"], own["Flat minima and sharpness"]]),
            ("unlearning", [own["Machine unlearning at scale"], own["Certified unlearning"]]),
        ],
        KeywordEncoder.model_id,
    )
    return s


def picks_by_interest(store: Store, top: int = 4) -> list[str]:
    digest = api.digest_from_store(
        store, "me", encoder=KeywordEncoder(), options=RankOptions(top=top), settings=DigestOptions(), record=False
    )
    return sorted(str(r.interest) for r in digest.recommendations)


def test_a_stored_budget_caps_an_interest_in_the_digest(store: Store) -> None:
    assert picks_by_interest(store) == ["sharpness"] * 2 + ["unlearning"] * 2
    view = api.set_interest_budget(store, "me", "sharpness", 1)
    assert view.budget == 1 and store.find_interest("me", "sharpness").budget == 1
    assert picks_by_interest(store) == ["sharpness"] + ["unlearning"] * 3
    digest = api.digest_from_store(
        store, "me", encoder=KeywordEncoder(), options=RankOptions(top=4), settings=DigestOptions(), record=False
    )
    assert digest.over_budget == 3
    assert api.set_interest_budget(store, "me", "sharpness", None).budget is None
    assert picks_by_interest(store) == ["sharpness"] * 2 + ["unlearning"] * 2


def test_a_budget_of_zero_sends_nothing_like_a_mute(store: Store) -> None:
    api.set_interest_budget(store, "me", "unlearning", 0)
    assert picks_by_interest(store) == ["sharpness"] * 4


def test_a_budget_is_a_count_and_follows_merges_and_splits(store: Store) -> None:
    with pytest.raises(StoreError, match="0 or more"):
        api.set_interest_budget(store, "me", "sharpness", -1)
    api.set_interest_budget(store, "me", "sharpness", 3)
    parts = api.split_interest(store, "me", "sharpness", 2, KeywordEncoder())
    assert [p.budget for p in parts] == [3, 3]
    merged = api.merge_interests(store, "me", [str(p.id) for p in parts])
    assert merged.budget == 3
    assert [i.budget for i in api.list_interests(store, "me")] == [None, 3]
    assert all(i.budget is None for i in api.find_interests(store, "me", KeywordEncoder()))
