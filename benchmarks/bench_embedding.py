"""Embedding throughput on real titles + abstracts: papersift's ONNX encoders against sentence-transformers.

In one run, alternating repetitions, medians: (a) sentence-transformers fp32
(torch), batch 32, the reference; (b) papersift's default encoder, the fp32
ONNX graph built from the weights (no torch); (c) the same graph with int8
matrix multiplies. Also the cosine of each to the reference, the machine's
measured fp32 matrix-multiply peak, the GFLOP/s each achieves on the tokens it
really processes, and the CPU model and SIMD flags (AVX2, AVX-512 VNNI).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
from common import goldstandard_texts, save
from cpu import cpu_info, describe

from papersift.encoders import MiniLMEncoder, MiniLMSentenceTransformer
from papersift.encoders.bundled import bundled_minilm_path
from papersift.encoders.onnx_int8 import OnnxInt8Encoder

LAYERS, HIDDEN, INTERMEDIATE = 6, 384, 1536
REFERENCE, FP32, INT8 = "sentence-transformers fp32", "papersift fp32 (ONNX Runtime)", "papersift int8 (ONNX Runtime)"


def flops_per_sequence(length: int) -> float:
    """Multiply-adds x 2 of one MiniLM forward pass over ``length`` tokens (projections, FFN, attention)."""
    dense = 2 * length * (4 * HIDDEN * HIDDEN + 2 * HIDDEN * INTERMEDIATE)
    attention = 2 * 2 * length * length * HIDDEN
    return LAYERS * (dense + attention)


def matmul_peak(size: int = 2048, repeat: int = 7) -> float:
    a = np.random.default_rng(0).standard_normal((size, size), dtype=np.float32)
    a @ a
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        a @ a
        times.append(time.perf_counter() - start)
    return 2 * size**3 / statistics.median(times) / 1e9


def cosine(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    c = (a * b).sum(axis=1)
    return {"mean": float(c.mean()), "min": float(c.min())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = goldstandard_texts()
    if not rows:
        raise SystemExit("bench_embedding needs the gold-standard texts (../shared/goldstandard)")
    texts = [f"{r['title']}. {r['abstract']}" for r in rows[: args.n]]
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(bundled_minilm_path() / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    lengths = [min(len(e.ids), 256) for e in tokenizer.encode_batch(texts)]
    real_flops = sum(flops_per_sequence(n) for n in lengths)
    sorted_lengths = sorted(lengths)
    padded_flops = sum(
        flops_per_sequence(max(sorted_lengths[i : i + 32])) * len(sorted_lengths[i : i + 32])
        for i in range(0, len(sorted_lengths), 32)
    )
    encoders = {
        REFERENCE: MiniLMSentenceTransformer(batch_size=32),
        FP32: MiniLMEncoder(batch_size=32),
        INT8: OnnxInt8Encoder(batch_size=32),
    }
    for encoder in encoders.values():
        encoder.encode(texts[:4])  # load (and for int8 build) outside the timing
    load_before = os.getloadavg()[0]
    timings: dict[str, list[float]] = {name: [] for name in encoders}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(args.repeat):
        for name, encoder in encoders.items():
            start = time.perf_counter()
            vectors[name] = encoder.encode(texts)
            timings[name].append(time.perf_counter() - start)
    peak = matmul_peak()
    cpu = cpu_info()
    base = statistics.median(timings[REFERENCE])
    variants = {}
    for name, values in timings.items():
        seconds = statistics.median(values)
        variants[name] = {
            "seconds": seconds,
            "texts_per_second": len(texts) / seconds,
            "speedup": base / seconds,
            "gflops_real_tokens": real_flops / seconds / 1e9,
            "gflops_padded_tokens": padded_flops / seconds / 1e9,
            "all_seconds": values,
        }
    data = {
        "texts": len(texts),
        "repeat": args.repeat,
        "mean_tokens": float(np.mean(lengths)),
        "padding_overhead": padded_flops / real_flops - 1,
        "fp32_matmul_peak_gflops": peak,
        "cpu": cpu,
        "load_average_before_after": [load_before, os.getloadavg()[0]],
        "cosine_onnx_fp32_vs_sentence_transformers": cosine(vectors[FP32], vectors[REFERENCE]),
        "cosine_int8_vs_fp32": cosine(vectors[INT8], vectors[FP32]),
        "cosine_int8_vs_sentence_transformers": cosine(vectors[INT8], vectors[REFERENCE]),
        "variants": variants,
    }
    save("embedding", data)
    print(f"CPU: {describe(cpu)}")
    print(f"fp32 matmul peak {peak:.0f} GFLOP/s; {len(texts)} texts, mean {data['mean_tokens']:.0f} tokens")
    print(f"{'encoder':32s} {'texts/s':>8s}  speedup  GFLOP/s (real tokens)")
    for name, v in variants.items():
        print(
            f"{name:32s} {v['texts_per_second']:8.1f}  x{v['speedup']:.2f}    "
            f"{v['gflops_real_tokens']:.0f} ({v['gflops_real_tokens'] / peak:.0%} of peak)"
        )
    for key in ("cosine_onnx_fp32_vs_sentence_transformers", "cosine_int8_vs_fp32"):
        print(f"{key}: mean {data[key]['mean']:.6f}, min {data[key]['min']:.6f}")


if __name__ == "__main__":
    main()
