"""How a candidate's similarities to each profile paper become one score.

A smooth maximum, not a centroid or a plain mean: a researcher with several
interests must be served in each, so a candidate close to a few of their
papers should beat one vaguely close to all of them. Aggregations are named
(``top3``, ``softmax:0.05``, ``max``, ``mean``) so they can be swapped and
measured.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..errors import ConfigError

Aggregation = Callable[[np.ndarray], np.ndarray]
"""(n_candidates, n_profile) similarities -> (n_candidates,) scores."""

DEFAULT_AGGREGATION = "top3"


def top_k_mean(k: int) -> Aggregation:
    """Mean of each row's k largest similarities (k capped at the profile size)."""
    if k < 1:
        raise ConfigError("top-k aggregation needs k >= 1")

    def aggregate(similarities: np.ndarray) -> np.ndarray:
        if similarities.shape[1] == 0:
            return np.zeros(similarities.shape[0], dtype=np.float32)
        kk = min(k, similarities.shape[1])
        top = np.partition(similarities, similarities.shape[1] - kk, axis=1)[:, -kk:]
        return top.mean(axis=1)

    return aggregate


def softmax_pool(temperature: float) -> Aggregation:
    """Similarity-weighted mean with softmax weights: max as T -> 0, mean as T -> inf."""
    if temperature <= 0:
        raise ConfigError("softmax aggregation needs a temperature > 0")

    def aggregate(similarities: np.ndarray) -> np.ndarray:
        if similarities.shape[1] == 0:
            return np.zeros(similarities.shape[0], dtype=np.float32)
        scaled = similarities / temperature
        scaled = scaled - scaled.max(axis=1, keepdims=True)
        weights = np.exp(scaled)
        weights /= weights.sum(axis=1, keepdims=True)
        return (weights * similarities).sum(axis=1)

    return aggregate


def plain_mean(similarities: np.ndarray) -> np.ndarray:
    if similarities.shape[1] == 0:
        return np.zeros(similarities.shape[0], dtype=np.float32)
    return similarities.mean(axis=1)


def plain_max(similarities: np.ndarray) -> np.ndarray:
    if similarities.shape[1] == 0:
        return np.zeros(similarities.shape[0], dtype=np.float32)
    return similarities.max(axis=1)


def get_aggregation(name: str) -> Aggregation:
    """``topK`` (e.g. ``top3``), ``softmax:T`` (e.g. ``softmax:0.05``), ``max`` or ``mean``."""
    name = name.strip().lower()
    if name == "max":
        return plain_max
    if name == "mean":
        return plain_mean
    if name.startswith("top") and name[3:].isdigit():
        return top_k_mean(int(name[3:]))
    if name.startswith("softmax:"):
        try:
            return softmax_pool(float(name.split(":", 1)[1]))
        except ValueError:
            pass
    raise ConfigError(
        f"unknown aggregation '{name}' (use topK such as top3, softmax:T such as softmax:0.05, max or mean)"
    )


def cosine_similarities(candidates: np.ndarray, profile: np.ndarray) -> np.ndarray:
    """Rows are L2-normalized, so the dot product is the cosine."""
    return np.asarray(candidates @ profile.T, dtype=np.float32)
