"""Learning from ratings: a profile update (Rocchio) in the similarity score.

Up-voted and saved papers join the profile's papers in the smooth maximum (their cosines scaled
by ``up_weight``), and ``down_weight`` times the cosine to the closest down-voted paper is
subtracted. ``dismiss`` hides a paper without teaching anything.

There used to be a second mechanism, a per-profile logistic regression on the embeddings blended
into the score. On the 'confirm' half of the gold standard it did not earn its place: at its chosen
setting it changed the loss with ratings by less than the noise (both together -0.016, the profile
update alone -0.017 over k = 1-6 ratings; see docs/benchmarks.md "Learning from ratings"), so it was removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# How each rating teaches the profile: +1 joins it, -1 pushes away; dismiss only hides the paper.
RATING_SIGN = {"up": 1, "save": 1, "down": -1}


@dataclass(frozen=True)
class FeedbackOptions:
    """How ratings change the score.

    ``up_weight`` scales an up-voted or saved paper's cosines when it joins the profile's papers in
    the smooth maximum (0: it does not join); ``down_weight`` times the cosine to the closest
    down-voted paper is subtracted (0: down-votes change nothing).
    """

    # Chosen on the 'choose' half of the gold standard (bench_feedback.py): the best mean loss over 1-6
    # ratings, with the default aggregation (top1+mean): an up-vote counts as one of your papers, a
    # down-vote pushes away at a quarter of that.
    up_weight: float = 1.0
    down_weight: float = 0.25


def split_ratings(ratings: Sequence[tuple[np.ndarray, str]], dim: int) -> tuple[np.ndarray, np.ndarray]:
    """(positive vectors, negative vectors) from (vector, rating) pairs."""
    positives = [v for v, r in ratings if RATING_SIGN.get(r) == 1]
    negatives = [v for v, r in ratings if RATING_SIGN.get(r) == -1]
    return (
        np.asarray(positives, dtype=np.float32).reshape(-1, dim),
        np.asarray(negatives, dtype=np.float32).reshape(-1, dim),
    )
