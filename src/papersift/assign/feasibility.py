"""Infeasibility found before solving, told as the binding constraint, who it binds and what to change.

The checks go from the plainest to the subtlest, and the first that fails is the message:
a paper with fewer candidates than its demand, a reviewer with fewer candidate papers than their
minimum load, too few review slots overall, minimum loads adding up to more than the reviews
needed, and then two max-flow checks (Hall's condition for the demands under the maximum loads, and
for the minimum loads under the demands) whose minimum cuts name the papers or reviewers involved.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..errors import AssignmentError
from .flow import max_flow
from .problem import Problem

SHOWN = 8


def _names(ids: Sequence[str], indices: np.ndarray | Sequence[int]) -> str:
    chosen = [ids[int(i)] for i in list(indices)[:SHOWN]]
    more = len(indices) - len(chosen)
    return ", ".join(chosen) + (f" and {more} more" if more > 0 else "")


def _papers(problem: Problem, papers: np.ndarray, plural: str, singular: str) -> str:
    """``papers p3, p7 have`` / ``paper p3 has``."""
    if len(papers) == 1:
        return f"paper {problem.paper_ids[int(papers[0])]} {singular}"
    return f"papers {_names(problem.paper_ids, papers)} {plural}"


def _demand_words(problem: Problem, papers: np.ndarray) -> str:
    values = sorted({int(problem.demand[p]) for p in papers})
    return str(values[0]) if len(values) == 1 else f"their demanded {'/'.join(map(str, values))}"


def check_feasible(problem: Problem) -> None:
    """Raise :class:`AssignmentError` naming the first constraint that cannot be met."""
    limit = problem.limit_fraction()
    cap, scale = (limit.numerator, limit.denominator) if limit else (1, 1)
    per_paper = problem.candidates_per_paper()
    per_reviewer = problem.candidates_per_reviewer()
    total = int(problem.demand.sum())

    short = np.flatnonzero(per_paper * cap < problem.demand * scale)
    if len(short):
        if limit is None:
            raise AssignmentError(
                f"{_papers(problem, short, 'have', 'has')} fewer than {_demand_words(problem, short)} "
                "reviewers without conflicts (they have "
                f"{', '.join(str(int(per_paper[p])) for p in short[:SHOWN])}); add reviewers or scores for them, "
                "or lower --reviewers-per-paper (or their line in --demands)"
            )
        needed = max(float(problem.demand[p]) / max(int(per_paper[p]), 1) for p in short)
        raise AssignmentError(
            f"with --probability-limit {problem.probability_limit:g} {_papers(problem, short, 'have', 'has')} "
            f"too few reviewers without conflicts to get {_demand_words(problem, short)} reviews; "
            f"raise --probability-limit to {min(1.0, math.ceil(needed * 100) / 100):g} or add reviewers"
        )

    starved = np.flatnonzero(per_reviewer * cap < problem.min_load * scale)
    if len(starved):
        raise AssignmentError(
            f"reviewers {_names(problem.reviewer_ids, starved)} have fewer candidate papers without conflicts "
            f"than their minimum load ({int(problem.min_load[starved[0]])}); lower --min-load "
            "(or their line in --loads) or score them against more papers"
        )

    active = per_reviewer > 0
    capacity = int(np.minimum(problem.max_load * scale, per_reviewer * cap)[active].sum()) // scale
    if capacity < total:
        n_active = int(active.sum())
        raise AssignmentError(
            f"{total} reviews are needed but the {n_active} reviewers with candidates can give only {capacity} "
            f"under their maximum loads; raise --max-load to {math.ceil(total / max(n_active, 1))} or add reviewers"
        )

    minimum_total = int(problem.min_load.sum())
    if minimum_total > total:
        raise AssignmentError(
            f"the minimum loads add up to {minimum_total} reviews but only {total} are needed; "
            f"lower --min-load to {total // max(problem.n_reviewers, 1)}"
        )

    _check_demands_flow(problem, cap, scale)
    if minimum_total:
        _check_minimum_loads_flow(problem, cap, scale)


def _demand_flow(problem: Problem, cap: int, scale: int, max_load: np.ndarray) -> tuple[int, np.ndarray]:
    return max_flow(
        problem.n_papers,
        problem.n_reviewers,
        problem.demand * scale,
        problem.pair_paper,
        problem.pair_reviewer,
        cap,
        max_load * scale,
    )


def _check_demands_flow(problem: Problem, cap: int, scale: int) -> None:
    needed = int(problem.demand.sum()) * scale
    value, papers = _demand_flow(problem, cap, scale, problem.max_load)
    if value >= needed:
        return
    # The smallest uniform raise of the maximum load that makes the demands feasible.
    low, high = int(problem.max_load.max()), max(int(problem.max_load.max()), 1) * 2
    while _demand_flow(problem, cap, scale, np.maximum(problem.max_load, high))[0] < needed:
        if high > problem.n_papers:
            high = -1
            break
        low, high = high, high * 2
    if high > 0:
        while high - low > 1:
            middle = (low + high) // 2
            if _demand_flow(problem, cap, scale, np.maximum(problem.max_load, middle))[0] >= needed:
                high = middle
            else:
                low = middle
    mask = np.isin(problem.pair_paper, papers)
    reviewers = np.unique(problem.pair_reviewer[mask])
    advice = f"raise --max-load to {high} or add reviewers" if high > 0 else "add reviewers for them"
    raise AssignmentError(
        f"{_papers(problem, papers, 'need', 'needs')} {int(problem.demand[papers].sum())} reviews but the "
        f"{len(reviewers)} candidate reviewers without conflicts can give only "
        f"{int(problem.max_load[reviewers].sum())} under their maximum loads (others compete for them too); {advice}"
    )


def _check_minimum_loads_flow(problem: Problem, cap: int, scale: int) -> None:
    needed = int(problem.min_load.sum()) * scale
    value, reviewers = max_flow(
        problem.n_reviewers,
        problem.n_papers,
        problem.min_load * scale,
        problem.pair_reviewer,
        problem.pair_paper,
        cap,
        problem.demand * scale,
    )
    if value >= needed:
        return
    reviewers = reviewers[problem.min_load[reviewers] > 0]
    papers = np.unique(problem.pair_paper[np.isin(problem.pair_reviewer, reviewers)])
    raise AssignmentError(
        f"reviewers {_names(problem.reviewer_ids, reviewers)} cannot all reach their minimum load: together they "
        f"need {int(problem.min_load[reviewers].sum())} reviews but their {len(papers)} candidate papers ask for "
        f"only {int(problem.demand[papers].sum())}; lower --min-load or score them against more papers"
    )
