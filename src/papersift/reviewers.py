"""Reviewer-submission affinity in the OpenReview expertise layout (``papersift affinity``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .encoders import Encoder, get_encoder
from .store import Store


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
