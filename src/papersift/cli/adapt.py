"""`papersift adapt`: fit MiniLM to a corpus without labels (and the glue behind `affinity --adapt`)."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from ..encoders.adapt import AdaptedEncoder, AdaptResult, AdaptSettings, adapt
from ..errors import InputError
from ..models import Paper
from .common import show_progress
from .common import store as invocation_store


def store_corpus() -> list[Paper]:
    """Every paper in the store: the candidates and the papers of every profile."""
    store = invocation_store()
    papers = store.candidate_papers()
    for profile in store.profiles():
        papers.extend(store.profile_papers(profile.name, include_excluded=True))
    return papers


def file_corpus(paths: Sequence[Path]) -> list[Paper]:
    from ..sources import read_papers

    papers: list[Paper] = []
    for path in paths:
        papers.extend(read_papers(path).papers)
    return papers


def affinity_corpus(archives: Path, submissions: Path) -> list[Paper]:
    """The unlabelled texts of an affinity run: every reviewer's papers and every submission."""
    from ..expertise import read_archives, read_submissions

    papers = [p for archive in read_archives(archives) for p in archive.papers]
    papers.extend(p for _, p in read_submissions(submissions))
    return papers


def _progress_helper() -> Any:
    """papersift.progress when it is installed (the encoder helper's module), else None: no bar."""
    try:
        return importlib.import_module("papersift.progress").progress
    except (ImportError, AttributeError):
        return None


def run_adapt(papers: Sequence[Paper], settings: AdaptSettings, quiet: bool, force: bool = False) -> AdaptResult:
    progress = _progress_helper() if show_progress() and not quiet else None
    if progress is not None:
        bar: Any = None

        def on_step(step: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = progress(total, "adapting", unit="batches").__enter__()
            bar.advance(1)

        try:
            return adapt(papers, settings, force=force, on_step=on_step)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
    return adapt(papers, settings, force=force)


def adapted_affinity_encoder(archives: Path, submissions: Path, quiet: bool) -> AdaptedEncoder:
    """`affinity --adapt`: MiniLM adapted to this run's archives and submissions (reused when seen before)."""
    result = run_adapt(affinity_corpus(archives, submissions), AdaptSettings(), quiet)
    if not quiet:
        how = "reused" if result.reused else f"trained in {result.seconds:.0f} s"
        click.echo(f"adapted MiniLM to {result.pairs} papers ({how})", err=True)
    return AdaptedEncoder(result.path, result.key)


@click.command("adapt")
@click.option(
    "--corpus",
    "corpus",
    multiple=True,
    required=True,
    help="'store' (every paper in the store) or a paper file in any input format; repeat to combine.",
)
@click.option(
    "--epochs", type=click.IntRange(min=1, max=20), default=1, show_default=True, help="Passes over the corpus."
)
@click.option("--force", is_flag=True, help="Train again even if this corpus was adapted before.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the model's path.")
def adapt_command(corpus: tuple[str, ...], epochs: int, force: bool, quiet: bool) -> None:
    """Adapt the bundled MiniLM to a corpus, without labels: each paper's title and abstract are a pair.

    The adapted model is stored under the data directory, keyed by a hash of the corpus, and reused. Use
    it with any command's --model PATH (or `papersift affinity --adapt`, which adapts to its own inputs).
    Needs the adapt extra (torch and sentence-transformers).

    \b
    Example:
        papersift adapt --corpus store
        papersift rank --profile me.bib --feed today.xml --model PATH_PRINTED_ABOVE
    """
    papers: list[Paper] = []
    files = [Path(c) for c in corpus if c != "store"]
    if "store" in corpus:
        papers.extend(store_corpus())
    papers.extend(file_corpus(files))
    if not papers:
        raise InputError("the corpus has no papers")
    result = run_adapt(papers, AdaptSettings(epochs=epochs), quiet, force=force)
    if quiet:
        click.echo(str(result.path))
        return
    how = "reused the model adapted before" if result.reused else f"trained in {result.seconds:.0f} s"
    click.echo(f"adapted MiniLM to {result.pairs} papers ({how}): {result.path}")
    click.echo(f"model id minilm-adapted:{result.key}; use it with --model {result.path}")
