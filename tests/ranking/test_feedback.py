"""The feedback classifier, its blend with similarity, and calibration: cases whose answers follow by hand."""

from __future__ import annotations

import numpy as np
import pytest

from papersift.ranking.calibration import fit_calibration
from papersift.ranking.feedback import FeedbackOptions, blend_weight, fit_logistic, train_classifier, training_set
from papersift.ranking.personal import ProfileScorer
from tests.conftest import KeywordEncoder


def vectors(*texts: str) -> np.ndarray:
    return KeywordEncoder().encode(list(texts))


# Axes: sharpness, unlearning, pruning, robot, plasma (and a small constant).
OWN = vectors("sharpness", "sharpness sharpness", "sharpness minima")
BACKGROUND = vectors(*(["robot"] * 10 + ["plasma"] * 10))


def test_classifier_learns_the_rated_directions() -> None:
    # One up-vote on a pruning paper, one down-vote on an unlearning paper: the weight on the pruning
    # axis must become positive and on the unlearning axis negative, so a new pruning paper beats a new
    # unlearning paper, although both are equally far (orthogonal) from every own paper.
    model = train_classifier(OWN, vectors("pruning"), vectors("unlearning"), BACKGROUND)
    assert model.coef[2] > 0 > model.coef[1]
    assert model.coef[0] > 0  # own papers are positives
    assert model.coef[3] < 0 and model.coef[4] < 0  # the background is negative
    pruning, unlearning = model.decision(vectors("pruning pruning", "unlearning unlearning"))
    assert pruning > unlearning


@pytest.mark.parametrize("regularization", [0.1, 1.0])
def test_numpy_solver_matches_scikit_learn(regularization: float) -> None:
    # The same objective as scikit-learn's LogisticRegression (lbfgs): weighted log-loss times C plus
    # half the squared norm of the coefficients, intercept not penalised. Embedding-like data: unit
    # vectors sharing a common direction, 384 dimensions, fewer samples than dimensions.
    sklearn = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(7)
    common = rng.normal(size=384)
    x = rng.normal(size=(300, 384)) + 0.8 * np.sqrt(384) * common / np.linalg.norm(common)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    y = (x @ rng.normal(size=384) + 0.5 * rng.normal(size=300) > 0).astype(float)
    weights = rng.uniform(0.2, 3.0, size=300)
    coef, intercept = fit_logistic(x, y, weights, regularization)
    reference = sklearn.LogisticRegression(C=regularization, tol=1e-12, max_iter=100_000)
    reference.fit(x, y, sample_weight=weights)
    assert np.abs(coef - reference.coef_[0]).max() < 1e-4
    assert intercept == pytest.approx(reference.intercept_[0], abs=1e-4)
    assert np.abs(coef).max() > 0.01  # not a trivial solution


def test_without_ratings_the_score_is_plain_similarity() -> None:
    scorer = ProfileScorer(OWN, BACKGROUND)
    candidates = vectors("pruning", "unlearning", "sharpness")
    assert scorer.n_ratings == 0 and scorer.model is None
    scores = scorer.score(candidates)
    assert scores[0] == pytest.approx(scores[1])  # both orthogonal to the profile
    assert scores[2] > scores[0]


def test_ratings_break_the_tie_and_dismiss_teaches_nothing() -> None:
    candidates = vectors("pruning", "unlearning")
    learned = ProfileScorer(OWN, BACKGROUND, [(vectors("pruning")[0], "up"), (vectors("unlearning")[0], "down")])
    pruning, unlearning = learned.score(candidates)
    assert learned.n_ratings == 2 and 0 < learned.alpha < 1
    assert pruning > unlearning
    dismissed = ProfileScorer(OWN, BACKGROUND, [(vectors("pruning")[0], "dismiss")])
    assert dismissed.n_ratings == 0 and dismissed.model is None


