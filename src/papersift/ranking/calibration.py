"""Scores into a relevance in [0, 1] that means the same thing from day to day.

A raw score (a smooth maximum of cosines, changed by ratings) depends on the
profile and the model, so a fixed threshold on it means nothing. Relevance is fitted once per profile against two fixed
references, never against the day's candidates: the profile's own papers
(each scored against the rest of the profile, leave-one-out) and a stable
background sample of the store. It is a balanced logistic fit (Platt scaling)
of "own paper" against "background paper" on the score, so relevance 0.5 is a
paper that looks as much like one of yours as like a random paper of your
feeds, and a quiet day has few papers above a threshold. Pure numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Ridge on the slope (in units of the pooled standard deviation), so
# perfectly separated references still give a finite, monotone curve.
_SLOPE_PENALTY = 0.01
# Below this slope (pooled standard deviations) the profile's own papers do not score above the
# background: a few papers on unrelated topics, or a store of papers all like the profile. Such a
# fit is flat (every paper 50%, a near copy of an own paper too), so the background alone calibrates.
_MIN_FITTED_SLOPE = 0.1


@dataclass(frozen=True)
class Calibration:
    """relevance(score) = 1 / (1 + exp(-(slope * score + intercept))), slope > 0 (so monotone)."""

    slope: float
    intercept: float
    fitted: bool = True

    def relevance(self, scores: np.ndarray) -> np.ndarray:
        z = np.clip(self.slope * np.asarray(scores, dtype=np.float64) + self.intercept, -60, 60)
        return 1.0 / (1.0 + np.exp(-z))


def fit_calibration(own_scores: np.ndarray, background_scores: np.ndarray, iterations: int = 50) -> Calibration:
    """Balanced logistic regression of own (1) against background (0) papers on their scores.

    With fewer than two scores on either side nothing can be fitted: the
    fallback centres the curve between the two means (or on the background's
    95th percentile) with the background's spread. When the own scores are no
    higher than the background's (the fit's slope is about zero or negative),
    the background alone calibrates: 0.5 at its 95th percentile.
    """
    own = np.asarray(own_scores, dtype=np.float64).ravel()
    background = np.asarray(background_scores, dtype=np.float64).ravel()
    if len(own) < 2 or len(background) < 2:
        return _fallback(own, background)
    scores = np.concatenate([own, background])
    labels = np.concatenate([np.ones(len(own)), np.zeros(len(background))])
    weights = np.concatenate([np.full(len(own), 0.5 / len(own)), np.full(len(background), 0.5 / len(background))])
    centre, spread = scores.mean(), scores.std() or 1.0
    x = (scores - centre) / spread
    slope, intercept = 1.0, 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(slope * x + intercept, -60, 60)))
        r = weights * (p - labels)
        gradient = np.array([r @ x + _SLOPE_PENALTY * slope, r.sum()])
        h = weights * p * (1 - p)
        hessian = np.array([[h @ (x * x) + _SLOPE_PENALTY, h @ x], [h @ x, h.sum() + 1e-12]])
        step = np.linalg.solve(hessian, gradient)
        slope, intercept = slope - step[0], intercept - step[1]
        if np.abs(step).max() < 1e-9:
            break
    if slope < _MIN_FITTED_SLOPE:
        return _fallback(np.zeros(0), background)
    # Back to raw score units: slope * (s - centre) / spread + intercept.
    return Calibration(slope=slope / spread, intercept=intercept - slope * centre / spread)


def _fallback(own: np.ndarray, background: np.ndarray) -> Calibration:
    spread = float(background.std()) if len(background) >= 2 and background.std() > 0 else 0.1
    if len(own) and len(background):
        centre = (float(own.mean()) + float(background.mean())) / 2
    elif len(background):
        centre = quantile(background, 0.95)
    elif len(own):
        centre = float(own.mean()) - 2 * spread
    else:
        centre = 0.5
    slope = 4.0 / spread  # relevance 0.02 to 0.98 across one spread either side
    return Calibration(slope=slope, intercept=-slope * centre, fitted=False)


def quantile(values: np.ndarray, q: float) -> float:
    """``np.quantile(values, q)`` (linear interpolation, numpy's default) of a 1-D float64 array, to the bit.

    np.quantile imports numpy.ma on its first call (through np.unique), which is a noticeable part
    of a warm digest in a fresh process; two partitioned order statistics and numpy's own
    interpolation formula (``_lerp``) give the same number without it.
    """
    n = len(values)
    if n == 0 or not 0 <= q <= 1 or np.isnan(values).any():
        return float(np.quantile(values, q))  # numpy's errors and NaN rules
    index = (n - 1) * q
    if index >= n - 1:
        return float(values.max())
    below = math.floor(index)
    lower, upper = np.partition(values, (below, below + 1))[[below, below + 1]]
    gamma = index - below
    difference = upper - lower
    # numpy interpolates from the nearer end, so that q = 1 - tiny stays at the top value
    return float(upper - difference * (1 - gamma)) if gamma >= 0.5 else float(lower + difference * gamma)
