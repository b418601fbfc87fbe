"""``papersift feed ...``: the candidate papers in the store."""

from __future__ import annotations

from pathlib import Path

import click

from .. import api
from .common import PapersiftGroup, input_format_option, quiet_option, store, warn

FILES = click.Path(path_type=Path)


@click.group("feed", cls=PapersiftGroup)
def feed_group() -> None:
    """Candidate papers, in the local store.

    \b
    Example:
      papersift feed import hf-today.txt
    """


@feed_group.command("import")
@click.argument("files", nargs=-1, required=True, type=FILES)
@input_format_option
@quiet_option
def feed_import(files: tuple[Path, ...], input_format: str | None, quiet: bool) -> None:
    """Add the papers of FILES to the candidates (all files or nothing).

    \b
    Example:
      papersift feed import hf-nov20.txt arxiv-cs.LG.xml
    """
    summary, warnings = api.import_feed(store(), files, input_format)
    warn(warnings, quiet)
    click.echo(f"feed: {summary.read} papers read, {summary.new} new, {summary.merged} already known")
