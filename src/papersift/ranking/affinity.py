"""How a candidate's similarities to each profile paper become one score.

A smooth maximum, not a centroid or a plain mean: a researcher with several
interests must be served in each, so a candidate close to a few of their
papers should beat one vaguely close to all of them. Aggregations are named
so they can be swapped and measured (``benchmarks/bench_quality.py``):

- ``topK``: mean of the K highest similarities (``top1`` is the maximum);
- ``topK+mean`` / ``topK+W*mean``: that, plus W (default 1) times the mean over
  the whole profile, a breadth term; ``top1+mean`` (the closest paper plus
  the mean over the profile) measured best on the gold standard's 'choose'
  half of the researchers (see docs/benchmarks.md) and is the default;
- ``softmax:T``: softmax-weighted mean (max as T -> 0, mean as T -> inf);
- ``max``, ``mean``;
- ``learned:FILE``: a linear combination with weights fitted on graded judgments (:mod:`.learned`).

Every aggregation works on similarities of shape (..., n_papers) with an
optional mask of real papers, so the same code scores a digest (2-D) and a
padded block of reviewers (3-D).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from ..errors import ConfigError
from .masked import masked, masked_mean

Aggregation = Callable[..., np.ndarray]
"""aggregate(similarities (..., n), mask (..., n) of bool or None) -> (...,) scores."""

DEFAULT_AGGREGATION = "top1+mean"


def top_k_mean(k: int, mean_weight: float = 0.0) -> Aggregation:
    """Mean of the k largest similarities (k capped at the papers there are), plus ``mean_weight`` x the mean."""
    if k < 1:
        raise ConfigError("top-k aggregation needs k >= 1")

    def aggregate(similarities: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        n = similarities.shape[-1]
        if n == 0:
            return np.zeros(similarities.shape[:-1], dtype=np.float32)
        kk = min(k, n)
        values = masked(similarities, mask, -np.inf)
        top = np.partition(values, n - kk, axis=-1)[..., n - kk :] if kk < n else values
        finite = np.isfinite(top)
        score = np.where(finite, top, 0.0).sum(axis=-1) / np.maximum(finite.sum(axis=-1), 1)
        if mean_weight:
            score = score + mean_weight * masked_mean(similarities, mask)
        return score.astype(np.float32)

    # Exposed so scorers can take shortcuts (the mean of cosines is the cosine with the centroid).
    aggregate.top_k = k  # type: ignore[attr-defined]
    aggregate.mean_weight = mean_weight  # type: ignore[attr-defined]
    return aggregate


def softmax_pool(temperature: float) -> Aggregation:
    """Similarity-weighted mean with softmax weights: max as T -> 0, mean as T -> inf."""
    if temperature <= 0:
        raise ConfigError("softmax aggregation needs a temperature > 0")

    def aggregate(similarities: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        if similarities.shape[-1] == 0:
            return np.zeros(similarities.shape[:-1], dtype=np.float32)
        values = masked(similarities, mask, -np.inf)
        scaled = values / temperature
        scaled = scaled - scaled.max(axis=-1, keepdims=True)
        weights = np.exp(scaled)
        weights /= weights.sum(axis=-1, keepdims=True)
        return np.nan_to_num((weights * masked(similarities, mask, 0.0)).sum(axis=-1)).astype(np.float32)

    return aggregate


def plain_mean(similarities: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    return masked_mean(similarities, mask).astype(np.float32)


def plain_max(similarities: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    return top_k_mean(1)(similarities, mask)


_TOPK = re.compile(r"^top(\d+)(?:\+(?:(\d*\.?\d+)\*?)?mean)?$")


def get_aggregation(name: str) -> Aggregation:
    """An aggregation by name: ``top3``, ``top2+mean``, ``top2+0.5*mean``, ``softmax:0.05``, ``max``, ``mean``."""
    if name.strip().lower() == "learned" or name.strip().lower().startswith("learned:"):
        from .learned import load_learned  # the file path keeps its case

        return load_learned(name.strip().split(":", 1)[1].strip() if ":" in name else None)
    name = name.strip().lower().replace(" ", "")
    if name == "max":
        return plain_max
    if name == "mean":
        return plain_mean
    match = _TOPK.match(name)
    if match:
        weight = 0.0
        if "+" in name:
            weight = float(match.group(2)) if match.group(2) else 1.0
        return top_k_mean(int(match.group(1)), weight)
    if name.startswith("softmax:"):
        try:
            return softmax_pool(float(name.split(":", 1)[1]))
        except ValueError:
            pass
    raise ConfigError(
        f"unknown aggregation '{name}' (use topK such as top3, topK+mean such as top2+mean, "
        "softmax:T such as softmax:0.05, max, mean or learned:FILE)"
    )
