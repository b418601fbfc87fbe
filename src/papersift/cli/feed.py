"""``papersift feed ...``: the candidate papers in the store."""

from __future__ import annotations

from pathlib import Path

import click

from .. import api
from .common import PapersiftGroup, echo, input_format_option, n_papers, quiet_option, store, warn

FILES = click.Path(path_type=Path, allow_dash=True)


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
    """Add the papers of FILES ("-": stdin) to the candidates (all files or nothing).

    Standard input gets the checks a file gets: the size limit, UTF-8 (a bad byte is reported as
    "<stdin>, line N") and nothing imported unless everything parses.

    \b
    Example:
      papersift feed import hf-nov20.txt arxiv-cs.LG.xml
      curl -s https://example.org/list.bib | papersift feed import -
    """
    summary, warnings = api.import_feed(store(), files, input_format)
    warn(warnings, quiet)
    echo(f"feed: {n_papers(summary.read)} read, {summary.new} new, {summary.merged} already known")


@feed_group.command("list")
def feed_list() -> None:
    """The candidates in the store, counted by the day they were first seen.

    \b
    Example:
      papersift feed list
    """
    days = api.feed_days(store())
    if not days:
        echo("no candidates yet (papersift feed import FILE, or papersift fetch ...)")
        return
    for day in days:
        echo(f"{day.day}\t{day.candidates} candidates")
    echo(f"total\t{sum(d.candidates for d in days)} candidates")


@feed_group.command("clear")
@click.option(
    "--older-than",
    "older_than",
    type=click.IntRange(min=0),
    default=None,
    metavar="DAYS",
    help="Only candidates last seen more than DAYS days ago.",
)
@click.option("--all", "everything", is_flag=True, help="Every candidate.")
def feed_clear(older_than: int | None, everything: bool) -> None:
    """Forget candidates (their papers stay in the store for profiles, ratings and history).

    \b
    Example:
      papersift feed clear --older-than 30
      papersift feed clear --all
    """
    if older_than is None and not everything:
        raise click.UsageError("say which candidates: --older-than DAYS, or --all")
    cleared = api.clear_feed(store(), None if everything else older_than)
    echo(f"feed: {cleared} candidate{'s' if cleared != 1 else ''} cleared")
