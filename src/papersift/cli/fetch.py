"""``papersift fetch ...``, ``papersift update`` and the network side of ``papersift profile``.

Every command prints one line per source (``got N (new M)``, ``failed: reason`` or ``no
announcements on DATE``) and exits with status 1 if any source failed, after storing the others.

Tests (and programs embedding the CLI) replace the HTTP client by setting :data:`CLIENT_FACTORY`
to a function of the contact address returning an :class:`~papersift.fetch.HttpClient` (e.g. one
over an ``httpx.MockTransport`` with a fake clock); nothing else in the CLI talks to the network.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import api
from ..config import Config, SourceSpec, load_config
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
from ..textsafe import printable
from .common import PapersiftGroup, open_store, show_progress, warn

F = TypeVar("F", bound=Callable[..., Any])

# Replaced by tests: contact address -> client. None: a real client over the network.
CLIENT_FACTORY: Callable[[str | None], HttpClient] | None = None


def make_client(config: Config) -> HttpClient:
    """The client for one command: the config's ``[network]`` limits and endpoints (tests: CLIENT_FACTORY)."""
    return CLIENT_FACTORY(config.contact) if CLIENT_FACTORY is not None else HttpClient.from_config(config)


def config_option(func: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="The config file (default: $PAPERSIFT_CONFIG, else config.toml in the data directory).",
    )(func)


def quiet_option(func: F) -> F:
    return click.option("--quiet", "-q", is_flag=True, help="Only the per-source lines; no warnings or progress.")(func)


def _date(value: str | None) -> dt.date | None:
    return parse_date(value, "--date")


def _progress(quiet: bool) -> Callable[[FetchReport, Page], None] | None:
    if quiet or not show_progress():
        return None

    def tick(report: FetchReport, page: Page) -> None:
        click.echo(f"  {report.label}: page {report.pages}, {report.got} papers so far", err=True)

    return tick


def report_all(reports: Sequence[FetchReport], quiet: bool) -> None:
    """One line per source; exit 1 if any failed (everything that worked is stored already)."""
    for report in reports:
        warn(report.warnings, quiet)
        click.echo(printable(report.describe(), single_line=True))
    failed = [r for r in reports if not r.ok]
    if failed:
        click.echo(f"{len(failed)} of {len(reports)} sources failed; rerun to resume them", err=True)
        raise click.exceptions.Exit(1)


def run_fetchers(fetchers: Sequence[Fetcher], config_path: Path | None, quiet: bool) -> None:
    config = load_config(config_path)
    with open_store() as store, make_client(config) as client:
        reports = [api.fetch_source(store, f, client, on_page=_progress(quiet)) for f in fetchers]
    report_all(reports, quiet)


@click.group("fetch", cls=PapersiftGroup)
def fetch_group() -> None:
    """Fetch candidate papers from services into the store (de-duplicated, resumable)."""


@fetch_group.command("arxiv")
@click.option("--category", "-c", "categories", multiple=True, required=True, help="An arXiv category (repeatable).")
@click.option("--date", default=None, help="An earlier announcement day, YYYY-MM-DD (default: the latest).")
@config_option
@quiet_option
def fetch_arxiv(categories: tuple[str, ...], date: str | None, config_path: Path | None, quiet: bool) -> None:
    """The day's arXiv announcements in the categories: new papers and cross-lists."""
    run_fetchers([ArxivDaily(check_categories(categories), _date(date))], config_path, quiet)


@fetch_group.command("huggingface")
@click.option("--date", default=None, help="A day, YYYY-MM-DD (default: the latest list).")
@config_option
@quiet_option
def fetch_huggingface(date: str | None, config_path: Path | None, quiet: bool) -> None:
    """Hugging Face Daily Papers, with their upvotes."""
    run_fetchers([HuggingFaceDaily(_date(date))], config_path, quiet)


