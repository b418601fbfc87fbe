"""The public, typed entry points; the CLI is a thin skin over these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .encoders import Encoder, get_encoder
from .identity import deduplicate
from .models import Paper, Recommendation
from .ranking import RankOptions, exclude_own_papers, rank
from .sources import read_papers
from .store import ImportSummary, Store


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


def digest_from_store(
    store: Store,
    profile: str,
    encoder: Encoder | None = None,
    options: RankOptions | None = None,
    record: bool = True,
    show_progress: bool = False,
) -> Digest:
    """Rank the store's candidates for a stored profile, and remember the run."""
    encoder = encoder or get_encoder()
    options = options or RankOptions()
    own = store.profile_papers(profile)
    candidates = store.candidate_papers()
    digest = rank_papers(own, candidates, encoder, options, store=store, show_progress=show_progress)
    if record:
        store.record_run(
            profile,
            encoder.model_id,
            digest.candidates,
            [(r.rank, r.score, r.paper, [m.to_dict() for m in r.why]) for r in digest.recommendations],
            params={"top": options.top, "aggregation": options.aggregation},
        )
    return digest


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
