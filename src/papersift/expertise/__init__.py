"""Reviewer-paper affinity for venue organisers (OpenReview expertise format)."""

from .openreview import Archive, iter_archives, read_archives, read_submissions
from .scoring import (
    AffinityOptions,
    ReviewerBlock,
    build_block,
    compute_affinity_file,
    iter_affinity,
    write_affinity_csv,
)

__all__ = [
    "AffinityOptions",
    "Archive",
    "ReviewerBlock",
    "build_block",
    "compute_affinity_file",
    "iter_affinity",
    "iter_archives",
    "read_archives",
    "read_submissions",
    "write_affinity_csv",
]
