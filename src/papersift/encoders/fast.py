"""The fast MiniLM: fused operators, int8, small batches run side by side, one thread each.

The same all-MiniLM-L6-v2 weights (sha256-checked, no torch) written as ONNX
Runtime's fused CPU operators (Attention, SkipLayerNormalization, BiasGelu:
:func:`.bert_onnx.build_model` with ``fused=True``) and quantized dynamically to
int8 (per-channel weights; the Attention nodes become QAttention, whose Q, K, V
projections are int8 and whose attention products stay float). Three measured
choices make it fast on a small machine (``benchmarks/bench_encoder_speed.py``):

- batches of two texts: a batch of 32 abstracts makes activations of tens of
  megabytes, so the memory-bound operators between the matrix multiplies wait
  on memory; two texts' activations stay in cache;
- one ONNX Runtime thread per batch and one batch per core at a time, instead
  of every operator split over all cores: no synchronisation between threads;
- length-sorted batches, so almost no padding.

Its vectors differ slightly from sentence-transformers' (cosine about 0.995), so
it has its own model id and never shares cached vectors with ``minilm``.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from .onnx_int8 import OnnxInt8Encoder

# Bump when the graph or the quantization recipe changes: a new recipe gets a new model id and file.
FUSED_RECIPE = "minilm-onnx-int8-fused-v1"
BATCH_SIZE = 2


def usable_cpus() -> int:
    """The cores this process may run on (a container's limit, not the host's count, where the OS says)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


class FastMiniLMEncoder(OnnxInt8Encoder):
    """all-MiniLM-L6-v2, fused and int8, ``workers`` single-threaded batches at a time (default: one per core)."""

    description = "embedding"
    recipe = FUSED_RECIPE
    fused = True
    id_prefix = "minilm-int8-fused"

    def __init__(
        self,
        cache_dir: Path | None = None,
        batch_size: int = BATCH_SIZE,
        workers: int | None = None,
        threads_per_batch: int = 1,
    ) -> None:
        super().__init__(cache_dir=cache_dir, batch_size=batch_size)
        self.workers = max(1, workers or usable_cpus())
        self.threads_per_batch = threads_per_batch

    def _session_options(self) -> Any:
        options = super()._session_options()
        options.intra_op_num_threads = self.threads_per_batch
        options.inter_op_num_threads = 1
        return options

    def encode_batches(self, texts: Sequence[str]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(positions, unit vectors) per batch, in order; up to ``workers`` batches run at once.

        ONNX Runtime releases the GIL while it runs, so threads give real parallelism; only a few
        batches are queued ahead, so stopping early (Ctrl-C) waits for at most those.
        """
        if not texts:
            return
        batches = self.padded_batches(texts)
        if self.workers == 1 or len(texts) <= self.batch_size:  # one batch (a search query): no pool
            for batch, ids, mask in batches:
                yield batch, self.run_batch(ids, mask)
            return
        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="papersift-embed")
        pending: deque[tuple[np.ndarray, Future[np.ndarray]]] = deque()
        try:
            for batch, ids, mask in batches:
                pending.append((batch, pool.submit(self.run_batch, ids, mask)))
                if len(pending) >= 2 * self.workers:
                    done_batch, future = pending.popleft()
                    yield done_batch, future.result()
            while pending:
                done_batch, future = pending.popleft()
                yield done_batch, future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
