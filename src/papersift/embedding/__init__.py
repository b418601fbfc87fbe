"""Batch embedding of a corpus into the store's embedding cache, on this machine or on a Ray cluster.

:func:`embed_corpus` hashes every paper's text, asks the cache which (model, hash) pairs it already
holds, and embeds only the rest, so a rerun after Ctrl-C or on a grown corpus continues where the
last one stopped. The engine computes vectors; the driver alone writes them (the store stays
single-writer), batch by batch, at least every :data:`papersift.encoders.base.FLUSH_SECONDS`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ..encoders import Encoder, content_hash, encoder_factory
from ..encoders.base import encode_in_batches, write_to_cache
from ..errors import InputError
from ..models import Paper
from ..store import Store

__all__ = ["ENGINES", "EmbedSummary", "RayOptions", "embed_corpus", "store_papers"]

ENGINES = ("local", "ray")
# Texts handed to an engine at a time: bounds the memory of the driver and of the cluster's object store.
CHUNK = 20_000
HASH_LOOKUP = 5_000

# (content hashes, their vectors) for one finished batch.
Batches = Iterator[tuple[list[str], np.ndarray]]


@dataclass(frozen=True)
class RayOptions:
    """Where and how wide: ``address`` of a running cluster (``ray://host:port``), else a local one of
    ``workers`` CPUs (default: all of this machine's)."""

    address: str | None = None
    workers: int | None = None
    batch_size: int = 64


@dataclass(frozen=True)
class EmbedSummary:
    model_id: str
    engine: str
    papers: int
    texts: int  # distinct texts among the papers
    cached: int  # of them, already in the cache before this run
    embedded: int  # embedded and kept by this run
    seconds: float

    @property
    def rate(self) -> float:
        return self.embedded / self.seconds if self.seconds > 0 else 0.0


def store_papers(store: Store, chunk: int = 1_000) -> Iterator[Paper]:
    """Every paper in the store, read ``chunk`` at a time."""
    from sqlalchemy import select

    from ..store import schema

    with store.snapshot() as conn:
        ids = [row.id for row in conn.execute(select(schema.papers.c.id).order_by(schema.papers.c.id))]
    for start in range(0, len(ids), chunk):
        yield from store.papers_by_id(ids[start : start + chunk])


def _missing(store: Store, model_id: str, papers: Iterable[Paper]) -> tuple[int, int, dict[str, str]]:
    """(papers, distinct texts, {hash: text} of those not cached yet, in input order)."""
    n_papers = 0
    first_text: dict[str, str] = {}
    for paper in papers:
        n_papers += 1
        text = paper.text()
        first_text.setdefault(content_hash(text), text)
    hashes = list(first_text)
    missing = dict(first_text)
    for start in range(0, len(hashes), HASH_LOOKUP):
        for cached in store.get_embeddings(model_id, hashes[start : start + HASH_LOOKUP]):
            del missing[cached]
    return n_papers, len(first_text), missing


def local_batches(factory: Callable[[], Encoder], items: Sequence[tuple[str, str]]) -> Batches:
    """This process's encoder, in its own batches (length-sorted by the encoder where it does so)."""
    encoder = factory()
    hashes = [h for h, _ in items]
    for start in range(0, len(items), CHUNK):
        texts = [t for _, t in items[start : start + CHUNK]]
        for positions, vectors in encode_in_batches(encoder, texts):
            yield [hashes[start + int(i)] for i in positions], vectors


def _write(store: Store, model_id: str, batches: Batches, total: int, show_progress: bool) -> int:
    """Keep every finished batch in the cache; on Ctrl-C say how many were kept."""
    return write_to_cache(store, model_id, batches, total, show_progress)


def embed_corpus(
    store: Store,
    papers: Iterable[Paper],
    encoder_name: str | None = None,
    *,
    engine: str = "local",
    ray: RayOptions | None = None,
    show_progress: bool = False,
) -> EmbedSummary:
    """Embed every paper whose text the cache lacks for this model; return what was done."""
    if engine not in ENGINES:
        raise InputError(f"unknown engine '{engine}': choose one of {', '.join(ENGINES)}")
    if engine == "ray":
        from .ray_engine import require_ray

        require_ray()  # before a model is loaded
    started = time.monotonic()
    factory = encoder_factory(encoder_name)
    probe = factory()
    if not probe.cacheable:
        raise InputError(
            f"the {probe.model_id} encoder's vectors depend on the corpus at hand, so they are never cached: "
            "choose another --model"
        )
    n_papers, n_texts, missing = _missing(store, probe.model_id, papers)
    items = list(missing.items())
    embedded = 0
    if items:
        if engine == "ray":
            from .ray_engine import ray_batches

            batches = ray_batches(factory, items, ray or RayOptions())
        else:
            # The probe is the encoder this process runs: a model is loaded once.
            batches = local_batches(lambda: probe, items)
        embedded = _write(store, probe.model_id, batches, len(items), show_progress)
    return EmbedSummary(
        model_id=probe.model_id,
        engine=engine,
        papers=n_papers,
        texts=n_texts,
        cached=n_texts - len(items),
        embedded=embedded,
        seconds=time.monotonic() - started,
    )
