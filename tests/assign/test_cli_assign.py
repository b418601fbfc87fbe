"""`papersift assign` and `papersift assign explain` end to end on real files."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from papersift.cli import cli

from .helpers import random_scores, write_scores


def _run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def _archives(tmp_path: Path) -> tuple[Path, Path]:
    archives = tmp_path / "archives"
    archives.mkdir()
    topics = {
        "r0": ["graph neural networks for molecules", "message passing on molecular graphs"],
        "r1": ["reinforcement learning for robots", "policy gradients in robotics"],
        "r2": ["protein folding with transformers", "language models of proteins"],
    }
    for reviewer, titles in topics.items():
        lines = [json.dumps({"id": t, "content": {"title": t, "abstract": f"We study {t}."}}) for t in titles]
        (archives / f"{reviewer}.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    submissions = {
        f"p{i}": {"id": f"p{i}", "content": {"title": t, "abstract": f"A paper on {t}."}}
        for i, t in enumerate(["molecular graphs", "robot policies", "protein transformers", "graph robots"])
    }
    path = tmp_path / "submissions.json"
    path.write_text(json.dumps(submissions), "utf-8")
    return archives, path


def test_assign_then_explain(tmp_path: Path) -> None:
    scores = random_scores(4, 3, seed=4)
    scores[("p0", "r0")] = 0.99
    scores[("p0", "r1")] = 0.98
    scores_path = write_scores(tmp_path / "scores.csv", scores)
    (tmp_path / "conflicts.csv").write_text("p0,r1,former student\n", "utf-8")
    out = tmp_path / "assignment.csv"
    code, _, err = _run(
        "assign", "--scores", scores_path, "-k", "2", "--max-load", "3", "--conflicts", tmp_path / "conflicts.csv",
        "--out", out,
    )  # fmt: skip
    assert code == 0, err
    assert "minmax: 8 reviews for 4 papers" in err and "reviewers by load" in err
    rows = [line.split(",") for line in out.read_text("utf-8").splitlines()]
    assert len(rows) == 8 and ["p0", "r1"] not in [r[:2] for r in rows]
    archives, submissions = _archives(tmp_path)
    code, text, err = _run(
        "assign", "explain", out, "--scores", scores_path, "--paper", "p0", "--max-load", "3",
        "--conflicts", tmp_path / "conflicts.csv", "--archives", archives, "--submissions", submissions,
    )  # fmt: skip
    assert code == 0, err
    assert "r0  score 0.9900" in text
    assert 'close to "message passing on molecular graphs"' in text and "molecular" in text
    assert "r1  score 0.9800: conflict (former student)" in text
    assert "(0.00)" not in text and "no paper of their archive shares a term with it" in text  # r2, proteins


def test_assign_matcher_json_and_randomized(tmp_path: Path) -> None:
    scores_path = write_scores(tmp_path / "scores.csv", random_scores(6, 4, seed=9))
    out = tmp_path / "assignment.json"
    code, _, err = _run(
        "assign", "--scores", scores_path, "-k", "2", "--max-load", "4", "--solver", "randomized",
        "--probability-limit", "0.5", "--seed", "3", "--format", "matcher-json", "--out", out, "-q",
    )  # fmt: skip
    assert code == 0 and err == ""
    data = json.loads(out.read_text("utf-8"))
    assert sorted(data) == [f"p{i}" for i in range(6)]
    assert all(len(v) == 2 and {"user", "aggregate_score"} == set(v[0]) for v in data.values())
    code, _, err = _run("assign", "--scores", scores_path, "-k", "2", "--max-load", "4", "--solver", "randomized",
                        "--out", out)  # fmt: skip
    assert code == 2 and "--probability-limit" in err
    code, _, err = _run("assign", "--scores", scores_path, "-k", "2", "--max-load", "4", "--probability-limit", "0.5",
                        "--out", out)  # fmt: skip
    assert code == 2 and "applies to --solver randomized only" in err


def test_assign_without_required_options_says_which(tmp_path: Path) -> None:
    code, _, err = _run("assign", "--scores", tmp_path / "x.csv")
    assert code == 2 and "missing --reviewers-per-paper, --max-load, --out" in err


def test_without_ortools_one_sentence_names_the_extra(tmp_path: Path) -> None:
    """The default install has no OR-Tools: `assign` says how to get it, no traceback."""
    import subprocess
    import sys

    scores_path = write_scores(tmp_path / "scores.csv", random_scores(3, 3, seed=1))
    code = (
        "import sys; sys.modules['ortools'] = None; sys.modules['ortools.graph'] = None; "
        "sys.modules['ortools.graph.python'] = None; from papersift.cli import main; sys.argv[0] = 'papersift'; main()"
    )
    args = ["assign", "--scores", str(scores_path), "-k", "1", "--max-load", "2", "--out", str(tmp_path / "a.csv")]
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "pip install 'papersift[assign]'" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "a.csv").exists()