@fetch_group.command("openreview")
@click.option("--venue", "venues", multiple=True, required=True, help="A venue id, e.g. ICLR.cc/2026/Conference.")
@config_option
@quiet_option
def fetch_openreview(venues: tuple[str, ...], config_path: Path | None, quiet: bool) -> None:
    """The papers of OpenReview venues (every page)."""
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
    """Works from OpenAlex (journals, proceedings and everything else), every page."""
    run_fetchers([works_since(query, concept, parse_date(since, "--since"))], config_path, quiet)


@fetch_group.command("file")
@click.argument("locations", nargs=-1, required=True)
@click.option("--input-format", type=click.Choice(list(INPUT_FORMATS)), default=None, help="Force an input format.")
@config_option
@quiet_option
def fetch_file(locations: tuple[str, ...], input_format: str | None, config_path: Path | None, quiet: bool) -> None:
    """Candidates from files or http(s) URLs in any supported format (detected from the content)."""
    run_fetchers([FileSource(loc, input_format) for loc in locations], config_path, quiet)


@click.command("update")
@config_option
@click.option("--zotero-key", default=None, help=f"Zotero API key for private libraries (or ${ZOTERO_KEY_ENV}).")
@quiet_option
def update_command(config_path: Path | None, zotero_key: str | None, quiet: bool) -> None:
    """Run every fetch and profile refresh the config file declares, once."""
    config = load_config(config_path)
    if not config.profiles and not config.follow:
        where = config.path or "the config file"
        raise ConfigError(f"{where} declares no [[profiles]] and no [[follow]] sources; nothing to update")
    with open_store() as store, make_client(config) as client:
        reports = api.update(store, config, client, zotero_key, on_page=_progress(quiet))
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
    """Remember ``files`` as sources of ``name``, then fetch ``sources`` into it and report (exit 1 on failure)."""
    with open_store() as store:
        api.remember_sources(store, name, [SourceSpec("file", str(f)) for f in files])
    if not sources:
        return
    config = load_config(config_path)
    with open_store() as store, make_client(config) as client:
        reports = api.import_profile_from(
            store, name, sources, client, resolve_zotero_key(zotero_key), on_page=_progress(quiet)
        )
    report_all(reports, quiet)


@click.command("exclude")
@click.argument("name")
@click.argument("paper")
def profile_exclude(name: str, paper: str) -> None:
    """Keep PAPER (store id, arXiv id, DOI or exact title) out of profile NAME, also after refreshes."""
    with open_store() as store:
        found = api.exclude_from_profile(store, name, paper)
    click.echo(printable(f"profile '{name}': excluded {found.display_title}", single_line=True))


@click.command("refresh")
@click.argument("name")
@click.option("--zotero-key", default=None, help=f"Zotero API key, never stored (or ${ZOTERO_KEY_ENV}).")
@config_option
@quiet_option
def profile_refresh(name: str, zotero_key: str | None, config_path: Path | None, quiet: bool) -> None:
    """Re-pull profile NAME from its sources: new papers join, excluded papers stay out."""
    config = load_config(config_path)
    declared = next((p for p in config.profiles if p.name == name), None)
    key = resolve_zotero_key(zotero_key, declared.zotero_key if declared else None)
    with open_store() as store, make_client(config) as client:
        reports = api.refresh_profile(store, name, client, key, on_page=_progress(quiet))
    report_all(reports, quiet)


def describe_sources(name: str) -> list[str]:
    """``profile show``'s lines about where the profile's papers come from."""
    with open_store() as store:
        sources = store.profile_sources(name)
        excluded = store.excluded_count(name)
    lines = (
        [f"sources ({len(sources)}):"] if sources else ["sources: none recorded (profile refresh has nothing to do)"]
    )
    lines += [f"  {s.kind:12s} {s.value}  [last fetched {s.fetched_at or 'never'}]" for s in sources]
    if excluded:
        lines.append(f"excluded: {excluded} papers (kept out on refresh)")
    return lines


def origin_label(origin: str) -> str:
    """A provenance origin as ``profile show`` prints it: a URL's host and path, a file's name."""
    if "://" in origin:
        head = origin.split("?", 1)[0]
        return head.split("://", 1)[1]
    return Path(origin).name
