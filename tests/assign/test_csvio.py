"""Score files read as `papersift affinity` writes them: quirky ids back exactly, errors by line,
and a million-line file in bounded memory."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from papersift.assign import Settings, get_solver, load_problem
from papersift.assign.csvio import read_scores, write_assignment
from papersift.errors import InputError
from papersift.expertise.scoring import ReviewerBlock, write_affinity_csv

QUIRKY_PAPERS = ["plain", "with,comma", 'with "quotes"', '=HYPERLINK("x")', "+1", "-minus", "@at", "'=already"]
QUIRKY_REVIEWERS = ["~Jane_Doe1", "=cmd|' /C calc'!A0", "o'brien", "a,b"]


def test_ids_written_by_affinity_are_read_back_exactly(tmp_path: Path) -> None:
    vectors = np.eye(4, dtype=np.float32)
    block = ReviewerBlock(QUIRKY_REVIEWERS, [vectors[i : i + 1] for i in range(4)], 4)
    path = tmp_path / "affinity.csv"
    with open(path, "w", encoding="utf-8", newline="") as stream:
        written = write_affinity_csv(stream, block, QUIRKY_PAPERS, np.ones((len(QUIRKY_PAPERS), 4), np.float32))
    table = read_scores(path)
    assert len(table) == written == 32
    assert table.paper_ids == QUIRKY_PAPERS and table.reviewer_ids == QUIRKY_REVIEWERS
    # An assignment written with those ids reads back the same way.
    assignment = get_solver("minmax").solve(load_problem(path, Settings(1, 2)))
    out = io.StringIO()
    write_assignment(out, assignment.rows())
    (tmp_path / "assignment.csv").write_text(out.getvalue(), "utf-8")
    again = read_scores(tmp_path / "assignment.csv")
    assert sorted(again.paper_ids) == sorted(QUIRKY_PAPERS)
    assert set(again.reviewer_ids) <= set(QUIRKY_REVIEWERS)
    assert "'=HYPERLINK" in out.getvalue()  # still neutralised for spreadsheets


def test_matcher_json(tmp_path: Path) -> None:
    out = io.StringIO()
    write_assignment(out, [("p1", [("~A1", 0.5), ("~B1", 0.25)])], "matcher-json")
    import json

    assert json.loads(out.getvalue()) == {
        "p1": [{"user": "~A1", "aggregate_score": 0.5}, {"user": "~B1", "aggregate_score": 0.25}]
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("p1,r1,0.5\np1,r2\n", "line 2: expected 3 fields, found 2"),
        ("p1,r1,0.5\np1,r1,0.7\n", r"line 2: the pair \(p1, r1\) is scored twice \(lines 1 and 2\)"),
        ("p1,r1,high\n", "line 1: score 'high' is not a number"),
        ("p1,r1,nan\n", "not a finite number"),
        ('p1,"r1,0.5\n', "expected 3 fields"),
    ],
)
def test_bad_lines_are_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "s.csv"
    path.write_text(text, "utf-8")
    with pytest.raises(InputError, match=message):
        read_scores(path)


def test_header_and_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("submission_id,reviewer_id,score\n\np1,r1,0.5\n", "utf-8")
    assert read_scores(path).paper_ids == ["p1"]


@pytest.mark.slow
def test_a_million_line_file_is_read_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    n_papers, n_reviewers = 2000, 500
    reviewers = [f"~Reviewer_{j}1" for j in range(n_reviewers)]
    rng = np.random.default_rng(0)
    with open(path, "w", encoding="utf-8") as stream:
        for i in range(n_papers):
            row = rng.random(n_reviewers)
            stream.write("".join(f"sub{i},{r},{v:.6f}\n" for r, v in zip(reviewers, row.tolist(), strict=True)))
    size = path.stat().st_size
    tracemalloc.start()
    table = read_scores(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(table) == 1_000_000
    # Arrays of ~16 bytes a pair plus the ids; the file itself is ~30 MB and a list of rows ~250 MB.
    assert peak < 40 * 2**20, f"peak {peak / 2**20:.1f} MiB for a {size / 2**20:.0f} MiB file"


def test_a_first_line_of_ids_that_look_like_words_is_data(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("p1,score,0.5\np2,score,0.4\n", "utf-8")  # a reviewer called "score" is not a header
    assert read_scores(path).paper_ids == ["p1", "p2"]
