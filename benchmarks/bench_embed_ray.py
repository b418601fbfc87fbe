"""Batch embedding, local engine vs Ray with 1 and 2 workers (papersift embed --engine ...).

Each run embeds the same gold-standard texts (titles + abstracts) into a fresh SQLite store with the
default encoder. Ray runs include starting and stopping the local cluster, as `papersift embed
--engine ray` does, and are repeated on a cluster already running (as with --address). Writes
results/embed_ray.json; the numbers are quoted in docs/benchmarks.md ("Embedding on Ray").

    python benchmarks/bench_embed_ray.py [--texts 500]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import goldstandard_texts, save
from cpu import cpu_info, describe

from papersift.embedding import RayOptions, embed_corpus
from papersift.models import Paper
from papersift.store import Store


def run(papers: list[Paper], engine: str, workers: int | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "s.db") as store:
        started = time.perf_counter()
        summary = embed_corpus(store, papers, None, engine=engine, ray=RayOptions(workers=workers))
        seconds = time.perf_counter() - started
    return {
        "texts": summary.embedded,
        "seconds": round(seconds, 2),
        "texts_per_s": round(summary.embedded / seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=int, default=500)
    args = parser.parse_args()
    rows = goldstandard_texts()[: args.texts]
    if not rows:
        raise SystemExit("the gold standard is not beside this clone")
    papers = [Paper(title=r["title"], abstract=r["abstract"]) for r in rows]
    results = {"local": run(papers, "local", None)}
    for workers in (1, 2):
        results[f"ray-{workers}"] = run(papers, "ray", workers)
    # The same on a cluster already running (as with --address): actors and models still start per run.
    import ray

    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    try:
        for workers in (1, 2):
            results[f"ray-{workers}-running-cluster"] = run(papers, "ray", workers)
    finally:
        ray.shutdown()
    one, two = results["ray-1"]["texts_per_s"], results["ray-2"]["texts_per_s"]
    results["scaling_efficiency"] = {"value": round(two / (2 * one), 2)} if one else {"value": 0.0}
    save("embed_ray", {"cpu": describe(cpu_info()), "texts": len(papers), "runs": results})
    for name, row in results.items():
        print(name, row)


if __name__ == "__main__":
    main()
