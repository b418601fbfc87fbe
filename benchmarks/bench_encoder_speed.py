"""Encoder speed (issue 22): every MiniLM setting against sentence-transformers fp32, in one run.

Real gold-standard titles + abstracts; the settings take turns (one repetition of
each, then the next round) so a neighbour's load falls on all of them alike;
medians and ratios to sentence-transformers. Wall-clock texts/s with the
setting's own threading on this machine's cores, and texts per CPU-second
(process CPU time: what one core does, less sensitive to other processes).
Then the gold-standard loss of each setting with the default aggregation, on
the 'confirm' half (and on all researchers), and its paired bootstrap
difference to papersift fp32. The ablation rows take one lever away at a time.
Writes results/encoder_speed.json and the "Encoder speed" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable, Sequence

import numpy as np
from bench_quality import aggregation_scorer, predictions_for
from common import GOLDSTANDARD, REPO, goldstandard_texts, replace_section, save
from cpu import cpu_info, describe

from papersift.config import default_db_path
from papersift.encoders import Encoder, MiniLMEncoder, MiniLMSentenceTransformer
from papersift.encoders.fast import FastMiniLMEncoder
from papersift.encoders.onnx_int8 import OnnxInt8Encoder
from papersift.evaluation import (
    cost_weight_matrix,
    evaluate,
    load_ratings,
    paired_bootstrap_difference,
    split_reviewers,
)
from papersift.ranking import DEFAULT_AGGREGATION
from papersift.store import Store

REFERENCE = "sentence-transformers fp32"
FP32 = "papersift fp32 (minilm)"
# name -> (registry name for the loss, factory); None: an ablation of a recipe above, its loss not measured.
SETTINGS: dict[str, tuple[str | None, Callable[[], Encoder]]] = {
    REFERENCE: ("minilm-st", lambda: MiniLMSentenceTransformer(batch_size=32)),
    "sentence-transformers fp32, one torch thread": (None, lambda: OneThread(MiniLMSentenceTransformer(batch_size=32))),
    FP32: ("minilm", lambda: MiniLMEncoder(batch_size=32)),
    "papersift int8 (minilm-int8)": ("minilm-int8", lambda: OnnxInt8Encoder(batch_size=32)),
    "papersift fast (minilm-fast, default)": ("minilm-fast", FastMiniLMEncoder),
    "ablation: fast's graph, batches of 32 on all threads": (
        None,
        lambda: FastMiniLMEncoder(batch_size=32, workers=1, threads_per_batch=os.cpu_count() or 1),
    ),
    "ablation: int8 unfused, fast's batching": (None, lambda: _unfused_small_batches()),
}
DOCS = REPO / "docs" / "benchmarks.md"
START, END = "<!-- encoder-speed:start -->", "<!-- encoder-speed:end -->"


class OneThread:
    """sentence-transformers with torch limited to one thread (its most CPU-efficient setting) while it encodes."""

    cacheable = False

    def __init__(self, inner: Encoder) -> None:
        self.inner, self.model_id = inner, inner.model_id

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        import torch

        before = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return self.inner.encode(texts)
        finally:
            torch.set_num_threads(before)


def _unfused_small_batches() -> Encoder:
    class Unfused(FastMiniLMEncoder):
        recipe, fused, id_prefix = OnnxInt8Encoder.recipe, False, "minilm-int8"

    return Unfused()


def time_round(encoders: dict[str, Encoder], texts: list[str], wall: dict, cpu: dict) -> None:
    for name, encoder in encoders.items():
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        encoder.encode(texts)
        wall[name].append(time.perf_counter() - start_wall)
        cpu[name].append(time.process_time() - start_cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=500, help="texts timed per repetition")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--no-loss", action="store_true")
    args = parser.parse_args()
    rows = goldstandard_texts()
    if not rows:
        raise SystemExit(f"bench_encoder_speed needs the gold standard at {GOLDSTANDARD}")
    texts = [f"{r['title']}. {r['abstract']}" for r in rows[: args.n]]
    cpu_before = cpu_info()
    print(f"CPU: {describe(cpu_before)}", flush=True)
    encoders = {name: factory() for name, (_, factory) in SETTINGS.items()}
    vectors = {name: encoder.encode(texts) for name, encoder in encoders.items()}  # load, build, warm up
    wall: dict[str, list[float]] = {name: [] for name in encoders}
    cpu: dict[str, list[float]] = {name: [] for name in encoders}
    for round_ in range(args.repeat):
        time_round(encoders, texts, wall, cpu)
        print(f"round {round_ + 1}/{args.repeat} done", flush=True)
    base_wall, base_cpu = statistics.median(wall[REFERENCE]), statistics.median(cpu[REFERENCE])
    speed = {}
    for name in encoders:
        w, c = statistics.median(wall[name]), statistics.median(cpu[name])
        cosine = (vectors[name] * vectors[FP32]).sum(axis=1)
        speed[name] = {
            "texts_per_second": len(texts) / w,
            "speedup": base_wall / w,
            "texts_per_cpu_second": len(texts) / c,
            "speedup_cpu": base_cpu / c,
            "cosine_to_fp32": {"mean": float(cosine.mean()), "min": float(cosine.min())},
            "wall_seconds": wall[name],
            "cpu_seconds": cpu[name],
        }
        print(
            f"{name:48s} {speed[name]['texts_per_second']:6.1f} texts/s x{speed[name]['speedup']:.2f}  "
            f"{speed[name]['texts_per_cpu_second']:6.1f} texts/CPU-s x{speed[name]['speedup_cpu']:.2f}  "
            f"cosine to fp32 {cosine.mean():.4f} (min {cosine.min():.4f})",
            flush=True,
        )
    quality = {} if args.no_loss else gold_standard_losses(args.resamples)
    data = {
        "texts": len(texts),
        "repeat": args.repeat,
        "cpu": cpu_info(),
        "load_average_before": cpu_before["load_average_1min"],
        "speed": speed,
        "quality": quality,
    }
    save("encoder_speed", data)
    if replace_section(DOCS, START, END, "\n".join(section(data)) + "\n"):
        print(f"wrote the Encoder speed section of {DOCS}")


def gold_standard_losses(resamples: int) -> dict:
    """Loss with the default aggregation for each setting that has its own vectors.

    Vectors come from the benchmarks' embedding cache (run_all's PAPERSIFT_HOME) where present: each
    recipe has its own model id, so a changed recipe is embedded afresh.
    """
    ratings = load_ratings(GOLDSTANDARD)
    choose, confirm = split_reviewers(ratings)
    out: dict = {"halves": {"choose": len(choose), "confirm": len(confirm)}, "aggregation": DEFAULT_AGGREGATION}
    kept: dict[str, list[dict]] = {}
    store = Store(default_db_path())
    try:
        for name, (registry_name, _) in SETTINGS.items():
            if registry_name is None:
                continue
            kept[name] = predictions_for(registry_name, aggregation_scorer(DEFAULT_AGGREGATION), ratings, store)
            confirm_eval = evaluate(kept[name], ratings, confirm, n_resamples=resamples)
            all_eval = evaluate(kept[name], ratings, sorted(ratings), n_resamples=resamples)
            out[name] = {"confirm": confirm_eval.loss, "all": all_eval.loss}
            if name != FP32 and FP32 in kept:
                ca, wa = cost_weight_matrix(kept[name], ratings, confirm)
                cb, wb = cost_weight_matrix(kept[FP32], ratings, confirm)
                point, low, high = paired_bootstrap_difference(ca, wa, cb, wb, n_resamples=resamples)
                out[name]["confirm_minus_fp32"] = {"difference": point, "ci": [low, high]}
            print(f"{name:48s} loss confirm {confirm_eval.loss:.4f}  all {all_eval.loss:.4f}", flush=True)
    finally:
        store.close()
    return out


def section(d: dict) -> list[str]:
    q = d["quality"]
    cpu = d["cpu"]
    flags = ", ".join(f"{k} {'yes' if v else 'no'}" for k, v in cpu["flags"].items())
    out = [
        "### Encoder speed",
        "",
        f"`python benchmarks/bench_encoder_speed.py`: {d['texts']} gold-standard titles + abstracts, the settings "
        f"taking turns, medians of {d['repeat']} rounds; ratios to sentence-transformers fp32 (batch 32, torch). "
        f"CPU: {cpu['model']} ({cpu['cpus']} cores; {flags}); load average {d['load_average_before']:.1f} "
        "before the run (a shared machine: wall-clock ratios are noisier than CPU-time ratios). "
        "Loss: gold standard, default aggregation"
        + (
            f" `{q['aggregation']}`, 'confirm' half ({q['halves']['confirm']} researchers; "
            f"'choose' {q['halves']['choose']}) and all; difference to papersift fp32 on confirm with its 95% "
            "paired bootstrap interval."
            if q
            else " (not measured in this run)."
        ),
        "",
        "| setting | texts/s | x ST | texts/CPU-s | x ST (CPU) | cosine to fp32 (min) | loss confirm | loss all | "
        "confirm - fp32 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, s in d["speed"].items():
        loss = q.get(name, {})
        diff = loss.get("confirm_minus_fp32")
        out.append(
            f"| {name} | {s['texts_per_second']:.1f} | {s['speedup']:.2f}x | {s['texts_per_cpu_second']:.1f} | "
            f"{s['speedup_cpu']:.2f}x | {s['cosine_to_fp32']['mean']:.4f} ({s['cosine_to_fp32']['min']:.4f}) | "
            + (f"{loss['confirm']:.4f} | {loss['all']:.4f} | " if loss else "not measured | | ")
            + (f"{diff['difference']:+.4f} [{diff['ci'][0]:+.4f}, {diff['ci'][1]:+.4f}] |" if diff else " |")
        )
    out.append("")
    return out


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
