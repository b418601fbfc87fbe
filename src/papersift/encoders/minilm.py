"""The default encoder: the bundled all-MiniLM-L6-v2 run by ONNX Runtime, no torch.

The weights (sha256-checked) become an ONNX graph in memory (:mod:`.bert_onnx`)
each time the model is loaded, about a second; texts are tokenized with
``tokenizers`` from the package's ``tokenizer.json``, truncated at 256 tokens as
sentence-transformers does for this model, and batched by length so little
work goes into padding. The vectors match sentence-transformers' (cosine >=
0.9999, ``tests/encoders/test_minilm_onnx.py``), so they share its model id and
cached embeddings stay valid.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError
from ..progress import progress
from .bundled import MINILM_SHA256, bundled_minilm_path, verify_weights

MAX_TOKENS = 256  # sentence_bert_config.json's max_seq_length
DIM = 384
RUNTIME_HINT = "the default encoder needs onnxruntime, onnx, tokenizers and safetensors: pip install papersift"


def onnxruntime() -> Any:
    try:
        import onnxruntime
    except ImportError:
        raise ModelError(f"onnxruntime is not installed; {RUNTIME_HINT}") from None
    # Warnings of the runtime's graph optimiser are about its internals, not the user's input.
    onnxruntime.set_default_logger_severity(3)
    return onnxruntime


def build_fp32(model_dir: Path, expected_sha256: str | None = MINILM_SHA256, fused: bool = False) -> Any:
    """The checked weights of ``model_dir`` as an fp32 ONNX ModelProto (BERT + mean pooling + normalisation).

    ``expected_sha256`` None: weights papersift made itself (an adapted model, checked by its caller).
    ``fused``: the layers as ONNX Runtime's fused operators (:func:`.bert_onnx.build_model`).
    """
    from .bert_onnx import BertConfig, build_model, load_weights

    try:
        import onnx  # noqa: F401
    except ImportError:
        raise ModelError(f"onnx is not installed; {RUNTIME_HINT}") from None
    if expected_sha256 is None:
        weights = model_dir / "model.safetensors"
        if not weights.is_file():
            raise ModelError(f"the model weights {weights} are missing")
    else:
        weights = verify_weights(model_dir, expected_sha256)
    return build_model(load_weights(weights), BertConfig.from_dir(model_dir), fused=fused)


class MiniLMEncoder:
    """all-MiniLM-L6-v2 in fp32 through ONNX Runtime; the model is built on first use."""

    model_id = "minilm:all-MiniLM-L6-v2"
    cacheable = True
    dim = DIM
    description = "embedding"

    def __init__(self, batch_size: int = 32) -> None:
        self.batch_size = batch_size
        self._session: Any = None
        self._tokenizer: Any = None

    def _model_source(self, model_dir: Path) -> bytes | str:
        """What ONNX Runtime loads: the serialized graph, or a file path (int8 caches its file)."""
        return bytes(build_fp32(model_dir).SerializeToString())

    def _session_options(self) -> Any:
        ort = onnxruntime()
        options = ort.SessionOptions()
        options.intra_op_num_threads = os.cpu_count() or 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        return options

    def _open_session(self, source: bytes | str) -> Any:
        return onnxruntime().InferenceSession(source, self._session_options(), providers=["CPUExecutionProvider"])

    def _load(self) -> None:
        if self._session is not None:
            return
        try:
            from tokenizers import Tokenizer
        except ImportError:
            raise ModelError(f"tokenizers is not installed; {RUNTIME_HINT}") from None
        model_dir = bundled_minilm_path()
        self._session = self._open_session(self._model_source(model_dir))
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.no_padding()
        self._tokenizer = tokenizer

    def padded_batches(self, texts: Sequence[str]) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(positions in ``texts``, token ids, mask) per batch, shortest texts first, padded to the batch's longest."""
        self._load()
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            width = int(lengths[batch].max())
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                n = int(lengths[i])
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            yield batch, ids, mask

    def run_batch(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        (vectors,) = self._session.run(["sentence_embedding"], {"input_ids": ids, "attention_mask": mask})
        return np.asarray(vectors, dtype=np.float32)

    def encode_batches(self, texts: Sequence[str]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(positions in ``texts``, unit vectors) one batch at a time, shortest texts first."""
        if not texts:
            return
        for batch, ids, mask in self.padded_batches(texts):
            yield batch, self.run_batch(ids, mask)

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        with progress(len(texts), self.description, enabled=show_progress) as bar:
            for positions, vectors in self.encode_batches(texts):
                out[positions] = vectors
                bar.advance(len(positions))
        return out
