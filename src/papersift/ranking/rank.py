"""Rank candidates against a profile and explain each pick."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..encoders import Encoder, embed_papers, normalize_rows
from ..identity import identity_keys
from ..models import Match, Paper, Recommendation
from .affinity import DEFAULT_AGGREGATION, cosine_similarities, get_aggregation
from .explain import TermExplainer

if TYPE_CHECKING:
    from ..store import Store


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
    document: int,
    options: RankOptions,
) -> list[Match]:
    """A pick's ``options.explain`` closest profile papers (``similarities``: its cosine to each), with the
    terms it shares with each; ``document`` is the pick's index among ``explainer``'s texts."""
    closest = np.argsort(-similarities, kind="stable")[: options.explain]
    return [
        Match(
            paper_title=profile[j].display_title,
            similarity=float(similarities[j]),
            shared_terms=explainer.shared_terms(document, int(j), options.shared_terms),
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


def encode_both(
    profile: Sequence[Paper],
    candidates: Sequence[Paper],
    encoder: Encoder,
    store: Store | None = None,
    show_progress: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectors for both sides; corpus-dependent encoders see both in one call so they share a space."""
    if not encoder.cacheable:
        vectors = normalize_rows(encoder.encode([p.text() for p in [*profile, *candidates]], show_progress))
        return vectors[: len(profile)], vectors[len(profile) :]
    both = embed_papers([*profile, *candidates], encoder, store=store, show_progress=show_progress)
    return both[: len(profile)], both[len(profile) :]


def rank(
    profile: Sequence[Paper],
    candidates: Sequence[Paper],
    encoder: Encoder,
    options: RankOptions | None = None,
    store: Store | None = None,
    show_progress: bool = False,
    exclude_own: bool = True,
) -> list[Recommendation]:
    """Candidates ordered by affinity to the profile, best first, each with its reasons."""
    options = options or RankOptions()
    aggregate = get_aggregation(options.aggregation)
    pool = exclude_own_papers(profile, candidates) if exclude_own else list(candidates)
    if not profile or not pool:
        return []
    profile_vectors, candidate_vectors = encode_both(profile, pool, encoder, store, show_progress)
    similarities = cosine_similarities(candidate_vectors, profile_vectors)
    scores = aggregate(similarities)
    # Ties broken by input order so a ranking is reproducible.
    order = np.lexsort((np.arange(len(pool)), -scores))
    if options.top:
        order = order[: options.top]
    explainer = TermExplainer([p.text() for p in [*profile, *(pool[i] for i in order)]])
    recommendations = []
    for position, index in enumerate(order):
        why = closest_matches(profile, similarities[index], explainer, len(profile) + position, options)
        recommendations.append(
            Recommendation(rank=position + 1, score=float(scores[index]), paper=pool[index], why=why)
        )
    return recommendations
