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
        api.rate(store, "ada", "arxiv:2411.00003", "down", origin="web")
        explore.make_digest(store, "ada", encoder, top=10)
        picks = {r.paper.title: r.relevance for r in explore.digest_view(store, "ada").recommendations}
        rows = explore.lab_routing(store, ["ada", "bob"], encoder, per_paper=2)
    assert picks
    for title, relevance in picks.items():
        # (the stored digest keeps relevances to four decimals)
        assert relevance_of(rows, title)["ada"] == pytest.approx(relevance, abs=1e-4), title


def test_the_lab_is_computed_again_only_when_the_store_changed(store_path: str | Path) -> None:
    encoder = KeywordEncoder()
    cache = explore.ResultCache()
    with Store(store_path) as store:
        first = explore.lab_routing(store, ["ada", "bob"], encoder, cache=cache)
        assert explore.lab_routing(store, ["ada", "bob"], encoder, cache=cache) is first
        # A rating changes the member's scorer: the routing is computed afresh, as without a cache.
        api.rate(store, "ada", "arxiv:2411.00001", "down", origin="web")
        rated = explore.lab_routing(store, ["ada", "bob"], encoder, cache=cache)
        assert rated is not first
        assert relevance_of(rated, "Flat minima and sharpness <b>bold</b>") == relevance_of(
            explore.lab_routing(store, ["ada", "bob"], encoder), "Flat minima and sharpness <b>bold</b>"
        )
        assert relevance_of(rated, "Flat minima and sharpness <b>bold</b>").get("ada", 0.0) < relevance_of(
            first, "Flat minima and sharpness <b>bold</b>"
        ).get("ada", 1.0)
        # So does a new candidate, and a new paper of a member.
        store.import_papers(
            [Paper(title="Plasma waves", abstract="Plasma again.", ids={"arxiv": "2411.00099"}, date="2026-11-21")],
            as_candidates=True,
        )
        fetched = explore.lab_routing(store, ["ada", "bob"], encoder, cache=cache)
        assert "Plasma waves" in {r.paper.title for r in fetched}
        store.import_papers(SCATTERED[:1], profile="bob")
        assert explore.lab_routing(store, ["ada", "bob"], encoder, cache=cache) is not fetched


def test_semantic_search_and_more_like_this_read_the_pool_from_memory_until_it_changes(store_path: str | Path) -> None:
    encoder = KeywordEncoder()
    cache = explore.ResultCache()
    with Store(store_path) as store:
        plain = explore.semantic_search(store, "plasma", encoder, "ada")
        assert explore.semantic_search(store, "plasma", encoder, "ada", cache=cache) == plain
        calls = len(encoder.calls)
        assert explore.semantic_search(store, "plasma", encoder, "ada", cache=cache) == plain
        assert encoder.calls[calls:] == [1], "only the query is encoded"
        robot = next(p for p, _ in plain if p.title == "Robot grasping").store_id or 0
        assert explore.more_like_this(store, robot, encoder, "ada", cache=cache) == explore.more_like_this(
            store, robot, encoder, "ada"
        )
        store.import_papers(
            [Paper(title="Plasma waves", abstract="Plasma again.", ids={"arxiv": "2411.00099"}, date="2026-11-21")],
            as_candidates=True,
        )
        hits = explore.semantic_search(store, "plasma", encoder, "ada", cache=cache)
        assert {"Plasma waves", "Plasma confinement"} <= {p.title for p, _ in hits[:2]}


def test_a_paper_whose_text_changes_under_the_same_id_is_not_served_from_the_caches(store_path: str | Path) -> None:
    """A candidate merged with a richer record keeps its id; the Lab and the search pool see the new text."""
    encoder = KeywordEncoder()
    cache = explore.ResultCache()
    thin = Paper(title="Untitled draft", abstract="", ids={"arxiv": "2411.00077"}, date="2026-11-21")
    with Store(store_path) as store:
        store.import_papers([thin], as_candidates=True)
        rows = explore.lab_routing(store, ["ada", "bob"], encoder, pool=500, papers=500, cache=cache)
        hits = explore.semantic_search(store, "plasma", encoder, "ada", cache=cache)
        assert "Untitled draft" in {r.paper.title for r in rows}
        assert "Plasma turbulence draft" not in {p.title for p, _ in hits}
        richer = Paper(
            title="Plasma turbulence draft",
            abstract="Plasma confinement and plasma heating in a tokamak.",
            ids={"arxiv": "2411.00077"},
            date="2026-11-21",
        )
        store.import_papers([richer], as_candidates=True)  # merged into the same stored paper
        assert store.resolve_paper("2411.00077") == store.resolve_paper("arxiv:2411.00077")
        again = explore.lab_routing(store, ["ada", "bob"], encoder, pool=500, papers=500, cache=cache)
        assert again is not rows
        fresh = explore.lab_routing(store, ["ada", "bob"], encoder, pool=500, papers=500)
        assert {r.paper.title for r in again} == {r.paper.title for r in fresh}
        found = explore.semantic_search(store, "plasma", encoder, "ada", cache=cache)
        assert found == explore.semantic_search(store, "plasma", encoder, "ada")
