"""The gold-standard metric of Stelmakh et al. (2023), easy/hard accuracies, and bootstrap intervals.

For each researcher and each pair of rated papers with different ratings,
w = |r_p - r_q|; the pair costs w when the predicted scores order the papers
the other way, w/2 when they tie, 0 otherwise. Loss = total cost / total w.
Pairs with equal ratings carry no weight. Predictions must cover every rated
(researcher, paper) pair; a missing one is an error, not a silent skip.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import PapersiftError

Ratings = Mapping[str, Mapping[str, int]]
Predictions = Mapping[str, Mapping[str, float]]


class EvaluationError(PapersiftError):
    """Predictions or ratings that cannot be evaluated (missing pairs, unknown researchers)."""


def _pairs(ratings: Mapping[str, int]) -> list[tuple[str, str]]:
    papers = list(ratings)
    return [(papers[i], papers[j]) for i in range(len(papers)) for j in range(i + 1, len(papers))]


def reviewer_cost_weight(predictions: Predictions, ratings: Ratings, reviewer: str) -> tuple[float, float]:
    """(cost, weight) of one researcher, the two sums the loss is a ratio of."""
    rated = ratings[reviewer]
    scores = predictions.get(reviewer)
    if scores is None:
        raise EvaluationError(f"no predictions for researcher {reviewer}")
    cost = weight = 0.0
    for p, q in _pairs(rated):
        true_diff = rated[p] - rated[q]
        if true_diff == 0:
            continue
        if p not in scores or q not in scores:
            missing = p if p not in scores else q
            raise EvaluationError(f"no prediction for researcher {reviewer} and paper {missing}")
        w = abs(true_diff)
        weight += w
        pred_diff = scores[p] - scores[q]
        if pred_diff == 0:
            cost += w / 2
        elif pred_diff * true_diff < 0:
            cost += w
    return cost, weight


def loss(predictions: Predictions, ratings: Ratings, reviewers: Iterable[str] | None = None) -> float:
    """The weighted pairwise loss over ``reviewers`` (default: every rated researcher)."""
    total_cost = total_weight = 0.0
    for reviewer in reviewers if reviewers is not None else ratings:
        cost, weight = reviewer_cost_weight(predictions, ratings, reviewer)
        total_cost += cost
        total_weight += weight
    return total_cost / total_weight if total_weight else 0.0


def pair_accuracy(
    predictions: Predictions, ratings: Ratings, regime: str, reviewers: Iterable[str] | None = None
) -> float:
    """Share of pairs ordered right, each mistake (a tie too) costing 1.

    ``easy``: one rating >= 4 and the other <= 2; ``hard``: both >= 4 and different.
    """
    if regime not in ("easy", "hard"):
        raise ValueError("regime is 'easy' or 'hard'")
    correct = total = 0
    for reviewer in reviewers if reviewers is not None else ratings:
        rated, scores = ratings[reviewer], predictions[reviewer]
        for p, q in _pairs(rated):
            a, b = rated[p], rated[q]
            if a == b:
                continue
            if regime == "hard" and min(a, b) < 4:
                continue
            if regime == "easy" and (max(a, b) < 4 or min(a, b) > 2):
                continue
            total += 1
            correct += (scores[p] - scores[q]) * (a - b) > 0
    return correct / total if total else float("nan")


@dataclass
class Evaluation:
    """A method's results over several splits: mean loss, its bootstrap interval, accuracies."""

    loss: float
    ci_low: float
    ci_high: float
    split_losses: list[float]
    easy: float
    hard: float
    reviewers: list[str] = field(default_factory=list)


def cost_weight_matrix(
    predictions_by_split: Sequence[Predictions], ratings: Ratings, reviewers: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """(splits, reviewers) arrays of cost and weight, from which any resample's loss is two sums."""
    cost = np.zeros((len(predictions_by_split), len(reviewers)))
    weight = np.zeros_like(cost)
    for s, predictions in enumerate(predictions_by_split):
        for r, reviewer in enumerate(reviewers):
            cost[s, r], weight[s, r] = reviewer_cost_weight(predictions, ratings, reviewer)
    return cost, weight


def bootstrap_interval(
    cost: np.ndarray, weight: np.ndarray, n_resamples: int = 1000, seed: int = 0, level: float = 0.95
) -> tuple[float, float]:
    """Interval of the mean-over-splits loss, resampling researchers with replacement (same draw in every split)."""
    rng = np.random.default_rng(seed)
    n = cost.shape[1]
    draws = rng.integers(0, n, size=(n_resamples, n))
    counts = np.stack([np.bincount(d, minlength=n) for d in draws])  # (resamples, reviewers)
    losses = (counts @ cost.T) / np.maximum(counts @ weight.T, 1e-12)  # (resamples, splits)
    means = losses.mean(axis=1)
    alpha = (1 - level) / 2
    return float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha))


def paired_bootstrap_difference(
    cost_a: np.ndarray,
    weight_a: np.ndarray,
    cost_b: np.ndarray,
    weight_b: np.ndarray,
    n_resamples: int = 1000,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Mean-over-splits loss of A minus B, with a 95% interval from the same researcher resamples."""
    rng = np.random.default_rng(seed)
    n = cost_a.shape[1]
    counts = np.stack([np.bincount(d, minlength=n) for d in rng.integers(0, n, size=(n_resamples, n))])
    la = ((counts @ cost_a.T) / np.maximum(counts @ weight_a.T, 1e-12)).mean(axis=1)
    lb = ((counts @ cost_b.T) / np.maximum(counts @ weight_b.T, 1e-12)).mean(axis=1)
    point = float((cost_a.sum(1) / weight_a.sum(1)).mean() - (cost_b.sum(1) / weight_b.sum(1)).mean())
    return point, float(np.quantile(la - lb, 0.025)), float(np.quantile(la - lb, 0.975))


def evaluate(
    predictions_by_split: Sequence[Predictions],
    ratings: Ratings,
    reviewers: Sequence[str] | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
) -> Evaluation:
    reviewers = sorted(reviewers if reviewers is not None else ratings)
    cost, weight = cost_weight_matrix(predictions_by_split, ratings, reviewers)
    split_losses = [float(c.sum() / w.sum()) for c, w in zip(cost, weight, strict=True)]
    low, high = bootstrap_interval(cost, weight, n_resamples, seed)
    easy = float(np.mean([pair_accuracy(p, ratings, "easy", reviewers) for p in predictions_by_split]))
    hard = float(np.mean([pair_accuracy(p, ratings, "hard", reviewers) for p in predictions_by_split]))
    return Evaluation(
        loss=float(np.mean(split_losses)),
        ci_low=low,
        ci_high=high,
        split_losses=split_losses,
        easy=easy,
        hard=hard,
        reviewers=list(reviewers),
    )


def split_reviewers(reviewers: Iterable[str], seed: int = 0) -> tuple[list[str], list[str]]:
    """A fixed half split: the 'choose' half (to decide on) and the 'confirm' half (to report on)."""
    ordered = sorted(reviewers)
    order = np.random.RandomState(seed).permutation(len(ordered))
    half = len(ordered) // 2
    return sorted(ordered[i] for i in order[:half]), sorted(ordered[i] for i in order[half:])
