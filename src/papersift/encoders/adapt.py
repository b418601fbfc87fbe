"""Adapting MiniLM to a corpus without labels: a paper's title and its abstract are a positive pair.

A venue's submissions and its reviewers' papers, or a researcher's store of
daily papers, are unlabelled in-domain text. The structure of each paper
is the supervision, as in SPECTER-style training: the title and the
abstract of one paper should embed close together and away from the
other papers of the batch (in-batch negatives, a symmetric contrastive
loss as in sentence-transformers' MultipleNegativesRankingLoss). No
rating, label or relevance judgment is ever read.

The adapted model is stored under the data directory, keyed by a hash of
the corpus and of the recipe, and reused: adapting the same texts twice
costs nothing. It is a sentence-transformers directory (``model.safetensors``
and ``config.json`` included), so any encoder that reads MiniLM's weights
reads it too. Training needs torch and sentence-transformers (the
``adapt`` extra); they are imported only here.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..config import user_dir
from ..errors import InputError, ModelError
from ..models import Paper
from .bundled import MINILM_SHA256, bundled_minilm_path, verify_weights
from .transformer import SentenceTransformerEncoder

ADAPT_HINT = "adapting needs torch and sentence-transformers: pip install torch==2.13.0 'papersift[adapt]'"
# Bump when the training recipe changes, so models adapted by an older recipe are not reused.
RECIPE = "minilm-title-abstract-v1"
MARKER = "adapted.json"
MIN_PAIRS = 16


@dataclass(frozen=True)
class AdaptSettings:
    """The recipe's knobs; every one of them is part of the stored model's key."""

    epochs: int = 1
    batch_size: int = 32
    learning_rate: float = 2e-5
    max_tokens: int = 128
    scale: float = 20.0
    seed: int = 0


@dataclass(frozen=True)
class AdaptResult:
    path: Path
    key: str
    pairs: int
    seconds: float
    reused: bool


def training_pairs(papers: Sequence[Paper]) -> list[tuple[str, str]]:
    """(title, abstract) of every distinct paper that has both, in a fixed order."""
    seen: dict[tuple[str, str], None] = {}
    for paper in papers:
        title, abstract = (paper.title or "").strip(), (paper.abstract or "").strip()
        if title and abstract:
            seen.setdefault((title, abstract), None)
    return sorted(seen)


def corpus_key(pairs: Sequence[tuple[str, str]], settings: AdaptSettings) -> str:
    """A content hash of the corpus and the recipe: the name the adapted model is stored under."""
    digest = hashlib.sha256()
    digest.update(json.dumps({"recipe": RECIPE, "base": MINILM_SHA256, **asdict(settings)}, sort_keys=True).encode())
    for title, abstract in pairs:
        digest.update(b"\0" + title.encode("utf-8") + b"\1" + abstract.encode("utf-8"))
    return digest.hexdigest()[:16]


def adapted_root() -> Path:
    return user_dir() / "adapted"


def adapted_path(key: str, root: Path | None = None) -> Path:
    return (root or adapted_root()) / f"minilm-{key}"


def is_adapted(path: Path) -> bool:
    return (path / MARKER).is_file()


def _torch_and_st() -> tuple[Any, Any]:
    try:
        import sentence_transformers
        import torch
    except ImportError:
        raise ModelError(ADAPT_HINT) from None
    return torch, sentence_transformers


def _quiet_transformers() -> None:
    """No hub access and none of transformers' own bars: papersift reports progress itself."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    except ImportError:
        pass