def test_weights_balance_the_classes_and_give_each_rating_a_share_of_the_profile() -> None:
    options = FeedbackOptions(rating_weight=0.5)
    _, y, w = training_set(OWN, vectors("pruning"), vectors("unlearning"), BACKGROUND, options)
    own_total = w[:3].sum()
    assert w[3] == pytest.approx(0.5 * own_total)  # one up-vote weighs half the profile
    assert w[4] == pytest.approx(0.5 * own_total)  # and so does a down-vote
    assert w[5:].sum() == pytest.approx(w[y == 1].sum())  # the background balances the positives
    assert w.mean() == pytest.approx(1.0)


def test_blend_weight_grows_with_ratings() -> None:
    assert blend_weight(0, 4) == 0
    assert blend_weight(4, 4) == pytest.approx(0.5)
    assert blend_weight(1, 4) < blend_weight(8, 4) < 1
    assert blend_weight(1, 0) == 1


def test_calibration_is_monotone_and_in_unit_interval() -> None:
    rng = np.random.default_rng(0)
    own = rng.normal(0.8, 0.1, 30)
    background = rng.normal(0.4, 0.1, 300)
    calibration = fit_calibration(own, background)
    grid = np.linspace(-2, 3, 200)
    relevance = calibration.relevance(grid)
    assert np.all((relevance >= 0) & (relevance <= 1))
    assert np.all(np.diff(relevance) >= 0)
    assert calibration.relevance(np.array([0.8]))[0] > 0.5 > calibration.relevance(np.array([0.4]))[0]
    # Halfway between the two references is about even odds.
    assert calibration.relevance(np.array([0.6]))[0] == pytest.approx(0.5, abs=0.1)


def test_calibration_separated_and_degenerate_references() -> None:
    separated = fit_calibration(np.array([0.9, 0.95, 1.0]), np.array([0.1, 0.15, 0.2]))
    assert np.isfinite(separated.slope) and separated.slope > 0
    for own, background in (([], []), ([0.9], [0.1, 0.2]), ([], [0.1, 0.3, 0.2])):
        fallback = fit_calibration(np.array(own), np.array(background))
        assert not fallback.fitted
        values = fallback.relevance(np.linspace(-1, 2, 50))
        assert np.all(np.diff(values) >= 0) and values.min() >= 0 and values.max() <= 1


def test_profile_update_alone_moves_rated_topics() -> None:
    # Classifier off (blend_half inf): an up-voted pruning paper joins the profile and a down-voted
    # unlearning paper is subtracted, so the tie between the two topics is broken the same way.
    options = FeedbackOptions(up_weight=1.0, down_weight=0.5, blend_half=float("inf"))
    ratings = [(vectors("pruning")[0], "up"), (vectors("unlearning")[0], "down")]
    learned = ProfileScorer(OWN, BACKGROUND, ratings, feedback=options)
    assert learned.model is None and learned.alpha == 0 and learned.n_ratings == 2
    pruning, unlearning, sharpness = learned.score(vectors("pruning", "unlearning", "sharpness"))
    assert pruning > unlearning
    base = ProfileScorer(OWN, BACKGROUND).score(vectors("pruning", "unlearning", "sharpness"))
    assert pruning > base[0] and unlearning < base[1]
    # Cosines to the profile (for explanations and interests) still cover the profile's papers only.
    cosines, _ = learned.similarity(vectors("pruning"))
    assert cosines.shape == (1, len(OWN))
    assert learned.calibration.fitted


def test_weights_zero_leave_the_profile_alone() -> None:
    options = FeedbackOptions(up_weight=0.0, down_weight=0.0, blend_half=float("inf"))
    ratings = [(vectors("pruning")[0], "up"), (vectors("unlearning")[0], "down")]
    learned = ProfileScorer(OWN, BACKGROUND, ratings, feedback=options)
    candidates = vectors("pruning", "unlearning", "sharpness")
    np.testing.assert_allclose(learned.score(candidates), ProfileScorer(OWN, BACKGROUND).score(candidates))
