"""Why a candidate was picked: its closest profile papers and the terms it shares with them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

# Words every abstract uses; sharing them says nothing about a topic.
SCIENTIFIC_STOP_WORDS = frozenset(
    """
    abstract achieve achieves address addresses algorithm algorithms allow allows analysis apply applied approach
    approaches based benchmark benchmarks better bound called case cases code comes common compared comprehensive
    consistently demonstrate demonstrates derive different effective effectively efficient empirical empirically
    enable enables especially evaluate existing experiments extensive field finally framework furthermore given
    help high however illustrate important improve improved improvement improvements improves including introduce
    key known large leads learning lower making method methods model models moreover new novel obtain offer offers
    paper particular perform performance perspective potential present previous prior problem problems promising
    propose proposed provide provides recent recently remains research result results settings several show shows
    significant significantly simple specifically state study studies suggest support task tasks technique
    techniques theoretical theory total towards typically use used uses using various way work works yields
    """.split()
)


def _stop_words() -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return sorted(ENGLISH_STOP_WORDS | SCIENTIFIC_STOP_WORDS)


class TermExplainer:
    """Shared key terms between texts, weighted by TF-IDF over the texts at hand.

    A term counts when both texts contain it; terms are ordered by the product
    of their weights in the two texts, so rare words both texts stress come first.
    """

    def __init__(self, texts: Sequence[str]) -> None:
        self._vectorizer = TfidfVectorizer(
            stop_words=_stop_words(),
            sublinear_tf=True,
            ngram_range=(1, 2),
            token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z0-9\-]{2,}\b",
        )
        try:
            self._matrix = self._vectorizer.fit_transform(list(texts)).tocsr()
            self._terms = self._vectorizer.get_feature_names_out()
        except ValueError:
            self._matrix = None
            self._terms = np.array([], dtype=object)

    def shared_terms(self, i: int, j: int, limit: int = 5) -> tuple[str, ...]:
        if self._matrix is None:
            return ()
        a, b = self._matrix[i], self._matrix[j]
        common = np.intersect1d(a.indices, b.indices)
        if common.size == 0:
            return ()
        weights = np.asarray(a[:, common].toarray()).ravel() * np.asarray(b[:, common].toarray()).ravel()
        order = np.argsort(-weights, kind="stable")
        chosen: list[str] = []
        for index in order:
            term = str(self._terms[common[index]])
            # A unigram already covered by a chosen bigram (or vice versa) adds nothing.
            if any(term in other or other in term for other in chosen):
                continue
            chosen.append(term)
            if len(chosen) == limit:
                break
        return tuple(chosen)
