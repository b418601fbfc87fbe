"""Vectors computed by Ray Data: an actor pool with one encoder per actor, batches of similar length.

Only the texts the cache lacks are sent, :data:`~papersift.embedding.CHUNK` at a time, so neither the
driver nor the object store holds the whole corpus; the vectors stream back to the driver, which
writes them into the store. Without an address a local cluster of this machine's CPUs is started for
the run and shut down after it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from ..encoders import Encoder
from ..errors import ModelError

if TYPE_CHECKING:
    from . import Batches, RayOptions

INSTALL_HINT = "the Ray engine needs Ray: pip install 'papersift[ray]'"


def _import_ray() -> Any:
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise ModelError(INSTALL_HINT) from None
    return ray


class EncodeBatch:
    """One Ray actor: builds its encoder once, then encodes the batches it is given."""

    def __init__(self, factory: Callable[[], Encoder]) -> None:
        self.encoder = factory()
        if hasattr(self.encoder, "workers"):  # one actor per CPU: its encoder's own thread pool would oversubscribe
            setattr(self.encoder, "workers", 1)  # noqa: B010

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        texts = [str(t) for t in batch["text"]]
        vectors = np.asarray(self.encoder.encode(texts), dtype=np.float32)
        return {"hash": batch["hash"], "vector": vectors}


@contextmanager
def cluster(options: RayOptions) -> Iterator[int]:
    """Connected to ``options.address``, or to a local cluster started (and stopped) here; yields its CPUs."""
    ray = _import_ray()
    if ray.is_initialized():  # a caller's own cluster (a test's, a notebook's): used, left running
        yield int(ray.cluster_resources().get("CPU", 1))
        return
    if options.address:
        ray.init(address=options.address, logging_level="ERROR", log_to_driver=False)
    else:
        cpus = options.workers or os.cpu_count() or 1
        ray.init(num_cpus=cpus, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    try:
        yield int(ray.cluster_resources().get("CPU", 1))
    finally:
        ray.shutdown()


def ray_batches(factory: Callable[[], Encoder], items: Sequence[tuple[str, str]], options: RayOptions) -> Batches:
    """(hashes, vectors) per finished batch, computed on the cluster."""
    from . import CHUNK

    ray = _import_ray()
    with cluster(options) as cpus:
        workers = max(1, min(options.workers or cpus, cpus))
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        # Sorted by length, so each batch pads its texts to a similar length.
        ordered = sorted(items, key=lambda item: len(item[1]))
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start : start + CHUNK]
            dataset = ray.data.from_items([{"hash": h, "text": t} for h, t in chunk]).map_batches(
                EncodeBatch,
                fn_constructor_args=(factory,),
                batch_size=options.batch_size,
                batch_format="numpy",
                compute=ray.data.ActorPoolStrategy(size=workers),
                num_cpus=1,
            )
            for batch in dataset.iter_batches(batch_size=options.batch_size, batch_format="numpy"):
                yield [str(h) for h in batch["hash"]], np.asarray(batch["vector"], dtype=np.float32)
