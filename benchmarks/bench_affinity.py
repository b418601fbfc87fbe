"""Venue-scale affinity: 10,000 submissions x 1,000 reviewers x 20 papers, embeddings cached.

Compares, in one run, papersift's chunked scoring (default aggregation, and top1)
against the single matrix multiply that computes the same similarities, and
reports the CSV-writing time separately. Medians of --repeat runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time

import numpy as np
from common import median_time, save

from papersift.expertise import AffinityOptions, ReviewerBlock, iter_affinity, write_affinity_csv
from papersift.ranking import DEFAULT_AGGREGATION


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--reviewers", type=int, default=1_000)
    parser.add_argument("--papers", type=int, default=20)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=512)
    args = parser.parse_args()

    rng = np.random.default_rng(0)

    def unit(n: int) -> np.ndarray:
        m = rng.standard_normal((n, args.dim), dtype=np.float32)
        return m / np.linalg.norm(m, axis=1, keepdims=True)

    subs = unit(args.submissions)
    reviewer_vectors = [unit(args.papers) for _ in range(args.reviewers)]
    block = ReviewerBlock([f"~R{i}" for i in range(args.reviewers)], reviewer_vectors, args.dim)
    ids = [f"S{i}" for i in range(args.submissions)]

    def matmul() -> None:
        subs @ block.flat.T

    def score(aggregation: str) -> None:
        for _ in iter_affinity(block, ids, subs, AffinityOptions(aggregation, chunk=args.chunk)):
            pass

    def write_csv() -> None:
        with tempfile.TemporaryDirectory() as tmp, open(os.path.join(tmp, "s.csv"), "w", encoding="utf-8") as out:
            write_affinity_csv(out, block, ids, subs, AffinityOptions(chunk=args.chunk))

    results = {}
    # Interleave so machine noise hits every variant alike.
    timings: dict[str, list[float]] = {"matmul": [], "score_default": [], "score_top1": []}
    for _ in range(args.repeat):
        for name, func in [
            ("matmul", matmul),
            ("score_default", lambda: score(DEFAULT_AGGREGATION)),
            ("score_top1", lambda: score("top1")),
        ]:
            start = time.perf_counter()
            func()
            timings[name].append(time.perf_counter() - start)
    for name, values in timings.items():
        results[name] = float(np.median(values))
    csv_time, _ = median_time(write_csv, 1)
    flops = 2.0 * args.submissions * args.reviewers * args.papers * args.dim
    pairs = args.submissions * args.reviewers
    data = {
        "shape": vars(args),
        "seconds": results,
        "csv_seconds": csv_time,
        "ratio_default_to_matmul": results["score_default"] / results["matmul"],
        "ratio_top1_to_matmul": results["score_top1"] / results["matmul"],
        "matmul_gflops": flops / results["matmul"] / 1e9,
        "pairs": pairs,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "chunk_working_set_mib": args.chunk * args.reviewers * args.papers * 4 / 2**20,
    }
    save("affinity", data)
    print(
        f"matmul {results['matmul']:.2f}s ({data['matmul_gflops']:.0f} GFLOP/s) | papersift {DEFAULT_AGGREGATION} "
        f"{results['score_default']:.2f}s ({data['ratio_default_to_matmul']:.2f}x) | top1 {results['score_top1']:.2f}s "
        f"({data['ratio_top1_to_matmul']:.2f}x) | CSV of {pairs:,} lines {csv_time:.1f}s"
        f" | peak RSS {data['peak_rss_mib']:.0f} MiB"
    )


if __name__ == "__main__":
    main()
