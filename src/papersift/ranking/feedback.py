"""Learning from ratings: a profile update and a per-profile logistic regression on embeddings.

Profile update (Rocchio): up-voted and saved papers join the profile's papers
in the smooth maximum (their cosines scaled by ``up_weight``), and
``down_weight`` times the cosine to the closest down-voted paper is
subtracted. It is part of the similarity score.

Classifier: positives are the profile's own papers and its up-votes and saves; negatives
are its down-votes and a background sample of the store (papers the user
never chose, standing in for "a random paper of the feed"). Sample weights
make the two classes weigh the same and give each rating the weight of a
fixed share of the whole profile, so a handful of ratings already move the
boundary. ``dismiss`` hides a paper without teaching the model.

While ratings are few the classifier is noisy, so the score is a blend:
``(1 - a) * similarity + a * classifier`` (each standardised against the
background), with ``a = n / (n + blend_half)`` growing with the number of
ratings n (``blend_half`` inf: classifier off). The defaults were chosen on
the 'choose' half of the gold standard (``benchmarks/bench_feedback.py``,
results in the README). The regression is
solved exactly in numpy (:func:`fit_logistic`): importing scikit-learn alone
would cost more than a whole warm digest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# How each rating teaches the classifier: +1 positive, -1 negative; dismiss only hides the paper.
RATING_SIGN = {"up": 1, "save": 1, "down": -1}


@dataclass(frozen=True)
class FeedbackOptions:
    """How ratings change the score.

    Profile update (Rocchio): ``up_weight`` scales an up-voted or saved paper's cosines when it joins
    the profile's papers in the smooth maximum (0: it does not join); ``down_weight`` times the
    cosine to the closest down-voted paper is subtracted (0: down-votes change nothing here).
    Classifier: ``rating_weight`` is one rating's weight as a share of the whole profile's,
    ``regularization`` is C, ``blend_half`` the number of ratings at which the classifier has half
    the score (``inf``: the classifier is off).
    """

    # Chosen on the 'choose' half of the gold standard (bench_feedback.py): the best mean loss over 1-6
    # ratings among the settings that keep the classifier, with the default aggregation (top1+mean).
    # With so few ratings the profile update carries the gain (an up-vote counts as one of your papers,
    # a down-vote pushes away at a quarter of that) and the classifier is given a small share that
    # grows with the ratings (half at 256).
    blend_half: float = 256.0
    rating_weight: float = 1.0
    regularization: float = 0.1
    background: int = 200
    up_weight: float = 1.0
    down_weight: float = 0.25


@dataclass(frozen=True)
class FeedbackModel:
    """A linear scorer: decision(x) = x . coef + intercept (higher is more like what the user wants)."""

    coef: np.ndarray
    intercept: float
    n_ratings: int

    def decision(self, vectors: np.ndarray) -> np.ndarray:
        if len(vectors) == 0:
            return np.zeros(0, dtype=np.float64)
        return np.asarray(vectors, dtype=np.float64) @ self.coef + self.intercept


def training_set(
    own: np.ndarray,
    positives: np.ndarray,
    negatives: np.ndarray,
    background: np.ndarray,
    options: FeedbackOptions = FeedbackOptions(),
    own_weights: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, y, sample weights with mean 1) for the classifier."""
    dim = next(len(m[0]) for m in (own, positives, negatives, background) if len(m))
    blocks = [np.asarray(m, dtype=np.float64).reshape(-1, dim) for m in (own, positives, negatives, background)]
    own, positives, negatives, background = blocks
    w_own = np.ones(len(own)) if own_weights is None else np.asarray(own_weights, dtype=np.float64)
    w_own = w_own / max(w_own.sum(), 1e-12)  # the whole profile weighs 1
    per_rating = options.rating_weight
    w_pos = np.full(len(positives), per_rating)
    w_neg = np.full(len(negatives), per_rating)
    positive_total = w_own.sum() + w_pos.sum()
    # Background balances the positives; down-votes come on top of it.
    w_bg = np.full(len(background), positive_total / max(len(background), 1))
    x = np.concatenate(blocks)
    y = np.concatenate([np.ones(len(own) + len(positives)), np.zeros(len(negatives) + len(background))])
    weights = np.concatenate([w_own, w_pos, w_neg, w_bg])
    return x, y, weights * len(weights) / weights.sum()


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # stable for any z


