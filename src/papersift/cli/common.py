"""What every command shares: the invocation's resources, the common options, output and error handling."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .. import fileio
from ..config import Config, store_location
from ..digest import FORMATS, build_table, render
from ..encoders import DEFAULT_ENCODER, Encoder, get_encoder
from ..errors import PapersiftError
from ..models import Recommendation
from ..progress import set_quiet as set_progress_quiet
from ..ranking import DEFAULT_AGGREGATION, RankOptions
from ..store import Store
from ..textsafe import printable

if TYPE_CHECKING:
    from ..fetch import HttpClient

F = TypeVar("F", bound=Callable[..., Any])


def _default_client(config: Config) -> HttpClient:
    from ..fetch import HttpClient  # the HTTP stack only for commands that go online

    return HttpClient.from_config(config)


@dataclass
class Resources:
    """What one invocation uses: one store (opened on first use, closed when the command ends) and
    one factory of HTTP clients (config -> client). Tests and programs embedding the CLI
    pass their own: ``CliRunner().invoke(cli, args, obj=Resources(store_=..., client_factory=...))``.
    """

    store_path: Path | None = None
    client_factory: Callable[[Config], HttpClient] = field(default=_default_client)
    # Set by -q/--quiet: notes, warnings and progress stay silent; results and errors do not.
    quiet: bool = False
    store_: Store | None = field(default=None, repr=False)
    _owned: bool = field(default=False, repr=False)

    def store(self) -> Store:
        if self.store_ is None:
            self.store_ = Store(self.store_path or store_location())
            self._owned = True
        return self.store_

    def client(self, config: Config) -> HttpClient:
        return self.client_factory(config)

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
            raise click.ClickException(printable(str(exc))) from None
        except BrokenPipeError:
            # `papersift ... | head`: the reader has all it wanted; nothing more to say.
            _silence_stdout()
            raise click.exceptions.Exit(0) from None
        except OSError as exc:
            # A full disk or an unwritable file while writing output: the user's environment, not a bug.
            raise click.ClickException(f"{exc.filename or 'output'}: {exc.strerror or exc}") from None
        except KeyboardInterrupt as exc:
            # Ctrl-C: say what long work kept (papersift.progress.Interrupted), exit 130 as shells expect.
            kept = getattr(exc, "kept", None)
            click.echo(f"interrupted: {kept}" if kept else "interrupted", err=True)
            raise click.exceptions.Exit(130) from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def echo(text: str, err: bool = False) -> None:
    """Print a line that may carry text from papers or servers: escape sequences and controls removed."""
    click.echo(printable(text), err=err)


def is_quiet() -> bool:
    """Whether this invocation was given -q/--quiet (False outside a command)."""
    ctx = click.get_current_context(silent=True)
    found = ctx.find_object(Resources) if ctx is not None else None
    return bool(found and found.quiet)


def show_progress() -> bool:
    return sys.stderr.isatty() and not is_quiet()


def n_papers(n: int) -> str:
    """``1 paper``, ``2 papers``."""
    return f"{n} paper" if n == 1 else f"{n} papers"


def note(text: str) -> None:
    """A line on stderr that is not the command's result (what it did on the side); -q silences it."""
    if not is_quiet():
        echo(text, err=True)


def warn(messages: Sequence[str], quiet: bool = False) -> None:
    if quiet or is_quiet():
        return
    for message in messages[:20]:
        click.echo(printable(f"warning: {message}", single_line=True), err=True)
    if len(messages) > 20:
        click.echo(f"warning: ... and {len(messages) - 20} more", err=True)


profile_option = click.option(
    "--profile",
    "profile",
    default=None,
    metavar="NAME",
    help="The stored profile (default: the only one in the store).",
)


QUIET_HELP = "Print only the result and errors: no warnings, notes or progress."


def remember_quiet(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    """The -q callback: what :func:`note`, :func:`warn` and :func:`show_progress` consult."""
    if value:
        resources().quiet = True
        set_progress_quiet(True)  # the library's bars (embedding, imports) too
    return value


def quiet_option(func: F) -> F:
    return click.option("--quiet", "-q", is_flag=True, callback=remember_quiet, help=QUIET_HELP)(func)


offline_option = click.option(
    "--offline",
    is_flag=True,
    envvar="PAPERSIFT_OFFLINE",
    help="Do not look up on arXiv the titles an arXiv listing lacks (or $PAPERSIFT_OFFLINE=1).",
)


def add_quiet_everywhere(root: click.Command) -> None:
    """Give every command -q/--quiet (one contract for all; a command that prints only its result
    accepts it too, so scripts can pass -q to any command). Commands that read it keep their own."""
    if isinstance(root, click.Group):
        # A lazily imported command gets -q when it is imported (papersift.cli.lazy calls this then).
        commands = root.commands.loaded() if hasattr(root.commands, "loaded") else root.commands.values()
        for command in commands:
            add_quiet_everywhere(command)
        return
    if not any(p.name == "quiet" for p in root.params):
        root.params.append(
            click.Option(["--quiet", "-q"], is_flag=True, expose_value=False, callback=remember_quiet, help=QUIET_HELP)
        )


# Twenty formats inline in the usage column make the help unreadable; they go in the text instead.
INPUT_FORMAT_HELP = (
    "Force an input format instead of detecting it (arxiv-listing, bibtex, json, hf-page, publist, "
    "csv... every name in docs/formats.md; a wrong name lists them)."
)


class InputFormatChoice(click.Choice[str]):
    """The input formats' names, read from the parsers' registry when first needed: defining the
    commands does not import every parser (``papersift digest`` reads no file)."""

    def __init__(self) -> None:
        self.case_sensitive = True

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        from ..sources import FORMATS

        return tuple(FORMATS)


def input_format_option(func: F) -> F:
    return click.option(
        "--input-format",
        type=InputFormatChoice(),
        default=None,
        metavar="FORMAT",
        help=INPUT_FORMAT_HELP,
    )(func)


MODEL_HELP = (
    "Encoder: minilm-fast (bundled all-MiniLM-L6-v2, fused int8), minilm (its exact fp32 graph), "
    "minilm-int8, tfidf, or any sentence-transformers model name or path."
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
    """Print the digest, or write it to ``out`` (atomically, a regular file only; says what it wrote)."""
    if out is None:
        if fmt == "table":
            from rich.console import Console

            Console(markup=False, highlight=False).print(build_table(recs, title, subtitle))
        else:
            text = render(recs, fmt, title, subtitle)
            # On a terminal nothing from the data may drive it; piped, the output stays byte-exact.
            click.echo(printable(text) if sys.stdout.isatty() else text, nl=False)
        return
    replaced = fileio.write_output(out, render(recs, fmt, title, subtitle))
    # Without this line a newcomer cannot tell a written file from a command that did nothing.
    note(f"{'overwrote' if replaced else 'wrote'} {out}: {len(recs)} paper{'' if len(recs) == 1 else 's'}")
