"""Vectors computed by Ray Data: an actor pool with one encoder per actor, batches of similar length.

Only the texts the cache lacks are sent, :data:`~papersift.embedding.CHUNK` at a time, so neither the
driver nor the object store holds the whole corpus; the vectors stream back to the driver, which
writes them into the store. Without an address a local cluster of this machine's CPUs is started for
the run and shut down after it.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import errors
from ..encoders import Encoder
from ..errors import ModelError, PapersiftError

if TYPE_CHECKING:
    from . import Batches, RayOptions

INSTALL_HINT = "the Ray engine needs Ray: pip install 'papersift[ray]'"


def require_ray() -> Any:
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


# How an actor's papersift error appears in the traceback text Ray sends back (the exception object
# itself does not survive the trip).
_OUR_ERROR = re.compile(r"papersift\.errors\.(\w+): (.+)")


def _ours(error: BaseException) -> PapersiftError:
    """The papersift error an actor raised (its one sentence), else one naming what Ray reported."""
    found = _OUR_ERROR.search(str(error))
    if found:
        kind = getattr(errors, found.group(1), ModelError)
        if isinstance(kind, type) and issubclass(kind, PapersiftError):
            try:
                return kind(found.group(2).strip())
            except TypeError:  # an error class taking more than a message
                pass
        return ModelError(found.group(2).strip())
    first_line = str(error).strip().splitlines()[:1] or [type(error).__name__]
    return ModelError(f"the Ray engine failed: {first_line[0]}")


@contextmanager
def cluster(options: RayOptions) -> Iterator[int]:
    """Connected to ``options.address``, or to a local cluster started (and stopped) here; yields its CPUs."""
    ray = require_ray()
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

    ray = require_ray()
    with cluster(options) as cpus:
        workers = max(1, min(options.workers or cpus, cpus))
        # Failures reach the user as one sentence (see _ours), not as Ray Data's log of them.
        logging.getLogger("ray.data").setLevel(logging.CRITICAL)
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
            try:
                for batch in dataset.iter_batches(batch_size=options.batch_size, batch_format="numpy"):
                    yield [str(h) for h in batch["hash"]], np.asarray(batch["vector"], dtype=np.float32)
            except PapersiftError:
                raise
            except Exception as error:  # an actor's failure arrives wrapped in Ray's exceptions
                raise _ours(error) from None
