"""Small instances written as real files, and a brute-force optimum to check the solvers against."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from papersift.assign.csvio import csv_field


def write_scores(path: Path, scores: dict[tuple[str, str], float]) -> Path:
    path.write_text("".join(f"{csv_field(s)},{csv_field(r)},{v:.6f}\n" for (s, r), v in scores.items()), "utf-8")
    return path


def random_scores(n_papers: int, n_reviewers: int, seed: int, density: float = 1.0) -> dict[tuple[str, str], float]:
    rng = np.random.default_rng(seed)
    return {
        (f"p{i}", f"r{j}"): round(float(rng.random()), 6)
        for i in range(n_papers)
        for j in range(n_reviewers)
        if rng.random() < density
    }


def brute_force_best(
    scores: dict[tuple[str, str], float],
    papers: Sequence[str],
    reviewers: Sequence[str],
    demand: dict[str, int],
    max_load: dict[str, int],
    min_load: dict[str, int],
) -> float | None:
    """The best total over every assignment meeting demands and loads (None: infeasible)."""
    options = []
    for p in papers:
        candidates = [r for r in reviewers if (p, r) in scores]
        options.append(list(itertools.combinations(candidates, demand[p])))
    best = None
    for combo in itertools.product(*options):
        loads = dict.fromkeys(reviewers, 0)
        for group in combo:
            for r in group:
                loads[r] += 1
        if any(loads[r] > max_load[r] or loads[r] < min_load[r] for r in reviewers):
            continue
        total = sum(scores[(p, r)] for p, group in zip(papers, combo, strict=True) for r in group)
        best = total if best is None or total > best else best
    return best
