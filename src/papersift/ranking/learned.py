"""A learned combination of a candidate's similarities to a profile (``--aggregation learned:FILE``).

A fixed formula such as ``top1+mean`` weighs the closest profile paper and the
whole profile equally. Here the weights come from data: features of the
similarities (the k closest, the mean, their spread, each also times the
log of the profile's size so the balance can move with it) are combined
linearly, with weights fitted by a pairwise logistic regression on the
pairs of papers one researcher rated differently (each pair weighted by
the rating gap, as the gold-standard loss weighs it). Only orderings
within one profile are learned, so features that are the same for every
candidate of a profile carry no weight on their own.

papersift ships no learned weights: on the gold standard, weights fitted
on the 'choose' half did not beat ``top1+mean`` (``benchmarks/bench_learned.py``
and docs/benchmarks.md give the numbers). A venue or a lab with its own graded
judgments can fit weights with :func:`fit_learned`, save
:meth:`LearnedAggregation.to_dict` as JSON and rank with
``--aggregation learned:FILE``. Everything here is numpy.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError
from .masked import masked_mean


def _sorted_desc(similarities: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    values = similarities if mask is None else np.where(mask, similarities, -np.inf)
    return -np.sort(-values, axis=-1)


def _top_mean(ordered: np.ndarray, k: int) -> np.ndarray:
    """Mean of the k largest (fewer when the profile is smaller)."""
    top = ordered[..., :k]
    finite = np.isfinite(top)
    return np.where(finite, top, 0.0).sum(axis=-1) / np.maximum(finite.sum(axis=-1), 1)


def _counts(similarities: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    if mask is None:
        return np.full(similarities.shape[:-1], similarities.shape[-1], dtype=np.float64)
    return np.broadcast_to(mask, similarities.shape).sum(axis=-1).astype(np.float64)


def _std(similarities: np.ndarray, mask: np.ndarray | None, mean: np.ndarray, n: np.ndarray) -> np.ndarray:
    centred = similarities - mean[..., None]
    if mask is not None:
        centred = np.where(mask, centred, 0.0)
    return np.sqrt((centred**2).sum(axis=-1) / np.maximum(n, 1.0))


def similarity_features(similarities: np.ndarray, mask: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Every feature the learned aggregation may use, each of shape ``similarities.shape[:-1]``."""
    sims = np.asarray(similarities, dtype=np.float64)
    shape = sims.shape[:-1]
    if sims.shape[-1] == 0:
        return {name: np.zeros(shape) for name in FEATURES}
    ordered = _sorted_desc(sims, mask)
    n = _counts(sims, mask)
    mean = np.asarray(masked_mean(sims, mask), dtype=np.float64)
    log_n = np.log(np.maximum(n, 1.0))
    base = {
        "top1": _top_mean(ordered, 1),
        "top2": _top_mean(ordered, 2),
        "top3": _top_mean(ordered, 3),
        "top5": _top_mean(ordered, 5),
        "mean": mean,
        "std": _std(sims, mask, mean, n),
    }
    out = dict(base)
    for name in ("top1", "top3", "mean"):
        out[f"{name}*log_n"] = base[name] * log_n
    return out


FEATURES = ("top1", "top2", "top3", "top5", "mean", "std", "top1*log_n", "top3*log_n", "mean*log_n")


def feature_matrix(similarities: np.ndarray, names: Sequence[str], mask: np.ndarray | None = None) -> np.ndarray:
    """Features of shape ``similarities.shape[:-1] + (len(names),)``."""
    unknown = [n for n in names if n not in FEATURES]
    if unknown:
        raise ConfigError(f"unknown learned feature '{unknown[0]}' (known: {', '.join(FEATURES)})")
    features = similarity_features(similarities, mask)
    return np.stack([features[n] for n in names], axis=-1)


@dataclass
class LearnedAggregation:
    """score = sum_i weight_i * feature_i; an Aggregation (similarities, mask) -> scores."""

    features: list[str]
    weights: list[float]
    provenance: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.features) != len(self.weights) or not self.features:
            raise ConfigError("a learned aggregation needs one weight per feature")
        unknown = [n for n in self.features if n not in FEATURES]
        if unknown:
            raise ConfigError(f"unknown learned feature '{unknown[0]}' (known: {', '.join(FEATURES)})")

    def __call__(self, similarities: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        matrix = feature_matrix(similarities, self.features, mask)
        return (matrix @ np.asarray(self.weights, dtype=np.float64)).astype(np.float32)

    def to_dict(self) -> dict[str, Any]:
        return {"version": 1, "features": self.features, "weights": self.weights, "provenance": self.provenance}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LearnedAggregation:
        if data.get("version") != 1:
            raise ConfigError(f"learned aggregation file version {data.get('version')!r} is not supported (need 1)")
        try:
            return cls(list(data["features"]), [float(w) for w in data["weights"]], dict(data.get("provenance", {})))
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"malformed learned aggregation ({exc})") from None


