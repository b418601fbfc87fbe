"""An assignment and its summary: totals, the worst-off paper, loads, and weak matches."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .problem import Problem

Progress = Callable[[int], None]
"""Told 1 after each flow a solver solves (a progress bar's advance)."""


@dataclass
class Assignment:
    """The chosen candidate pairs (indices into the problem's pair arrays)."""

    problem: Problem
    chosen: np.ndarray
    solver: str
    notes: dict[str, float] = field(default_factory=dict)
    marginals: np.ndarray | None = None  # randomized: each pair's probability of being chosen

    @property
    def total(self) -> float:
        return float(self.problem.pair_score[self.chosen].sum())

    def paper_scores(self) -> np.ndarray:
        p = self.problem
        return np.bincount(p.pair_paper[self.chosen], weights=p.pair_score[self.chosen], minlength=p.n_papers)

    def loads(self) -> np.ndarray:
        return np.bincount(self.problem.pair_reviewer[self.chosen], minlength=self.problem.n_reviewers)

    def rows(self) -> list[tuple[str, list[tuple[str, float]]]]:
        """(submission id, [(reviewer id, score)]) by paper in input order, best reviewer first."""
        p = self.problem
        by_paper: list[list[tuple[str, float]]] = [[] for _ in range(p.n_papers)]
        for pair in self.chosen.tolist():
            by_paper[p.pair_paper[pair]].append((p.reviewer_ids[p.pair_reviewer[pair]], float(p.pair_score[pair])))
        return [(p.paper_ids[i], sorted(pairs, key=lambda x: -x[1])) for i, pairs in enumerate(by_paper) if pairs]


@dataclass(frozen=True)
class WeakMatch:
    paper_id: str
    reviewers: tuple[tuple[str, float], ...]
    best_unused: tuple[tuple[str, float, str], ...]  # reviewer, score, why not chosen


@dataclass(frozen=True)
class Summary:
    solver: str
    papers: int
    reviews: int
    total: float
    mean: float
    min_paper_score: float
    load_histogram: dict[int, int]
    weak_threshold: float
    weak: tuple[WeakMatch, ...]
    notes: dict[str, float]

    def lines(self, shown: int = 10) -> list[str]:
        loads = ", ".join(f"{load} papers: {n}" for load, n in sorted(self.load_histogram.items()))
        out = [
            f"{self.solver}: {self.reviews} reviews for {self.papers} papers; total affinity {self.total:.4f}, "
            f"mean {self.mean:.4f}, lowest paper total {self.min_paper_score:.4f}",
            f"reviewers by load: {loads}",
        ]
        out += [f"{key.replace('_', ' ')}: {value:.4f}" for key, value in self.notes.items()]
        if self.weak:
            out.append(
                f"{len(self.weak)} weak matches (every reviewer below {self.weak_threshold:.4f}, the chosen quantile):"
            )
            for weak in self.weak[:shown]:
                given = ", ".join(f"{r} {s:.3f}" for r, s in weak.reviewers)
                unused = "; ".join(f"{r} {s:.3f} ({why})" for r, s, why in weak.best_unused) or "none"
                out.append(f"  {weak.paper_id}: {given}; best unused: {unused}")
            if len(self.weak) > shown:
                out.append(f"  ... and {len(self.weak) - shown} more")
        return out


def why_not_chosen(assignment: Assignment, pair: int, loads: np.ndarray) -> str:
    """Why candidate ``pair`` is not in the assignment: full load, probability cap, or the trade-off."""
    p = assignment.problem
    reviewer = int(p.pair_reviewer[pair])
    if loads[reviewer] >= p.max_load[reviewer]:
        return f"at full load {int(p.max_load[reviewer])}"
    if assignment.marginals is not None:
        return f"not drawn (probability {float(assignment.marginals[pair]):.2f}, cap {p.probability_limit:g})"
    return "free slot: another reviewer's minimum load or fairness put someone else here"


def summarize(assignment: Assignment, weak_quantile: float = 0.1, unused: int = 3) -> Summary:
    p = assignment.problem
    chosen_mask = np.zeros(p.n_pairs, dtype=bool)
    chosen_mask[assignment.chosen] = True
    scores = assignment.paper_scores()
    loads = assignment.loads()
    threshold = float(np.quantile(p.pair_score, weak_quantile)) if p.n_pairs else 0.0
    best_given = np.full(p.n_papers, -np.inf)
    np.maximum.at(best_given, p.pair_paper[assignment.chosen], p.pair_score[assignment.chosen])
    weak_papers = np.flatnonzero((best_given < threshold) & (p.demand > 0))
    starts = p.paper_slices()
    weak: list[WeakMatch] = []
    for paper in weak_papers.tolist():
        span = np.arange(starts[paper], starts[paper + 1])
        given = span[chosen_mask[span]]
        others = span[~chosen_mask[span]]
        others = others[np.argsort(-p.pair_score[others], kind="stable")][:unused]
        weak.append(
            WeakMatch(
                p.paper_ids[paper],
                tuple((p.reviewer_ids[p.pair_reviewer[i]], float(p.pair_score[i])) for i in given.tolist()),
                tuple(
                    (p.reviewer_ids[p.pair_reviewer[i]], float(p.pair_score[i]), why_not_chosen(assignment, i, loads))
                    for i in others.tolist()
                ),
            )
        )
    reviews = len(assignment.chosen)
    served = p.demand > 0
    return Summary(
        solver=assignment.solver,
        papers=int(served.sum()),
        reviews=reviews,
        total=assignment.total,
        mean=assignment.total / reviews if reviews else 0.0,
        min_paper_score=float(scores[served].min()) if served.any() else 0.0,
        load_histogram=dict(sorted(Counter(loads.tolist()).items())),
        weak_threshold=threshold,
        weak=tuple(weak),
        notes=dict(assignment.notes),
    )
