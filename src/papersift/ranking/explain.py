"""Why a candidate was picked: the terms it shares with its closest profile papers.

Pure Python on purpose: explanations run on every digest, and importing
scikit-learn alone costs more than a warm digest may take.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..tfidf import STOP_WORDS, Tfidf, terms

__all__ = ["STOP_WORDS", "TermExplainer", "terms"]


class TermExplainer:
    """Shared key terms between a candidate and a profile paper.

    Document frequencies come from the profile and a fixed ``reference`` (the background
    sample), never from the other candidates: a pick's explanation depends only on the pick,
    the profile and the reference, so printing more or fewer picks changes no explanation.
    A term counts when both texts contain it; terms are ordered by the product of their
    weights in the two texts, so rare words both texts stress come first.
    """

    def __init__(self, profile_texts: Sequence[str], reference_texts: Sequence[str] = ()) -> None:
        bags = [Counter(terms(t)) for t in profile_texts]
        self.model = Tfidf([*bags, *(terms(t) for t in reference_texts)])
        self._profile = [self.model.weights(bag) for bag in bags]

    def weigh(self, text: str) -> dict[str, float]:
        """A candidate's term weights (compute once, then ask :meth:`shared_terms` per profile paper)."""
        return self.model.vector(text)

    def shared_terms(self, candidate: str | dict[str, float], profile_index: int, limit: int = 5) -> tuple[str, ...]:
        a = self.weigh(candidate) if isinstance(candidate, str) else candidate
        b = self._profile[profile_index]
        if len(a) > len(b):
            a, b = b, a
        common = sorted(((a[t] * b[t], t) for t in a if t in b), key=lambda pair: (-pair[0], pair[1]))
        chosen: list[str] = []
        for _, term in common:
            # A unigram already covered by a chosen bigram (or vice versa) adds nothing.
            if any(term in other or other in term for other in chosen):
                continue
            chosen.append(term)
            if len(chosen) == limit:
                break
        return tuple(chosen)
