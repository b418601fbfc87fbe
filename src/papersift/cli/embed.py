"""`papersift embed`: fill the embedding cache for files or the whole store, here or on Ray."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import click

from ..embedding import ENGINES, RayOptions, embed_corpus, store_papers
from ..encoders import DEFAULT_ENCODER
from ..errors import InputError
from ..models import Paper
from .common import MODEL_HELP, echo, input_format_option, quiet_option, show_progress, store, warn


@click.command("embed")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--store", "whole_store", is_flag=True, help="Embed every paper in the store.")
@click.option("--model", default=DEFAULT_ENCODER, show_default=True, help=MODEL_HELP)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="local",
    show_default=True,
    help="local: this process; ray: an actor pool on a Ray cluster (pip install 'papersift[ray]').",
)
@click.option(
    "--address",
    default=None,
    metavar="ray://HOST:PORT",
    help="A running Ray cluster (default with --engine ray: a local one of this machine's CPUs, for the run).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Ray actors, one encoder each (default: the cluster's CPUs).",
)
@input_format_option
@quiet_option
def embed_command(
    files: tuple[Path, ...],
    whole_store: bool,
    model: str,
    engine: str,
    address: str | None,
    workers: int | None,
    input_format: str | None,
    quiet: bool,
) -> None:
    """Embed papers into the store's cache; a rerun embeds only the texts not cached yet.

    FILES are read as by `rank`; with --store, every stored paper is embedded. Ctrl-C keeps
    what was embedded so far.

    \b
    Example:
      papersift embed feed.jsonl papers.bib
      papersift embed --store --engine ray --address ray://head:10001
    """
    if whole_store == bool(files):
        raise InputError("give FILES to embed, or --store for every stored paper (not both)")
    if address and engine != "ray":
        raise InputError("--address names a Ray cluster: add --engine ray")
    papers: Iterable[Paper]
    if whole_store:
        papers = store_papers(store())
    else:
        from .. import api

        loaded = api.load_papers(list(files), input_format)
        warn(loaded.warnings, quiet)
        papers = loaded.papers
    summary = embed_corpus(
        store(),
        papers,
        model,
        engine=engine,
        ray=RayOptions(address=address, workers=workers),
        show_progress=show_progress() and not quiet,
    )
    rate = f" in {summary.seconds:.1f} s ({summary.rate:.1f} texts/s)" if summary.embedded else ""
    echo(
        f"{summary.embedded} texts embedded ({summary.model_id}, {summary.engine}){rate}; "
        f"{summary.cached} of {summary.texts} were already cached ({summary.papers} papers)"
    )
