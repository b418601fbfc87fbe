"""The default encoder: all-MiniLM-L6-v2 as an ONNX graph built from the weights, without torch (slow)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from papersift.encoders import MiniLMEncoder
from papersift.encoders.bundled import bundled_minilm_path
from tests.conftest import REPO, SAMPLE

pytestmark = pytest.mark.slow

NO_TORCH = """
import sys
sys.modules["torch"] = None  # any import of torch fails
sys.modules["sentence_transformers"] = None
from papersift.encoders import get_encoder
vectors = get_encoder(sys.argv[1]).encode(["Sharpness-aware minimization", "plasma turbulence"])
print(vectors.shape, round(float(vectors[0] @ vectors[1]), 3))
"""


def goldstandard_texts(shared: Path, n: int) -> list[str]:
    """The first ``n`` distinct gold-standard papers (by id), as the embedding benchmark reads them."""
    seen: dict[str, dict[str, str]] = {}
    for split in sorted((shared / "goldstandard" / "evaluation_datasets").glob("d_20_*")):
        for archive in sorted((split / "archives").glob("*.jsonl")):
            for line in archive.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    obj = json.loads(line)
                    seen.setdefault(obj["id"], obj["content"])
        for obj in json.loads((split / "submissions.json").read_text(encoding="utf-8")).values():
            seen.setdefault(obj["id"], obj["content"])
    return [f"{(c.get('title') or '').strip()}. {(c.get('abstract') or '').strip()}" for _, c in sorted(seen.items())][
        :n
    ]


def test_matches_sentence_transformers_on_1000_goldstandard_texts(shared_dir: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("sentence_transformers")
    from papersift.encoders import MiniLMSentenceTransformer

    texts = goldstandard_texts(shared_dir, 1000)
    assert len(texts) == 1000
    onnx = MiniLMEncoder().encode(texts)
    reference = MiniLMSentenceTransformer().encode(texts)
    cosine = (onnx * reference).sum(axis=1)
    assert cosine.min() >= 0.9999, (cosine.min(), int(cosine.argmin()))
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("model", ["minilm", "minilm-int8", "minilm-fast"])
def test_runs_without_torch(model: str, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "PAPERSIFT_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", NO_TORCH, model], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("(2, 384)")
    assert done.stderr == ""  # no loading bars, no library warnings


def test_graph_is_valid_onnx_with_the_documented_interface() -> None:
    import onnx

    from papersift.encoders.minilm import build_fp32

    model = build_fp32(bundled_minilm_path())
    onnx.checker.check_model(model)
    assert [i.name for i in model.graph.input] == ["input_ids", "attention_mask"]
    assert [o.name for o in model.graph.output] == ["sentence_embedding"]


def test_padding_and_batching_do_not_change_vectors() -> None:
    from papersift.sources import read_papers

    texts = [p.text() for p in read_papers(SAMPLE / "profile_publications.txt").papers]
    alone = np.stack([MiniLMEncoder().encode([t])[0] for t in texts[:6]])
    batched = MiniLMEncoder(batch_size=4).encode(texts)[:6]
    assert np.allclose(alone, batched, atol=1e-5)
