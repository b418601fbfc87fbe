"""The encoder interface and the embedding cache."""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from ..models import Paper
from ..progress import Interrupted, progress

if TYPE_CHECKING:
    from ..store import Store


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalized float32 vectors, one row per text.

    ``cacheable`` is False for encoders whose vectors depend on the corpus at
    hand (TF-IDF): their vectors must not be stored under a fixed model id.
    An encoder may also offer ``encode_batches(texts)`` yielding (positions,
    vectors) per batch, so the cache can keep each batch as soon as it is done.
    """

    model_id: str
    cacheable: bool

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray: ...


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalize_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


# The cache is written at least this often during a long embedding run; everything finished is
# also written when the run stops early (Ctrl-C, a crash), so a rerun continues where it stopped.
FLUSH_SECONDS = 2.0
FALLBACK_BATCH = 32


def encode_in_batches(encoder: Encoder, texts: Sequence[str]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(positions, vectors) per batch: the encoder's own batches, or slices of 32 for encoders without them."""
    batches = getattr(encoder, "encode_batches", None)
    if batches is not None:
        yield from batches(texts)
        return
    size = int(getattr(encoder, "batch_size", FALLBACK_BATCH))
    for start in range(0, len(texts), size):
        positions = np.arange(start, min(start + size, len(texts)))
        yield positions, encoder.encode(texts[start : start + size])


def embed_papers(
    papers: Sequence[Paper],
    encoder: Encoder,
    store: Store | None = None,
    show_progress: bool = False,
) -> np.ndarray:
    """Vectors for ``papers``; with a store, each text is embedded once per model, ever.

    New vectors reach the store batch by batch: when the run is interrupted,
    :class:`~papersift.progress.Interrupted` says how many were kept.
    """
    texts = [paper.text() for paper in papers]
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    if store is None or not encoder.cacheable:
        return normalize_rows(encoder.encode(texts, show_progress=show_progress))
    hashes = [content_hash(t) for t in texts]
    cached = store.get_embeddings(encoder.model_id, hashes)
    first_text = missing_in_order(hashes, texts, cached)
    if first_text:
        _embed_into_cache(encoder, store, list(first_text), list(first_text.values()), cached, show_progress)
    return normalize_rows(np.stack([cached[h] for h in hashes]))


def embed_groups(
    groups: Sequence[Sequence[Paper]], encoder: Encoder, store: Store | None = None, show_progress: bool = False
) -> list[np.ndarray]:
    """Vectors for several groups of papers from one encoder call, one matrix per group.

    One call because a corpus-dependent encoder (TF-IDF) must see every text together to put them
    in one space; a text in several groups is encoded once.
    """
    slot: dict[str, int] = {}
    unique: list[Paper] = []
    index: list[int] = []
    for paper in (p for g in groups for p in g):
        text = paper.text()
        if text not in slot:
            slot[text] = len(unique)
            unique.append(paper)
        index.append(slot[text])
    vectors = embed_papers(unique, encoder, store=store, show_progress=show_progress)
    every = vectors[index] if index else np.zeros((0, max(vectors.shape[1], 1)), dtype=np.float32)
    return np.split(every, np.cumsum([len(g) for g in groups])[:-1])


def missing_in_order(hashes: Sequence[str], texts: Sequence[str], cached: Container[str]) -> dict[str, str]:
    """{hash: text} of the texts not in ``cached``, each once, in input order (one linear pass)."""
    first_text: dict[str, str] = {}
    for h, t in zip(hashes, texts, strict=True):
        if h not in cached and h not in first_text:
            first_text[h] = t
    return first_text


def _embed_into_cache(
    encoder: Encoder,
    store: Store,
    missing: list[str],
    texts: list[str],
    cached: dict[str, np.ndarray],
    show_progress: bool,
) -> None:
    batches = (
        ([missing[int(i)] for i in positions], vectors) for positions, vectors in encode_in_batches(encoder, texts)
    )
    write_to_cache(store, encoder.model_id, batches, len(missing), show_progress, on_flush=cached.update)


def write_to_cache(
    store: Store,
    model_id: str,
    batches: Iterable[tuple[Sequence[str], np.ndarray]],
    total: int,
    show_progress: bool,
    on_flush: Callable[[dict[str, np.ndarray]], None] | None = None,
) -> int:
    """Keep every finished batch (content hashes, vectors) in the cache at least every ``FLUSH_SECONDS``;
    on Ctrl-C say how many were kept (:class:`Interrupted`), on a crash keep them too. Returns how many."""
    pending: dict[str, np.ndarray] = {}
    kept = 0
    last_flush = time.monotonic()

    def flush() -> None:
        nonlocal kept, last_flush
        if pending:
            store.put_embeddings(model_id, pending)
            if on_flush is not None:
                on_flush(pending)
            kept += len(pending)
            pending.clear()
        last_flush = time.monotonic()

    try:
        with progress(total, "embedding", enabled=show_progress) as bar:
            for hashes, vectors in batches:
                pending.update(zip(hashes, normalize_rows(vectors), strict=True))
                bar.advance(len(hashes))
                if time.monotonic() - last_flush >= FLUSH_SECONDS:
                    flush()
    except KeyboardInterrupt:
        flush()
        raise Interrupted(
            f"{kept} of {total} new embeddings ({model_id}) were kept in the cache; rerun to continue from there"
        ) from None
    except BaseException:
        with contextlib.suppress(Exception):  # a crash keeps the finished batches too
            flush()
        raise
    flush()
    return kept
