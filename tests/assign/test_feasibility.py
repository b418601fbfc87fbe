"""Infeasible instances get one sentence naming the binding constraint, who it binds and what to
change, before anything is solved; the CLI exits non-zero and writes no file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from papersift.assign import Settings, check_feasible, get_solver, load_problem
from papersift.cli import cli
from papersift.errors import AssignmentError, ConfigError

from .helpers import random_scores, write_scores


def _problem(tmp_path: Path, scores: dict[tuple[str, str], float], settings: Settings, **files: str):  # type: ignore[no-untyped-def]
    paths = {}
    for name, text in files.items():
        (tmp_path / f"{name}.csv").write_text(text, "utf-8")
        paths[f"{name}_path"] = tmp_path / f"{name}.csv"
    return load_problem(write_scores(tmp_path / "scores.csv", scores), settings, **paths)


def test_too_few_reviewers_overall_names_the_max_load_to_raise(tmp_path: Path) -> None:
    problem = _problem(tmp_path, random_scores(10, 4, seed=1), Settings(3, 5))
    with pytest.raises(
        AssignmentError, match=r"30 reviews are needed but the 4 reviewers .* only 20 .* raise --max-load to 8"
    ):
        check_feasible(problem)


def test_conflicts_that_leave_a_paper_with_nobody(tmp_path: Path) -> None:
    scores = random_scores(4, 3, seed=2)
    conflicts = "".join(f"p3,r{j},advisor\n" for j in range(3)) + "p1,r0\n"
    problem = _problem(tmp_path, scores, Settings(3, 4), conflicts=conflicts)
    with pytest.raises(
        AssignmentError, match=r"papers p1, p3 have fewer than 3 reviewers without conflicts \(they have 2, 0\)"
    ):
        check_feasible(problem)
    assert problem.conflicts[(3, 0)] == "advisor" and problem.conflicts[(1, 0)] == "listed in conflicts.csv"


def test_a_paper_named_only_in_the_demands_file_has_no_candidates(tmp_path: Path) -> None:
    problem = _problem(tmp_path, random_scores(2, 3, seed=2), Settings(1, 4), demands="ghost,1\n")
    with pytest.raises(AssignmentError, match="paper ghost has fewer than 1 reviewers"):
        check_feasible(problem)


def test_minimum_loads_adding_up_to_more_than_the_reviews_needed(tmp_path: Path) -> None:
    problem = _problem(tmp_path, random_scores(3, 4, seed=3), Settings(1, 3, 1))
    with pytest.raises(
        AssignmentError, match=r"minimum loads add up to 4 reviews but only 3 are needed; lower --min-load to 0"
    ):
        check_feasible(problem)


def test_minimum_loads_that_their_candidate_papers_cannot_meet(tmp_path: Path) -> None:
    # r2 and r3 can only review p0, which needs one review: they cannot both reach minimum 1.
    scores = {(p, r): 0.5 for p in ("p0", "p1", "p2", "p3") for r in ("r0", "r1")}
    scores |= {("p0", "r2"): 0.4, ("p0", "r3"): 0.4}
    problem = _problem(tmp_path, scores, Settings(1, 4, 1))
    with pytest.raises(AssignmentError, match=r"reviewers r2, r3 cannot all reach their minimum load"):
        check_feasible(problem)


def test_papers_competing_for_the_same_reviewers_get_the_load_that_would_do(tmp_path: Path) -> None:
    # p0..p3 can only be reviewed by r0 and r1 (8 reviews, 2 slots each at --max-load 2); p4, p5 by anyone.
    scores = {(f"p{i}", r): 0.5 for i in range(4) for r in ("r0", "r1")}
    scores |= {(f"p{i}", f"r{j}"): 0.3 for i in (4, 5) for j in range(6)}
    problem = _problem(tmp_path, scores, Settings(2, 2))
    with pytest.raises(AssignmentError, match=r"papers p0, p1, p2, p3 need 8 reviews .*raise --max-load to 4"):
        check_feasible(problem)


def test_probability_limit_too_low(tmp_path: Path) -> None:
    problem = _problem(tmp_path, random_scores(3, 4, seed=5), Settings(3, 3, probability_limit=0.5))
    with pytest.raises(AssignmentError, match=r"raise --probability-limit to 0.75"):
        check_feasible(problem)


def test_settings_refuse_contradictions() -> None:
    with pytest.raises(ConfigError, match="above --max-load"):
        Settings(2, 1, 3)


def test_a_feasible_instance_passes_and_solves(tmp_path: Path) -> None:
    problem = _problem(tmp_path, random_scores(6, 4, seed=6), Settings(2, 3, 3))
    check_feasible(problem)
    assert get_solver("minmax").solve(problem).loads().tolist() == [3, 3, 3, 3]


def test_cli_infeasible_exits_non_zero_and_writes_nothing(tmp_path: Path) -> None:
    scores = write_scores(tmp_path / "scores.csv", random_scores(10, 4, seed=1))
    out = tmp_path / "assignment.csv"
    result = CliRunner().invoke(
        cli, ["assign", "--scores", str(scores), "-k", "3", "--max-load", "5", "--out", str(out)]
    )
    assert result.exit_code == 1
    assert "raise --max-load to 8" in result.stderr and "Traceback" not in result.output
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["scores.csv"]
    out.write_text("old\n", "utf-8")
    CliRunner().invoke(cli, ["assign", "--scores", str(scores), "-k", "3", "--max-load", "5", "--out", str(out)])
    assert out.read_text("utf-8") == "old\n"
