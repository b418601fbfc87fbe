"""The public, typed entry points; the CLI is a thin skin over these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .encoders import Encoder, embed_papers, get_encoder
from .errors import StoreError
from .fetch.runner import (  # noqa: F401  (the network half's entry points, public here)
    FetchReport,
    exclude_from_profile,
    fetch_source,
    import_profile_from,
    refresh_profile,
    remember_sources,
    update,
)
from .identity import deduplicate
from .models import Paper, Recommendation
from .ranking import RankOptions, exclude_own_papers, rank
from .ranking.interests import MAX_INTERESTS, assign, cluster, label_groups
from .ranking.personal import (
    DigestOptions,
    InterestGroup,
    ProfileScorer,
    RatedPaper,
    personal_rank,
    recency_weights,
    within_age,
)
from .sources import read_papers
from .store import ImportSummary, InterestRecord, RatingRecord, Store


@dataclass
class LoadedPapers:
    """Papers read from several files, de-duplicated, with the parsers' warnings."""

    papers: list[Paper]
    entries: int
    warnings: list[str] = field(default_factory=list)


@dataclass
class Digest:
    """A ranking with what it was made from."""

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
    blend: float = 0.0
    interests: list[str] = field(default_factory=list)


def load_papers(
    paths: Sequence[str | Path], input_format: str | None = None, today: dt.date | None = None
) -> LoadedPapers:
    """Read every file (all of them before anything else happens) and merge duplicates."""
    everything: list[Paper] = []
    warnings: list[str] = []
    for path in paths:
        result = read_papers(path, input_format=input_format, today=today)
        everything.extend(result.papers)
        warnings.extend(result.warnings)
    return LoadedPapers(papers=deduplicate(everything), entries=len(everything), warnings=warnings)


def rank_papers(
    profile: Sequence[Paper],
    candidates: Sequence[Paper],
    encoder: Encoder | None = None,
    options: RankOptions | None = None,
    store: Store | None = None,
    show_progress: bool = False,
) -> Digest:
    encoder = encoder or get_encoder()
    pool = exclude_own_papers(profile, candidates)
    recommendations = rank(profile, pool, encoder, options, store=store, show_progress=show_progress, exclude_own=False)
    return Digest(
        recommendations=recommendations,
        profile_size=len(profile),
        candidates=len(pool),
        excluded_own=len(candidates) - len(pool),
        model_id=encoder.model_id,
    )


def rank_files(
    profile_paths: Sequence[str | Path],
    feed_paths: Sequence[str | Path],
    encoder: Encoder | None = None,
    options: RankOptions | None = None,
    input_format: str | None = None,
    cache: Store | None = None,
    show_progress: bool = False,
) -> Digest:
    """Stateless ranking of files: nothing needs to be in a store (``cache`` only keeps embeddings)."""
    profile = load_papers(profile_paths, input_format)
    feed = load_papers(feed_paths, input_format)
    digest = rank_papers(profile.papers, feed.papers, encoder, options, store=cache, show_progress=show_progress)
    digest.warnings = profile.warnings + feed.warnings
    return digest


def import_profile(
    store: Store, name: str, paths: Sequence[str | Path], input_format: str | None = None
) -> tuple[ImportSummary, list[str]]:
    """Every file is parsed before the one transaction that writes them."""
    loaded = load_papers(paths, input_format)
    return store.import_papers(loaded.papers, profile=name), loaded.warnings


def import_feed(
    store: Store, paths: Sequence[str | Path], input_format: str | None = None
) -> tuple[ImportSummary, list[str]]:
    loaded = load_papers(paths, input_format)
    return store.import_papers(loaded.papers, as_candidates=True), loaded.warnings


# A stable sample of the store's papers: the reference for calibration and the classifier's background.
BACKGROUND_SIZE = 400


