"""Similarities over a profile with some papers masked out: the pieces affinity and learned aggregations share."""

from __future__ import annotations

import numpy as np


def masked(similarities: np.ndarray, mask: np.ndarray | None, fill: float) -> np.ndarray:
    return similarities if mask is None else np.where(mask, similarities, fill)


def masked_counts(similarities: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    if mask is None:
        return np.full(similarities.shape[:-1], similarities.shape[-1], dtype=np.float32)
    return np.broadcast_to(mask, similarities.shape).sum(axis=-1).astype(np.float32)


def masked_mean(similarities: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    if similarities.shape[-1] == 0:
        return np.zeros(similarities.shape[:-1], dtype=np.float32)
    total = masked(similarities, mask, 0.0).sum(axis=-1)
    return total / np.maximum(masked_counts(similarities, mask), 1.0)
