"""What every command shares: the invocation's resources, the common options, output and error handling."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click

from ..config import store_location
from ..digest import FORMATS, build_table, render
from ..encoders import DEFAULT_ENCODER, Encoder, get_encoder
from ..errors import PapersiftError
from ..fetch import HttpClient
from ..models import Recommendation
from ..ranking import DEFAULT_AGGREGATION, RankOptions
from ..sources import FORMATS as INPUT_FORMATS
from ..store import Store

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Resources:
    """What one invocation uses: one store (opened on first use, closed when the command ends) and
    one factory of HTTP clients (contact address -> client). Tests and programs embedding the CLI
    pass their own: ``cli.main(args, obj=Resources(store=..., client_factory=...))``.
    """

    store_path: Path | None = None
    client_factory: Callable[[str | None], HttpClient] = HttpClient
    store_: Store | None = field(default=None, repr=False)
    _owned: bool = field(default=False, repr=False)

    def store(self) -> Store:
        if self.store_ is None:
            self.store_ = Store(self.store_path or store_location())
            self._owned = True
        return self.store_

    def client(self, contact: str | None) -> HttpClient:
        return self.client_factory(contact)

    def close(self) -> None:
        """Close what this invocation opened (a store passed in stays open for its owner)."""
        if self._owned and self.store_ is not None:
            self.store_.close()
            self.store_, self._owned = None, False


def resources() -> Resources:
    """The current invocation's resources (created with the defaults when none were passed)."""
    ctx = click.get_current_context()
    found = ctx.find_object(Resources)
    if found is None:
        root = ctx.find_root()
        found = root.ensure_object(Resources)
        root.call_on_close(found.close)
    return found


def store() -> Store:
    """The invocation's one store."""
    return resources().store()


class PapersiftGroup(click.Group):
    """Turns every library error into one sentence on stderr and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PapersiftError as exc:
            raise click.ClickException(str(exc)) from None
        except BrokenPipeError:
            # `papersift ... | head`: the reader has all it wanted; nothing more to say.
            _silence_stdout()
            raise click.exceptions.Exit(0) from None
        except OSError as exc:
            # A full disk or an unwritable file while writing output: the user's environment, not a bug.
            raise click.ClickException(f"{exc.filename or 'output'}: {exc.strerror or exc}") from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def show_progress() -> bool:
    return sys.stderr.isatty()


def warn(messages: Sequence[str], quiet: bool) -> None:
    if quiet:
        return
    for message in messages[:20]:
        click.echo(f"warning: {message}", err=True)
    if len(messages) > 20:
        click.echo(f"warning: ... and {len(messages) - 20} more", err=True)


profile_option = click.option(
    "--profile",
    "profile",
    default=None,
    metavar="NAME",
    help="The stored profile (default: the only one in the store).",
)


def quiet_option(func: F) -> F:
    return click.option("--quiet", "-q", is_flag=True, help="No warnings or progress.")(func)


def input_format_option(func: F) -> F:
    return click.option(
        "--input-format",
        type=click.Choice(list(INPUT_FORMATS)),
        default=None,
        help="Force an input format instead of detecting it.",
    )(func)


MODEL_HELP = (
    "Encoder: minilm (bundled all-MiniLM-L6-v2), minilm-int8 (its quantised ONNX twin), tfidf, "
    "or any sentence-transformers model name or path."
)


def ranking_options(func: F) -> F:
    options = [
        click.option(
            "--top", type=click.IntRange(min=0), default=20, show_default=True, help="How many papers (0: all)."
        ),
        click.option(
            "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format."
        ),
        click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE instead of stdout."),
        click.option("--model", default=DEFAULT_ENCODER, show_default=True, help=MODEL_HELP),
        click.option(
            "--aggregation",
            default=DEFAULT_AGGREGATION,
            show_default=True,
            help="How similarities to your papers combine: topK+W*mean (e.g. top1+mean, top3+0.5*mean), topK, "
            "softmax:T, max or mean.",
        ),
        quiet_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def make_encoder(model: str) -> Encoder:
    return get_encoder(model)


def rank_options(top: int, aggregation: str) -> RankOptions:
    return RankOptions(top=top, aggregation=aggregation)


def write_output(recs: Sequence[Recommendation], fmt: str, out: Path | None, title: str, subtitle: str) -> None:
    """Print the digest, or write it to ``out`` atomically (a crash never leaves half a file)."""
    if out is None:
        if fmt == "table":
            from rich.console import Console

            Console(markup=False, highlight=False).print(build_table(recs, title, subtitle))
        else:
            click.echo(render(recs, fmt, title, subtitle), nl=False)
        return
    _write_file(out, render(recs, fmt, title, subtitle))


def _write_file(out: Path, text: str) -> None:
    try:
        from ..fileio import write_output as atomic_write  # the one safe write helper (net helper's)
    except ImportError:
        _replace_atomically(out, text)
    else:
        atomic_write(out, text)


def _replace_atomically(out: Path, text: str) -> None:
    import os
    import tempfile

    out.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
