"""The embedding cache keeps every finished batch: Ctrl-C or a crash loses no finished work."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from papersift.cli import cli
from papersift.encoders import content_hash, embed_papers, register_encoder
from papersift.encoders.base import missing_in_order
from papersift.models import Paper
from papersift.progress import Interrupted
from papersift.store import Store
from tests.conftest import FEED_FILES, PROFILE_FILES


class CountingEncoder:
    """Vector = (length of the text, 1); stops with ``stop_with`` on batch number ``stop_at`` (1-based)."""

    model_id = "fake:counting"
    cacheable = True
    batch_size = 4

    def __init__(self, stop_at: int | None = None, stop_with: type[BaseException] = KeyboardInterrupt) -> None:
        self.stop_at, self.stop_with = stop_at, stop_with
        self.batches: list[list[str]] = []

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        if self.stop_at is not None and len(self.batches) + 1 == self.stop_at:
            raise self.stop_with()
        self.batches.append(list(texts))
        return np.asarray([[len(t), 1.0] for t in texts], dtype=np.float32)


def papers(n: int) -> list[Paper]:
    return [Paper(title=f"paper number {i}", abstract="x" * i) for i in range(n)]


def cached_count(store: Store, items: Sequence[Paper], model_id: str = CountingEncoder.model_id) -> int:
    return len(store.get_embeddings(model_id, [content_hash(p.text()) for p in items]))


def test_interrupt_keeps_finished_batches_and_rerun_continues(tmp_path: Path) -> None:
    items = papers(10)  # batches of 4: 4, 4, 2
    with Store(tmp_path / "s.db") as store:
        with pytest.raises(Interrupted) as caught:
            embed_papers(items, CountingEncoder(stop_at=3), store=store)
        assert isinstance(caught.value, KeyboardInterrupt)
        assert cached_count(store, items) == 8
        assert "8 of 10 new embeddings" in caught.value.kept
        rerun = CountingEncoder()
        vectors = embed_papers(items, rerun, store=store)
    assert [len(b) for b in rerun.batches] == [2]  # only what was missing
    assert vectors.shape == (10, 2)


def test_crash_keeps_finished_batches(tmp_path: Path) -> None:
    items = papers(10)
    with Store(tmp_path / "s.db") as store:
        with pytest.raises(MemoryError):
            embed_papers(items, CountingEncoder(stop_at=2, stop_with=MemoryError), store=store)
        assert cached_count(store, items) == 4


def test_missing_texts_in_first_appearance_order_once(tmp_path: Path) -> None:
    a, b, c = Paper(title="a"), Paper(title="bb"), Paper(title="ccc")
    encoder = CountingEncoder()
    with Store(tmp_path / "s.db") as store:
        embed_papers([b], encoder, store=store)
        vectors = embed_papers([c, b, a, c, a], encoder, store=store)
    assert encoder.batches == [[b.text()], [c.text(), a.text()]]
    assert np.allclose(vectors[0], vectors[3]) and np.allclose(vectors[2], vectors[4])


def test_ordering_missing_texts_is_linear() -> None:
    """40,000 new texts: sorted(key=list.index) spent ~20 s here before any embedding started."""
    texts = [f"t{i}" for i in range(40_000)]
    hashes = [content_hash(t) for t in texts]
    cached = set(hashes[::2])
    start = time.perf_counter()
    missing = missing_in_order(hashes, texts, cached)
    elapsed = time.perf_counter() - start
    assert list(missing) == hashes[1::2]
    assert elapsed < 2, elapsed  # milliseconds when linear, even on a loaded machine


class InterruptAfterTwoBatches(CountingEncoder):
    model_id = "fake:interrupting"

    def __init__(self) -> None:
        super().__init__(stop_at=3)


register_encoder("interrupting", InterruptAfterTwoBatches)


def test_ctrl_c_exits_130_and_says_what_was_kept(tmp_path: Path) -> None:
    args = ["rank", "--model", "interrupting"]
    for path in PROFILE_FILES:
        args += ["--profile", str(path)]
    for path in FEED_FILES:
        args += ["--feed", str(path)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 130, result.output
    assert "interrupted: 8 of" in result.output and "kept in the cache" in result.output
    assert "Traceback" not in result.output
