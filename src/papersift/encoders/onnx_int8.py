"""all-MiniLM-L6-v2 as an int8 ONNX Runtime model: the same embeddings for less arithmetic.

fp32 MiniLM already runs near this class of machine's fp32 matrix-multiply
peak, so speed has to come from cheaper arithmetic: the bundled weights
(sha256-checked) are exported to ONNX once, their matrix multiplies quantized
to int8 (dynamic quantization: int8 weights, activations quantized on the
fly), and the file cached in the data directory under the weights' hash.
Texts are batched by length so little work goes into padding.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..config import user_dir
from ..errors import ModelError
from ..fileio import staged_path
from .transformer import MINILM_SHA256, bundled_minilm_path, verify_weights

FAST_HINT = "install the fast extra: pip install 'papersift[fast]'"
# Bump when the export or quantization recipe changes, so stale caches are rebuilt.
RECIPE = "minilm-onnx-int8-v3"
MAX_TOKENS = 256


def _onnxruntime() -> Any:
    try:
        import onnxruntime
    except ImportError:
        raise ModelError(f"the int8 encoder needs onnxruntime; {FAST_HINT}") from None
    return onnxruntime


def export_int8(model_dir: Path, target: Path) -> None:
    """Export the sentence-transformers model's transformer to ONNX and quantize it to int8."""
    _onnxruntime()
    try:
        import onnx
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from onnxruntime.transformers.optimizer import optimize_model
        from transformers import AutoModel
    except ImportError as exc:
        raise ModelError(f"exporting the int8 model needs torch, transformers and onnx ({exc}); {FAST_HINT}") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    # Eager attention exports as plain MatMul/Softmax, which ONNX Runtime fuses into one Attention op;
    # the SDPA path exports masking with Where/IsNaN that costs about a sixth of the run time.
    bert = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class LastHiddenState(torch.nn.Module):
        """Keyword arguments only: BertModel's positional order differs between transformers versions."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    model = LastHiddenState().eval()
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        fp32 = Path(tmp) / "model.onnx"
        dummy = torch.ones((2, 16), dtype=torch.long)
        with torch.no_grad():
            torch.onnx.export(
                model,
                (dummy, dummy, torch.zeros_like(dummy)),
                str(fp32),
                input_names=["input_ids", "attention_mask", "token_type_ids"],
                output_names=["last_hidden_state"],
                dynamic_axes={
                    name: {0: "batch", 1: "sequence"} for name in ("input_ids", "attention_mask", "token_type_ids")
                }
                | {"last_hidden_state": {0: "batch", 1: "sequence"}},
                opset_version=17,
                dynamo=False,
            )
        fused = Path(tmp) / "fused.onnx"
        optimize_model(str(fp32), model_type="bert", num_heads=12, hidden_size=384, opt_level=1).save_model_to_file(
            str(fused)
        )
        with staged_path(target) as staged:
            quantize_dynamic(
                str(fused),
                str(staged),
                weight_type=QuantType.QInt8,
                per_channel=True,
                # Only the dense MatMuls: quantizing the fused attention too (QAttention) costs
                # +0.007 gold-standard loss against fp32; MatMuls alone cost +0.002.
                op_types_to_quantize=["MatMul"],
                # Fused ops are outside ONNX's shape inference; their outputs are float.
                extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
            )


class OnnxInt8Encoder:
    """The bundled MiniLM, int8-quantized, run by ONNX Runtime with length-sorted batches."""

    cacheable = True

    def __init__(self, cache_dir: Path | None = None, batch_size: int = 32) -> None:
        self.cache_dir = cache_dir
        self.batch_size = batch_size
        self.model_id = (
            f"minilm-int8:all-MiniLM-L6-v2:{hashlib.sha256((RECIPE + MINILM_SHA256).encode()).hexdigest()[:12]}"
        )
        self._session: Any = None
        self._tokenizer: Any = None

    @property
    def model_path(self) -> Path:
        return (self.cache_dir or user_dir() / "models") / f"{RECIPE}-{MINILM_SHA256[:16]}.onnx"

    def _load(self) -> None:
        if self._session is not None:
            return
        ort = _onnxruntime()
        from tokenizers import Tokenizer

        model_dir = bundled_minilm_path()
        verify_weights(model_dir, MINILM_SHA256)
        path = self.model_path
        if not path.is_file():
            export_int8(model_dir, path)
        options = ort.SessionOptions()
        options.intra_op_num_threads = os.cpu_count() or 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception:  # a truncated or corrupted cache file: rebuild it once
            path.unlink(missing_ok=True)
            export_int8(model_dir, path)
            try:
                self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            except Exception as exc:
                raise ModelError(f"cannot load the int8 model {path}: {exc}") from None
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.no_padding()
        self._tokenizer = tokenizer

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        self._load()
        encodings = self._tokenizer.encode_batch(list(texts))
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        out = np.zeros((len(texts), 384), dtype=np.float32)
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        progress = None
        if show_progress:
            from rich.progress import Progress

            progress = Progress(transient=True)
            progress.start()
            task = progress.add_task("embedding (int8)", total=len(texts))
        try:
            for batch in batches:
                width = max(len(encodings[i].ids) for i in batch)
                ids = np.zeros((len(batch), width), dtype=np.int64)
                mask = np.zeros((len(batch), width), dtype=np.int64)
                for row, i in enumerate(batch):
                    n = len(encodings[i].ids)
                    ids[row, :n] = encodings[i].ids
                    mask[row, :n] = 1
                (hidden,) = self._session.run(
                    ["last_hidden_state"],
                    {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
                )
                weights = mask[:, :, None].astype(np.float32)
                pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
                out[batch] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
                if progress is not None:
                    progress.update(task, advance=len(batch))
        finally:
            if progress is not None:
                progress.stop()
        return out
