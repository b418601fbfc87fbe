"""Reviewer assignment: quality on the gold standard's researchers, and speed and memory at venue scale.

Quality: each split's researchers are the reviewers, the papers they rated the submissions, and the
candidate pairs the rated ones (the only pairs whose expertise is known). Every researcher reviews
exactly --papers-each of the papers they rated (fewer if they rated fewer); a paper nobody takes goes
to a placeholder reviewer outside the measure. The measure is the assignment's mean expertise (the
researchers' own 1-5 ratings) for each solver, with papersift's scores (MiniLM, default aggregation)
and with TPMS's published scores, against greedy, a random choice and the oracle (the true ratings).

Scale: a synthetic venue (10,000 submissions x 5,000 reviewers, 40 candidate pairs a submission,
3 reviewers a paper, load 8), each solver in a fresh process: reading + solving time and peak RSS,
the gap to the LP optimum, and SciPy HiGHS's time on the same LP.

    python benchmarks/bench_assign.py [--splits 1-2] [--large]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import GOLDSTANDARD, RESULTS, machine  # noqa: E402
from cpu import cpu_info, describe  # noqa: E402

from papersift.assign import Settings, build_problem, check_feasible, get_solver, load_problem  # noqa: E402
from papersift.assign.csvio import ScoreTable, csv_field  # noqa: E402
from papersift.assign.problem import Problem  # noqa: E402
from papersift.assign.result import Assignment  # noqa: E402

PLACEHOLDERS = ("~unassigned-a", "~unassigned-b")  # two, so that a probability limit of 1/2 still covers every paper


def greedy(problem: Problem) -> Assignment:
    """Best pairs first, while the paper needs a reviewer and the reviewer has room (the usual baseline)."""
    need = problem.demand.copy()
    room = problem.max_load.copy()
    chosen = []
    for pair in np.argsort(-problem.pair_score, kind="stable").tolist():
        p, r = problem.pair_paper[pair], problem.pair_reviewer[pair]
        if need[p] > 0 and room[r] > 0:
            need[p] -= 1
            room[r] -= 1
            chosen.append(pair)
    return Assignment(problem, np.asarray(chosen, dtype=np.int64), "greedy", notes={"unfilled": float(need.sum())})


# -- quality on the gold standard ---------------------------------------------------------------


def gold_problem(
    ratings: dict[str, dict[str, int]], scores: dict[str, dict[str, float]], each: int, limit: float | None = None
) -> Problem:
    """With a probability limit Q a researcher who rated n papers can take at most n x Q of them."""
    papers = sorted({p for r in ratings for p in ratings[r]})
    reviewers = sorted(ratings)
    paper_index = {p: i for i, p in enumerate(papers)}
    rows = [(paper_index[p], j, scores[r][p]) for j, r in enumerate(reviewers) for p in ratings[r]]
    rows += [(i, len(reviewers) + h, 0.0) for h in range(len(PLACEHOLDERS)) for i in range(len(papers))]
    table = ScoreTable(
        papers,
        [*reviewers, *PLACEHOLDERS],
        np.array([r[0] for r in rows], np.int32),
        np.array([r[1] for r in rows], np.int32),
        np.array([r[2] for r in rows], np.float64),
    )
    reach = {r: int(len(ratings[r]) * (limit or 1.0)) for r in reviewers}
    loads = {r: (min(each, reach[r]), min(each, reach[r])) for r in reviewers}
    loads |= dict.fromkeys(PLACEHOLDERS, (len(papers), 0))
    return build_problem(table, Settings(1, each, probability_limit=limit), loads=loads)


def mean_expertise(assignment: Assignment, ratings: dict[str, dict[str, int]]) -> float:
    p = assignment.problem
    values = [
        ratings[p.reviewer_ids[p.pair_reviewer[i]]][p.paper_ids[p.pair_paper[i]]]
        for i in assignment.chosen.tolist()
        if p.reviewer_ids[p.pair_reviewer[i]] not in PLACEHOLDERS
    ]
    return float(np.mean(values))


def quality(splits: list[int], each: int) -> dict[str, Any]:
    from papersift.encoders import get_encoder
    from papersift.evaluation.goldstandard import load_predictions, load_ratings, load_split, predict_split
    from papersift.ranking import DEFAULT_AGGREGATION
    from papersift.store import Store

    ratings = load_ratings(GOLDSTANDARD)
    results: dict[str, list[float]] = {}
    encoder = get_encoder("minilm")
    started = time.perf_counter()
    # Embeddings cached between runs on this machine (outside the repository and the user's store).
    store = Store(Path(tempfile.gettempdir()) / "papersift-bench-assign.db")
    try:
        for number in splits:
            split = load_split(GOLDSTANDARD, number)
            rated = {r: v for r, v in ratings.items() if r in split.archives and v}
            sources = {
                "papersift": predict_split(split, rated, encoder, DEFAULT_AGGREGATION, store=store),
                "tpms": load_predictions(GOLDSTANDARD, "tpms", number),
                "oracle": {r: {p: float(v) for p, v in rated[r].items()} for r in rated},
            }
            for source, scores in sources.items():
                problem = gold_problem(rated, scores, each)
                check_feasible(problem)
                runs = {"greedy": greedy(problem)}
                if source != "oracle":
                    for name in ("minmax", "fairflow"):
                        runs[name] = get_solver(name).solve(problem)
                    capped = gold_problem(rated, scores, each, limit=0.5)
                    check_feasible(capped)
                    runs["randomized Q=0.5"] = get_solver("randomized", seed=number).solve(capped)
                for name, assignment in runs.items():
                    results.setdefault(f"{source} | {name}", []).append(mean_expertise(assignment, rated))
            # A random choice of `each` rated papers per researcher: the mean rating, in expectation.
            results.setdefault("random choice", []).append(
                float(np.mean([np.mean(list(v.values())) for v in rated.values()]))
            )
    finally:
        store.close()
    return {
        "splits": splits,
        "papers_each": each,
        "seconds": round(time.perf_counter() - started, 1),
        "mean_expertise": {key: round(float(np.mean(v)), 4) for key, v in results.items()},
    }


# -- scale ----------------------------------------------------------------------------------------


def synthetic_scores(path: Path, n_papers: int, n_reviewers: int, per_paper: int, seed: int = 0) -> int:
    """Latent topics: score = cosine of 16-d paper and reviewer vectors, plus noise; sparse candidates."""
    rng = np.random.default_rng(seed)
    paper_vectors = rng.normal(size=(n_papers, 16)).astype(np.float32)
    reviewer_vectors = rng.normal(size=(n_reviewers, 16)).astype(np.float32)
    paper_vectors /= np.linalg.norm(paper_vectors, axis=1, keepdims=True)
    reviewer_vectors /= np.linalg.norm(reviewer_vectors, axis=1, keepdims=True)
    reviewer_names = [csv_field(f"~Reviewer_{j}1") for j in range(n_reviewers)]
    lines = 0
    with open(path, "w", encoding="utf-8") as out:
        for start in range(0, n_papers, 1000):
            block = paper_vectors[start : start + 1000]
            for offset, vector in enumerate(block):
                candidates = rng.choice(n_reviewers, per_paper, replace=False)
                values = reviewer_vectors[candidates] @ vector + rng.normal(0, 0.05, per_paper)
                sub = f"sub{start + offset}"
                out.write(
                    "".join(
                        f"{sub},{reviewer_names[c]},{v:.6f}\n" for c, v in zip(candidates, values.tolist(), strict=True)
                    )
                )
                lines += per_paper
    return lines


def child(solver: str, scores: Path, k: int, load: int, limit: float | None) -> dict[str, Any]:
    """One solver in this (fresh) process: read + solve times and the objective."""
    start = time.perf_counter()
    problem = load_problem(scores, Settings(k, load, probability_limit=limit))
    read = time.perf_counter() - start
    start = time.perf_counter()
    check_feasible(problem)
    check = time.perf_counter() - start
    start = time.perf_counter()
    assignment = greedy(problem) if solver == "greedy" else get_solver(solver, seed=1).solve(problem)
    solve = time.perf_counter() - start
    per_paper = assignment.paper_scores()
    return {
        "read_s": round(read, 2),
        "check_s": round(check, 2),
        "solve_s": round(solve, 2),
        "total": float(assignment.total),
        "min_paper": float(per_paper.min()),
        "notes": assignment.notes,
    }


def highs_child(scores: Path, k: int, load: int) -> dict[str, Any]:
    """The same LP (demands, maximum loads, 0 <= x <= 1) with SciPy's HiGHS; times to build and solve."""
    from scipy import sparse
    from scipy.optimize import linprog

    start = time.perf_counter()
    problem = load_problem(scores, Settings(k, load))
    n = problem.n_pairs
    columns = np.arange(n)
    equal = sparse.csr_matrix((np.ones(n), (problem.pair_paper, columns)), shape=(problem.n_papers, n))
    upper = sparse.csr_matrix((np.ones(n), (problem.pair_reviewer, columns)), shape=(problem.n_reviewers, n))
    built = time.perf_counter() - start
    start = time.perf_counter()
    result = linprog(
        -problem.pair_score,
        A_ub=upper,
        b_ub=problem.max_load,
        A_eq=equal,
        b_eq=problem.demand,
        bounds=(0, 1),
        method="highs",
    )
    solve = time.perf_counter() - start
    return {"read_s": round(built, 2), "solve_s": round(solve, 2), "total": float(-result.fun), "status": result.status}


