"""The solvers on hand-made instances: minmax against a brute-force optimum, fairflow against minmax,
the randomized solver's marginals (checked statistically with fixed seeds) and its guarantees."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from papersift.assign import SOLVERS, Settings, check_feasible, get_solver, load_problem, summarize
from papersift.assign.solvers import Randomized

from .helpers import brute_force_best, random_scores, write_scores


def _check_valid(assignment) -> None:  # type: ignore[no-untyped-def]
    problem = assignment.problem
    per_paper = np.bincount(problem.pair_paper[assignment.chosen], minlength=problem.n_papers)
    loads = assignment.loads()
    assert (per_paper == problem.demand).all()
    assert (loads <= problem.max_load).all() and (loads >= problem.min_load).all()
    assert len(set(assignment.chosen.tolist())) == len(assignment.chosen)


@pytest.mark.parametrize("seed", range(6))
def test_minmax_is_optimal_on_small_instances_with_loads_and_demands(tmp_path: Path, seed: int) -> None:
    scores = random_scores(4, 4, seed, density=0.85)
    papers, reviewers = [f"p{i}" for i in range(4)], [f"r{j}" for j in range(4)]
    demand = {p: 2 for p in papers} | {"p0": 1}
    max_load = {r: 3 for r in reviewers} | {"r1": 1}
    min_load = {r: 1 for r in reviewers} | {"r1": 0}
    (tmp_path / "demands.csv").write_text("p0,1\n", "utf-8")
    (tmp_path / "loads.csv").write_text("r1,1,0\n", "utf-8")
    best = brute_force_best(scores, papers, reviewers, demand, max_load, min_load)
    problem = load_problem(
        write_scores(tmp_path / "s.csv", scores),
        Settings(2, 3, 1),
        loads_path=tmp_path / "loads.csv",
        demands_path=tmp_path / "demands.csv",
    )
    if best is None:
        with pytest.raises(Exception, match="cannot|fewer|minimum|reviews"):
            check_feasible(problem)
            get_solver("minmax").solve(problem)
        return
    check_feasible(problem)
    assignment = get_solver("minmax").solve(problem)
    _check_valid(assignment)
    assert assignment.total == pytest.approx(best, abs=1e-5)


def test_minimum_loads_are_enforced(tmp_path: Path) -> None:
    """Without a minimum r2 gets nothing (everyone prefers r0, r1); with --min-load 1 it gets a paper."""
    scores = {(p, r): v for p in ("a", "b", "c") for r, v in (("r0", 0.9), ("r1", 0.8), ("r2", 0.1))}
    path = write_scores(tmp_path / "s.csv", scores)
    free = get_solver("minmax").solve(load_problem(path, Settings(1, 3)))
    assert free.loads().tolist()[2] == 0
    bound = get_solver("minmax").solve(load_problem(path, Settings(1, 3, 1)))
    assert bound.loads().tolist() == [1, 1, 1]
    _check_valid(bound)


def test_fairflow_raises_the_worst_paper_and_never_goes_below_minmax(tmp_path: Path) -> None:
    # minmax gives r0 to "easy" (total 1.1, "hard" left with 0.1); the fair choice swaps them (0.6, lowest 0.3).
    scores = {("easy", "r0"): 1.0, ("easy", "r1"): 0.3, ("hard", "r0"): 0.3, ("hard", "r1"): 0.1}
    problem = load_problem(write_scores(tmp_path / "s.csv", scores), Settings(1, 1))
    minmax = get_solver("minmax").solve(problem)
    fair = get_solver("fairflow").solve(problem)
    _check_valid(fair)
    low_minmax = float(minmax.paper_scores().min())
    low_fair = float(fair.paper_scores().min())
    assert low_minmax == pytest.approx(0.10)
    assert low_fair == pytest.approx(0.30)
    assert fair.notes["lowest paper total, minmax"] == pytest.approx(low_minmax)
    assert fair.notes["lowest paper total, upper bound"] == pytest.approx(0.30)
    for seed in range(5):
        problem = load_problem(write_scores(tmp_path / "r.csv", random_scores(12, 6, seed)), Settings(2, 4))
        base, better = get_solver("minmax").solve(problem), get_solver("fairflow").solve(problem)
        _check_valid(better)
        assert better.paper_scores().min() >= base.paper_scores().min() - 1e-9
        assert better.paper_scores().min() <= better.notes["lowest paper total, upper bound"] + 1e-9


def test_randomized_marginals_match_the_capped_fractional_optimum(tmp_path: Path) -> None:
    scores = random_scores(5, 5, seed=11)
    problem = load_problem(write_scores(tmp_path / "s.csv", scores), Settings(2, 3, probability_limit=0.6))
    solver = Randomized()
    flows, unit = solver.fractional(problem)
    marginals = flows / unit
    assert unit == 5 and marginals.max() <= 0.6 + 1e-12
    fractional = (marginals > 0) & (marginals < 1)
    assert fractional.sum() >= 6, "the instance should exercise the rounding"
    draws = 3000
    counts = np.zeros(problem.n_pairs)
    for seed in range(draws):
        assignment = Randomized(seed=seed).solve(problem)
        _check_valid(assignment)
        counts[assignment.chosen] += 1
    frequency = counts / draws
    tolerance = 4.5 * np.sqrt(marginals * (1 - marginals) / draws) + 1e-9
    assert (np.abs(frequency - marginals) <= tolerance).all(), (frequency, marginals)
    # The same seed draws the same assignment.
    assert Randomized(seed=7).solve(problem).chosen.tolist() == Randomized(seed=7).solve(problem).chosen.tolist()


def test_randomized_fractional_optimum_equals_the_lp(tmp_path: Path) -> None:
    optimize = pytest.importorskip("scipy.optimize")
    scores = random_scores(6, 5, seed=3, density=0.9)
    problem = load_problem(write_scores(tmp_path / "s.csv", scores), Settings(2, 3, 1, probability_limit=0.5))
    flows, unit = Randomized().fractional(problem)
    n = problem.n_pairs
    a_eq = np.zeros((problem.n_papers, n))
    a_eq[problem.pair_paper, np.arange(n)] = 1
    a_load = np.zeros((problem.n_reviewers, n))
    a_load[problem.pair_reviewer, np.arange(n)] = 1
    lp = optimize.linprog(
        -problem.pair_score,
        A_ub=np.vstack([a_load, -a_load]),
        b_ub=np.concatenate([problem.max_load, -problem.min_load]),
        A_eq=a_eq,
        b_eq=problem.demand,
        bounds=(0, 0.5),
        method="highs",
    )
    assert float(problem.pair_score @ (flows / unit)) == pytest.approx(-lp.fun, abs=1e-5)


def test_registry_and_summary(tmp_path: Path) -> None:
    assert set(SOLVERS) >= {"minmax", "fairflow", "randomized"}
    problem = load_problem(write_scores(tmp_path / "s.csv", random_scores(8, 5, seed=2)), Settings(2, 4))
    summary = summarize(get_solver("minmax").solve(problem), weak_quantile=0.5)
    assert summary.reviews == 16 and summary.papers == 8
    assert sum(summary.load_histogram.values()) == 5
    assert summary.mean == pytest.approx(summary.total / 16)
    for weak in summary.weak:
        assert all(score < summary.weak_threshold for _, score in weak.reviewers)
        assert all(reason for _, _, reason in weak.best_unused)
    assert any("weak matches" in line for line in summary.lines()) == bool(summary.weak)


def test_fairsequence_takes_turns_and_stays_feasible(tmp_path: Path) -> None:
    # Both papers want r0 and r1 most; minmax gives both to A (total 2.05, B left with 0.35),
    # the picking sequence gives each paper one of them.
    scores = {("A", "r0"): 0.9, ("A", "r1"): 0.8, ("A", "r2"): 0.1, ("A", "r3"): 0.1}
    scores |= {("B", "r0"): 0.85, ("B", "r1"): 0.84, ("B", "r2"): 0.2, ("B", "r3"): 0.15}
    problem = load_problem(write_scores(tmp_path / "s.csv", scores), Settings(2, 1))
    minmax, sequence = get_solver("minmax").solve(problem), get_solver("fairsequence").solve(problem)
    assert minmax.paper_scores().tolist() == pytest.approx([1.7, 0.35])
    assert sequence.paper_scores().tolist() == pytest.approx([1.0, 0.99])
    _check_valid(sequence)
    for seed in range(5):  # minimum loads and tight capacity: the flow completes what the turns leave
        problem = load_problem(write_scores(tmp_path / "r.csv", random_scores(10, 5, seed, 0.7)), Settings(2, 4, 3))
        check_feasible(problem)
        _check_valid(get_solver("fairsequence").solve(problem))
