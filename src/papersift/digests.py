"""Digests: the stateless ranking of files and the stored digest, one pipeline and one result.

Both read their inputs as plain papers (files, or :class:`DigestInputs` from the store in one
call), run :func:`papersift.ranking.pipeline.rank_profile`, and build one :class:`Digest`. What
only a store has (ratings, history, stored interests) is empty in a stateless ranking, and the
digest says so (:attr:`Digest.stateless`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from . import clock
from .encoders import Encoder, get_encoder
from .errors import StoreError
from .loading import refuse_textless
from .models import Paper, Recommendation
from .ranking.interests import assign, find_interests
from .ranking.personal import DigestOptions, InterestGroup
from .ranking.pipeline import BACKGROUND_SIZE, InterestSource, Ranking, RankingInputs, rank_profile, stateless_inputs
from .ranking.rank import RankOptions
from .store import DigestInputs, Store
from .store.digest_record import DigestSummary
from .store.papers import PaperCache


@dataclass(frozen=True)
class Digest:
    """A ranking with what it was made from, built once.

    ``stateless``: ranked from files, so there are no ratings and no history of what was shown.
    ``run_id``: the id of the digest record the store keeps of it (None when not recorded).
    """

    recommendations: list[Recommendation]
    profile_size: int
    candidates: int
    excluded_own: int
    model_id: str
    warnings: list[str] = field(default_factory=list)
    excluded_seen: int = 0
    excluded_old: int = 0
    below_threshold: int = 0
    muted: int = 0
    n_ratings: int = 0
    interests: list[str] = field(default_factory=list)
    stateless: bool = False
    over_budget: int = 0
    run_id: int | None = None


def _digest(
    ranking: Ranking,
    own: Sequence[Paper],
    pool: Sequence[Paper],
    model_id: str,
    *,
    excluded_own: int,
    excluded_seen: int = 0,
    excluded_old: int = 0,
    warnings: Sequence[str] = (),
    stateless: bool = False,
) -> Digest:
    return Digest(
        recommendations=ranking.recommendations,
        profile_size=len(own),
        candidates=len(pool),
        excluded_own=excluded_own,
        model_id=model_id,
        warnings=list(warnings),
        excluded_seen=excluded_seen,
        excluded_old=excluded_old,
        below_threshold=ranking.below_threshold,
        muted=ranking.muted,
        n_ratings=ranking.n_ratings,
        interests=ranking.interests,
        stateless=stateless,
        over_budget=ranking.over_budget,
    )


# -- stateless: files in, digest out ------------------------------------------------

# ``rank`` picks by score alone unless asked to spread picks over interests (``per_interest``):
# the stateless ranking has always been a plain ranking, and its picks stay what they were.
RANK_DEFAULTS = DigestOptions(per_interest=0)


def rank_papers(
    profile: Sequence[Paper],
    candidates: Sequence[Paper],
    encoder: Encoder | None = None,
    options: RankOptions | None = None,
    settings: DigestOptions | None = None,
    *,
    cache: Store | None = None,
    show_progress: bool = False,
    warnings: Sequence[str] = (),
) -> Digest:
    """The stateless ranking: ``candidates`` for ``profile`` with nothing stored, best first, with reasons.

    The one entry point the ``rank`` command and programs use (papers from files come from
    :func:`papersift.loading.load_papers`). The profile's own papers are left out of the
    candidates; records with nothing to rank on are refused (InputError naming their lines).
    ``settings`` default to :data:`RANK_DEFAULTS`: one plain ranking by score, grouped by interest.
    ``cache`` only keeps embeddings; ``warnings`` (the parsers') are carried into the digest.
    """
    refuse_textless([*profile, *candidates])
    encoder = encoder or get_encoder()
    inputs = stateless_inputs(profile, candidates)
    ranking = rank_profile(inputs, encoder, options, settings or RANK_DEFAULTS, None, cache, show_progress)
    return _digest(
        ranking,
        inputs.own,
        inputs.pool,
        encoder.model_id,
        excluded_own=len(candidates) - len(inputs.pool),
        warnings=warnings,
        stateless=True,
    )


# -- stored: the store's inputs in, digest out, the run remembered ------------------


def read_digest_inputs(
    store: Store, profile: str, settings: DigestOptions, today: dt.date, cache: PaperCache | None = None
) -> DigestInputs:
    """The store's inputs for a digest, filtered in SQL (:meth:`Store.digest_inputs`)."""
    return store.digest_inputs(
        profile,
        cache=cache,
        today=today,
        max_age_days=settings.max_age_days,
        include_seen=settings.include_seen,
        candidate_window_days=settings.candidate_window_days,
    )


def digest_from_store(
    store: Store,
    profile: str,
    encoder: Encoder | None = None,
    options: RankOptions | None = None,
    record: bool = True,
    show_progress: bool = False,
    settings: DigestOptions | None = None,
    paper_cache: PaperCache | None = None,
    mark_shown: bool = True,
) -> Digest:
    """Rank the store's candidates for a stored profile, and record the digest (and what it showed).

    ``mark_shown=False`` records the digest without counting its papers shown (``digest --email``
    marks them once a mail is accepted: :func:`papersift.delivery.send.email_digest`).

    ``paper_cache``: for a job that ranks many profiles (the daily run), papers already read unchanged
    are not built again (:class:`papersift.store.papers.PaperCache`).

    Papers already shown to the profile, or rated by it, are left out unless ``settings.include_seen``;
    candidates older than ``settings.max_age_days`` too, and candidates never shown that were first seen
    more than ``settings.candidate_window_days`` ago. Ratings update the profile;
    scores are calibrated into a relevance in [0, 1] for ``settings.min_relevance``; picks are spread over
    the profile's interests (found and stored on first use).
    """
    encoder = encoder or get_encoder()
    options = options or RankOptions()
    settings = settings or DigestOptions()
    today = settings.today or clock.today()
    read = read_digest_inputs(store, profile, settings, today, paper_cache)
    background = _background(store, read.own, read.ratings, paper_cache)
    inputs = RankingInputs(own=read.own, pool=read.pool, background=background, rated=read.ratings)
    interests = stored_interests(store, profile, read.own, encoder.model_id, [p.text() for p in background], record)
    ranking = rank_profile(inputs, encoder, options, settings, interests, store, show_progress)
    digest = _digest(
        ranking,
        read.own,
        read.pool,
        encoder.model_id,
        excluded_own=read.excluded_own,
        excluded_seen=read.excluded_seen,
        excluded_old=read.excluded_old,
    )
    if record:
        run_id = store.record_digest(
            profile,
            digest.recommendations,
            model_id=encoder.model_id,
            n_candidates=digest.candidates,
            params=digest_params(options, settings, digest.n_ratings),
            mark_shown=mark_shown,
        )
        digest = replace(digest, run_id=run_id)
    return digest


def _background(
    store: Store, own: Sequence[Paper], rated: Sequence[tuple[Paper, str]], cache: PaperCache | None = None
) -> list[Paper]:
    """The store's stable background sample, without the profile's own and rated papers."""
    ids = sorted({p.store_id for p in [*own, *(p for p, _ in rated)] if p.store_id is not None})
    return store.papers_by_id(store.background_paper_ids(exclude=ids, limit=BACKGROUND_SIZE), cache)


def scoring_inputs(store: Store, profile: str) -> RankingInputs:
    """What the profile's digest scores and calibrates with (own papers, ratings, background), no pool:
    for anything that shows a relevance to this profile beside its digest (the lab)."""
    own = store.profile_papers(profile)
    records = store.ratings(profile)
    papers = {p.store_id: p for p in store.papers_by_id([r.paper_id for r in records])}
    rated = [(papers[r.paper_id], r.rating) for r in records if r.paper_id in papers]
    return RankingInputs(own=own, pool=[], background=_background(store, own, rated), rated=rated)


def digest_params(options: RankOptions, settings: DigestOptions, n_ratings: int) -> dict[str, Any]:
    """The settings a recorded digest keeps with it (``history`` shows them)."""
    return {
        "top": options.top,
        "aggregation": options.aggregation,
        "min_relevance": settings.min_relevance,
        "per_interest": settings.per_interest,
        "half_life_years": settings.half_life_years,
        "max_age_days": settings.max_age_days,
        "include_seen": settings.include_seen,
        "ratings": n_ratings,
    }


def stored_interests(
    store: Store, profile: str, own: Sequence[Paper], model_id: str, reference: Sequence[str], save: bool
) -> InterestSource:
    """The profile's stored interests as profile indices; found (and stored, with ``save``) if there are none.

    A paper added to the profile after its interests were found joins the interest with the nearest centroid.
    """

    def read(own_vectors: np.ndarray) -> list[InterestGroup]:
        index = {p.store_id: i for i, p in enumerate(own)}
        records = [r for r in store.interests(profile) if any(i in index for i in r.paper_ids)]
        if not records:
            found = find_interests([p.text() for p in own], [p.display_title for p in own], own_vectors, reference)
            if not save:
                return [InterestGroup(label, members, number=i) for i, (label, members) in enumerate(found, start=1)]
            store.save_interests(profile, [(label, _ids(own, members)) for label, members in found], model_id)
            records = store.interests(profile)
        groups = [
            InterestGroup(r.display_name, [index[i] for i in r.paper_ids if i in index], r.muted, r.id, r.budget)
            for r in records
        ]
        held = {i for g in groups for i in g.members}
        loose = [i for i in range(len(own)) if i not in held]
        if loose:
            for i, j in zip(loose, assign(own_vectors[loose], [g.members for g in groups], own_vectors), strict=True):
                groups[j].members.append(i)
        return groups

    return read


def _ids(own: Sequence[Paper], members: Sequence[int]) -> list[int]:
    return [i for i in (own[m].store_id for m in members) if i is not None]


# -- history -------------------------------------------------------------------------


def reset_shown(store: Store, profile: str) -> int:
    """Forget which papers ``profile`` was shown (they may come back in the next digest); returns how many."""
    return store.reset_shown(profile)


def digest_history(store: Store, profile: str, limit: int = 50) -> list[DigestSummary]:
    """The profile's past digests, newest first."""
    return store.digest_summaries(profile, limit)


def past_digest(store: Store, profile: str, run: int) -> list[Recommendation]:
    """The picks of one past digest, as they were ranked and explained then (to render again):
    with their interest, relevance and rating reasons, as every channel shows them."""
    found = store.digest(profile, run)
    if found is None:
        raise StoreError(f"profile '{profile}' has no digest number {run} (`papersift history` lists them)")
    return found.picks