def run_child(args: list[str]) -> dict[str, Any]:
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ.copy())
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {err.decode()[-2000:]}")
    data = json.loads(out.decode().strip().splitlines()[-1])
    data["wall_s"] = round(wall, 2)
    return data


def scale(n_papers: int, n_reviewers: int, per_paper: int, k: int, load: int, solvers: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scores.csv"
        lines = synthetic_scores(path, n_papers, n_reviewers, per_paper)
        rows: dict[str, Any] = {}
        for solver in [*solvers, "highs"]:
            args = [sys.executable, __file__, "child", solver, str(path), str(k), str(load)]
            rows[solver] = run_child(args)
            print(f"  {solver}: {rows[solver]}", flush=True)
    lp = rows["highs"]["total"]
    for row in rows.values():
        row["gap_to_lp"] = (lp - row["total"]) / abs(lp)
    return {"papers": n_papers, "reviewers": n_reviewers, "pairs": lines, "k": k, "load": load, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--splits", default="1-2", help="gold-standard splits for the quality part (MiniLM embeds each)"
    )
    parser.add_argument("--papers-each", type=int, default=3)
    parser.add_argument("--large", action="store_true", help="also 20,000 x 20,000 with 2M pairs (minmax, HiGHS)")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-scale", action="store_true")
    args, rest = parser.parse_known_args()
    from papersift.evaluation.goldstandard import parse_splits

    info = cpu_info()
    print(f"CPU: {describe(info)}", flush=True)
    target = RESULTS / "assign.json"
    # A part that is skipped keeps its numbers from the last run.
    result: dict[str, Any] = json.loads(target.read_text(encoding="utf-8")) if target.is_file() else {}
    result |= {"machine": machine(), "cpu": info}
    if not args.skip_scale:
        solvers = ["minmax", "fairflow", "randomized", "fairsequence", "greedy"]
        print("scale: 10,000 x 5,000, 40 pairs a submission, k=3, load 8", flush=True)
        result["scale"] = scale(10_000, 5_000, 40, 3, 8, solvers)
        if args.large:
            print("scale: 20,000 x 20,000, 100 pairs a submission (2M), k=3, load 8", flush=True)
            result["large"] = scale(20_000, 20_000, 100, 3, 8, ["minmax"])
    if not args.skip_quality and GOLDSTANDARD.is_dir():
        print("quality on the gold standard", flush=True)
        result["quality"] = quality(parse_splits(args.splits), args.papers_each)
        for key, value in result["quality"]["mean_expertise"].items():
            print(f"  {key}: {value}")
    RESULTS.mkdir(exist_ok=True)
    target.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        solver, path, k, load = sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        if solver == "highs":
            data = highs_child(path, k, load)
        else:
            data = child(solver, path, k, load, 0.5 if solver == "randomized" else None)
        import resource

        data["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        print(json.dumps(data))
    else:
        main()
