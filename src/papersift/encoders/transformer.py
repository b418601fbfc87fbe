"""sentence-transformers encoders (the ``st`` extra, with torch): any model a user names.

The model hub is offline unless the user opts in with PAPERSIFT_ALLOW_DOWNLOADS=1,
so a mistyped ``--model`` fails at once with one sentence instead of retrying
the network for a minute. ``minilm-st`` runs the bundled all-MiniLM-L6-v2
through sentence-transformers: the reference the default ONNX encoder is
checked against.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError
from ..progress import progress
from .bundled import bundled_minilm_path, verify_weights

ST_HINT = "install torch and sentence-transformers: pip install torch==2.13.0 'papersift[st]'"
ALLOW_DOWNLOADS_ENV = "PAPERSIFT_ALLOW_DOWNLOADS"


def downloads_allowed() -> bool:
    return os.environ.get(ALLOW_DOWNLOADS_ENV, "").strip().lower() in {"1", "true", "yes"}


def _hub_offline() -> None:
    """Keep the hub offline (the environment is read when huggingface_hub is first imported)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    try:
        from huggingface_hub import constants
    except ImportError:
        return
    constants.HF_HUB_OFFLINE = True


def _in_hub_cache(name: str) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    for repo in (name, f"sentence-transformers/{name}"):
        try:
            if isinstance(try_to_load_from_cache(repo, "config.json"), str):
                return True
        except Exception:  # not a valid repo id
            continue
    return False


def _sentence_transformers(name: str) -> Any:
    try:
        import sentence_transformers
    except ImportError:
        raise ModelError(f"the model '{name}' needs sentence-transformers; {ST_HINT}") from None
    return sentence_transformers


def _quiet_transformers() -> None:
    # The hub's download and weight-loading bars are noise next to papersift's own progress bar.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    except ImportError:
        pass


class SentenceTransformerEncoder:
    """Any sentence-transformers model, by hub name or local path; loaded on first use."""

    cacheable = True

    def __init__(self, name_or_path: str, model_id: str | None = None, batch_size: int = 32) -> None:
        self.name_or_path = name_or_path
        self.model_id = model_id or f"st:{name_or_path}"
        self.batch_size = batch_size
        self._model: Any = None

    def _check_reachable(self) -> None:
        """Fail before importing torch when the model cannot be loaded without the network."""
        if downloads_allowed() or Path(self.name_or_path).expanduser().is_dir():
            return
        if not _in_hub_cache(self.name_or_path):
            raise ModelError(
                f"unknown model '{self.name_or_path}': not a local directory or a model in the Hugging Face cache "
                f"(use minilm, minilm-int8 or tfidf, or set {ALLOW_DOWNLOADS_ENV}=1 to download it)"
            )

    def _load(self) -> Any:
        if self._model is None:
            self._check_reachable()
            if not downloads_allowed():
                _hub_offline()
            st = _sentence_transformers(self.name_or_path)
            _quiet_transformers()
            try:
                self._model = st.SentenceTransformer(self.name_or_path, device="cpu")
            except Exception as exc:  # the library raises many kinds (OSError, HF errors, ValueError)
                reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise ModelError(f"cannot load the model '{self.name_or_path}': {reason}") from None
        return self._model

    def encode_batches(self, texts: Sequence[str]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(positions, unit vectors) per batch, longest texts first as sentence-transformers orders them."""
        if not texts:
            return
        model = self._load()
        order = np.argsort([-len(t) for t in texts], kind="stable")
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            vectors = model.encode(
                [texts[i] for i in batch],
                batch_size=self.batch_size,
                show_progress_bar=False,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
            yield batch, np.asarray(vectors, dtype=np.float32)

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        out: np.ndarray | None = None
        with progress(len(texts), "embedding", enabled=show_progress) as bar:
            for positions, vectors in self.encode_batches(texts):
                if out is None:
                    out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
                out[positions] = vectors
                bar.advance(len(positions))
        return out if out is not None else np.zeros((0, 0), dtype=np.float32)


class MiniLMSentenceTransformer(SentenceTransformerEncoder):
    """The bundled all-MiniLM-L6-v2 through sentence-transformers (``minilm-st``), weights checked first."""

    def __init__(self, batch_size: int = 32) -> None:
        super().__init__("all-MiniLM-L6-v2", model_id="minilm-st:all-MiniLM-L6-v2", batch_size=batch_size)

    def _load(self) -> Any:
        if self._model is None:
            path = bundled_minilm_path()
            verify_weights(path)
            _hub_offline()
            self.name_or_path = str(path)
            super()._load()
        return self._model
