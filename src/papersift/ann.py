"""Top-k nearest papers ("more like this", semantic search) over the store's vectors.

Exact below :data:`EXACT_LIMIT` vectors: one matrix product, always correct and,
at that size, a few milliseconds. Above it an HNSW index (faiss-cpu's
``IndexHNSWFlat``, the ``ann`` extra) answers in well under a millisecond; it lives in a directory beside the store,
one file per model id, and is only a shortcut: when it is missing, unreadable,
built for other papers (stale) or the extra is not installed, the search is exact
and says why once per index (a warning), never wrong. :func:`update_index` builds
the index or extends it with the papers added since (a paper removed or a
changed vector means a rebuild).

The caller passes the ids and unit vectors it searches (the store's papers and
their cached embeddings for one model); this module never opens the store.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelError

# Below this many vectors exact search is used even when an index exists: one query against 20,000 x 384
# float32 vectors took 0.7 ms (median; 1.3 ms p95) here, and exact is always right. At 100,000 it took
# 13 ms (27 ms p95), where the index answers in 0.13 ms.
EXACT_LIMIT = 20_000
INSTALL_HINT = "pip install 'papersift[ann]'"
# HNSW parameters measured in benchmarks/bench_ann.py: at 100k MiniLM vectors of real abstracts, faiss with
# these reached recall@10 1.000 at 0.13 ms a query (one thread); hnswlib 0.995 at 0.11 ms but builds slower
# and has had no release since 2023; usearch 0.999 at 0.24 ms, building twice as long.
M, EF_CONSTRUCTION, EF_SEARCH = 16, 200, 64
_warned: set[str] = set()
PaperId = str | int  # the store's paper ids, or any ids the caller uses


@dataclass(frozen=True)
class Neighbour:
    id: PaperId
    score: float


def exact_search(query: np.ndarray, ids: Sequence[PaperId], vectors: np.ndarray, k: int) -> list[list[Neighbour]]:
    """The ``k`` highest inner products per query row (queries x dim against n x dim)."""
    queries = np.atleast_2d(np.asarray(query, dtype=np.float32))
    if len(ids) == 0 or k <= 0:
        return [[] for _ in queries]
    scores = queries @ np.asarray(vectors, dtype=np.float32).T
    k = min(k, scores.shape[1])
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    out = []
    for row, candidates in zip(scores, top, strict=True):
        ordered = candidates[np.argsort(-row[candidates], kind="stable")]
        out.append([Neighbour(ids[i], float(row[i])) for i in ordered])
    return out


def fingerprint(ids: Sequence[PaperId]) -> str:
    return hashlib.sha256("\n".join(map(str, ids)).encode("utf-8")).hexdigest()


def _faiss() -> Any:
    try:
        import faiss
    except ImportError:
        raise ModelError(f"the nearest-neighbour index needs faiss-cpu; {INSTALL_HINT}") from None
    return faiss


def index_paths(directory: Path, model_id: str) -> tuple[Path, Path]:
    stem = hashlib.sha256(model_id.encode("utf-8")).hexdigest()[:16]
    return directory / f"{stem}.faiss", directory / f"{stem}.json"


def update_index(directory: Path, model_id: str, ids: Sequence[PaperId], vectors: np.ndarray) -> int:
    """Build the index of ``ids``/``vectors`` in ``directory``, or add to it the ids it lacks.

    Returns how many vectors were added. The ids already indexed must come first, in the same order
    (papers only ever appended); otherwise the index is rebuilt from scratch.
    """
    faiss = _faiss()
    index_file, meta_file = index_paths(directory, model_id)
    meta = _read_meta(meta_file)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    index = None
    start = 0
    if meta is not None and index_file.is_file():
        known = int(meta["count"])
        if known <= len(ids) and meta["fingerprint"] == fingerprint(ids[:known]) and meta["dim"] == vectors.shape[1]:
            try:
                index = faiss.read_index(str(index_file))
                start = known
            except RuntimeError:
                index = None
    if index is None or index.ntotal != start:
        index, start = faiss.IndexHNSWFlat(vectors.shape[1], M, faiss.METRIC_INNER_PRODUCT), 0
        index.hnsw.efConstruction = EF_CONSTRUCTION
    if start < len(ids):
        index.add(vectors[start:])  # HNSW labels are positions: the i-th vector added is ids[i]
    directory.mkdir(parents=True, exist_ok=True)
    faiss.write_index(index, str(index_file))
    meta_file.write_text(
        json.dumps(
            {"model_id": model_id, "count": len(ids), "dim": int(vectors.shape[1]), "fingerprint": fingerprint(ids)}
        ),
        encoding="utf-8",
    )
    _warned.discard(str(index_file))
    return len(ids) - start


def _read_meta(path: Path) -> dict[str, Any] | None:
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and {"count", "dim", "fingerprint"} <= meta.keys() else None


def _say_once(key: str, reason: str) -> None:
    if key not in _warned:
        _warned.add(key)
        warnings.warn(f"{reason}; searching exactly (slower on a large store)", stacklevel=3)


def search(
    query: np.ndarray,
    ids: Sequence[PaperId],
    vectors: np.ndarray,
    k: int = 10,
    index_dir: Path | None = None,
    model_id: str = "",
) -> list[list[Neighbour]]:
    """Top-``k`` neighbours of each query row among ``ids``; through the index when it is worth it and current."""
    if index_dir is None or len(ids) < EXACT_LIMIT:
        return exact_search(query, ids, vectors, k)
    index_file, meta_file = index_paths(index_dir, model_id)
    meta = _read_meta(meta_file)
    if meta is None or not index_file.is_file():
        _say_once(
            str(index_file), f"no nearest-neighbour index in {index_dir} (papersift builds it with the ann extra)"
        )
        return exact_search(query, ids, vectors, k)
    if meta["count"] != len(ids) or meta["fingerprint"] != fingerprint(ids):
        _say_once(str(index_file), f"the nearest-neighbour index in {index_dir} is out of date")
        return exact_search(query, ids, vectors, k)
    try:
        faiss = _faiss()
        index = faiss.read_index(str(index_file))
    except (ModelError, RuntimeError) as exc:
        _say_once(str(index_file), f"the nearest-neighbour index cannot be used ({exc})")
        return exact_search(query, ids, vectors, k)
    if index.ntotal != len(ids):
        _say_once(str(index_file), f"the nearest-neighbour index in {index_dir} is out of date")
        return exact_search(query, ids, vectors, k)
    index.hnsw.efSearch = max(EF_SEARCH, k)
    queries = np.ascontiguousarray(np.atleast_2d(query), dtype=np.float32)
    scores, labels = index.search(queries, min(k, len(ids)))
    return [
        [Neighbour(ids[int(i)], float(score)) for i, score in zip(row_labels, row_scores, strict=True) if i >= 0]
        for row_labels, row_scores in zip(labels, scores, strict=True)
    ]
