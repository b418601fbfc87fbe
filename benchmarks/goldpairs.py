"""The gold standard as (researcher, split) groups of similarities, for bench_learned and bench_adapt.

Each text is embedded once per model and cached in the benchmark store
(benchmarks/.cache, gitignored); nothing of the gold standard is copied
into the project.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from common import GOLDSTANDARD, REPO

from papersift.encoders import Encoder, embed_papers, get_encoder
from papersift.evaluation import SPLITS, load_ratings, load_split
from papersift.models import Paper
from papersift.store import Store

CACHE = REPO / "benchmarks" / ".cache"


def cache_store() -> Store:
    home = Path(os.environ.get("PAPERSIFT_HOME", CACHE))
    return Store(home / "papersift.db")


@dataclass
class Group:
    """One researcher in one split: their profile, their rated papers and the ratings."""

    split: int
    reviewer: str
    rated: list[str]
    ratings: np.ndarray  # (n_rated,)
    own: list[Paper]
    candidates: list[Paper]


def load_groups(ratings: dict[str, dict[str, int]] | None = None) -> list[Group]:
    ratings = ratings or load_ratings(GOLDSTANDARD)
    groups = []
    for n in SPLITS:
        split = load_split(GOLDSTANDARD, n)
        for reviewer in sorted(ratings):
            if reviewer not in split.archives:
                continue
            rated = list(ratings[reviewer])
            groups.append(
                Group(
                    split=n,
                    reviewer=reviewer,
                    rated=rated,
                    ratings=np.array([ratings[reviewer][p] for p in rated], dtype=np.float64),
                    own=split.archives[reviewer],
                    candidates=[split.submissions[p] for p in rated],
                )
            )
    return groups


def title_only(paper: Paper) -> Paper:
    return Paper(title=paper.title or paper.abstract[:200])


def embed_groups(
    groups: list[Group], encoder: Encoder | str, store: Store | None, titles: bool = False
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(candidate vectors, profile vectors) per group, every distinct text embedded once."""
    encoder = get_encoder(encoder) if isinstance(encoder, str) else encoder
    papers: list[Paper] = []
    for g in groups:
        papers.extend(g.own)
        papers.extend(g.candidates)
    if titles:
        papers = [title_only(p) for p in papers]
    # Distinct texts only, so a store-less run does not embed a paper once per split.
    index: dict[str, int] = {}
    distinct: list[Paper] = []
    for p in papers:
        if p.text() not in index:
            index[p.text()] = len(distinct)
            distinct.append(p)
    vectors = embed_papers(distinct, encoder, store=store, show_progress=False)
    rows = np.array([index[p.text()] for p in papers])
    out, start = [], 0
    for g in groups:
        own = vectors[rows[start : start + len(g.own)]]
        start += len(g.own)
        cand = vectors[rows[start : start + len(g.candidates)]]
        start += len(g.candidates)
        out.append((cand, own))
    return out


if __name__ == "__main__":
    import time

    import torch

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    store = cache_store()
    gs = load_groups()
    for titles in (False, True):
        t0 = time.perf_counter()
        embed_groups(gs, "minilm", store, titles=titles)
        print(f"titles={titles}: {time.perf_counter() - t0:.1f} s", flush=True)
