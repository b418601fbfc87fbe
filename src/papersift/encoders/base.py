"""The encoder interface and the embedding cache."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from ..models import Paper

if TYPE_CHECKING:
    from ..store import Store


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalized float32 vectors, one row per text.

    ``cacheable`` is False for encoders whose vectors depend on the corpus at
    hand (TF-IDF): their vectors must not be stored under a fixed model id.
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


def embed_papers(
    papers: Sequence[Paper],
    encoder: Encoder,
    store: Store | None = None,
    show_progress: bool = False,
) -> np.ndarray:
    """Vectors for ``papers``; with a store, each text is embedded once per model, ever."""
    texts = [paper.text() for paper in papers]
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    if store is None or not encoder.cacheable:
        return normalize_rows(encoder.encode(texts, show_progress=show_progress))
    hashes = [content_hash(t) for t in texts]
    cached = store.get_embeddings(encoder.model_id, hashes)
    missing = sorted({h for h in hashes if h not in cached}, key=hashes.index)
    if missing:
        first_text = {h: t for h, t in zip(hashes, texts, strict=True)}
        fresh = normalize_rows(encoder.encode([first_text[h] for h in missing], show_progress=show_progress))
        new_vectors = dict(zip(missing, fresh, strict=True))
        store.put_embeddings(encoder.model_id, new_vectors)
        cached.update(new_vectors)
    return normalize_rows(np.stack([cached[h] for h in hashes]))

