"""The profile update from ratings, and calibration: cases whose answers follow by hand."""

from __future__ import annotations

import numpy as np
import pytest

from papersift.ranking.calibration import fit_calibration
from papersift.ranking.feedback import FeedbackOptions
from papersift.ranking.personal import ProfileScorer
from tests.conftest import KeywordEncoder


def vectors(*texts: str) -> np.ndarray:
    return KeywordEncoder().encode(list(texts))


# Axes: sharpness, unlearning, pruning, robot, plasma (and a small constant).
OWN = vectors("sharpness", "sharpness sharpness", "sharpness minima")
BACKGROUND = vectors(*(["robot"] * 10 + ["plasma"] * 10))


def test_without_ratings_the_score_is_plain_similarity() -> None:
    scorer = ProfileScorer(OWN, BACKGROUND)
    candidates = vectors("pruning", "unlearning", "sharpness")
    assert scorer.n_ratings == 0
    scores = scorer.score(candidates)
    assert scores[0] == pytest.approx(scores[1])  # both orthogonal to the profile
    assert scores[2] > scores[0]


def test_ratings_break_the_tie_and_dismiss_teaches_nothing() -> None:
    candidates = vectors("pruning", "unlearning")
    learned = ProfileScorer(OWN, BACKGROUND, [(vectors("pruning")[0], "up"), (vectors("unlearning")[0], "down")])
    pruning, unlearning = learned.score(candidates)
    assert learned.n_ratings == 2
    assert pruning > unlearning
    dismissed = ProfileScorer(OWN, BACKGROUND, [(vectors("pruning")[0], "dismiss")])
    assert dismissed.n_ratings == 0
    np.testing.assert_allclose(dismissed.score(candidates), ProfileScorer(OWN, BACKGROUND).score(candidates))


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
    # An up-voted pruning paper joins the profile and a down-voted unlearning paper is subtracted,
    # so the tie between the two topics is broken the same way.
    options = FeedbackOptions(up_weight=1.0, down_weight=0.5)
    ratings = [(vectors("pruning")[0], "up"), (vectors("unlearning")[0], "down")]
    learned = ProfileScorer(OWN, BACKGROUND, ratings, feedback=options)
    assert learned.n_ratings == 2
    pruning, unlearning, sharpness = learned.score(vectors("pruning", "unlearning", "sharpness"))
    assert pruning > unlearning
    base = ProfileScorer(OWN, BACKGROUND).score(vectors("pruning", "unlearning", "sharpness"))
    assert pruning > base[0] and unlearning < base[1]
    # Cosines to the profile (for explanations and interests) still cover the profile's papers only.
    cosines, _ = learned.similarity(vectors("pruning"))
    assert cosines.shape == (1, len(OWN))
    assert learned.calibration.fitted


def test_weights_zero_leave_the_profile_alone() -> None:
    options = FeedbackOptions(up_weight=0.0, down_weight=0.0)
    ratings = [(vectors("pruning")[0], "up"), (vectors("unlearning")[0], "down")]
    learned = ProfileScorer(OWN, BACKGROUND, ratings, feedback=options)
    candidates = vectors("pruning", "unlearning", "sharpness")
    np.testing.assert_allclose(learned.score(candidates), ProfileScorer(OWN, BACKGROUND).score(candidates))


def test_ratings_keep_the_score_on_the_similarity_scale() -> None:
    # No classifier blend: a profile with ratings scores on the same scale as one without, so the
    # number shown first (relevance) and the raw score stay comparable from day to day.
    candidates = vectors("sharpness", "robot")
    ratings = [(vectors("sharpness minima")[0], "up")]
    plain, rated = (
        ProfileScorer(OWN, BACKGROUND).score(candidates),
        ProfileScorer(OWN, BACKGROUND, ratings).score(candidates),
    )
    assert np.abs(rated - plain).max() < 0.5


def test_own_papers_no_closer_than_the_background_still_give_a_spread_relevance() -> None:
    # A colleague's few papers on unrelated topics: each is no closer to the others than a random
    # paper is, so the own-against-background fit is flat. Relevance must still rise with the score
    # (a near copy of an own paper is relevant), with 0.5 at the top of the background.
    rng = np.random.default_rng(1)
    own = np.array([0.55, 0.83, 0.56, 0.78])
    background = rng.normal(0.7, 0.13, 200)
    calibration = fit_calibration(own, background)
    assert not calibration.fitted
    low, top, copy = calibration.relevance(np.array([0.7, np.quantile(background, 0.95), 1.4]))
    assert low < 0.1 and top == pytest.approx(0.5, abs=0.01) and copy > 0.95
