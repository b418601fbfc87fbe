"""Assignment solvers behind one protocol and one registry (``SOLVERS = {name: class}``).

* ``minmax``: the maximum total affinity under demands and load bounds (a min-cost flow, optimal).
* ``fairflow``: raises the worst-off paper's total (after Kobren et al. 2019's FairFlow): repeated
  min-cost flows in which the papers below the average get more weight, keeping the assignment with
  the highest lowest paper total (never lower than ``minmax``'s, which it starts from).
* ``randomized``: per-pair probability limit Q (Jecmen et al. 2020): the best fractional assignment
  with every pair at most Q, then one integral assignment drawn with exactly those marginals.
* ``fairsequence``: papers take turns picking their favourite reviewers (see :mod:`.sequence`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .flow import min_cost_flow
from .problem import Problem
from .result import Assignment, Progress
from .rounding import dependent_round
from .sequence import FairSequence


class Solver(Protocol):
    name: str

    def solve(self, problem: Problem) -> Assignment: ...


@dataclass
class MinMax:
    name = "minmax"
    seed: int = 0
    on_step: Progress | None = None

    def solve(self, problem: Problem) -> Assignment:
        flows = min_cost_flow(problem)
        if self.on_step:
            self.on_step(1)
        return Assignment(problem, np.flatnonzero(flows > 0), self.name)


def _lowest(assignment: Assignment) -> float:
    scores = assignment.paper_scores()[assignment.problem.demand > 0]
    return float(scores.min()) if len(scores) else 0.0


@dataclass
class FairFlow:
    name = "fairflow"
    seed: int = 0
    on_step: Progress | None = None
    iterations: int = 12
    step_size: float = 1.0

    @property
    def steps(self) -> int:
        return self.iterations + 1

    def solve(self, problem: Problem) -> Assignment:
        base = MinMax(on_step=self.on_step).solve(problem)
        best, best_key = base, (_lowest(base), base.total)
        served = problem.demand > 0
        # Costs relative to the lowest score: with fixed demands a constant shift changes no optimum,
        # and positive weights keep "more weight" meaning "more wanted".
        shifted = problem.pair_score - (problem.pair_score.min() if problem.n_pairs else 0.0) + 1e-3
        weight = np.ones(problem.n_papers)
        current, stale = base, 0
        bound = ceiling(problem)
        for _ in range(self.iterations):
            if best_key[0] >= bound - 1e-9:
                break  # the worst paper already has its own k best candidates
            per_review = current.paper_scores() / np.maximum(problem.demand, 1)
            spread = float(per_review[served].std()) or 1.0
            gap = (float(per_review[served].mean()) - per_review) / spread
            weight = np.clip(weight * np.exp(self.step_size * np.clip(gap, -2, 2)), 1e-2, 1e2)
            current = Assignment(
                problem,
                np.flatnonzero(min_cost_flow(problem, weights=shifted * weight[problem.pair_paper]) > 0),
                self.name,
            )
            if self.on_step:
                self.on_step(1)
            key = (_lowest(current), current.total)
            if key > best_key:
                best, best_key, stale = current, key, 0
            else:
                stale += 1
                if stale >= 4:
                    break
        return Assignment(
            problem,
            best.chosen,
            self.name,
            notes={
                "lowest paper total, fairflow": best_key[0],
                "lowest paper total, minmax": _lowest(base),
                "lowest paper total, upper bound": bound,
            },
        )


def ceiling(problem: Problem) -> float:
    """No assignment lifts the worst paper above the lowest sum of a paper's own k best candidates."""
    order = np.lexsort((-problem.pair_score, problem.pair_paper))
    starts = problem.paper_slices()
    rank = np.arange(problem.n_pairs) - starts[problem.pair_paper[order]]
    best = rank < problem.demand[problem.pair_paper[order]]
    sums = np.bincount(
        problem.pair_paper[order][best], weights=problem.pair_score[order][best], minlength=problem.n_papers
    )
    served = problem.demand > 0
    return float(sums[served].min()) if served.any() else 0.0


@dataclass
class Randomized:
    name = "randomized"
    seed: int = 0
    on_step: Progress | None = None

    def fractional(self, problem: Problem) -> tuple[np.ndarray, int]:
        """The capped fractional optimum as integer flows in units of 1/b, and b."""
        limit = problem.limit_fraction()
        cap, unit = (limit.numerator, limit.denominator) if limit else (1, 1)
        return min_cost_flow(problem, pair_capacity=cap, scale=unit), unit

    def solve(self, problem: Problem) -> Assignment:
        flows, unit = self.fractional(problem)
        if self.on_step:
            self.on_step(1)
        chosen = dependent_round(problem.pair_paper, problem.pair_reviewer, flows, unit, problem.n_papers, self.seed)
        if self.on_step:
            self.on_step(1)
        marginals = flows / unit
        expected = float(problem.pair_score @ marginals)
        return Assignment(
            problem, chosen, self.name, notes={"expected total (fractional optimum)": expected}, marginals=marginals
        )


SOLVERS: dict[str, type[Solver]] = {
    "minmax": MinMax,
    "fairflow": FairFlow,
    "randomized": Randomized,
    "fairsequence": FairSequence,
}


def get_solver(name: str, seed: int = 0, on_step: Progress | None = None) -> Solver:
    from ..errors import ConfigError

    if name not in SOLVERS:
        raise ConfigError(f"unknown solver {name!r}; choose one of {', '.join(SOLVERS)}")
    return SOLVERS[name](seed=seed, on_step=on_step)  # type: ignore[call-arg]


def solver_steps(solver: Solver) -> int:
    """How many progress steps ``solve`` reports (for a bar's total)."""
    return int(getattr(solver, "steps", 2 if isinstance(solver, Randomized) else 1))


def lowest_paper_total(assignment: Assignment) -> float:
    return _lowest(assignment)


__all__ = ["SOLVERS", "FairFlow", "MinMax", "Randomized", "Solver", "get_solver", "lowest_paper_total"]
