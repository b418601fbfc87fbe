"""``papersift fetch ...``, ``papersift update`` and the network side of ``papersift profile import``.

Every command prints one line per source (``got N (new M)``, ``failed: reason`` or ``no
announcements on DATE``) and exits with status 1 if any source failed, after storing the others.

HTTP clients come from the invocation's :class:`~papersift.cli.common.Resources` (tests pass a factory
building clients over an ``httpx.MockTransport`` with a fake clock); nothing else in the CLI talks to
the network.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import api, fileio
from ..config import Config, SourceSpec, config_file_name, load_config
from ..errors import ConfigError
from ..fetch import (
    ArxivDaily,
    FetchReport,
    FileSource,
    HttpClient,
    HuggingFaceDaily,
    OpenReviewVenue,
    Page,
    works_since,
)
from ..fetch.arxiv import check_categories
from ..fetch.base import Fetcher, parse_date
from ..fetch.registry import PROFILE_SOURCES, ZOTERO_KEY_ENV, sources_from_options
from ..fetch.registry import zotero_key as resolve_zotero_key
from ..sources import FORMATS as INPUT_FORMATS
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


def _date(value: str | None) -> dt.date | None:
    return parse_date(value, "--date")


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


@fetch_group.command("arxiv")
@click.option("--category", "-c", "categories", multiple=True, required=True, help="An arXiv category (repeatable).")
@click.option("--date", default=None, help="An earlier announcement day, YYYY-MM-DD (default: the latest).")
@config_option
@quiet_option
def fetch_arxiv(categories: tuple[str, ...], date: str | None, config_path: Path | None, quiet: bool) -> None:
    """The day's arXiv announcements in the categories: new papers and cross-lists.

    \b
    Example:
      papersift fetch arxiv -c cs.LG --date 2026-11-20
    """
    run_fetchers([ArxivDaily(check_categories(categories), _date(date))], config_path, quiet)


@fetch_group.command("huggingface")
@click.option("--date", default=None, help="A day, YYYY-MM-DD (default: the latest list).")
@config_option
@quiet_option
def fetch_huggingface(date: str | None, config_path: Path | None, quiet: bool) -> None:
    """Hugging Face Daily Papers, with their upvotes.

    \b
    Example:
      papersift fetch huggingface
    """
    run_fetchers([HuggingFaceDaily(_date(date))], config_path, quiet)


@fetch_group.command("openreview")
@click.option("--venue", "venues", multiple=True, required=True, help="A venue id, e.g. ICLR.cc/2026/Conference.")
@config_option
@quiet_option
def fetch_openreview(venues: tuple[str, ...], config_path: Path | None, quiet: bool) -> None:
    """The papers of OpenReview venues (every page).

    \b
    Example:
      papersift fetch openreview --venue ICLR.cc/2026/Conference
    """
    run_fetchers([OpenReviewVenue(v.strip()) for v in venues], config_path, quiet)


@fetch_group.command("openalex")
@click.option("--query", default=None, help="A full-text search.")
@click.option("--concept", default=None, help="An OpenAlex concept (C...) or topic (T...) id.")
@click.option("--since", default=None, help="Only works published on or after this day, YYYY-MM-DD.")
@config_option
@quiet_option
def fetch_openalex(
    query: str | None, concept: str | None, since: str | None, config_path: Path | None, quiet: bool
) -> None:
    """Works from OpenAlex (journals, proceedings and everything else), every page.

    \b
    Example:
      papersift fetch openalex --query "sharpness-aware minimization" --since 2026-11-01
    """
    run_fetchers([works_since(query, concept, parse_date(since, "--since"))], config_path, quiet)


@fetch_group.command("file")
@click.argument("locations", nargs=-1, required=True)
@click.option("--input-format", type=click.Choice(list(INPUT_FORMATS)), default=None, help="Force an input format.")
@config_option
@quiet_option
def fetch_file(locations: tuple[str, ...], input_format: str | None, config_path: Path | None, quiet: bool) -> None:
    """Candidates from files, file:// URLs or http(s) URLs in any supported format (detected from the content).

    \b
    Example:
      papersift fetch file https://example.org/papers.bib
    """
    run_fetchers([FileSource(loc, input_format) for loc in locations], config_path, quiet)


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
