"""Min-cost and max flows on the reviewer-paper network, with OR-Tools' network-flow solvers.

Network: source -> reviewer (capacity max_load - min_load) -> paper (capacity 1, or the probability
limit) -> sink (capacity the paper's demand). Minimum loads are the standard lower-bound
transformation: each reviewer node supplies its minimum load itself, the source supplies the rest,
so a flow exists only if every minimum load is met. Everything is scaled by ``scale`` (the
denominator of a probability limit a/b) so that a capped fractional optimum is an integral flow.

Why a flow and not an LP: the constraint matrix is a network matrix, so the flow optimum is the LP
optimum, and OR-Tools' cost-scaling solver is an order of magnitude faster than SciPy's HiGHS on the
same problem (see docs/assign.md for the measurement).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import AssignmentError, ConfigError
from .problem import Problem

COST_SCALE = 1_000_000  # scores become integer costs to a millionth
INSTALL_HINT = "the assignment solvers need OR-Tools: pip install 'papersift[assign]'"


def _ortools_graph() -> Any:
    try:
        from ortools.graph.python import max_flow, min_cost_flow
    except ImportError:
        raise ConfigError(INSTALL_HINT) from None
    return min_cost_flow, max_flow


def integer_costs(scores: np.ndarray) -> np.ndarray:
    """Minus the scores as integers (a min-cost flow maximises the total score)."""
    spread = float(np.max(np.abs(scores))) if len(scores) else 0.0
    scale = COST_SCALE if spread <= 1000 else COST_SCALE * 1000 / spread  # keep costs far from int64 limits
    return -np.rint(scores * scale).astype(np.int64)


def min_cost_flow(
    problem: Problem, weights: np.ndarray | None = None, pair_capacity: int = 1, scale: int = 1
) -> np.ndarray:
    """Flow on each candidate pair (integers in [0, pair_capacity]) of a maximum-weight assignment.

    ``weights`` replaces the scores as the objective (fairflow reweights papers); raises
    :class:`AssignmentError` when demands and load bounds cannot be met together.
    """
    mcf_module, _ = _ortools_graph()
    n_p, n_r = problem.n_papers, problem.n_reviewers
    source, sink = n_p + n_r, n_p + n_r + 1
    reviewers = np.arange(n_p, n_p + n_r, dtype=np.int32)
    papers = np.arange(n_p, dtype=np.int32)
    total = int(problem.demand.sum()) * scale
    minimum = problem.min_load * scale
    tails = np.concatenate([np.full(n_r, source, dtype=np.int32), problem.pair_reviewer + n_p, papers])
    heads = np.concatenate([reviewers, problem.pair_paper, np.full(n_p, sink, dtype=np.int32)])
    capacities = np.concatenate(
        [(problem.max_load - problem.min_load) * scale, np.full(problem.n_pairs, pair_capacity), problem.demand * scale]
    ).astype(np.int64)
    costs = np.concatenate(
        [
            np.zeros(n_r, np.int64),
            integer_costs(problem.pair_score if weights is None else weights),
            np.zeros(n_p, np.int64),
        ]
    )
    solver = mcf_module.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    nodes = np.concatenate([reviewers, [source, sink]]).astype(np.int32)
    supplies = np.concatenate([minimum, [total - int(minimum.sum()), -total]]).astype(np.int64)
    solver.set_nodes_supplies(nodes, supplies)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise AssignmentError(
            "the demands, maximum loads and minimum loads cannot all be met together "
            f"(flow status {status}); lower --min-load or --reviewers-per-paper, or raise --max-load"
        )
    flows = solver.flows(np.arange(n_r, n_r + problem.n_pairs, dtype=np.int32))
    return np.asarray(flows, dtype=np.int64)


def max_flow(
    n_left: int,
    n_right: int,
    left_capacity: np.ndarray,
    edge_left: np.ndarray,
    edge_right: np.ndarray,
    edge_capacity: int,
    right_capacity: np.ndarray,
) -> tuple[int, np.ndarray]:
    """Maximum flow source -> left -> right -> sink; returns its value and the left nodes on the
    source side of a minimum cut (the set whose need the right side cannot meet)."""
    _, mf_module = _ortools_graph()
    source, sink = n_left + n_right, n_left + n_right + 1
    left = np.arange(n_left, dtype=np.int32)
    right = np.arange(n_left, n_left + n_right, dtype=np.int32)
    solver = mf_module.SimpleMaxFlow()
    solver.add_arcs_with_capacity(
        np.concatenate([np.full(n_left, source, np.int32), edge_left.astype(np.int32), right]),
        np.concatenate([left, edge_right.astype(np.int32) + n_left, np.full(n_right, sink, np.int32)]),
        np.concatenate([left_capacity, np.full(len(edge_left), edge_capacity), right_capacity]).astype(np.int64),
    )
    status = solver.solve(source, sink)
    if status != solver.OPTIMAL:
        raise AssignmentError(f"the feasibility check failed (max-flow status {status})")
    cut = np.asarray(solver.get_source_side_min_cut(), dtype=np.int64)
    return int(solver.optimal_flow()), cut[cut < n_left]
