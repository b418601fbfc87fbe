"""The int8 ONNX encoder against the fp32 ONNX encoder (slow: builds, quantizes and loads the real model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime")

from papersift.encoders import MiniLMEncoder  # noqa: E402
from papersift.encoders.onnx_int8 import OnnxInt8Encoder  # noqa: E402
from papersift.sources import read_papers  # noqa: E402
from tests.conftest import SAMPLE  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def texts() -> list[str]:
    papers = read_papers(SAMPLE / "profile_publications.txt").papers + read_papers(SAMPLE / "feed_hf_oct17.txt").papers
    return [p.text() for p in papers]


def test_agrees_with_fp32_and_keeps_order(cache_dir: Path, texts: list[str]) -> None:
    fast = OnnxInt8Encoder(cache_dir=cache_dir).encode(texts)
    reference = MiniLMEncoder().encode(texts)
    cosine = (fast * reference).sum(axis=1)
    assert fast.shape == reference.shape == (len(texts), 384)
    assert cosine.mean() > 0.985 and cosine.min() > 0.97
    # Order preserved: each text is closest to its own reference vector.
    assert (np.argmax(fast @ reference.T, axis=1) == np.arange(len(texts))).all()
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)


def test_cache_reused_and_corruption_rebuilt(cache_dir: Path, texts: list[str]) -> None:
    encoder = OnnxInt8Encoder(cache_dir=cache_dir)
    encoder.encode(texts[:1])
    path = encoder.model_path
    stamp = path.stat().st_mtime_ns
    OnnxInt8Encoder(cache_dir=cache_dir).encode(texts[:1])
    assert path.stat().st_mtime_ns == stamp  # no second export
    path.write_bytes(b"truncated")
    again = OnnxInt8Encoder(cache_dir=cache_dir).encode(texts[:2])
    assert again.shape == (2, 384) and path.stat().st_size > 1_000_000


def test_empty_input(cache_dir: Path) -> None:
    assert OnnxInt8Encoder(cache_dir=cache_dir).encode([]).shape == (0, 384)
