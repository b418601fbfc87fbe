"""One assignment run, as ``papersift assign`` does it: read, check, solve, summarise, write."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..fileio import open_output
from ..progress import progress
from .csvio import write_assignment
from .feasibility import check_feasible
from .problem import Problem, Settings, load_problem
from .result import Assignment, Summary, summarize
from .solvers import get_solver, solver_steps


@dataclass(frozen=True)
class AssignRequest:
    scores: Path
    settings: Settings
    solver: str = "minmax"
    loads: Path | None = None
    demands: Path | None = None
    conflicts: Path | None = None
    seed: int = 0
    weak_quantile: float = 0.1


def read_problem(request: AssignRequest, show_progress: bool = False) -> Problem:
    size = request.scores.stat().st_size if request.scores.is_file() else 0
    with progress(size, "reading scores", unit="bytes", enabled=show_progress) as bar:
        return load_problem(
            request.scores,
            request.settings,
            loads_path=request.loads,
            demands_path=request.demands,
            conflicts_path=request.conflicts,
            on_bytes=bar.advance,
        )


def solve(problem: Problem, request: AssignRequest, show_progress: bool = False) -> Assignment:
    """Check feasibility first (a clear error, nothing solved), then solve with the chosen solver."""
    check_feasible(problem)
    probe = get_solver(request.solver, seed=request.seed)
    with progress(solver_steps(probe), f"solving ({request.solver})", unit="flows", enabled=show_progress) as bar:
        return get_solver(request.solver, seed=request.seed, on_step=bar.advance).solve(problem)


def write_assignment_file(assignment: Assignment, out: Path, fmt: str = "csv") -> None:
    """Atomically: an interrupted or failed run leaves no partial file (and any old file as it was)."""
    with open_output(out) as stream:
        write_assignment(stream, assignment.rows(), fmt)


def run_assignment(
    request: AssignRequest, out: Path, fmt: str = "csv", show_progress: bool = False
) -> tuple[Assignment, Summary]:
    problem = read_problem(request, show_progress)
    assignment = solve(problem, request, show_progress)
    write_assignment_file(assignment, out, fmt)
    return assignment, summarize(assignment, request.weak_quantile)
