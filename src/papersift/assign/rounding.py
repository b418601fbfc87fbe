"""Sampling an integral assignment whose marginals are a fractional one (Gandhi et al. 2006's
dependent rounding on the bipartite graph; the matcher's Birkhoff-von Neumann sampling gives the
same guarantees for this purpose).

Each step takes a cycle, or a maximal path, of fractional edges, splits it into its two alternating
edge sets and shifts weight between them by one of two amounts, chosen with the probabilities that
leave every edge's expectation unchanged; at least one edge becomes 0 or 1 each step. Every paper keeps
its (integral) number of reviewers exactly; every reviewer's load ends at the floor or the ceiling of
its fractional load. The arithmetic is on integers (units of 1/b for a probability limit a/b), so
nothing drifts.
"""

from __future__ import annotations

import random

import numpy as np


def dependent_round(
    pair_paper: np.ndarray, pair_reviewer: np.ndarray, flows: np.ndarray, unit: int, n_papers: int, seed: int
) -> np.ndarray:
    """Indices of the pairs drawn, where pair i is drawn with probability ``flows[i] / unit``."""
    rng = random.Random(seed)
    x = [int(v) for v in flows.tolist()]
    ends_a = pair_paper.tolist()
    ends_b = [int(r) + n_papers for r in pair_reviewer.tolist()]
    n_vertices = n_papers + (int(pair_reviewer.max()) + 1 if len(pair_reviewer) else 0)
    adjacency: list[set[int]] = [set() for _ in range(n_vertices)]
    for edge, value in enumerate(x):
        if 0 < value < unit:
            adjacency[ends_a[edge]].add(edge)
            adjacency[ends_b[edge]].add(edge)

    def other(edge: int, vertex: int) -> int:
        return ends_b[edge] if ends_a[edge] == vertex else ends_a[edge]

    def shift(walk: list[int]) -> None:
        up, down = walk[0::2], walk[1::2]
        alpha = min(min(unit - x[e] for e in up), min((x[e] for e in down), default=unit))
        beta = min(min(x[e] for e in up), min((unit - x[e] for e in down), default=unit))
        if rng.random() * (alpha + beta) < beta:
            step_up, step_down = alpha, -alpha
        else:
            step_up, step_down = -beta, beta
        for edges, step in ((up, step_up), (down, step_down)):
            for e in edges:
                x[e] += step
                if x[e] in (0, unit):
                    adjacency[ends_a[e]].discard(e)
                    adjacency[ends_b[e]].discard(e)

    leaves = [v for v in range(n_vertices) if len(adjacency[v]) == 1]
    scan = 0
    while True:
        start = -1
        while leaves:
            candidate = leaves.pop()
            if len(adjacency[candidate]) == 1:
                start = candidate
                break
        while start < 0 and scan < n_vertices:
            if adjacency[scan]:
                start = scan
            else:
                scan += 1
        if start < 0:
            break
        vertices, position, turned = [start], {start: 0}, False
        edges: list[int] = []
        while True:
            vertex = vertices[-1]
            came = edges[-1] if edges else -1
            step = next((e for e in adjacency[vertex] if e != came), -1)
            if step < 0:
                first = edges[0] if edges else -1
                if not turned and edges and any(e != first for e in adjacency[vertices[0]]):
                    vertices.reverse()
                    edges.reverse()
                    position = {v: i for i, v in enumerate(vertices)}
                    turned = True
                    continue
                if edges:
                    shift(edges)  # a maximal path: both ends have no other fractional edge
                for v in vertices:
                    if len(adjacency[v]) == 1:
                        leaves.append(v)
                break
            ahead = other(step, vertex)
            if ahead in position:
                at = position[ahead]
                shift([*edges[at:], step])  # a cycle (even: the graph is bipartite)
                for v in vertices[at + 1 :]:
                    del position[v]
                    if len(adjacency[v]) == 1:
                        leaves.append(v)
                del vertices[at + 1 :]
                del edges[at:]
                continue
            position[ahead] = len(vertices)
            vertices.append(ahead)
            edges.append(step)
    return np.flatnonzero(np.asarray(x) == unit)
