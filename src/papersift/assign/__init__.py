"""Reviewer assignment: from affinity scores to who reviews what, with conflicts, loads and fairness.

``load_problem`` reads the files once into a :class:`Problem`; ``check_feasible`` names the binding
constraint before anything is solved; a solver from ``SOLVERS`` returns an :class:`Assignment`;
``summarize`` reports it and ``write_assignment_file`` writes it atomically.
"""

from .feasibility import check_feasible
from .problem import Problem, Settings, build_problem, load_problem
from .result import Assignment, Summary, summarize
from .run import AssignRequest, run_assignment, write_assignment_file
from .solvers import SOLVERS, Solver, get_solver

__all__ = [
    "SOLVERS",
    "AssignRequest",
    "Assignment",
    "Problem",
    "Settings",
    "Solver",
    "Summary",
    "build_problem",
    "check_feasible",
    "get_solver",
    "load_problem",
    "run_assignment",
    "summarize",
    "write_assignment_file",
]