def digest_from_store(
    store: Store,
    profile: str,
    encoder: Encoder | None = None,
    options: RankOptions | None = None,
    record: bool = True,
    show_progress: bool = False,
    settings: DigestOptions | None = None,
) -> Digest:
    """Rank the store's candidates for a stored profile, and remember the run (and what it showed).

    Papers already shown to the profile, or rated by it, are left out unless ``settings.include_seen``;
    candidates older than ``settings.max_age_days`` too. Ratings update the profile and blend in a classifier;
    scores are calibrated into a relevance in [0, 1] for ``settings.min_relevance``; picks are spread
    over the profile's interests (found and stored on first use).
    """
    encoder = encoder or get_encoder()
    options = options or RankOptions()
    settings = settings or DigestOptions()
    today = settings.today or dt.date.today()
    own = store.profile_papers(profile)
    own_ids = {p.store_id for p in own}
    everything = store.candidate_papers()
    candidates = [c for c in everything if c.store_id not in own_ids]
    ratings = store.ratings(profile)
    rated_ids = {r.paper_id for r in ratings}
    hidden = set() if settings.include_seen else store.shown_paper_ids(profile) | rated_ids
    fresh = [c for c in candidates if c.store_id not in hidden]
    pool = [c for c, ok in zip(fresh, within_age(fresh, settings.max_age_days, today), strict=True) if ok]
    digest = Digest(
        recommendations=[],
        profile_size=len(own),
        candidates=len(pool),
        excluded_own=len(everything) - len(candidates),
        model_id=encoder.model_id,
        excluded_seen=len(candidates) - len(fresh),
        excluded_old=len(fresh) - len(pool),
    )
    if own and pool:
        _rank_for_profile(
            store,
            profile,
            own,
            own_ids,
            pool,
            everything,
            ratings,
            encoder,
            options,
            settings,
            today,
            digest,
            record,
            show_progress,
        )
    if record:
        store.record_run(
            profile,
            encoder.model_id,
            digest.candidates,
            [(r.rank, r.score, r.paper, [m.to_dict() for m in r.why]) for r in digest.recommendations],
            params={
                "top": options.top,
                "aggregation": options.aggregation,
                "min_relevance": settings.min_relevance,
                "per_interest": settings.per_interest,
                "half_life_years": settings.half_life_years,
                "max_age_days": settings.max_age_days,
                "include_seen": settings.include_seen,
                "ratings": digest.n_ratings,
            },
            mark_shown=True,
        )
    return digest


def _rank_for_profile(
    store: Store,
    profile: str,
    own: list[Paper],
    own_ids: set[int],
    pool: list[Paper],
    everything: list[Paper],
    ratings: list[RatingRecord],
    encoder: Encoder,
    options: RankOptions,
    settings: DigestOptions,
    today: dt.date,
    digest: Digest,
    record: bool,
    show_progress: bool,
) -> None:
    by_id = {p.store_id: p for p in everything}
    rated_ids = {r.paper_id for r in ratings}
    background_ids = store.background_paper_ids(exclude=sorted(own_ids | rated_ids), limit=BACKGROUND_SIZE)
    missing = [i for i in [*background_ids, *rated_ids] if i not in by_id]
    by_id.update({p.store_id: p for p in store.papers_by_id(missing)})
    background = [by_id[i] for i in background_ids if i in by_id]
    rated = [(by_id[r.paper_id], r.rating) for r in ratings if r.paper_id in by_id]
    papers = [*own, *pool, *background, *(p for p, _ in rated)]
    if encoder.cacheable:
        vectors = embed_papers(papers, encoder, store=store, show_progress=show_progress)
    else:
        from .encoders import normalize_rows

        vectors = normalize_rows(encoder.encode([p.text() for p in papers], show_progress))
    a, b, c = len(own), len(own) + len(pool), len(own) + len(pool) + len(background)
    own_vectors, pool_vectors, background_vectors, rated_vectors = vectors[:a], vectors[a:b], vectors[b:c], vectors[c:]
    scorer = ProfileScorer(
        own_vectors,
        background_vectors,
        [(v, r) for v, (_, r) in zip(rated_vectors, rated, strict=True)],
        options.aggregation,
        recency_weights(own, settings.half_life_years, today),
        settings.feedback,
    )
    reference = [p.text() for p in background]
    groups = _interest_groups(store, profile, own, own_vectors, encoder.model_id, reference, save=record)
    result = personal_rank(
        own,
        pool,
        scorer,
        pool_vectors,
        groups,
        [RatedPaper(p, r, v) for (p, r), v in zip(rated, rated_vectors, strict=True)],
        options,
        settings,
    )
    digest.recommendations = result.recommendations
    digest.below_threshold = result.below_threshold
    digest.muted = result.muted
    digest.n_ratings = result.n_ratings
    digest.blend = result.blend
    digest.interests = [g.name for g in groups]


