"""What a user sees when naming a model: an unknown one fails at once; int8's first use is silent on a pipe."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from papersift.encoders import get_encoder
from papersift.encoders.transformer import ALLOW_DOWNLOADS_ENV
from papersift.errors import ModelError
from tests.conftest import REPO, SAMPLE


def run_cli(args: list[str], home: Path, **env_extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO / "src"),
        "PAPERSIFT_HOME": str(home),
        "HF_HOME": str(home / "hf"),  # an empty model-hub cache
        **env_extra,
    }
    env.pop(ALLOW_DOWNLOADS_ENV, None)
    return subprocess.run(
        [sys.executable, "-m", "papersift", *args], env=env, capture_output=True, text=True, timeout=900, check=False
    )


def test_unknown_model_fails_at_once_with_one_sentence(tmp_path: Path) -> None:
    start = time.perf_counter()
    done = run_cli(
        [
            "rank",
            "--profile",
            str(SAMPLE / "profile_arxiv.txt"),
            "--feed",
            str(SAMPLE / "feed_hf_oct17.txt"),
            "--model",
            "no-such-lab/no-such-model",
            "-q",
        ],
        tmp_path,
    )
    elapsed = time.perf_counter() - start
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "unknown model 'no-such-lab/no-such-model'" in lines[0] and ALLOW_DOWNLOADS_ENV in lines[0]
    assert elapsed < 60  # no minute of retries against the hub (generous: a loaded 2-core machine)


def test_unknown_model_in_the_library_raises_model_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(ALLOW_DOWNLOADS_ENV, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    with pytest.raises(ModelError, match=ALLOW_DOWNLOADS_ENV):
        get_encoder("no-such-lab/no-such-model").encode(["a text"])


def test_opting_in_skips_the_offline_check(monkeypatch: pytest.MonkeyPatch) -> None:
    from papersift.encoders.transformer import SentenceTransformerEncoder

    monkeypatch.setenv(ALLOW_DOWNLOADS_ENV, "1")
    SentenceTransformerEncoder("no-such-lab/no-such-model")._check_reachable()  # no error: the hub may be asked


def test_local_directory_is_not_checked_against_the_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from papersift.encoders.transformer import SentenceTransformerEncoder

    monkeypatch.delenv(ALLOW_DOWNLOADS_ENV, raising=False)
    SentenceTransformerEncoder(str(tmp_path))._check_reachable()


@pytest.mark.slow
def test_int8_first_use_prints_nothing_but_papersift_on_a_pipe(tmp_path: Path) -> None:
    done = run_cli(
        [
            "rank",
            "--profile",
            str(SAMPLE / "profile_arxiv.txt"),
            "--feed",
            str(SAMPLE / "feed_hf_oct17.txt"),
            "--model",
            "minilm-int8",
            "--top",
            "3",
        ],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "models").is_dir()  # the int8 model was built in this run
    foreign = [line for line in done.stderr.splitlines() if not line.startswith("warning: ")]
    assert foreign == [], done.stderr
