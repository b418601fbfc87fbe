"""Measuring affinity quality: the reviewer-expertise gold standard and its metric."""

from .goldstandard import PUBLISHED, SPLITS, Split, load_predictions, load_ratings, load_split, parse_splits, predict
from .metrics import (
    Evaluation,
    EvaluationError,
    bootstrap_interval,
    cost_weight_matrix,
    evaluate,
    loss,
    pair_accuracy,
    paired_bootstrap_difference,
    split_reviewers,
)

__all__ = [
    "PUBLISHED",
    "SPLITS",
    "Evaluation",
    "EvaluationError",
    "Split",
    "bootstrap_interval",
    "cost_weight_matrix",
    "evaluate",
    "load_predictions",
    "load_ratings",
    "load_split",
    "loss",
    "pair_accuracy",
    "paired_bootstrap_difference",
    "parse_splits",
    "predict",
    "split_reviewers",
]
