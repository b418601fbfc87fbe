"""The fast default encoder (fused graph, int8, small concurrent batches) against the exact fp32 graph.

Slow: builds, quantizes and loads the real model from the bundled weights.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime")

from papersift.encoders import MiniLMEncoder, content_hash, embed_papers  # noqa: E402
from papersift.encoders import minilm as minilm_module  # noqa: E402
from papersift.encoders.bundled import bundled_minilm_path  # noqa: E402
from papersift.encoders.fast import FastMiniLMEncoder  # noqa: E402
from papersift.encoders.onnx_int8 import OnnxInt8Encoder  # noqa: E402
from papersift.errors import ModelError  # noqa: E402
from papersift.models import Paper  # noqa: E402
from papersift.sources import read_papers  # noqa: E402
from papersift.store import Store  # noqa: E402
from tests.conftest import SAMPLE, SHARED  # noqa: E402

pytestmark = pytest.mark.slow

SEEDS = Path(os.environ.get("PAPERSIFT_SHARED", SHARED)) / "seeds"


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def fast(cache_dir: Path) -> FastMiniLMEncoder:
    return FastMiniLMEncoder(cache_dir=cache_dir, workers=2)


def sample_papers() -> list[Paper]:
    files = [SAMPLE / "profile_publications.txt", SAMPLE / "feed_hf_oct17.txt", SAMPLE / "feed_hf_nov20.txt"]
    return [p for f in files for p in read_papers(f).papers]


def seed_papers() -> list[Paper]:
    if not SEEDS.is_dir():
        pytest.skip(f"the shared seed profiles ({SEEDS}) are not here; set PAPERSIFT_SHARED")
    return [p for f in sorted(SEEDS.glob("*.txt")) for p in read_papers(f).papers]


@pytest.mark.parametrize("papers", [sample_papers, seed_papers], ids=["sample", "seeds"])
def test_close_to_the_exact_fp32_vectors_on_real_abstracts(fast: FastMiniLMEncoder, papers: object) -> None:
    texts = list(dict.fromkeys(p.text() for p in papers()))  # type: ignore[operator]  # distinct texts
    assert len(texts) >= 40
    quick = fast.encode(texts)
    exact = MiniLMEncoder().encode(texts)
    cosine = (quick * exact).sum(axis=1)
    # Measured: mean 0.995, min 0.991 on the gold standard's 1,311 abstracts.
    assert cosine.mean() > 0.99 and cosine.min() > 0.98, (cosine.mean(), cosine.min())
    assert np.allclose(np.linalg.norm(quick, axis=1), 1.0, atol=1e-5)
    # Order kept through the concurrent batches: each text is nearest its own exact vector.
    assert (np.argmax(quick @ exact.T, axis=1) == np.arange(len(texts))).all()


def test_concurrent_batches_equal_one_at_a_time(cache_dir: Path, fast: FastMiniLMEncoder) -> None:
    texts = [p.text() for p in sample_papers()]
    alone = FastMiniLMEncoder(cache_dir=cache_dir, workers=1).encode(texts)
    assert np.array_equal(fast.encode(texts), alone)


def test_stopping_early_leaves_no_work_running(fast: FastMiniLMEncoder) -> None:
    texts = [p.text() for p in sample_papers()]
    batches = fast.encode_batches(texts)
    positions, vectors = next(batches)
    batches.close()  # what a Ctrl-C between batches does to the generator
    assert len(positions) == vectors.shape[0] == 2
    assert fast.encode([]).shape == (0, 384)


class FusedFp32(MiniLMEncoder):
    def _model_source(self, model_dir: Path) -> bytes | str:
        from papersift.encoders.minilm import build_fp32

        return bytes(build_fp32(model_dir, fused=True).SerializeToString())


def test_fused_fp32_graph_computes_the_standard_graph() -> None:
    texts = [p.text() for p in sample_papers()[:12]]
    cosine = (FusedFp32(batch_size=4).encode(texts) * MiniLMEncoder(batch_size=4).encode(texts)).sum(axis=1)
    assert cosine.min() > 0.99999


def test_its_own_cache_key(cache_dir: Path, fast: FastMiniLMEncoder, tmp_path: Path) -> None:
    exact_encoder = MiniLMEncoder()
    ids = {exact_encoder.model_id, OnnxInt8Encoder(cache_dir=cache_dir).model_id, fast.model_id}
    assert len(ids) == 3 and fast.model_id.startswith("minilm-int8-fused:all-MiniLM-L6-v2:")
    papers = sample_papers()[:5]
    hashes = [content_hash(p.text()) for p in papers]
    store = Store(tmp_path / "store.db")
    try:
        exact = embed_papers(papers, exact_encoder, store=store)
        assert store.get_embeddings(fast.model_id, hashes) == {}
        quick = embed_papers(papers, fast, store=store)  # embedded, not served from the fp32 rows
        assert (
            len(store.get_embeddings(fast.model_id, hashes))
            == len(store.get_embeddings(exact_encoder.model_id, hashes))
            == 5
        )
        assert not np.allclose(exact, quick, atol=1e-4)
        assert np.allclose(quick, fast.encode([p.text() for p in papers]), atol=1e-6)
    finally:
        store.close()


def test_refuses_tampered_weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model_dir = tmp_path / "model"
    shutil.copytree(bundled_minilm_path(), model_dir)
    weights = model_dir / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0x01
    weights.write_bytes(bytes(data))
    monkeypatch.setattr(minilm_module, "bundled_minilm_path", lambda: model_dir)
    encoder = FastMiniLMEncoder(cache_dir=tmp_path / "models")
    with pytest.raises(ModelError, match="refusing to load them"):
        encoder.encode(["a text"])
    assert not encoder.model_path.exists()  # nothing built from the altered weights


def test_sample_digest_matches_fp32_at_the_top(cache_dir: Path) -> None:
    from papersift import api
    from papersift.ranking import RankOptions
    from papersift.ranking.personal import DigestOptions
    from tests.conftest import FEED_FILES, PROFILE_FILES

    flat = DigestOptions(per_interest=0, by_interest=False)

    def top(encoder: MiniLMEncoder, n: int) -> set[str]:
        profile, feed = api.load_papers(PROFILE_FILES), api.load_papers(FEED_FILES)
        digest = api.rank_papers(profile.papers, feed.papers, encoder, RankOptions(top=0), flat)
        return {r.paper.title for r in digest.recommendations[:n]}

    exact, quick = top(MiniLMEncoder(), 20), top(FastMiniLMEncoder(cache_dir=cache_dir), 20)
    assert len(exact & quick) >= 18  # measured: 19 of the top 20 (and 9 of the top 10) shared
