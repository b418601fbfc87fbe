"""Ranking with a fake encoder whose answer can be checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from papersift.api import rank_papers
from papersift.errors import ConfigError
from papersift.models import Paper, Recommendation
from papersift.ranking import (
    DEFAULT_AGGREGATION,
    DigestOptions,
    RankOptions,
    get_aggregation,
    softmax_pool,
    top_k_mean,
)
from tests.conftest import KeywordEncoder


def _paper(title: str, **kwargs: object) -> Paper:
    return Paper(title=title, **kwargs)  # type: ignore[arg-type]


def rank(profile: list[Paper], candidates: list[Paper], options: RankOptions | None = None) -> list[Recommendation]:
    """The public stateless ranking as one plain list by score (no interest quotas, no grouping)."""
    plain = DigestOptions(per_interest=0, by_interest=False)
    return rank_papers(profile, candidates, KeywordEncoder(), options, plain).recommendations


PROFILE = [
    _paper("Sharpness aware minimization, sharpness everywhere"),
    _paper("Faster sharpness minimization"),
    _paper("Machine unlearning by gradient difference", ids={"arxiv": "2410.22086"}),
]


def test_aggregations_by_hand() -> None:
    sims = np.array([[0.9, 0.1, 0.2], [0.5, 0.5, 0.5]], dtype=np.float32)
    assert np.allclose(top_k_mean(1)(sims), [0.9, 0.5])
    assert np.allclose(top_k_mean(2)(sims), [0.55, 0.5])
    assert np.allclose(top_k_mean(10)(sims), [0.4, 0.5])  # k capped at the profile size
    assert np.allclose(get_aggregation("top2+mean")(sims), [0.55 + 0.4, 1.0])
    assert np.allclose(get_aggregation("top1+0.5*mean")(sims), [0.9 + 0.2, 0.75])
    # The default (chosen on the gold standard's 'choose' half): closest paper plus the profile mean;
    # the specialist (one paper at 0.9) beats the generalist (0.5 to everything).
    assert DEFAULT_AGGREGATION == "top1+mean"
    assert np.allclose(get_aggregation(DEFAULT_AGGREGATION)(sims), [0.9 + 0.4, 0.5 + 0.5])
    mask = np.array([True, False, True])
    assert np.allclose(top_k_mean(2, 1.0)(sims, mask), [0.55 + 0.55, 1.0])
    assert np.allclose(get_aggregation("max")(sims), [0.9, 0.5])
    assert np.allclose(get_aggregation("mean")(sims), [0.4, 0.5])
    # A smooth maximum prefers the specialist (row 0) over the generalist (row 1); the mean does not.
    smooth = softmax_pool(0.05)(sims)
    assert smooth[0] > smooth[1]
    assert np.isclose(softmax_pool(1e-4)(sims)[0], 0.9, atol=1e-3)
    assert np.isclose(softmax_pool(1e4)(sims)[0], 0.4, atol=1e-3)
    with pytest.raises(ConfigError):
        get_aggregation("median")


def test_rank_by_hand() -> None:
    candidates = [
        _paper("Robot control with a robot"),
        _paper("Unlearning for language models"),
        _paper("Sharpness of minima"),
        _paper("Machine unlearning by gradient difference", ids={"arxiv": "2410.22086v2"}),  # the author's own
        _paper("Plasma transport"),
    ]
    recs = rank(PROFILE, candidates, RankOptions(top=0, aggregation="top1"))
    # Own paper left out; pure keyword axes give cosine ~1 to the matching profile papers, ~0 otherwise.
    assert [r.paper.title for r in recs][:2] in (
        ["Sharpness of minima", "Unlearning for language models"],
        ["Unlearning for language models", "Sharpness of minima"],
    )
    assert [r.rank for r in recs] == [1, 2, 3, 4]
    assert {r.paper.title for r in recs[2:]} == {"Robot control with a robot", "Plasma transport"}
    assert recs[0].score == pytest.approx(1.0, abs=1e-3)
    assert recs[-1].score < 0.01
    sharp = next(r for r in recs if r.paper.title == "Sharpness of minima")
    assert sharp.why[0].paper_title in {p.title for p in PROFILE[:2]}
    assert sharp.why[0].similarity == pytest.approx(1.0, abs=1e-3)
    assert "sharpness" in sharp.why[0].shared_terms


def test_smooth_max_serves_a_minority_interest() -> None:
    # Two papers on sharpness, one on unlearning: with top1 the unlearning candidate ties the
    # sharpness one; with a plain mean it falls behind (a majority interest drowns the minority).
    candidates = [_paper("Sharpness"), _paper("Unlearning")]
    top1 = rank(PROFILE, candidates, RankOptions(top=0, aggregation="top1"))
    mean = rank(PROFILE, candidates, RankOptions(top=0, aggregation="mean"))
    assert top1[0].score == pytest.approx(top1[1].score, abs=1e-3)
    assert mean[0].paper.title == "Sharpness" and mean[0].score > 1.5 * mean[1].score


def test_top_limits_and_zero_means_all() -> None:
    candidates = [_paper(f"Sharpness study {i}") for i in range(7)]
    assert len(rank(PROFILE, candidates, RankOptions(top=3))) == 3
    assert len(rank(PROFILE, candidates, RankOptions(top=0))) == 7


def test_empty_sides() -> None:
    assert rank([], [_paper("x")]) == []
    assert rank(PROFILE, []) == []
