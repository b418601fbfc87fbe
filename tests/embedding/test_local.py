"""Batch embedding on this machine: the cache filled by content hash, a rerun embeds only what is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from papersift.api import load_papers
from papersift.cli import cli
from papersift.embedding import embed_corpus, store_papers
from papersift.encoders import content_hash, get_encoder, register_encoder
from papersift.errors import InputError
from papersift.progress import Interrupted
from papersift.store import Store
from tests.conftest import FEED_FILES, PROFILE_FILES


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_embed_fills_the_cache_and_a_rerun_embeds_only_what_is_missing(store_location: str | Path) -> None:
    first = load_papers(FEED_FILES[:1]).papers
    both = load_papers(FEED_FILES[:2]).papers
    fake = get_encoder("fake")
    with Store(store_location) as store:
        done = embed_corpus(store, first, "fake")
        assert (done.cached, done.embedded) == (0, done.texts) and done.texts == len({p.text() for p in first})
        again = embed_corpus(store, both, "fake")
        new_texts = {p.text() for p in both} - {p.text() for p in first}
        assert (again.cached, again.embedded) == (done.texts, len(new_texts))
        assert embed_corpus(store, both, "fake").embedded == 0
        texts = sorted({p.text() for p in both})
        cached = store.get_embeddings(fake.model_id, [content_hash(t) for t in texts])
    assert len(cached) == len(texts)
    expected = fake.encode(texts)
    got = np.stack([cached[content_hash(t)] for t in texts])
    np.testing.assert_allclose(got, expected, atol=1e-6)


def test_store_papers_reads_every_stored_paper(store_location: str | Path) -> None:
    with Store(store_location) as store:
        store.import_papers(load_papers(FEED_FILES).papers, as_candidates=True)
        store.import_papers(load_papers(PROFILE_FILES).papers, profile="me")
        everything = list(store_papers(store, chunk=7))
        assert len(everything) == store.paper_count()


def test_an_uncacheable_encoder_is_refused(store_location: str | Path) -> None:
    with Store(store_location) as store, pytest.raises(InputError, match="never cached"):
        embed_corpus(store, load_papers(FEED_FILES[:1]).papers, "tfidf")


def test_cli_embeds_files_then_the_store_and_says_what_was_cached() -> None:
    code, out, _ = run("embed", FEED_FILES[0], "--model", "fake")
    assert code == 0 and "0 of" in out and "already cached" in out
    embedded = int(out.split()[0])
    assert embedded > 0
    code, out, _ = run("embed", FEED_FILES[0], "--model", "fake")
    assert code == 0 and out.startswith("0 texts embedded") and f"{embedded} of {embedded} were already cached" in out
    assert run("feed", "import", FEED_FILES[0], "-q")[0] == 0
    code, out, _ = run("embed", "--store", "--model", "fake")
    assert code == 0 and out.startswith("0 texts embedded")


def test_cli_refuses_files_and_store_together_and_address_without_ray() -> None:
    code, _, err = run("embed", "--model", "fake")
    assert code == 1 and "give FILES to embed, or --store" in err
    code, _, err = run("embed", FEED_FILES[0], "--address", "ray://localhost:10001")
    assert code == 1 and "--engine ray" in err


@pytest.mark.slow
def test_the_default_encoder_fills_the_cache_with_its_own_vectors(store_location: str | Path) -> None:
    papers = load_papers(FEED_FILES[:1]).papers[:12]
    encoder = get_encoder()
    with Store(store_location) as store:
        done = embed_corpus(store, papers, None)
        texts = [p.text() for p in papers]
        cached = store.get_embeddings(encoder.model_id, [content_hash(t) for t in texts])
    assert done.model_id == encoder.model_id and done.embedded == len(set(texts))
    np.testing.assert_allclose(np.stack([cached[content_hash(t)] for t in texts]), encoder.encode(texts), atol=1e-5)


class StopsAfterOneBatch:
    """Encodes its first batch of 4, then the user presses Ctrl-C."""

    model_id = "fake:stops"
    cacheable = True
    batch_size = 4

    def __init__(self) -> None:
        self.batches = 0

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        self.batches += 1
        if self.batches > 1:
            raise KeyboardInterrupt
        return np.ones((len(texts), 3), dtype=np.float32)


register_encoder("fake-stops", StopsAfterOneBatch)


def test_ctrl_c_keeps_what_was_embedded(store_location: str | Path) -> None:
    papers = load_papers(FEED_FILES[:1]).papers
    with Store(store_location) as store:
        with pytest.raises(Interrupted, match="4 of .* new embeddings .* were kept"):
            embed_corpus(store, papers, "fake-stops")
        hashes = [content_hash(p.text()) for p in papers]
        assert len(store.get_embeddings("fake:stops", hashes)) == 4


def test_without_ray_the_engine_says_how_to_install_it(tmp_path: Path) -> None:
    script = (
        "import sys; sys.modules['ray'] = None\n"  # as if Ray were not installed
        "from papersift.cli import cli\n"
        f"cli(['embed', {str(FEED_FILES[0])!r}, '--model', 'minilm', '--engine', 'ray'])\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1 and "pip install 'papersift[ray]'" in done.stderr and "Traceback" not in done.stderr
