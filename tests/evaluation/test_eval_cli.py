"""`papersift eval goldstandard` end to end (TF-IDF, so no model is needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from papersift.cli import cli


def test_eval_goldstandard_tfidf(shared_dir: Path) -> None:
    result = CliRunner().invoke(
        cli, ["eval", "goldstandard", str(shared_dir / "goldstandard"), "--splits", "1-2", "--model", "tfidf", "-q"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("| method | loss")
    assert any(line.startswith("| specter_mfr | 0.24") for line in lines)
    papersift_row = next(line for line in lines if line.startswith("| papersift (tfidf"))
    assert 0.2 < float(papersift_row.split("|")[2]) < 0.35


def test_eval_goldstandard_missing_dir(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", "goldstandard", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "is this the gold-standard directory?" in result.stderr


@pytest.mark.parametrize("splits", ["abc", "1-x", "0", "11", ","])
def test_bad_splits_are_one_sentence_not_a_traceback(tmp_path: Path, splits: str) -> None:
    result = CliRunner().invoke(cli, ["eval", "goldstandard", str(tmp_path), "--splits", splits])
    assert result.exit_code == 1
    assert "splits" in result.stderr and "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