def train(
    pairs: Sequence[tuple[str, str]],
    target: Path,
    settings: AdaptSettings,
    threads: int | None = None,
    on_step: Callable[[int, int], None] | None = None,
) -> None:
    """Fine-tune the bundled MiniLM on ``pairs`` and save it as a sentence-transformers directory at ``target``."""
    torch, st = _torch_and_st()
    _quiet_transformers()
    base = bundled_minilm_path()
    verify_weights(base, MINILM_SHA256)
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(settings.seed)
    rng = random.Random(settings.seed)
    model = st.SentenceTransformer(str(base), device="cpu")
    model.max_seq_length = settings.max_tokens
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.learning_rate)
    order = list(range(len(pairs)))
    batches_per_epoch = max(1, len(pairs) // settings.batch_size)  # drop the ragged last batch
    total = batches_per_epoch * settings.epochs
    warmup = max(1, total // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup)))
    )
    # sentence-transformers >= 6 calls it preprocess (tokenize is its deprecated alias).
    prepare = getattr(model, "preprocess", None) or model.tokenize
    step = 0
    for _ in range(settings.epochs):
        rng.shuffle(order)
        for b in range(batches_per_epoch):
            batch = [pairs[i] for i in order[b * settings.batch_size : (b + 1) * settings.batch_size]]
            titles = model(prepare([t for t, _ in batch]))["sentence_embedding"]
            abstracts = model(prepare([a for _, a in batch]))["sentence_embedding"]
            titles = torch.nn.functional.normalize(titles, dim=-1)
            abstracts = torch.nn.functional.normalize(abstracts, dim=-1)
            scores = settings.scale * titles @ abstracts.T
            labels = torch.arange(len(batch))
            loss = (
                torch.nn.functional.cross_entropy(scores, labels) + torch.nn.functional.cross_entropy(scores.T, labels)
            ) / 2
            loss.backward()
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            if on_step is not None:
                on_step(step, total)
    model.eval()
    model.max_seq_length = 256  # embed as the default encoder does
    model.save(str(target))


def adapt(
    papers: Sequence[Paper],
    settings: AdaptSettings | None = None,
    root: Path | None = None,
    threads: int | None = None,
    force: bool = False,
    on_step: Callable[[int, int], None] | None = None,
) -> AdaptResult:
    """The MiniLM adapted to ``papers`` (trained now, or reused if this corpus was adapted before)."""
    settings = settings or AdaptSettings()
    pairs = training_pairs(papers)
    if len(pairs) < MIN_PAIRS:
        raise InputError(
            f"adapting needs at least {MIN_PAIRS} papers with both a title and an abstract, got {len(pairs)}"
        )
    key = corpus_key(pairs, settings)
    path = adapted_path(key, root)
    if is_adapted(path) and not force:
        return AdaptResult(path, key, len(pairs), 0.0, reused=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    started, started_cpu = time.perf_counter(), time.process_time()
    scratch = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
    try:
        train(pairs, scratch, settings, threads=threads, on_step=on_step)
        seconds = time.perf_counter() - started
        info = {
            "recipe": RECIPE,
            "key": key,
            "pairs": len(pairs),
            "seconds": seconds,
            # CPU seconds of all threads: on a shared machine, wall time says more about the neighbours.
            "cpu_seconds": time.process_time() - started_cpu,
            "settings": asdict(settings),
        }
        (scratch / MARKER).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        if path.exists():
            shutil.rmtree(path)
        scratch.rename(path)  # complete models only: the marker is inside and the rename is atomic
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
    return AdaptResult(path, key, len(pairs), seconds, reused=False)


class AdaptedEncoder(SentenceTransformerEncoder):
    """MiniLM adapted to one corpus; its vectors are cached under their own model id."""

    def __init__(self, path: Path, key: str | None = None, batch_size: int = 32) -> None:
        if not is_adapted(path):
            raise ModelError(f"{path} is not a complete adapted model (run papersift adapt again)")
        key = key or json.loads((path / MARKER).read_text(encoding="utf-8"))["key"]
        super().__init__(str(path), model_id=f"minilm-adapted:{key}", batch_size=batch_size)


INT8_FILE = "model-int8.onnx"


def export_adapted_int8(path: Path) -> Path:
    """The adapted model through the same ONNX export and int8 quantization as ``minilm-int8``; returns the file.

    Made once per adapted model and kept beside it. (The ``minilm-int8``
    encoder itself still serves only the bundled weights.)
    """
    from .onnx_int8 import export_int8

    if not is_adapted(path):
        raise ModelError(f"{path} is not a complete adapted model (run papersift adapt again)")
    target = path / INT8_FILE
    if not target.is_file():
        export_int8(path, target, expected_sha256=None)  # weights trained here: no published hash to check
    return target


def adapted_encoder(papers: Sequence[Paper], settings: AdaptSettings | None = None, **kwargs: Any) -> AdaptedEncoder:
    """An encoder adapted to ``papers``, training only when this corpus has not been adapted before."""
    result = adapt(papers, settings, **kwargs)
    return AdaptedEncoder(result.path, result.key)
