"""One ranking path: the stateless ``rank`` of files and the stored ``digest`` both come through here.

plain papers (:class:`RankingInputs`) -> one embedding call -> a :class:`ProfileScorer` -> interests
-> select and explain -> one :class:`Ranking`. What differs between the two is only where the inputs
come from: files (no ratings, interests found afresh, a sample of the feed as background) or the store
(ratings, stored interests, a stable sample of the store as background).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .. import clock
from ..encoders import Encoder, embed_groups
from ..models import Paper, Recommendation
from .interests import find_interests
from .personal import DigestOptions, InterestGroup, ProfileScorer, RatedPaper, personal_rank, recency_weights
from .rank import RankOptions, exclude_own_papers

if TYPE_CHECKING:
    from ..store import Store

# A stable sample of the papers at hand: the reference for calibration and the classifier's background.
BACKGROUND_SIZE = 400
# Shared terms are weighed against the profile and this many background texts (tokenising all 400
# would cost a warm digest a third of a second; a hundred already tell field words from rare ones).
EXPLAIN_REFERENCE = 100


@dataclass(frozen=True)
class RankingInputs:
    """What one ranking is made from: the profile's papers, the pool to rank, a background sample, ratings."""

    own: Sequence[Paper]
    pool: Sequence[Paper]
    background: Sequence[Paper]
    rated: Sequence[tuple[Paper, str]] = ()


@dataclass(frozen=True)
class InputVectors:
    own: np.ndarray
    pool: np.ndarray
    background: np.ndarray
    rated: np.ndarray


@dataclass(frozen=True)
class Ranking:
    """The picks, best first (grouped by interest when asked), and what was left out."""

    recommendations: list[Recommendation] = field(default_factory=list)
    interests: list[str] = field(default_factory=list)
    below_threshold: int = 0
    muted: int = 0
    n_ratings: int = 0
    over_budget: int = 0


# Own papers' vectors -> the profile's interests (the digest reads, and first time stores, them).
InterestSource = Callable[[np.ndarray], list[InterestGroup]]


def embed_inputs(
    inputs: RankingInputs, encoder: Encoder, store: Store | None = None, show_progress: bool = False
) -> InputVectors:
    groups = [inputs.own, inputs.pool, inputs.background, [p for p, _ in inputs.rated]]
    own, pool, background, rated = embed_groups(groups, encoder, store, show_progress)
    return InputVectors(own, pool, background, rated)


def background_sample(papers: Sequence[Paper], limit: int = BACKGROUND_SIZE) -> list[Paper]:
    """A fixed sample of ``papers`` (the store samples the same way, by a hash of the position)."""
    order = sorted(range(len(papers)), key=lambda i: (((i + 1) * 2654435761) % 4294967296, i))
    return [papers[i] for i in order[:limit]]


def explain_reference(background: Sequence[Paper], size: int = EXPLAIN_REFERENCE) -> list[str]:
    """The background texts explanations are weighed against: chosen by content, not order, so the same
    background in any order (a store's, a file's) gives the same explanations."""
    texts = {p.text() for p in background}
    return sorted(texts, key=lambda t: hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest())[:size]


def interests_found_now(inputs: RankingInputs) -> InterestSource:
    """Interests clustered from the profile's vectors, labelled against the background; stored nowhere."""

    def find(own_vectors: np.ndarray) -> list[InterestGroup]:
        found = find_interests(
            [p.text() for p in inputs.own],
            [p.display_title for p in inputs.own],
            own_vectors,
            [p.text() for p in inputs.background],
        )
        return [InterestGroup(label, members, number=i) for i, (label, members) in enumerate(found, start=1)]

    return find


def profile_scorer(
    inputs: RankingInputs, vectors: InputVectors, options: RankOptions, settings: DigestOptions
) -> ProfileScorer:
    """The profile's scorer (own papers by recency, ratings, calibrated on the background): the one
    the digest ranks with, and the one anything else showing "relevance to this profile" must use."""
    return ProfileScorer(
        vectors.own,
        vectors.background,
        [(v, r) for v, (_, r) in zip(vectors.rated, inputs.rated, strict=True)],
        options.aggregation,
        recency_weights(inputs.own, settings.half_life_years, settings.today or clock.today()),
        settings.feedback,
    )


def rank_profile(
    inputs: RankingInputs,
    encoder: Encoder,
    options: RankOptions | None = None,
    settings: DigestOptions | None = None,
    interests: InterestSource | None = None,
    store: Store | None = None,
    show_progress: bool = False,
) -> Ranking:
    """Score, select and explain ``inputs.pool`` for the profile ``inputs.own``.

    ``interests`` gives the profile's interests from its vectors (default: found now, stored nowhere);
    ``store`` only caches embeddings here.
    """
    options = options or RankOptions()
    settings = settings or DigestOptions()
    if not inputs.own or not inputs.pool:
        return Ranking()
    vectors = embed_inputs(inputs, encoder, store, show_progress)
    groups = (interests or interests_found_now(inputs))(vectors.own)
    scorer = profile_scorer(inputs, vectors, options, settings)
    result = personal_rank(
        inputs.own,
        inputs.pool,
        scorer,
        vectors.pool,
        groups,
        [RatedPaper(p, r, v) for (p, r), v in zip(inputs.rated, vectors.rated, strict=True)],
        options,
        settings,
        reference=explain_reference(inputs.background),
    )
    return Ranking(
        result.recommendations,
        [g.name for g in groups],
        result.below_threshold,
        result.muted,
        result.n_ratings,
        result.over_budget,
    )


def stateless_inputs(profile: Sequence[Paper], candidates: Sequence[Paper]) -> RankingInputs:
    """Inputs from papers read from files: own papers left out of the pool, the background a sample of it."""
    pool = exclude_own_papers(profile, candidates)
    return RankingInputs(own=list(profile), pool=pool, background=background_sample(pool))


__all__ = [
    "BACKGROUND_SIZE",
    "InputVectors",
    "InterestSource",
    "Ranking",
    "RankingInputs",
    "background_sample",
    "profile_scorer",
    "embed_groups",
    "embed_inputs",
    "interests_found_now",
    "rank_profile",
    "stateless_inputs",
]
