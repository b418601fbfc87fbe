"""Embedding throughput on real titles + abstracts: papersift's encoders against plain sentence-transformers.

In one run, alternating repetitions, medians: (a) sentence-transformers fp32,
batch 32 (the reference); (b) papersift's int8 ONNX Runtime encoder. Also the
machine's measured fp32 matrix-multiply peak, and the GFLOP/s each variant
achieves on the tokens it really processes (padding excluded) and on the
tokens it computes (padding included).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from common import goldstandard_texts, save

from papersift.encoders import MiniLMEncoder
from papersift.encoders.onnx_int8 import OnnxInt8Encoder

LAYERS, HIDDEN, INTERMEDIATE = 6, 384, 1536


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = goldstandard_texts()
    if not rows:
        raise SystemExit("bench_embedding needs the gold-standard texts (../shared/goldstandard)")
    texts = [f"{r['title']}. {r['abstract']}" for r in rows[: args.n]]

    reference, int8 = MiniLMEncoder(batch_size=32), OnnxInt8Encoder(batch_size=32)
    tokenizer = reference._load().tokenizer
    lengths = [min(len(tokenizer(t)["input_ids"]), 256) for t in texts]
    real_flops = sum(flops_per_sequence(n) for n in lengths)
    sorted_lengths = sorted(lengths)
    padded_flops = sum(
        flops_per_sequence(max(sorted_lengths[i : i + 32])) * len(sorted_lengths[i : i + 32])
        for i in range(0, len(sorted_lengths), 32)
    )
    int8.encode(texts[:4])  # export/load outside the timing

    timings: dict[str, list[float]] = {"sentence-transformers fp32": [], "papersift int8 (ONNX Runtime)": []}
    vectors = {}
    for _ in range(args.repeat):
        for name, encoder in (("sentence-transformers fp32", reference), ("papersift int8 (ONNX Runtime)", int8)):
            start = time.perf_counter()
            vectors[name] = encoder.encode(texts)
            timings[name].append(time.perf_counter() - start)
    peak = matmul_peak()
    cos = (vectors["sentence-transformers fp32"] * vectors["papersift int8 (ONNX Runtime)"]).sum(axis=1)
    base = statistics.median(timings["sentence-transformers fp32"])
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
        "mean_tokens": float(np.mean(lengths)),
        "padding_overhead": padded_flops / real_flops - 1,
        "fp32_matmul_peak_gflops": peak,
        "cosine_int8_vs_fp32": {"mean": float(cos.mean()), "min": float(cos.min())},
        "variants": variants,
    }
    save("embedding", data)
    print(f"fp32 matmul peak {peak:.0f} GFLOP/s; {len(texts)} texts, mean {data['mean_tokens']:.0f} tokens")
    for name, v in variants.items():
        print(
            f"{name:32s} {v['texts_per_second']:6.1f} texts/s  x{v['speedup']:.2f}  "
            f"{v['gflops_real_tokens']:.0f} GFLOP/s on real tokens ({v['gflops_real_tokens'] / peak:.0%} of peak)"
        )
    print(f"cosine int8 vs fp32: mean {cos.mean():.4f}, min {cos.min():.4f}")


if __name__ == "__main__":
    main()