def fit_logistic(
    x: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray | None = None,
    regularization: float = 1.0,
    tol: float = 1e-8,
    max_iter: int = 100,
) -> tuple[np.ndarray, float]:
    """(coef, intercept) minimising ``C * sum_i w_i * logloss_i + |coef|^2 / 2`` (intercept not penalised).

    The objective of scikit-learn's ``LogisticRegression(C=C)`` (lbfgs or newton-cg solver), solved
    to ``tol`` (largest gradient entry) by a truncated Newton method: each Newton step solves the
    Hessian system by conjugate gradients with a diagonal preconditioner, using Hessian-vector
    products only (two matrix-vector products each, never the dim x dim Hessian), then a
    backtracking line search. Pure numpy: a few milliseconds for a profile with a few ratings,
    about a tenth of a second for thousands.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, dim = x.shape
    cw = float(regularization) * (np.ones(n) if sample_weight is None else np.asarray(sample_weight, np.float64))
    squares = x * x
    theta = np.zeros(dim + 1)  # coef, then intercept

    def objective(t: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ t[:dim] + t[dim]
        return float(cw @ (np.logaddexp(0.0, z) - y * z) + 0.5 * t[:dim] @ t[:dim]), _sigmoid(z)

    value, p = objective(theta)
    for _ in range(max_iter):
        r = cw * (p - y)
        gradient = np.concatenate([x.T @ r + theta[:dim], [r.sum()]])
        if np.abs(gradient).max() <= tol:
            break
        h = cw * p * (1.0 - p)
        diagonal = np.concatenate([squares.T @ h + 1.0, [max(h.sum(), 1e-12)]])
        # Preconditioned conjugate gradients on H step = -gradient, tighter as the gradient shrinks.
        g_norm = float(np.linalg.norm(gradient))
        target = min(0.1, np.sqrt(g_norm)) * g_norm
        step = np.zeros(dim + 1)
        residual = -gradient
        scaled = residual / diagonal
        direction = scaled.copy()
        rs = residual @ scaled
        for _ in range(2 * (dim + 1)):
            u = h * (x @ direction[:dim] + direction[dim])
            h_direction = np.concatenate([x.T @ u + direction[:dim], [u.sum()]])
            curvature = direction @ h_direction
            if curvature <= 0:
                break
            a = rs / curvature
            step += a * direction
            residual -= a * h_direction
            if np.linalg.norm(residual) <= target:
                break
            scaled = residual / diagonal
            rs, previous = residual @ scaled, rs
            direction = scaled + (rs / previous) * direction
        if not step.any():
            step = -gradient / diagonal
        # Backtracking (Armijo) line search; the Newton step is almost always taken whole.
        slope, length = float(gradient @ step), 1.0
        while True:
            candidate = theta + length * step
            new_value, new_p = objective(candidate)
            if new_value <= value + 1e-4 * length * slope or length < 1e-10:
                break
            length *= 0.5
        theta, value, p = candidate, new_value, new_p
    return theta[:dim].copy(), float(theta[dim])


def train_classifier(
    own: np.ndarray,
    positives: np.ndarray,
    negatives: np.ndarray,
    background: np.ndarray,
    options: FeedbackOptions = FeedbackOptions(),
    own_weights: np.ndarray | None = None,
) -> FeedbackModel:
    """Fit the per-profile logistic regression (a few milliseconds at the sizes a person produces)."""
    x, y, weights = training_set(own, positives, negatives, background, options, own_weights)
    n_ratings = len(positives) + len(negatives)
    if len(np.unique(y)) < 2:
        return FeedbackModel(coef=np.zeros(x.shape[1]), intercept=0.0, n_ratings=n_ratings)
    coef, intercept = fit_logistic(x, y, weights, options.regularization)
    return FeedbackModel(coef=coef, intercept=intercept, n_ratings=n_ratings)


def blend_weight(n_ratings: int, blend_half: float) -> float:
    """The classifier's share of the score: 0 without ratings, 1/2 at ``blend_half`` ratings, towards 1 after."""
    if n_ratings <= 0:
        return 0.0
    if blend_half <= 0:
        return 1.0
    return n_ratings / (n_ratings + blend_half)


def standardise(scores: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Scores in units of the reference's spread around its mean."""
    reference = np.asarray(reference, dtype=np.float64)
    if len(reference) < 2:
        return np.asarray(scores, dtype=np.float64)
    return (np.asarray(scores, dtype=np.float64) - reference.mean()) / (reference.std() or 1.0)


def blend(
    similarity: np.ndarray,
    classifier: np.ndarray,
    alpha: float,
    similarity_reference: np.ndarray,
    classifier_reference: np.ndarray,
) -> np.ndarray:
    """``(1 - alpha) * similarity + alpha * classifier``, both standardised against the background."""
    return (1 - alpha) * standardise(similarity, similarity_reference) + alpha * standardise(
        classifier, classifier_reference
    )


def split_ratings(ratings: Sequence[tuple[np.ndarray, str]], dim: int) -> tuple[np.ndarray, np.ndarray]:
    """(positive vectors, negative vectors) from (vector, rating) pairs."""
    positives = [v for v, r in ratings if RATING_SIGN.get(r) == 1]
    negatives = [v for v, r in ratings if RATING_SIGN.get(r) == -1]
    return (
        np.asarray(positives, dtype=np.float64).reshape(-1, dim),
        np.asarray(negatives, dtype=np.float64).reshape(-1, dim),
    )