def load_learned(path: str | Path | None) -> LearnedAggregation:
    """The weights in ``path``, a JSON file written from :meth:`LearnedAggregation.to_dict`."""
    if not path:
        raise ConfigError(
            "papersift ships no learned weights (they did not beat top1+mean on the gold standard); "
            "use learned:FILE with weights fitted on your own judgments"
        )
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read the learned aggregation ({exc})") from None
    return LearnedAggregation.from_dict(data)


# -- fitting --------------------------------------------------------------------------------


@dataclass
class RankingGroup:
    """Candidates of one profile with their features and graded relevance; ``weight`` scales all its pairs."""

    features: np.ndarray  # (n_candidates, n_features)
    relevance: np.ndarray  # (n_candidates,)
    weight: float = 1.0


def pair_differences(groups: Sequence[RankingGroup]) -> tuple[np.ndarray, np.ndarray]:
    """(feature difference of the better minus the worse paper, pair weight) for every unequal pair."""
    diffs, weights = [], []
    for g in groups:
        rel = np.asarray(g.relevance, dtype=np.float64)
        i, j = np.triu_indices(len(rel), k=1)
        gap = rel[i] - rel[j]
        keep = gap != 0
        i, j, gap = i[keep], j[keep], gap[keep]
        sign = np.sign(gap)[:, None]
        diffs.append((g.features[i] - g.features[j]) * sign)
        weights.append(np.abs(gap) * g.weight)
    if not diffs:
        raise ConfigError("no pairs with different relevance to learn from")
    return np.concatenate(diffs), np.concatenate(weights)


def fit_pairwise_logistic(
    groups: Sequence[RankingGroup],
    l2: float = 1.0,
    prior: Sequence[float] | None = None,
    iterations: int = 50,
    tol: float = 1e-10,
) -> np.ndarray:
    """Weights w minimising sum_pairs weight * log(1 + exp(-w . diff)) + l2/2 |penalised part|^2 (Newton).

    No intercept: a pair's order does not depend on which paper is listed
    first. Without ``prior`` the penalty shrinks w towards 0; with one (e.g.
    the weights of ``top1+mean``), w = s * prior + v and only the correction
    v is penalised, so a strong penalty gives back the prior's ranking.
    Features are scaled to unit spread of their differences before the
    penalty applies, and the weights are returned on the raw scale.
    """
    x, pair_weight = pair_differences(groups)
    scale = np.sqrt((pair_weight[:, None] * x**2).sum(axis=0) / pair_weight.sum())
    scale[scale == 0] = 1.0
    z = x / scale
    penalty = np.full(z.shape[1], float(l2))
    if prior is not None:
        direction = np.asarray(prior, dtype=np.float64) * scale  # the prior's weights in the scaled space
        if direction.shape != (z.shape[1],) or not np.any(direction):
            raise ConfigError("the prior needs one non-zero weight per feature")
        z = np.column_stack([z @ direction, z])
        penalty = np.concatenate([[0.0], penalty])
    total = pair_weight.sum()
    w = np.zeros(z.shape[1])
    for _ in range(iterations):
        margin = z @ w
        p = 1.0 / (1.0 + np.exp(np.clip(margin, -50, 50)))  # probability of the wrong order
        grad = (-(pair_weight * p) @ z + penalty * w) / total
        hess = ((z * (pair_weight * p * (1 - p))[:, None]).T @ z + np.diag(penalty)) / total
        step = np.linalg.lstsq(hess, grad, rcond=None)[0]
        w -= step
        if float(np.abs(step).max()) < tol:
            break
    if prior is not None:
        w = w[0] * direction + w[1:]
    return np.asarray(w / scale)


def fit_learned(
    groups: Sequence[RankingGroup],
    names: Sequence[str],
    l2: float = 1.0,
    prior: Sequence[float] | None = None,
    provenance: dict[str, Any] | None = None,
) -> LearnedAggregation:
    weights = fit_pairwise_logistic(groups, l2=l2, prior=prior)
    return LearnedAggregation(list(names), [float(w) for w in weights], dict(provenance or {}))
