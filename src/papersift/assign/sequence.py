"""``fairsequence``: a weighted picking sequence (after Payan and Zick 2022's FairSequence).

Papers take turns; the next to pick is the one with the fewest reviewers relative to its demand
(``assigned / demand``, ties to the paper that has picked least, then input order), and it takes
its best remaining candidate among the reviewers with room. Every paper thus gets its favourites
in a fair order instead of the ones the total prefers (no paper envies another by more than one
reviewer, the WEF1 idea). Reviewers' minimum loads and papers a sequence leaves stranded are
completed by a min-cost flow on what remains; if that remainder cannot be completed, the sequence
is cut shorter (each paper picks one reviewer fewer) until it can, down to plain ``minmax``.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, replace

import numpy as np

from ..errors import AssignmentError
from .flow import min_cost_flow
from .problem import Problem
from .result import Assignment, Progress


def picking_sequence(problem: Problem, picks_per_paper: np.ndarray) -> np.ndarray:
    """The pairs picked in turn, each paper picking at most ``picks_per_paper`` reviewers."""
    starts = problem.paper_slices()
    order = np.lexsort((-problem.pair_score, problem.pair_paper))  # each paper's candidates, best first
    room = problem.max_load.copy()
    pointer = starts[:-1].copy()
    taken = np.zeros(problem.n_papers, dtype=np.int64)
    weight = np.maximum(problem.demand, 1)
    turns = [(0.0, 0, p) for p in range(problem.n_papers) if picks_per_paper[p] > 0]
    heapq.heapify(turns)
    chosen: list[int] = []
    while turns:
        _, _, paper = heapq.heappop(turns)
        end = starts[paper + 1]
        while pointer[paper] < end and room[problem.pair_reviewer[order[pointer[paper]]]] <= 0:
            pointer[paper] += 1
        if pointer[paper] >= end:
            continue  # stranded: the flow completes it
        pair = int(order[pointer[paper]])
        pointer[paper] += 1
        room[problem.pair_reviewer[pair]] -= 1
        taken[paper] += 1
        chosen.append(pair)
        if taken[paper] < picks_per_paper[paper]:
            heapq.heappush(turns, (taken[paper] / weight[paper], int(taken[paper]), paper))
    return np.asarray(chosen, dtype=np.int64)


def complete(problem: Problem, fixed: np.ndarray) -> np.ndarray:
    """The fixed pairs plus a min-cost flow for the demands and minimum loads they leave open."""
    mask = np.ones(problem.n_pairs, dtype=bool)
    mask[fixed] = False
    loads = np.bincount(problem.pair_reviewer[fixed], minlength=problem.n_reviewers)
    given = np.bincount(problem.pair_paper[fixed], minlength=problem.n_papers)
    rest = replace(
        problem,
        pair_paper=problem.pair_paper[mask],
        pair_reviewer=problem.pair_reviewer[mask],
        pair_score=problem.pair_score[mask],
        demand=problem.demand - given,
        max_load=problem.max_load - loads,
        min_load=np.maximum(problem.min_load - loads, 0),
    )
    flows = min_cost_flow(rest)
    return np.concatenate([fixed, np.flatnonzero(mask)[flows > 0]])


@dataclass
class FairSequence:
    name = "fairsequence"
    seed: int = 0
    on_step: Progress | None = None

    def solve(self, problem: Problem) -> Assignment:
        cut = 0
        while True:
            picks = np.maximum(problem.demand - cut, 0)
            fixed = picking_sequence(problem, picks)
            try:
                chosen = complete(problem, fixed)
                break
            except AssignmentError:
                if not picks.any():
                    raise
                cut += 1
        if self.on_step:
            self.on_step(1)
        return Assignment(problem, np.sort(chosen), self.name, notes={"picks cut short by": float(cut)})
