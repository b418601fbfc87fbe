"""The OpenReview-format reader and the streamed, chunked affinity writer, checked by hand."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from papersift.cli import cli
from papersift.errors import InputError
from papersift.expertise import AffinityOptions, ReviewerBlock, read_archives, read_submissions, write_affinity_csv
from papersift.ranking import get_aggregation


def _write_layout(root: Path) -> tuple[Path, Path]:
    archives = root / "archives"
    archives.mkdir()
    papers = {
        "~Ada_Sharp1": ["Sharpness aware minimization", "Sharpness of minima", "Robot arms"],
        "~Bo_Unlearn1": ["Machine unlearning", "Unlearning at scale"],
        "~Cy_Empty1": [],
    }
    for reviewer, titles in papers.items():
        lines = [
            json.dumps({"id": f"{reviewer}-{i}", "content": {"title": t, "abstract": t}}) for i, t in enumerate(titles)
        ]
        (archives / f"{reviewer}.jsonl").write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    submissions = root / "submissions.json"
    submissions.write_text(
        json.dumps(
            {
                "s1": {"id": "s1", "content": {"title": "Sharpness", "abstract": "sharpness"}},
                "s2": {"id": "s2", "content": {"title": "Unlearning", "abstract": "unlearning"}},
            }
        ),
        encoding="utf-8",
    )
    return archives, submissions


def test_reader(tmp_path: Path) -> None:
    archives_dir, submissions_file = _write_layout(tmp_path)
    archives = read_archives(archives_dir)
    assert [a.reviewer_id for a in archives] == ["~Ada_Sharp1", "~Bo_Unlearn1", "~Cy_Empty1"]
    assert [len(a.papers) for a in archives] == [3, 2, 0]
    assert [sid for sid, _ in read_submissions(submissions_file)] == ["s1", "s2"]


def test_reader_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a directory"):
        read_archives(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no reviewer archives"):
        read_archives(tmp_path / "empty")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "~X1.jsonl").write_text('{"id": "a", "content": {"title": "ok"}}\n{broken\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"~X1.jsonl, line 2"):
        read_archives(bad)


def test_block_scores_by_hand() -> None:
    # Reviewer A: papers along x and y; reviewer B: one paper along z; reviewer C: none.
    x, y, z = np.eye(3, dtype=np.float32)
    block = ReviewerBlock(["A", "B", "C"], [np.stack([x, y]), np.stack([z]), np.zeros((0, 3))], dim=3)
    submission = (x + z) / np.linalg.norm(x + z)
    c = 1 / np.sqrt(2)
    top1 = block.scores(submission[None, :], get_aggregation("top1"))
    assert np.allclose(top1, [[c, c, 0.0]])
    top2_mean = block.scores(submission[None, :], get_aggregation("top2+mean"))
    # A: top2 of (c, 0) = c/2, mean c/2 -> c; B: only one paper: c + c; C: nothing -> 0.
    assert np.allclose(top2_mean, [[c, 2 * c, 0.0]])


def test_csv_is_streamed_in_chunks() -> None:
    block = ReviewerBlock(["A", "B"], [np.eye(2, dtype=np.float32), np.eye(2, dtype=np.float32)[:1]], dim=2)
    vectors = np.tile(np.eye(2, dtype=np.float32), (5, 1))  # 10 submissions
    out = io.StringIO()
    lines = write_affinity_csv(out, block, [f"s{i}" for i in range(10)], vectors, AffinityOptions("top1", chunk=3))
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert lines == len(rows) == 20
    assert rows[0] == ["s0", "A", "1.000000"] and rows[1] == ["s0", "B", "1.000000"]
    assert rows[3] == ["s1", "B", "0.000000"]


def test_cli_affinity_with_fake_encoder(tmp_path: Path) -> None:
    archives_dir, submissions_file = _write_layout(tmp_path)
    out = tmp_path / "scores.csv"
    result = CliRunner().invoke(
        cli,
        [
            "affinity",
            "--archives",
            str(archives_dir),
            "--submissions",
            str(submissions_file),
            "--out",
            str(out),
            "--model",
            "fake",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 6
    score = {(s, r): float(v) for s, r, v in rows}
    assert score[("s1", "~Ada_Sharp1")] > score[("s1", "~Bo_Unlearn1")]
    assert score[("s2", "~Bo_Unlearn1")] > score[("s2", "~Ada_Sharp1")]
    assert score[("s1", "~Cy_Empty1")] == 0.0
    assert "6 scores (2 submissions x 3 reviewers)" in result.stderr


def test_csv_quotes_ids_that_need_it() -> None:
    block = ReviewerBlock(['~Odd,"Name"'], [np.eye(2, dtype=np.float32)], dim=2)
    out = io.StringIO()
    write_affinity_csv(out, block, ["s,1"], np.eye(2, dtype=np.float32)[:1], AffinityOptions("top1"))
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["s,1", '~Odd,"Name"', "1.000000"]]


def test_csv_neutralises_ids_a_spreadsheet_would_run_as_formulas_and_reads_back_exact() -> None:
    from papersift.expertise.scoring import original_id

    hostile = ['=HYPERLINK("http://evil")', "+1", "-2", "@SUM(A1)", "'=already", "~Plain1"]
    block = ReviewerBlock(hostile, [np.eye(2, dtype=np.float32)] * len(hostile), dim=2)
    out = io.StringIO()
    write_affinity_csv(out, block, ["=cmd|' /C calc'!A0"], np.eye(2, dtype=np.float32)[:1], AffinityOptions("top1"))
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert all(not field.startswith(("=", "+", "-", "@")) for row in rows for field in row[:2])
    assert rows[0][0] == "'=cmd|' /C calc'!A0" and rows[-1][1] == "~Plain1"
    assert [original_id(row[1]) for row in rows] == hostile
    assert original_id(rows[0][0]) == "=cmd|' /C calc'!A0"
    assert all(float(row[2]) >= 0 for row in rows)  # still a plain three-column CSV


def test_tfidf_affinity_puts_submissions_and_archives_in_one_vocabulary(tmp_path: Path) -> None:
    """TF-IDF fits its vocabulary on the texts of one call: submissions and archives with different
    words once made two spaces of different widths (matmul: size 12 is different from 15)."""
    archives_dir, _ = _write_layout(tmp_path)
    submissions_file = tmp_path / "other_words.json"
    submissions_file.write_text(
        json.dumps(
            {
                "s1": {"id": "s1", "content": {"title": "Sharpness", "abstract": "flat minima generalise well"}},
                "s2": {"id": "s2", "content": {"title": "Forgetting", "abstract": "unlearning removes data"}},
            }
        ),
        encoding="utf-8",
    )
    out = tmp_path / "scores.csv"
    args = ["affinity", "--archives", str(archives_dir), "--submissions", str(submissions_file), "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--model", "tfidf"])
    assert result.exit_code == 0, result.output
    score = {(s, r): float(v) for s, r, v in csv.reader(out.read_text(encoding="utf-8").splitlines())}
    assert score[("s1", "~Ada_Sharp1")] > score[("s1", "~Bo_Unlearn1")]
    assert score[("s2", "~Bo_Unlearn1")] > score[("s2", "~Ada_Sharp1")]