def _interest_groups(
    store: Store,
    profile: str,
    own: list[Paper],
    own_vectors: np.ndarray,
    model_id: str,
    reference: Sequence[str],
    save: bool,
) -> list[InterestGroup]:
    """The stored interests as profile indices; found (and stored) now if there are none yet.

    A paper added to the profile after its interests were found joins the interest with the nearest centroid.
    """
    index = {p.store_id: i for i, p in enumerate(own)}
    records = [r for r in store.interests(profile) if any(i in index for i in r.paper_ids)]
    if not records:
        found = _find_interests(own, own_vectors, reference)
        if save:
            store.save_interests(
                profile, [(label, [own[i].store_id for i in members]) for label, members in found], model_id
            )
            records = store.interests(profile)
        else:
            return [InterestGroup(label, members) for label, members in found]
    groups = [InterestGroup(r.display_name, [index[i] for i in r.paper_ids if i in index], r.muted) for r in records]
    held = {i for g in groups for i in g.members}
    loose = [i for i in range(len(own)) if i not in held]
    if loose:
        for i, j in zip(loose, assign(own_vectors[loose], [g.members for g in groups], own_vectors), strict=True):
            groups[j].members.append(i)
    return groups


def _find_interests(
    papers: Sequence[Paper], vectors: np.ndarray, reference: Sequence[str], max_k: int = MAX_INTERESTS
) -> list[tuple[str, list[int]]]:
    groups = cluster(vectors, max_k=max_k)
    labels = label_groups(
        [p.text() for p in papers], groups, reference=reference, titles=[p.display_title for p in papers]
    )
    return list(zip(labels, groups, strict=True))


def _reference_texts(store: Store, own: Sequence[Paper]) -> list[str]:
    ids = store.background_paper_ids(exclude=[p.store_id for p in own], limit=BACKGROUND_SIZE)
    return [p.text() for p in store.papers_by_id(ids)]


def _vectors(store: Store, papers: Sequence[Paper], encoder: Encoder) -> np.ndarray:
    if encoder.cacheable:
        return embed_papers(papers, encoder, store=store)
    from .encoders import normalize_rows

    return normalize_rows(encoder.encode([p.text() for p in papers]))


# -- feedback and interests ------------------------------------------------------


def default_profile(store: Store, name: str | None) -> str:
    """``name``, or the store's only profile when none is given."""
    if name:
        return name
    known = [p.name for p in store.profiles()]
    if len(known) == 1:
        return known[0]
    if not known:
        raise StoreError("there are no profiles yet (import one with `papersift profile import FILE --name NAME`)")
    raise StoreError(f"the store has several profiles ({', '.join(known)}); choose one with --profile")


def rate_paper(store: Store, profile: str, paper: str, rating: str, origin: str = "cli") -> Paper:
    """Rate the paper named ``paper`` (store id, arXiv id, DOI or exact title) for ``profile``; returns it."""
    paper_id = store.resolve_paper(paper)
    store.rate(profile, paper_id, rating, origin)
    return store.papers_by_id([paper_id])[0]


def reset_feedback(store: Store, profile: str) -> int:
    """Forget every rating of ``profile``; returns how many were forgotten."""
    return store.reset_ratings(profile)


@dataclass
class RatedEntry:
    paper: Paper
    rating: str
    origin: str
    created_at: str


@dataclass
class InterestView:
    """An interest with its papers, as the CLI and the web app show it."""

    id: int
    name: str
    label: str
    muted: bool
    renamed: bool
    papers: list[Paper]


@dataclass
class ProfileOverview:
    """What drives a profile's ranking: its papers, interests and ratings."""

    name: str
    papers: list[Paper]
    interests: list[InterestView]
    ratings: list[RatedEntry]


def _views(store: Store, profile: str, records: Sequence[InterestRecord]) -> list[InterestView]:
    papers = {p.store_id: p for p in store.profile_papers(profile)}
    return [
        InterestView(
            r.id, r.display_name, r.label, r.muted, r.name is not None, [papers[i] for i in r.paper_ids if i in papers]
        )
        for r in records
    ]


def profile_overview(store: Store, profile: str) -> ProfileOverview:
    papers = store.profile_papers(profile)
    ratings = store.ratings(profile)
    rated = {p.store_id: p for p in store.papers_by_id([r.paper_id for r in ratings])}
    return ProfileOverview(
        name=profile,
        papers=papers,
        interests=_views(store, profile, store.interests(profile)),
        ratings=[
            RatedEntry(rated[r.paper_id], r.rating, r.origin, r.created_at) for r in ratings if r.paper_id in rated
        ],
    )


