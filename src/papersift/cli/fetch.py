"""``papersift fetch ...``, ``papersift update`` and the network side of ``papersift profile import``.

Every command prints one line per source (``got N (new M)``, ``failed: reason`` or ``no
announcements on DATE``) and exits with status 1 if any source failed, after storing the others.

HTTP clients come from the invocation's :class:`~papersift.cli.common.Resources` (tests pass a factory
building clients over an ``httpx.MockTransport`` with a fake clock); nothing else in the CLI talks to
the network.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import api, fileio
from ..config import Config, SourceSpec, config_file_name, load_config
from ..errors import ConfigError
from ..fetch import FetchReport, HttpClient, Page
from ..fetch.base import Fetcher
from ..fetch.followed import FOLLOWED_SOURCES, FollowedSource, check_follow, command_fetchers
from ..fetch.registry import PROFILE_SOURCES, ZOTERO_KEY_ENV, check_profiles, sources_from_options
from ..fetch.registry import zotero_key as resolve_zotero_key
from .common import (
    PapersiftGroup,
    echo,
    offline_option,
    remember_quiet,
    resources,
    show_progress,
    store,
    warn,
)

F = TypeVar("F", bound=Callable[..., Any])


def config_option(func: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="The config file (default: $PAPERSIFT_CONFIG, else config.toml in the data directory).",
    )(func)


def quiet_option(func: F) -> F:
    return click.option(
        "--quiet",
        "-q",
        is_flag=True,
        callback=remember_quiet,
        help="Only the per-source lines and errors; no warnings or progress.",
    )(func)


def make_client(config: Config) -> HttpClient:
    """A client from the invocation's factory: the config's ``[network]`` limits and endpoints."""
    return resources().client(config)


def fetch_progress(quiet: bool) -> Callable[[FetchReport, Page], None] | None:
    if quiet or not show_progress():
        return None

    def tick(report: FetchReport, page: Page) -> None:
        echo(f"  {report.label}: page {report.pages}, {report.got} papers so far", err=True)

    return tick


def report_all(reports: Sequence[FetchReport], quiet: bool) -> None:
    """One line per source; exit 1 if any failed (everything that worked is stored already)."""
    for report in reports:
        warn(report.warnings, quiet)
        echo(report.describe())
    failed = [r for r in reports if not r.ok]
    if failed:
        echo(failure_summary(failed, len(reports)), err=True)
        raise click.exceptions.Exit(1)


def failure_summary(failed: Sequence[FetchReport], total: int) -> str:
    """How many sources failed, suggesting a rerun only for those a rerun can help (the network's failures).

    A file in no known format or a 404 fails the same way every time: its own line says what to fix.
    """
    line = f"{len(failed)} of {total} sources failed"
    retry = sum(1 for r in failed if r.retry)
    if retry == len(failed):
        return f"{line}; rerun to resume them"
    if retry:
        return f"{line}; rerun to resume the {retry} the network failed, after fixing what the other lines name"
    return f"{line}; fix what {'its line names' if len(failed) == 1 else 'their lines name'} and run again"


def run_fetchers(fetchers: Sequence[Fetcher], config_path: Path | None, quiet: bool) -> None:
    config = load_config(config_path)
    with make_client(config) as client:
        reports = [api.fetch_source(store(), f, client, on_page=fetch_progress(quiet)) for f in fetchers]
    report_all(reports, quiet)


@click.group("fetch", cls=PapersiftGroup)
def fetch_group() -> None:
    """Fetch candidate papers from services into the store (de-duplicated, resumable).

    \b
    Example:
      papersift fetch arxiv -c cs.LG -c stat.ML
    """


def _fetch_command(source: FollowedSource) -> click.Command:
    """``papersift fetch KIND``, built from the kind's registered options (those a command takes)."""

    def fetch_kind(config_path: Path | None, quiet: bool, **given: Any) -> None:
        run_fetchers(command_fetchers(source.kind, given), config_path, quiet)

    params: list[click.Parameter] = []
    for option in source.options:
        if not option.command:
            continue
        if option.argument:
            params.append(click.Argument([option.key], nargs=-1, required=option.required))
            continue
        choice = click.Choice(list(option.choices)) if option.choices else None
        params.append(
            click.Option(
                [*option.option_flags, option.key],
                multiple=option.value == "texts",
                required=option.required,
                type=choice,
                default=None,
                help=option.help,
            )
        )
    command = click.Command(
        source.kind,
        callback=fetch_kind,
        params=params,
        help=f"{source.help}\n\n\b\nExample:\n  {source.example}",
    )
    return quiet_option(config_option(command))  # type: ignore[type-var]


for _source in FOLLOWED_SOURCES.values():
    fetch_group.add_command(_fetch_command(_source))


@click.command("update")
@config_option
@click.option("--zotero-key", default=None, help=f"Zotero API key for private libraries (or ${ZOTERO_KEY_ENV}).")
@offline_option
@quiet_option
def update_command(config_path: Path | None, zotero_key: str | None, offline: bool, quiet: bool) -> None:
    """Run every fetch and profile refresh the config file declares, once.

    \b
    Example:
      papersift update --config ~/papersift.toml
    """
    config = load_config(config_path)
    if not config.profiles and not config.follow:
        where = config_file_name(config)
        raise ConfigError(f"{where} declares no [[profiles]] and no [[follow]] sources; nothing to update")
    check_profiles(config)  # a mistake in the file stops the update before anything is fetched
    check_follow(config)
    with make_client(config) as client:
        reports = api.update(
            store(),
            config,
            client,
            resolve_zotero_key(zotero_key),
            on_page=fetch_progress(quiet),
            look_up_titles=not offline,
        )
    report_all(reports, quiet)


# -- the profile commands' network side ----------------------------------------------


def profile_source_options(func: F) -> F:
    """The options of ``profile import`` that name services instead of files (one per registry entry)."""
    options = [
        click.option(kind.option_name, kind.config_key, multiple=True, help=kind.help)
        for kind in PROFILE_SOURCES.values()
        if kind.option
    ]
    options.append(
        click.option("--zotero-key", default=None, help=f"Zotero API key, never stored (or ${ZOTERO_KEY_ENV}).")
    )
    options.append(config_option)
    for option in reversed(options):
        func = option(func)
    return func


def service_sources(**given: tuple[str, ...]) -> list[SourceSpec]:
    return sources_from_options(given)


def import_from_services(
    name: str,
    sources: Sequence[SourceSpec],
    files: Sequence[Path],
    zotero_key: str | None,
    config_path: Path | None,
    quiet: bool,
) -> None:
    """Remember ``files`` (not standard input, which cannot be read again) as sources of ``name``, then
    fetch ``sources`` into it and report (exit 1 on failure)."""
    api.remember_sources(store(), name, [SourceSpec("file", str(f)) for f in files if not fileio.is_stdin(f)])
    if not sources:
        return
    config = load_config(config_path)
    with make_client(config) as client:
        reports = api.import_profile_from(
            store(), name, sources, client, resolve_zotero_key(zotero_key), on_page=fetch_progress(quiet)
        )
    report_all(reports, quiet)
