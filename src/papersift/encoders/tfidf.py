"""TF-IDF vectors with document frequencies from the texts at hand (no model needed)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..tfidf import tfidf_matrix


class TfidfEncoder:
    """Fits its vocabulary and IDF on each call's texts, so vectors are comparable within a call only.

    The ranking therefore encodes every group of papers in one call (``ranking.pipeline.embed_groups``).
    The weights are papersift's one TF-IDF (:mod:`papersift.tfidf`), the same terms explanations show.
    """

    model_id = "tfidf"
    cacheable = False

    def __init__(self, max_features: int = 50_000) -> None:
        self.max_features = max_features

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        return tfidf_matrix(texts, self.max_features)
