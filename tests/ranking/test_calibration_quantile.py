"""Calibration's quantile is numpy's, to the bit (it only avoids np.quantile's import of numpy.ma)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from papersift.ranking.calibration import quantile

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=300, deadline=None)
@given(arrays(np.float64, st.integers(1, 300), elements=finite), st.floats(0, 1))
def test_quantile_is_numpys_linear_quantile_exactly(values: np.ndarray, q: float) -> None:
    before = values.copy()
    assert quantile(values, q) == float(np.quantile(values, q))
    assert np.array_equal(values, before)  # the caller's array is left as it was


def test_quantile_on_scores_like_a_digests_background() -> None:
    rng = np.random.default_rng(7)
    for n in (1, 2, 3, 20, 99, 100, 500, 1000):
        scores = rng.normal(0.3, 0.08, n)
        for q in (0.0, 0.05, 0.5, 0.95, 0.999, 1.0):
            assert quantile(scores, q) == float(np.quantile(scores, q))


def test_quantile_keeps_numpys_nan_rule() -> None:
    assert np.isnan(quantile(np.array([0.1, np.nan, 0.3]), 0.95))
