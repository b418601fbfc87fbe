"""Shared fixtures: the sample data, an isolated data directory, a fake encoder with known vectors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from papersift.encoders import register_encoder

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
PROFILE_FILES = [SAMPLE / "profile_publications.txt", SAMPLE / "profile_arxiv.txt"]
FEED_FILES = [SAMPLE / "feed_hf_nov20.txt", SAMPLE / "feed_hf_nov14.txt", SAMPLE / "feed_hf_oct17.txt"]
# The pages were saved in November 2026; dates shown without a year are read relative to this day.
PAGE_DAY = dt.date(2026, 11, 22)
SHARED = REPO.parent / "shared"


class KeywordEncoder:
    """A fake encoder whose vectors can be checked by hand.

    Each dimension counts one keyword in the text, so "sharpness" papers point
    along axis 0, "unlearning" papers along axis 1, and so on.
    """

    KEYWORDS = ("sharpness", "unlearning", "pruning", "robot", "plasma")
    model_id = "fake:keywords"
    cacheable = True

    def __init__(self) -> None:
        self.calls: list[int] = []

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        self.calls.append(len(texts))
        rows = [[text.lower().count(k) for k in self.KEYWORDS] + [0.01] for text in texts]
        matrix = np.asarray(rows, dtype=np.float32)
        return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


register_encoder("fake", KeywordEncoder)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the user's real data directory."""
    home = tmp_path / "home"
    monkeypatch.setenv("PAPERSIFT_HOME", str(home))
    return home


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"the project's shared data ({SHARED}) is not beside this clone")
    return SHARED
