"""The learned aggregation: hand-checkable features, the fit, the shipped file, the scoring path."""

from __future__ import annotations

import json

import numpy as np
import pytest

from papersift.errors import ConfigError
from papersift.ranking import get_aggregation
from papersift.ranking.learned import (
    FEATURES,
    LearnedAggregation,
    RankingGroup,
    feature_matrix,
    fit_learned,
    fit_pairwise_logistic,
    load_learned,
    pair_differences,
    similarity_features,
)


def test_features_by_hand():
    sims = np.array([[0.9, 0.1, 0.5, 0.3]])
    f = similarity_features(sims)
    assert f["top1"][0] == pytest.approx(0.9)
    assert f["top2"][0] == pytest.approx(0.7)
    assert f["top3"][0] == pytest.approx(1.7 / 3)
    assert f["top5"][0] == pytest.approx(0.45)  # capped at the four papers there are
    assert f["mean"][0] == pytest.approx(0.45)
    assert f["std"][0] == pytest.approx(np.std([0.9, 0.1, 0.5, 0.3]))
    assert f["top1*log_n"][0] == pytest.approx(0.9 * np.log(4))


def test_mask_leaves_padding_out():
    sims = np.array([[0.9, 0.1, 0.5, -5.0]])
    mask = np.array([[True, True, True, False]])
    masked = feature_matrix(sims, FEATURES, mask)
    plain = feature_matrix(sims[:, :3], FEATURES)
    np.testing.assert_allclose(masked, plain)


def test_three_dimensional_block_matches_rows():
    rng = np.random.default_rng(0)
    block = rng.uniform(-1, 1, size=(2, 3, 5))
    mask = np.ones((1, 3, 5), dtype=bool)
    mask[0, 1, 3:] = False
    model = LearnedAggregation(["top1", "mean", "std"], [1.0, 0.5, -0.2])
    scores = model(block, mask)
    assert scores.shape == (2, 3)
    assert scores[1, 1] == pytest.approx(model(block[1, 1, :3][None, :])[0], abs=1e-6)


def test_top1_plus_mean_is_a_special_case():
    rng = np.random.default_rng(1)
    sims = rng.uniform(-1, 1, size=(7, 6))
    learned = LearnedAggregation(["top1", "mean"], [1.0, 1.0])
    np.testing.assert_allclose(learned(sims), get_aggregation("top1+mean")(sims), atol=1e-6)


def test_empty_profile_scores_zero():
    model = LearnedAggregation(["top1", "mean"], [1.0, 1.0])
    assert model(np.zeros((3, 0))).tolist() == [0.0, 0.0, 0.0]


def test_pairs_are_ordered_better_minus_worse_and_weighted_by_gap():
    features = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    diffs, weights = pair_differences([RankingGroup(features, np.array([1, 3, 3]), weight=0.5)])
    # (0,1): paper 1 is better by 2; (0,2): paper 2 better by 2; (1,2): equal, no pair.
    np.testing.assert_allclose(diffs, [[-1.0, 1.0], [-0.5, 0.5]])
    np.testing.assert_allclose(weights, [1.0, 1.0])


def test_fit_recovers_the_direction_that_orders_the_data():
    rng = np.random.default_rng(2)
    truth = np.array([2.0, -1.0, 0.0])
    groups = []
    for _ in range(40):
        x = rng.normal(size=(8, 3))
        relevance = np.digitize(x @ truth + rng.normal(scale=0.3, size=8), [-2, -0.5, 0.5, 2]) + 1
        groups.append(RankingGroup(x, relevance))
    w = fit_pairwise_logistic(groups, l2=1.0)
    cosine = w @ truth / np.linalg.norm(w) / np.linalg.norm(truth)
    assert cosine > 0.98


def test_stronger_penalty_shrinks_the_weights():
    rng = np.random.default_rng(3)
    groups = [RankingGroup(rng.normal(size=(6, 2)), rng.integers(1, 6, size=6)) for _ in range(20)]
    assert np.linalg.norm(fit_pairwise_logistic(groups, l2=1000.0)) < np.linalg.norm(
        fit_pairwise_logistic(groups, l2=0.01)
    )


def test_no_weights_are_shipped():
    with pytest.raises(ConfigError, match="ships no learned weights"):
        get_aggregation("learned")


def test_fitted_weights_rank_through_the_scoring_path(tmp_path):
    """A model fitted with fit_learned, saved and named as an aggregation, scores like the object itself."""
    rng = np.random.default_rng(4)
    groups = []
    for _ in range(30):
        sims = rng.uniform(-0.2, 0.9, size=(6, 8))
        relevance = np.digitize(sims.max(axis=1), [0.6, 0.75, 0.85]) + 1
        groups.append(RankingGroup(feature_matrix(sims, ["top1", "mean"]), relevance))
    model = fit_learned(groups, ["top1", "mean"], l2=1.0, provenance={"produced_by": "a test"})
    assert model.weights[0] > abs(model.weights[1])  # the relevance was made from the maximum
    path = tmp_path / "model.json"
    path.write_text(json.dumps(model.to_dict()), encoding="utf-8")
    sims = np.array([[0.8, 0.2, 0.1], [0.3, 0.3, 0.3]])
    np.testing.assert_allclose(get_aggregation(f"learned:{path}")(sims), model(sims))


def test_a_prior_with_a_strong_penalty_gives_back_the_prior():
    rng = np.random.default_rng(5)
    groups = [RankingGroup(rng.normal(size=(6, 3)), rng.integers(1, 6, size=6)) for _ in range(20)]
    w = fit_pairwise_logistic(groups, l2=1e9, prior=[1.0, 1.0, 0.0])
    assert w[2] == pytest.approx(0.0, abs=1e-6)
    assert w[0] == pytest.approx(w[1], rel=1e-4)


def test_a_file_round_trips(tmp_path):
    model = LearnedAggregation(["top2", "mean"], [0.7, 1.3], {"produced_by": "a test"})
    path = tmp_path / "Weights.json"  # upper case: the path must keep its case
    path.write_text(json.dumps(model.to_dict()), encoding="utf-8")
    loaded = get_aggregation(f"learned:{path}")
    assert isinstance(loaded, LearnedAggregation)
    assert loaded.weights == [0.7, 1.3] and loaded.provenance == {"produced_by": "a test"}


@pytest.mark.parametrize(
    "content",
    [
        {"version": 2, "features": ["top1"], "weights": [1.0]},
        {"version": 1, "features": ["top1", "mean"], "weights": [1.0]},
        {"version": 1, "features": ["nearest_neighbour"], "weights": [1.0]},
        {"version": 1, "weights": [1.0]},
    ],
)
def test_bad_files_are_config_errors(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(ConfigError):
        get_aggregation(f"learned:{path}")


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_learned(tmp_path / "nope.json")
