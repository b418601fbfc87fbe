"""The lab's relevance is each member's digest relevance: the same scorer, the same calibration."""

from __future__ import annotations

from pathlib import Path

import pytest

from papersift import api, explore
from papersift.models import Paper
from papersift.store import Store
from tests.conftest import KeywordEncoder

# Three papers on unrelated topics: each is as far from the other two as from a random paper.
SCATTERED = [
    Paper(title="Plasma heating", abstract="Heating a plasma.", ids={"arxiv": "2003.00001"}, date="2025-01-01"),
    Paper(title="Pruning nets", abstract="Pruning weights.", ids={"arxiv": "2003.00002"}, date="2025-02-01"),
    Paper(title="Robot hands", abstract="A robot hand.", ids={"arxiv": "2003.00003"}, date="2025-03-01"),
]


def relevance_of(rows: list[explore.LabRow], title: str) -> dict[str, float]:
    row = next(r for r in rows if r.paper.title == title)
    return dict(row.members)


def test_a_member_with_scattered_papers_gets_a_spread_relevance(store_path: str | Path) -> None:
    with Store(store_path) as store:
        store.import_papers(SCATTERED, profile="cy")
        rows = explore.lab_routing(store, ["ada", "bob", "cy"], KeywordEncoder(), per_paper=3)
    plasma = relevance_of(rows, "Plasma confinement")
    sharpness = relevance_of(rows, "Flat minima and sharpness <b>bold</b>")
    # The plasma paper is close to one of cy's papers and to nothing of ada's: cy first, ada last.
    assert plasma["cy"] > plasma["ada"]
    assert sharpness["ada"] > sharpness["cy"]
    # Not a flat 50% for every paper: cy's relevance tells her plasma paper from ada's topic.
    assert plasma["cy"] >= 0.5 > sharpness["cy"] and plasma["cy"] - sharpness["cy"] > 0.3


def test_lab_relevance_is_the_members_digest_relevance(store_path: str | Path) -> None:
    encoder = KeywordEncoder()
    with Store(store_path) as store:
        api.rate_paper(store, "ada", "arxiv:2411.00003", "down", origin="web")
        explore.make_digest(store, "ada", encoder, top=10)
        picks = {r.paper.title: r.relevance for r in explore.digest_view(store, "ada").recommendations}
        rows = explore.lab_routing(store, ["ada", "bob"], encoder, per_paper=2)
    assert picks
    for title, relevance in picks.items():
        assert relevance_of(rows, title)["ada"] == pytest.approx(relevance, abs=1e-6), title
