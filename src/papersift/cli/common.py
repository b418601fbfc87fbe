"""What every command shares: the store, encoder and output options, and error handling."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import fileio
from ..config import default_db_path
from ..digest import FORMATS, build_table, render
from ..encoders import DEFAULT_ENCODER, Encoder, get_encoder
from ..errors import PapersiftError
from ..models import Recommendation
from ..ranking import DEFAULT_AGGREGATION, RankOptions
from ..sources import FORMATS as INPUT_FORMATS
from ..store import Store
from ..textsafe import printable

F = TypeVar("F", bound=Callable[..., Any])


class PapersiftGroup(click.Group):
    """Turns every library error into one sentence on stderr and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PapersiftError as exc:
            raise click.ClickException(printable(str(exc))) from None
        except OSError as exc:
            # A broken pipe or a full disk while writing output: the user's environment, not a bug.
            raise click.ClickException(f"{exc.filename or 'output'}: {exc.strerror or exc}") from None


def open_store() -> Store:
    return Store(default_db_path())


def show_progress() -> bool:
    return sys.stderr.isatty()


def warn(messages: Sequence[str], quiet: bool) -> None:
    if quiet:
        return
    for message in messages[:20]:
        click.echo(printable(f"warning: {message}", single_line=True), err=True)
    if len(messages) > 20:
        click.echo(f"warning: ... and {len(messages) - 20} more", err=True)


def input_format_option(func: F) -> F:
    return click.option(
        "--input-format",
        type=click.Choice(list(INPUT_FORMATS)),
        default=None,
        help="Force an input format instead of detecting it.",
    )(func)


def ranking_options(func: F) -> F:
    func = click.option(
        "--top", type=click.IntRange(min=0), default=20, show_default=True, help="How many papers (0: all)."
    )(func)
    func = click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="Output format.",
    )(func)
    func = click.option(
        "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE instead of stdout."
    )(func)
    func = click.option(
        "--model",
        default=DEFAULT_ENCODER,
        show_default=True,
        help="Encoder: minilm (bundled all-MiniLM-L6-v2), tfidf, or any sentence-transformers model name or path.",
    )(func)
    func = click.option(
        "--aggregation",
        default=DEFAULT_AGGREGATION,
        show_default=True,
        help="How similarities to your papers combine: topK (e.g. top3), softmax:T, max or mean.",
    )(func)
    func = click.option("--quiet", "-q", is_flag=True, help="No warnings or progress.")(func)
    return func


def make_encoder(model: str) -> Encoder:
    return get_encoder(model)


def rank_options(top: int, aggregation: str) -> RankOptions:
    return RankOptions(top=top, aggregation=aggregation)


def write_output(recs: Sequence[Recommendation], fmt: str, out: Path | None, title: str, subtitle: str) -> None:
    """Print the digest, or write it to ``out`` (atomically, a regular file only; says when it overwrote one)."""
    if out is None:
        if fmt == "table":
            from rich.console import Console

            Console(markup=False, highlight=False).print(build_table(recs, title, subtitle))
        else:
            text = render(recs, fmt, title, subtitle)
            # On a terminal nothing from the data may drive it; piped, the output stays byte-exact.
            click.echo(printable(text) if sys.stdout.isatty() else text, nl=False)
        return
    if fileio.write_output(out, render(recs, fmt, title, subtitle)):
        click.echo(f"overwrote {out}", err=True)
