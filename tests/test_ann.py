"""Nearest-neighbour search: exact below the limit, the index above it, exact again when the index cannot serve."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from papersift import ann
from papersift.errors import ModelError


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def clustered(n: int, dim: int = 64, clusters: int = 50, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dim))
    return unit(centres[rng.integers(0, clusters, n)] + 0.3 * rng.normal(size=(n, dim)))


def test_exact_search_by_hand() -> None:
    vectors = np.array([[1, 0], [0, 1], [0.6, 0.8]], dtype=np.float32)
    (found,) = ann.exact_search(np.array([1.0, 0.0]), ["a", "b", "c"], vectors, k=2)
    assert [(n.id, round(n.score, 3)) for n in found] == [("a", 1.0), ("c", 0.6)]
    assert ann.exact_search(np.array([1.0, 0.0]), [], np.zeros((0, 2)), k=3) == [[]]
    assert len(ann.exact_search(np.array([1.0, 0.0]), ["a", "b", "c"], vectors, k=10)[0]) == 3
    assert ann.exact_search(np.array([0.0, 1.0]), [7, 8, 9], vectors, k=1)[0][0].id == 8  # store ids are ints


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ann, "EXACT_LIMIT", 100)
    ann._warned.clear()


def test_index_recall_against_exact(tmp_path: Path, small_limit: None) -> None:
    pytest.importorskip("faiss")
    vectors = clustered(3000)
    ids = [f"p{i}" for i in range(len(vectors))]
    assert ann.update_index(tmp_path, "m", ids, vectors) == 3000
    queries = clustered(200, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the index serves: no fallback warning
        found = ann.search(queries, ids, vectors, k=10, index_dir=tmp_path, model_id="m")
    truth = ann.exact_search(queries, ids, vectors, k=10)
    recall = np.mean([len({n.id for n in f} & {n.id for n in t}) / 10 for f, t in zip(found, truth, strict=True)])
    assert recall >= 0.95
    assert found[0][0].score == pytest.approx(truth[0][0].score, abs=1e-4)


def test_missing_index_is_exact_and_said_once(tmp_path: Path, small_limit: None) -> None:
    vectors = clustered(300)
    ids = [f"p{i}" for i in range(300)]
    with pytest.warns(UserWarning, match="no nearest-neighbour index"):
        found = ann.search(vectors[:3], ids, vectors, k=5, index_dir=tmp_path / "none", model_id="m")
    assert found == ann.exact_search(vectors[:3], ids, vectors, k=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ann.search(vectors[:3], ids, vectors, k=5, index_dir=tmp_path / "none", model_id="m")  # not said twice


def test_stale_index_is_exact_then_extended(tmp_path: Path, small_limit: None) -> None:
    pytest.importorskip("faiss")
    vectors = clustered(600)
    ids = [f"p{i}" for i in range(600)]
    ann.update_index(tmp_path, "m", ids[:400], vectors[:400])
    with pytest.warns(UserWarning, match="out of date"):
        found = ann.search(vectors[500:502], ids, vectors, k=3, index_dir=tmp_path, model_id="m")
    assert found == ann.exact_search(vectors[500:502], ids, vectors, k=3)  # the new papers are found
    assert ann.update_index(tmp_path, "m", ids, vectors) == 200  # only the new ones added
    (top,) = ann.search(vectors[550], ids, vectors, k=1, index_dir=tmp_path, model_id="m")
    assert top[0].id == "p550"
    # A different list (a paper removed) rebuilds everything; another model has its own file.
    assert ann.update_index(tmp_path, "m", ids[1:], vectors[1:]) == 599
    assert ann.index_paths(tmp_path, "m") != ann.index_paths(tmp_path, "other")


def test_corrupt_index_is_exact(tmp_path: Path, small_limit: None) -> None:
    pytest.importorskip("faiss")
    vectors = clustered(300)
    ids = [f"p{i}" for i in range(300)]
    ann.update_index(tmp_path, "m", ids, vectors)
    index_file, _ = ann.index_paths(tmp_path, "m")
    index_file.write_bytes(b"\x00" * 100)
    with pytest.warns(UserWarning, match="cannot be used"):
        found = ann.search(vectors[:2], ids, vectors, k=4, index_dir=tmp_path, model_id="m")
    assert found == ann.exact_search(vectors[:2], ids, vectors, k=4)


def test_without_the_extra(tmp_path: Path, small_limit: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "faiss", None)
    vectors = clustered(200)
    ids = [f"p{i}" for i in range(200)]
    with pytest.raises(ModelError, match=r"pip install 'papersift\[ann\]'"):
        ann.update_index(tmp_path, "m", ids, vectors)
    assert ann.search(vectors[:1], ids, vectors, k=3)[0] == ann.exact_search(vectors[:1], ids, vectors, k=3)[0]
