"""all-MiniLM-L6-v2 with int8 matrix multiplies: the same graph as the default encoder, quantized.

The fp32 graph built from the checked weights (:mod:`.bert_onnx`, no torch) is
quantized dynamically (int8 weights per channel, activations quantized on the
fly) in its dense MatMuls only: quantizing the attention products too cost
gold-standard loss. The file is built once and cached in the data directory
under the recipe and the weights' hash; a corrupted cache file is rebuilt.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from ..config import user_dir
from ..errors import ModelError
from ..fileio import staged_path
from .bundled import MINILM_SHA256
from .minilm import RUNTIME_HINT, MiniLMEncoder, build_fp32, onnxruntime

# Bump when the graph or the quantization recipe changes, so stale caches are rebuilt.
RECIPE = "minilm-onnx-int8-v4"


def export_int8(
    model_dir: Path, target: Path, expected_sha256: str | None = MINILM_SHA256, fused: bool = False
) -> None:
    """Build the fp32 graph from the weights, quantize its dense MatMuls to int8, write ``target`` atomically.

    ``fused``: the graph of fused operators, whose Attention nodes become QAttention (the Q, K and V
    projections in int8, the attention products themselves still in float).
    """
    onnxruntime()
    try:
        from onnx import TensorProto
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise ModelError(f"building the int8 model needs onnx ({exc}); {RUNTIME_HINT}") from None
    model = build_fp32(model_dir, expected_sha256, fused=fused)
    target.parent.mkdir(parents=True, exist_ok=True)
    # The quantizer logs advice about its own pre-processing through the root logger: not for users.
    logging.disable(logging.WARNING)
    try:
        with staged_path(target) as staged:
            quantize_dynamic(
                model,
                str(staged),
                weight_type=QuantType.QInt8,
                per_channel=True,
                op_types_to_quantize=["MatMul", "Attention"] if fused else ["MatMul"],
                # Only MatMuls with a constant (weight) operand: not the attention products.
                extra_options={"MatMulConstBOnly": True, "DefaultTensorType": TensorProto.FLOAT},
            )
    finally:
        logging.disable(logging.NOTSET)


class OnnxInt8Encoder(MiniLMEncoder):
    """The bundled MiniLM, int8-quantized, run by ONNX Runtime with length-sorted batches."""

    description = "embedding (int8)"
    recipe = RECIPE
    fused = False
    id_prefix = "minilm-int8"

    def __init__(self, cache_dir: Path | None = None, batch_size: int = 32) -> None:
        super().__init__(batch_size=batch_size)
        self.cache_dir = cache_dir
        # The recipe is part of the id: vectors of two recipes never share cache rows.
        recipe_hash = hashlib.sha256((self.recipe + MINILM_SHA256).encode()).hexdigest()[:12]
        self.model_id = f"{self.id_prefix}:all-MiniLM-L6-v2:{recipe_hash}"
        self._model_dir: Path | None = None

    @property
    def model_path(self) -> Path:
        return (self.cache_dir or user_dir() / "models") / f"{self.recipe}-{MINILM_SHA256[:16]}.onnx"

    def _export(self, model_dir: Path, path: Path) -> None:
        export_int8(model_dir, path, fused=self.fused)

    def _model_source(self, model_dir: Path) -> bytes | str:
        self._model_dir = model_dir
        path = self.model_path
        if not path.is_file():
            self._export(model_dir, path)
        return str(path)

    def _open_session(self, source: bytes | str) -> Any:
        try:
            return super()._open_session(source)
        except Exception:  # a truncated or corrupted cache file: rebuild it once
            assert self._model_dir is not None
            path = self.model_path
            path.unlink(missing_ok=True)
            self._export(self._model_dir, path)
            try:
                return super()._open_session(str(path))
            except Exception as exc:
                raise ModelError(f"cannot load the int8 model {path}: {exc}") from None
