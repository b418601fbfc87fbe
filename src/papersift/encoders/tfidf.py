"""TF-IDF vectors with document frequencies from the texts at hand (no model needed)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class TfidfEncoder:
    """Fits its vocabulary and IDF on each call's texts, so vectors are comparable within a call only.

    Rank therefore encodes profile and candidates in one call (see ``ranking``).
    """

    model_id = "tfidf"
    cacheable = False

    def __init__(self, max_features: int = 50_000) -> None:
        self.max_features = max_features

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        from sklearn.feature_extraction.text import TfidfVectorizer  # slow to import; only when used

        vectorizer = TfidfVectorizer(
            stop_words="english", sublinear_tf=True, ngram_range=(1, 2), min_df=1, max_features=self.max_features
        )
        try:
            matrix = vectorizer.fit_transform(list(texts))
        except ValueError:  # every text was empty or stop words
            return np.zeros((len(texts), 1), dtype=np.float32)
        return np.asarray(matrix.toarray(), dtype=np.float32)
