"""Corpus adaptation: what it trains on, where it is stored, reuse, and (slow) a real run on the sample feed."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from papersift.cli import cli
from papersift.encoders.adapt import (
    MARKER,
    MIN_PAIRS,
    AdaptedEncoder,
    AdaptSettings,
    adapt,
    adapted_path,
    corpus_key,
    export_adapted_int8,
    is_adapted,
    training_pairs,
)
from papersift.errors import InputError, ModelError
from papersift.models import Paper
from papersift.sources import read_papers

from ..conftest import FEED_FILES


def papers(n: int) -> list[Paper]:
    return [Paper(title=f"Title {i}", abstract=f"Abstract number {i} about topic {i % 3}.") for i in range(n)]


def test_pairs_are_distinct_papers_with_both_title_and_abstract():
    corpus = papers(3) + papers(2) + [Paper(title="only a title"), Paper(abstract="only an abstract")]
    pairs = training_pairs(corpus)
    assert pairs == sorted(pairs) and len(pairs) == 3
    assert ("Title 1", "Abstract number 1 about topic 1.") in pairs


def test_key_depends_on_corpus_and_recipe_not_on_order():
    pairs = training_pairs(papers(20))
    settings = AdaptSettings()
    assert corpus_key(pairs, settings) == corpus_key(training_pairs(list(reversed(papers(20)))), settings)
    assert corpus_key(pairs, settings) != corpus_key(training_pairs(papers(21)), settings)
    assert corpus_key(pairs, settings) != corpus_key(pairs, replace(settings, epochs=2))


def test_too_small_a_corpus_is_refused(tmp_path):
    with pytest.raises(InputError, match=f"at least {MIN_PAIRS}"):
        adapt(papers(MIN_PAIRS - 1) + [Paper(title="no abstract")], root=tmp_path)


def test_an_adapted_corpus_is_reused_without_training(tmp_path):
    corpus = papers(40)
    settings = AdaptSettings()
    path = adapted_path(corpus_key(training_pairs(corpus), settings), tmp_path)
    path.mkdir(parents=True)
    (path / MARKER).write_text(json.dumps({"key": "k"}), encoding="utf-8")
    result = adapt(corpus, settings, root=tmp_path)
    assert result.reused and result.path == path and result.pairs == 40 and result.seconds == 0.0


def test_an_incomplete_model_is_not_an_encoder(tmp_path):
    (tmp_path / "half-written").mkdir()
    assert not is_adapted(tmp_path / "half-written")
    with pytest.raises(ModelError, match="not a complete adapted model"):
        AdaptedEncoder(tmp_path / "half-written")


@pytest.mark.slow
def test_adapting_the_sample_feed_trains_stores_and_reuses(tmp_path):
    pytest.importorskip("torch")
    corpus = read_papers(FEED_FILES[0]).papers
    tiny = AdaptSettings(batch_size=16, max_tokens=32, learning_rate=1e-4)
    first = adapt(corpus, tiny, root=tmp_path, threads=1)
    assert not first.reused and first.pairs == len(training_pairs(corpus)) and first.seconds > 0
    info = json.loads((first.path / MARKER).read_text(encoding="utf-8"))
    assert info["key"] == first.key and info["pairs"] == first.pairs
    assert (first.path / "model.safetensors").is_file() and (first.path / "config.json").is_file()
    # Nothing but the finished model is left in the directory.
    assert [p.name for p in tmp_path.iterdir()] == [first.path.name]

    again = adapt(corpus, tiny, root=tmp_path)
    assert again.reused and again.path == first.path

    from papersift.encoders import get_encoder

    texts = [p.text() for p in corpus[:4]]
    adapted = AdaptedEncoder(first.path).encode(texts)
    base = get_encoder("minilm").encode(texts)
    assert adapted.shape == base.shape
    np.testing.assert_allclose(np.linalg.norm(adapted, axis=1), 1.0, atol=1e-5)
    assert not np.allclose(adapted, base, atol=1e-3)  # training moved the weights
    assert AdaptedEncoder(first.path).model_id == f"minilm-adapted:{first.key}"

    # The same ONNX export and int8 quantization as minilm-int8 take the adapted weights.
    pytest.importorskip("onnxruntime")
    import onnxruntime as ort
    from tokenizers import Tokenizer

    onnx_file = export_adapted_int8(first.path)
    assert onnx_file == first.path / "model-int8.onnx" and onnx_file.is_file()
    tokenizer = Tokenizer.from_file(str(first.path / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=256)
    session = ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
    for text, vector in zip(texts, adapted, strict=True):
        ids = np.array([tokenizer.encode(text).ids], dtype=np.int64)
        # The graph pools and normalises itself (the torch-free builder's interface).
        (embedding,) = session.run(["sentence_embedding"], {"input_ids": ids, "attention_mask": np.ones_like(ids)})
        pooled = embedding[0]
        assert float(pooled @ vector / np.linalg.norm(pooled)) > 0.98


@pytest.mark.slow
def test_cli_adapt_reports_the_stored_model(isolated_home: Path):
    pytest.importorskip("torch")
    runner = CliRunner()
    result = runner.invoke(cli, ["adapt", "--corpus", str(FEED_FILES[0]), "--quiet"])
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path.parent == isolated_home / "adapted" and is_adapted(path)
    again = runner.invoke(cli, ["adapt", "--corpus", str(FEED_FILES[0])])
    assert again.exit_code == 0 and "reused" in again.output


def test_cli_adapt_with_an_empty_store_says_so():
    result = CliRunner().invoke(cli, ["adapt", "--corpus", "store"])
    assert result.exit_code == 1
    assert "the corpus has no papers" in result.output


def _affinity_layout(root: Path, papers: list[Paper]) -> tuple[Path, Path]:
    """Two reviewers' archives and the remaining papers as submissions, in the OpenReview layout."""
    archives = root / "archives"
    archives.mkdir()
    k = len(papers) // 4
    for reviewer, own in (("~Ada1", papers[:k]), ("~Bo1", papers[k : 2 * k])):
        lines = [
            json.dumps({"id": f"{reviewer}-{i}", "content": {"title": p.title, "abstract": p.abstract}})
            for i, p in enumerate(own)
        ]
        (archives / f"{reviewer}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    submissions = root / "submissions.json"
    submissions.write_text(
        json.dumps(
            {
                f"s{i}": {"id": f"s{i}", "content": {"title": p.title, "abstract": p.abstract}}
                for i, p in enumerate(papers[2 * k :])
            }
        ),
        encoding="utf-8",
    )
    return archives, submissions


def test_affinity_adapt_refuses_a_tiny_corpus_in_one_sentence(tmp_path: Path):
    archives, submissions = _affinity_layout(tmp_path, papers(12))
    result = CliRunner().invoke(
        cli,
        [
            "affinity",
            "--archives",
            str(archives),
            "--submissions",
            str(submissions),
            "--out",
            str(tmp_path / "scores.csv"),
            "--adapt",
        ],
    )
    assert result.exit_code == 1
    assert f"adapting needs at least {MIN_PAIRS} papers" in result.output
    assert not (tmp_path / "scores.csv").exists()


@pytest.mark.slow
def test_affinity_adapt_scores_with_the_model_adapted_to_its_inputs(tmp_path: Path, isolated_home: Path):
    pytest.importorskip("torch")
    archives, submissions = _affinity_layout(tmp_path, read_papers(FEED_FILES[0]).papers[:40])
    out = tmp_path / "scores.csv"
    args = ["affinity", "--archives", str(archives), "--submissions", str(submissions), "--out", str(out), "--adapt"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 20 * 2
    assert "adapted MiniLM to 40 papers (trained in" in result.stderr
    assert len([p for p in (isolated_home / "adapted").iterdir() if is_adapted(p)]) == 1
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0 and "adapted MiniLM to 40 papers (reused)" in again.stderr
