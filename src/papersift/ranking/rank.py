"""Ranking options, a pick's closest profile papers, and leaving a researcher's own papers out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..identity import identity_keys
from ..models import Match, Paper
from .affinity import DEFAULT_AGGREGATION
from .explain import TermExplainer


@dataclass(frozen=True)
class RankOptions:
    """``top`` 0 means every candidate; ``explain`` is how many profile papers each pick cites."""

    top: int = 20
    aggregation: str = DEFAULT_AGGREGATION
    explain: int = 2
    shared_terms: int = 5


def closest_matches(
    profile: Sequence[Paper],
    similarities: np.ndarray,
    explainer: TermExplainer,
    candidate: Paper,
    options: RankOptions,
) -> list[Match]:
    """A pick's ``options.explain`` closest profile papers (``similarities``: its cosine to each), with the
    terms it shares with each."""
    closest = np.argsort(-similarities, kind="stable")[: options.explain]
    weights = explainer.weigh(candidate.text())
    return [
        Match(
            paper_title=profile[j].display_title,
            similarity=float(similarities[j]),
            shared_terms=explainer.shared_terms(weights, int(j), options.shared_terms),
            paper_ids=dict(profile[j].ids),
        )
        for j in closest
    ]


def exclude_own_papers(profile: Sequence[Paper], candidates: Sequence[Paper]) -> list[Paper]:
    """Candidates that are not one of the profile's own papers (a researcher needs no news of those).

    Papers from the store are already de-duplicated, so their store ids decide;
    papers read from files are matched by identity keys.
    """
    if all(p.store_id is not None for p in [*profile, *candidates]):
        own_ids = {p.store_id for p in profile}
        return [c for c in candidates if c.store_id not in own_ids]
    own = {key for paper in profile for key in identity_keys(paper)}
    return [c for c in candidates if not own.intersection(identity_keys(c))]