def find_interests(
    store: Store, profile: str, encoder: Encoder | None = None, max_k: int = MAX_INTERESTS
) -> list[InterestView]:
    """Group the profile's papers into interests afresh (names, merges and mutes are forgotten)."""
    encoder = encoder or get_encoder()
    own = store.profile_papers(profile)
    if not own:
        raise StoreError(f"profile '{profile}' has no papers to find interests in")
    found = _find_interests(own, _vectors(store, own, encoder), _reference_texts(store, own), max_k)
    store.save_interests(
        profile, [(label, [own[i].store_id for i in members]) for label, members in found], encoder.model_id
    )
    return _views(store, profile, store.interests(profile))


def list_interests(store: Store, profile: str, encoder: Encoder | None = None) -> list[InterestView]:
    """The profile's interests (found now, with ``encoder``, if it has none yet)."""
    records = store.interests(profile)
    if not records:
        return find_interests(store, profile, encoder)
    return _views(store, profile, records)


def rename_interest(store: Store, profile: str, interest: str, name: str) -> InterestView:
    record = store.rename_interest(profile, interest, name)
    return _views(store, profile, [record])[0]


def mute_interest(store: Store, profile: str, interest: str, muted: bool = True) -> InterestView:
    """A muted interest keeps its papers but sends no recommendations."""
    record = store.set_interest_muted(profile, interest, muted)
    return _views(store, profile, [record])[0]


def merge_interests(store: Store, profile: str, interests: Sequence[str]) -> InterestView:
    """Fold the second and later interests into the first; the merged interest is labelled afresh."""
    record = store.merge_interests(profile, interests)
    own = store.profile_papers(profile)
    index = {p.store_id: i for i, p in enumerate(own)}
    members = [index[i] for i in record.paper_ids if i in index]
    label = label_groups(
        [p.text() for p in own],
        [members],
        reference=_reference_texts(store, own),
        titles=[p.display_title for p in own],
    )[0]
    record = store.relabel_interest(profile, str(record.id), label)
    return _views(store, profile, [record])[0]


def split_interest(
    store: Store, profile: str, interest: str, parts: int = 2, encoder: Encoder | None = None
) -> list[InterestView]:
    """Split one interest into ``parts`` by clustering its papers."""
    encoder = encoder or get_encoder()
    record = store.find_interest(profile, interest)
    own = store.profile_papers(profile)
    index = {p.store_id: i for i, p in enumerate(own)}
    members = [index[i] for i in record.paper_ids if i in index]
    if len(members) < parts:
        raise StoreError(f"interest '{record.display_name}' has {len(members)} papers, too few to split in {parts}")
    vectors = _vectors(store, [own[i] for i in members], encoder)
    groups = [[members[i] for i in g] for g in cluster(vectors, k=parts)]
    if len(groups) < 2:
        raise StoreError(f"the papers of interest '{record.display_name}' are too alike to split")
    labels = label_groups(
        [p.text() for p in own], groups, reference=_reference_texts(store, own), titles=[p.display_title for p in own]
    )
    records = store.replace_interest(
        profile,
        str(record.id),
        [(label, [own[i].store_id for i in g]) for label, g in zip(labels, groups, strict=True)],
        encoder.model_id,
    )
    return _views(store, profile, records)


@dataclass(frozen=True)
class AffinityResult:
    pairs: int
    submissions: int
    reviewers: int


def compute_affinity(
    archives_dir: str | Path,
    submissions_file: str | Path,
    out: str | Path,
    encoder: Encoder | None = None,
    chunk: int = 512,
    store: Store | None = None,
    show_progress: bool = False,
) -> AffinityResult:
    """Reviewer-submission affinity in the OpenReview expertise layout, streamed to a CSV."""
    from .expertise import AffinityOptions, compute_affinity_file, read_archives, read_submissions

    archives = read_archives(archives_dir)
    submissions = read_submissions(submissions_file)
    pairs = compute_affinity_file(
        archives,
        submissions,
        encoder or get_encoder(),
        Path(out),
        AffinityOptions(chunk=chunk),
        store=store,
        show_progress=show_progress,
    )
    return AffinityResult(pairs=pairs, submissions=len(submissions), reviewers=len(archives))
