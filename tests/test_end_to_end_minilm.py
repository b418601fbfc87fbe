"""End to end with the real bundled all-MiniLM-L6-v2 on the sample researcher (slow: loads the model)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from papersift import api
from papersift.encoders import MiniLMEncoder, bundled, minilm
from papersift.errors import ModelError
from papersift.ranking import RankOptions
from papersift.ranking.personal import DigestOptions
from papersift.store import Store
from tests.conftest import FEED_FILES, PROFILE_FILES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def digest() -> api.Digest:
    # Flat, by score: grouping under interest headings (the default) would reorder the tail.
    flat = DigestOptions(per_interest=0, by_interest=False)
    profile, feed = api.load_papers(PROFILE_FILES), api.load_papers(FEED_FILES)
    return api.rank_papers(profile.papers, feed.papers, MiniLMEncoder(), RankOptions(top=0), flat)


def _position(digest: api.Digest, words: str) -> int:
    return next(r.rank for r in digest.recommendations if words.lower() in r.paper.title.lower())


def test_sample_researcher_gets_their_fields_on_top(digest: api.Digest) -> None:
    assert digest.candidates == 183 and len(digest.recommendations) == 183
    top20 = " ".join(r.paper.title.lower() + " " + r.paper.abstract.lower() for r in digest.recommendations[:20])
    for topic in ("sharpness", "unlearning", "pruning", "sparsity", "inference"):
        assert topic in top20, topic
    assert _position(digest, "Sharpness-Aware Training for Free") <= 5


def test_unrelated_fields_at_the_bottom(digest: api.Digest) -> None:
    n = len(digest.recommendations)
    assert _position(digest, "weakly collisional plasmas") > n - 5
    assert _position(digest, "Legged Locomotion") > n - 10
    assert _position(digest, "Risk-Return Tradeoff") > n - 10


def test_explanations_cite_profile_papers(digest: api.Digest) -> None:
    top = digest.recommendations[0]
    assert len(top.why) == 2 and top.why[0].similarity >= top.why[1].similarity
    assert top.why[0].shared_terms


def test_weights_checked_before_loading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = bundled.bundled_minilm_path()
    fake = tmp_path / "model"
    shutil.copytree(real, fake, ignore=shutil.ignore_patterns("model.safetensors"))
    (fake / "model.safetensors").write_bytes(b"tampered")
    monkeypatch.setattr(minilm, "bundled_minilm_path", lambda: fake)
    with pytest.raises(ModelError, match="sha256"):
        MiniLMEncoder().encode(["x"])


def test_store_cache_gives_identical_scores(tmp_path: Path) -> None:
    encoder = MiniLMEncoder()
    with Store(tmp_path / "s.db") as store:
        api.import_profile(store, "me", PROFILE_FILES)
        api.import_feed(store, FEED_FILES[2:])
        cold = api.digest_from_store(store, "me", encoder=encoder, options=RankOptions(top=10))
        warm = api.digest_from_store(
            store, "me", encoder=encoder, options=RankOptions(top=10), settings=DigestOptions(include_seen=True)
        )
    assert [(r.paper.title, round(r.score, 5)) for r in cold.recommendations] == [
        (r.paper.title, round(r.score, 5)) for r in warm.recommendations
    ]
