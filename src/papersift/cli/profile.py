"""``papersift profile ...``: every command about a stored profile, in one place."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from .. import api
from ..config import load_config
from ..fetch.registry import ZOTERO_KEY_ENV
from ..fetch.registry import zotero_key as resolve_zotero_key
from .common import (
    PapersiftGroup,
    echo,
    input_format_option,
    n_papers,
    offline_option,
    profile_option,
    quiet_option,
    store,
    warn,
)
from .fetch import (
    config_option,
    fetch_progress,
    import_from_services,
    make_client,
    profile_source_options,
    report_all,
    service_sources,
)

FILES = click.Path(path_type=Path, allow_dash=True)


def announce_lookup(quiet: bool) -> Callable[[int], None]:
    """Say on stderr that titles are being looked up (it may take the client's retries)."""

    def announce(count: int) -> None:
        if not quiet:
            titles = f"{count} missing title{'s' if count != 1 else ''}"
            echo(f"looking up {titles} on arXiv (--offline skips this)", err=True)

    return announce


@click.group("profile", cls=PapersiftGroup)
def profile_group() -> None:
    """Your publications, in the local store.

    Every profile command takes --profile NAME, which may be left out when the store holds one profile.

    \b
    Example:
      papersift profile import pubs.bib --profile me
      papersift profile show
    """


@profile_group.command("import")
@click.argument("files", nargs=-1, type=FILES)
@click.option(
    "--profile",
    "--name",
    "name",
    default=None,
    metavar="NAME",
    help="The profile's name (created if new; default: the only profile in the store).",
)
@input_format_option
@profile_source_options
@offline_option
@quiet_option
def profile_import(
    files: tuple[Path, ...],
    name: str | None,
    input_format: str | None,
    offline: bool,
    quiet: bool,
    zotero_key: str | None,
    config_path: Path | None,
    **services: tuple[str, ...],
) -> None:
    """Add the papers of FILES (all files or nothing) and of services to profile NAME; both are kept as its sources.

    Records of an arXiv listing that have no title get it from arXiv (one request) unless
    --offline; offline they are kept untitled, and importing the file again online fills them.
    A FILE of "-" is stdin, checked as a file is; it is imported but not kept as a source
    (profile refresh cannot read it again).

    \b
    Example:
      papersift profile import pubs.bib arxiv.txt --profile me
      pbpaste | papersift profile import - --profile me
      papersift profile import arxiv.txt --profile me --offline
      papersift profile import --profile me --orcid 0000-0002-1825-0097
    """
    if name is None:
        if not store().profiles():
            raise click.UsageError("name the new profile with --name NAME (e.g. --name me)")
        name = api.default_profile(store(), None)
    name = api.check_profile_name(name)
    sources = service_sources(**services)
    if not files and not sources:
        raise click.UsageError("give FILES or a service (--openalex, --orcid, --s2-author, --dblp, --arxiv-author...)")
    if files:
        if offline:
            hint = "run the same import again without --offline"
            summary, warnings = api.import_profile(store(), name, files, input_format, offline_hint=hint)
        else:
            hint = "run the same import again when arXiv answers"
            with make_client(load_config(config_path)) as client:
                summary, warnings = api.import_profile(
                    store(),
                    name,
                    files,
                    input_format,
                    client=client,
                    offline_hint=hint,
                    on_lookup=announce_lookup(quiet),
                )
        warn(warnings, quiet)
        echo(f"profile '{name}': {n_papers(summary.read)} read, {summary.new} new, {summary.merged} already known")
    import_from_services(name, sources, files, zotero_key, config_path, quiet)


@profile_group.command("list")
def profile_list() -> None:
    """The profiles in the store.

    \b
    Example:
      papersift profile list
    """
    infos = store().profiles()
    if not infos:
        echo("no profiles yet (papersift profile import FILE --profile NAME)")
    for info in infos:
        echo(f"{info.name}\t{n_papers(info.n_papers)}\tsince {info.created_at}")


@profile_group.command("show")
@profile_option
def profile_show(profile: str | None) -> None:
    """What drives a profile's ranking: its papers (with where each came from), interests, ratings and exclusions.

    \b
    Example:
      papersift profile show --profile me | less
    """
    the_store = store()
    name = api.default_profile(the_store, profile)
    overview = api.profile_overview(the_store, name)
    echo(f"papers ({len(overview.papers)}):")
    for index, paper in enumerate(overview.papers, start=1):
        origins = ", ".join(sorted({origin_label(s.origin) for s in paper.sources}))
        untitled = "untitled, shown by its abstract; " if paper.untitled else ""
        echo(
            f"{index:3d}. {paper.display_title}  "
            f"[{untitled}{paper.date or 'undated'}; from {origins}; id {paper.store_id}]"
        )
    sources = the_store.profile_sources(name)
    if sources:
        echo(f"sources ({len(sources)}):")
        for s in sources:
            echo(f"  {s.kind:12s} {s.value}  [last fetched {s.fetched_at or 'never'}]")
    else:
        echo("sources: none recorded (profile refresh has nothing to do)")
    excluded = overview.excluded or []
    if excluded:
        echo(f"excluded ({len(excluded)}, kept out on refresh; `papersift profile include ID` brings one back):")
        for paper in excluded:
            echo(f"  {paper.display_title}  [id {paper.store_id}]")
    if overview.interests:
        echo(f"interests ({len(overview.interests)}):")
        for interest in overview.interests:
            flags = " [muted]" if interest.muted else ""
            if interest.budget is not None:
                flags += f" [budget: at most {interest.budget}]"
            echo(f"{interest.id:3d}. {interest.name}{flags}: {n_papers(len(interest.papers))}")
    else:
        echo("interests: not found yet (papersift interests list, or the first digest, finds them)")
    echo(f"ratings ({len(overview.ratings)}):")
    for entry in overview.ratings:
        echo(f"  {entry.rating:7s} {entry.paper.display_title}  [{entry.created_at}; from {entry.origin}]")


@profile_group.command("exclude")
@click.argument("paper")
@profile_option
def profile_exclude(paper: str, profile: str | None) -> None:
    """Keep PAPER (store id, arXiv id, DOI or exact title) out of the profile, also after refreshes.

    \b
    Example:
      papersift profile exclude 10.1000/not-mine.1 --profile me
    """
    name = api.default_profile(store(), profile)
    found = api.exclude_from_profile(store(), name, paper)
    echo(f"profile '{name}': excluded {found.display_title} (undo: papersift profile include {found.store_id})")


@profile_group.command("include")
@click.argument("paper")
@profile_option
def profile_include(paper: str, profile: str | None) -> None:
    """Undo an exclusion: PAPER (store id, arXiv id, DOI or exact title) counts for the profile again.

    \b
    Example:
      papersift profile include 10.1000/not-mine.1 --profile me
    """
    name = api.default_profile(store(), profile)
    found = api.include_in_profile(store(), name, paper)
    echo(f"profile '{name}': included {found.display_title} again")


@profile_group.command("refresh")
@profile_option
@click.option("--zotero-key", default=None, help=f"Zotero API key, never stored (or ${ZOTERO_KEY_ENV}).")
@config_option
@offline_option
@quiet_option
def profile_refresh(
    profile: str | None, zotero_key: str | None, config_path: Path | None, offline: bool, quiet: bool
) -> None:
    """Re-pull the profile from its sources: new papers join, excluded papers stay out.

    Untitled records of an arXiv listing get their titles from arXiv as in `profile import`
    (those already titled in the store are not asked for again) unless --offline; offline
    they are kept untitled, and a refresh online fills them.

    \b
    Example:
      papersift profile refresh --profile me
      papersift profile refresh --profile me --offline
    """
    from .common import resources

    config = load_config(config_path)
    name = api.default_profile(store(), profile)
    declared = next((p for p in config.profiles if p.name == name), None)
    key = resolve_zotero_key(zotero_key, declared.zotero_key if declared else None)
    with resources().client(config) as client:
        reports = api.refresh_profile(
            store(),
            name,
            client,
            key,
            on_page=fetch_progress(quiet),
            look_up_titles=not offline,
            offline_hint=(
                "run the same refresh again without --offline"
                if offline
                else "run the same refresh again when arXiv answers"
            ),
            on_lookup=announce_lookup(quiet),
        )
    report_all(reports, quiet)


@profile_group.command("reset-feedback")
@profile_option
def profile_reset_feedback(profile: str | None) -> None:
    """Forget every rating of the profile (its papers, interests and digest history stay).

    \b
    Example:
      papersift profile reset-feedback --profile me
    """
    name = api.default_profile(store(), profile)
    forgotten = api.reset_feedback(store(), name)
    echo(f"profile '{name}': {forgotten} rating{'s' if forgotten != 1 else ''} forgotten")


@profile_group.command("rename")
@click.argument("new_name")
@profile_option
def profile_rename(new_name: str, profile: str | None) -> None:
    """Call the profile NEW_NAME (its papers, ratings, interests and history go with it).

    \b
    Example:
      papersift profile rename alice --profile me
    """
    name = api.default_profile(store(), profile)
    renamed = api.rename_profile(store(), name, new_name)
    echo(f"profile '{name}' is now '{renamed}'")


@profile_group.command("delete")
@click.option("--profile", "profile", required=True, metavar="NAME", help="The profile to delete (always named).")
@click.option("--yes", is_flag=True, help="Really delete it.")
def profile_delete(profile: str, yes: bool) -> None:
    """Delete a profile with its ratings, interests, sources and digest history (the papers stay in the store).

    \b
    Example:
      papersift profile delete --profile old-me --yes
    """
    if not yes:
        raise click.UsageError(f"deleting profile '{profile}' forgets its ratings and history; add --yes to do it")
    api.delete_profile(store(), profile)
    echo(f"profile '{profile}' deleted")


def origin_label(origin: str) -> str:
    """A provenance origin as ``profile show`` prints it: a URL's host and path, a file's name."""
    if "://" in origin:
        head = origin.split("?", 1)[0]
        return head.split("://", 1)[1]
    return Path(origin).name
