"""Nearest-neighbour libraries on MiniLM vectors of real abstracts: recall@10 against latency at 100k vectors.

The gold standard's 1,311 titles + abstracts, embedded by the default encoder,
repeated with small Gaussian noise (then re-normalised) up to ``--size``
vectors; 1,000 queries are the same texts with fresh noise. Exact top-10 by
inner product is the truth. One query at a time on one thread (as a web request
would ask), medians; build time on all cores; index memory as its saved size.
Writes results/ann.json.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from common import goldstandard_texts, save
from cpu import cpu_info, describe

from papersift.encoders import get_encoder

K = 10


def corpus(size: int, queries: int, noise: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rows = goldstandard_texts()
    base = get_encoder().encode([f"{r['title']}. {r['abstract']}" for r in rows])
    rng = np.random.default_rng(seed)

    def noisy(n: int) -> np.ndarray:
        picked = base[rng.integers(0, len(base), n)] + rng.normal(0, noise, (n, base.shape[1])).astype(np.float32)
        return (picked / np.linalg.norm(picked, axis=1, keepdims=True)).astype(np.float32)

    return noisy(size), noisy(queries)


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / K for f, t in zip(found, truth, strict=True)]))


def time_queries(search: Callable[[np.ndarray], np.ndarray], queries: np.ndarray) -> tuple[np.ndarray, list[float]]:
    found, times = [], []
    for q in queries:
        start = time.perf_counter()
        found.append(search(q[None, :]))
        times.append(time.perf_counter() - start)
    return np.vstack(found), times


def file_mib(save_to: Callable[[str], Any]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "index")
        save_to(path)
        return os.path.getsize(path) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--noise", type=float, default=0.02)
    args = parser.parse_args()
    print(f"CPU: {describe(cpu_info())}", flush=True)
    data, queries = corpus(args.size, args.queries, args.noise)
    nearest_copy = float(np.median(np.sort(queries[:100] @ data.T, axis=1)[:, -1]))
    truth = np.argsort(-(queries @ data.T), axis=1)[:, :K]
    results: dict[str, dict] = {}

    def report(name: str, build_s: float, mib: float, search: Callable[[np.ndarray], np.ndarray]) -> None:
        found, times = time_queries(search, queries)
        ms = np.array(times) * 1000
        results[name] = {
            "recall_at_10": recall(found, truth),
            "median_ms": float(np.median(ms)),
            "p95_ms": float(np.percentile(ms, 95)),
            "build_seconds": build_s,
            "index_mib": mib,
        }
        r = results[name]
        print(
            f"{name:34s} recall@10 {r['recall_at_10']:.3f}  median {r['median_ms']:.2f} ms  p95 {r['p95_ms']:.2f} ms  "
            f"build {build_s:.1f} s  {mib:.0f} MiB",
            flush=True,
        )

    report("exact (numpy, one query)", 0.0, data.nbytes / 2**20, lambda q: np.argsort(-(q @ data.T)[0])[:K])
    start = time.perf_counter()
    batched = np.argsort(-(queries @ data.T), axis=1)[:, :K]
    results["exact (numpy, 1,000 queries batched)"] = {
        "recall_at_10": recall(batched, truth),
        "median_ms": (time.perf_counter() - start) * 1000 / len(queries),
    }

    import hnswlib

    start = time.perf_counter()
    h = hnswlib.Index(space="ip", dim=data.shape[1])
    h.init_index(max_elements=len(data), M=16, ef_construction=200)
    h.set_num_threads(os.cpu_count() or 1)
    h.add_items(data, np.arange(len(data)))
    build = time.perf_counter() - start
    h.set_num_threads(1)
    mib = file_mib(h.save_index)
    for ef in (32, 64, 128):
        h.set_ef(ef)
        report(f"hnswlib M=16 ef={ef}", build, mib, lambda q: h.knn_query(q, k=K)[0][0])

    import faiss

    faiss.omp_set_num_threads(os.cpu_count() or 1)
    start = time.perf_counter()
    f = faiss.IndexHNSWFlat(data.shape[1], 16, faiss.METRIC_INNER_PRODUCT)
    f.hnsw.efConstruction = 200
    f.add(data)
    build = time.perf_counter() - start
    faiss.omp_set_num_threads(1)
    mib = file_mib(lambda p: faiss.write_index(f, p))
    for ef in (32, 64, 128):
        f.hnsw.efSearch = ef
        report(f"faiss HNSWFlat M=16 ef={ef}", build, mib, lambda q: f.search(q, K)[1][0])

    from usearch.index import Index

    for dtype in ("f32", "i8"):
        start = time.perf_counter()
        u = Index(ndim=data.shape[1], metric="ip", dtype=dtype, connectivity=16, expansion_add=200)
        u.add(np.arange(len(data)), data, threads=os.cpu_count() or 1)
        build = time.perf_counter() - start
        mib = file_mib(u.save)
        for ef in (32, 64, 128):
            u.expansion_search = ef
            report(
                f"usearch {dtype} M=16 ef={ef}",
                build,
                mib,
                lambda q, u=u: np.asarray(u.search(q[0], K, threads=1).keys),
            )

    save(
        "ann" if args.noise == 0.02 else f"ann-noise-{args.noise}",
        {
            "size": len(data),
            "queries": len(queries),
            "noise": args.noise,
            "median_cosine_to_nearest_copy": nearest_copy,
            "versions": {
                "hnswlib": getattr(hnswlib, "__version__", "0.8.0"),
                "faiss": faiss.__version__,
                "usearch": __import__("usearch").__version__,
            },
            "results": results,
        },
    )
    print(f"exact batched: {results['exact (numpy, 1,000 queries batched)']['median_ms']:.2f} ms a query")


if __name__ == "__main__":
    main()
