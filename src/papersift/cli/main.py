"""The papersift command line: one thin command per library function."""

from __future__ import annotations

from pathlib import Path

import click

from .. import api
from ..config import default_db_path
from ..encoders import DEFAULT_ENCODER
from ..ranking import DEFAULT_AGGREGATION
from ..ranking.personal import DigestOptions
from .adapt import adapt_command, adapted_affinity_encoder
from .common import (
    PapersiftGroup,
    input_format_option,
    make_encoder,
    open_store,
    rank_options,
    ranking_options,
    show_progress,
    warn,
    write_output,
)
from .fetch import (
    describe_sources,
    fetch_group,
    import_from_services,
    origin_label,
    profile_exclude,
    profile_refresh,
    profile_source_options,
    service_sources,
    update_command,
)
from .learn import interests_group, rate_command

FILES = click.Path(path_type=Path)


@click.group(cls=PapersiftGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="papersift")
def cli() -> None:
    """Sift research papers down to the ones that matter to you, and say why.

    Data lives in $PAPERSIFT_HOME (default: the platform's user data directory).
    """


@cli.command("rank")
@click.option(
    "--profile", "profiles", multiple=True, required=True, type=FILES, help="A file of your papers (repeatable)."
)
@click.option(
    "--feed", "feeds", multiple=True, required=True, type=FILES, help="A file of candidate papers (repeatable)."
)
@click.option("--no-cache", is_flag=True, help="Do not keep embeddings in the local store between runs.")
@input_format_option
@ranking_options
def rank_command(
    profiles: tuple[Path, ...],
    feeds: tuple[Path, ...],
    no_cache: bool,
    input_format: str | None,
    top: int,
    fmt: str,
    out: Path | None,
    model: str,
    aggregation: str,
    quiet: bool,
) -> None:
    """Rank the papers of FEED files against the papers of PROFILE files (no store needed)."""
    cache = None if no_cache else open_store()
    digest = api.rank_files(
        profiles,
        feeds,
        encoder=make_encoder(model),
        options=rank_options(top, aggregation),
        input_format=input_format,
        cache=cache,
        show_progress=show_progress() and not quiet,
    )
    warn(digest.warnings, quiet)
    subtitle = (
        f"{len(digest.recommendations)} of {digest.candidates} candidates against {digest.profile_size} "
        f"profile papers · model {digest.model_id}"
        + (f" · {digest.excluded_own} of your own papers left out" if digest.excluded_own else "")
    )
    write_output(digest.recommendations, fmt, out, "papersift digest", subtitle)


@cli.group("profile", cls=PapersiftGroup)
def profile_group() -> None:
    """Your publications, in the local store."""


@profile_group.command("import")
@click.argument("files", nargs=-1, type=FILES)
@click.option("--name", required=True, help="The profile's name (created if new).")
@input_format_option
@profile_source_options
@click.option("--quiet", "-q", is_flag=True)
def profile_import(
    files: tuple[Path, ...],
    name: str,
    input_format: str | None,
    quiet: bool,
    zotero_key: str | None,
    config_path: Path | None,
    **services: tuple[str, ...],
) -> None:
    """Add the papers of FILES (all files or nothing) and of services to profile NAME; both are kept as its sources."""
    sources = service_sources(**services)
    if not files and not sources:
        raise click.UsageError("give FILES or a service (--openalex, --orcid, --s2-author, --dblp, --arxiv-author...)")
    if files:
        with open_store() as store:
            summary, warnings = api.import_profile(store, name, files, input_format)
        warn(warnings, quiet)
        click.echo(f"profile '{name}': {summary.read} papers read, {summary.new} new, {summary.merged} already known")
    import_from_services(name, sources, files, zotero_key, config_path, quiet)


@profile_group.command("list")
def profile_list() -> None:
    """The profiles in the store."""
    with open_store() as store:
        infos = store.profiles()
    if not infos:
        click.echo("no profiles yet (papersift profile import FILE --name NAME)")
    for info in infos:
        click.echo(f"{info.name}\t{info.n_papers} papers\tsince {info.created_at}")


@profile_group.command("show")
@click.argument("name")
def profile_show(name: str) -> None:
    """What drives NAME's ranking: its papers (with where each came from), interests and ratings."""
    with open_store() as store:
        overview = api.profile_overview(store, name)
    click.echo(f"papers ({len(overview.papers)}):")
    for index, paper in enumerate(overview.papers, start=1):
        origins = ", ".join(sorted({origin_label(s.origin) for s in paper.sources}))
        click.echo(f"{index:3d}. {paper.display_title}  [{paper.date or 'undated'}; from {origins}]")
    for line in describe_sources(name):
        click.echo(line)
    if overview.interests:
        click.echo(f"interests ({len(overview.interests)}):")
        for interest in overview.interests:
            muted = " [muted]" if interest.muted else ""
            click.echo(f"{interest.id:3d}. {interest.name}{muted}: {len(interest.papers)} papers")
    else:
        click.echo("interests: not found yet (papersift interests list, or the first digest, finds them)")
    click.echo(f"ratings ({len(overview.ratings)}):")
    for entry in overview.ratings:
        click.echo(f"  {entry.rating:7s} {entry.paper.display_title}  [{entry.created_at}; from {entry.origin}]")


@profile_group.command("reset-feedback")
@click.argument("name")
def profile_reset_feedback(name: str) -> None:
    """Forget every rating of profile NAME (its papers, interests and digest history stay)."""
    with open_store() as store:
        forgotten = api.reset_feedback(store, name)
    click.echo(f"profile '{name}': {forgotten} rating{'s' if forgotten != 1 else ''} forgotten")


@cli.group("feed", cls=PapersiftGroup)
def feed_group() -> None:
    """Candidate papers, in the local store."""


@feed_group.command("import")
@click.argument("files", nargs=-1, required=True, type=FILES)
@input_format_option
@click.option("--quiet", "-q", is_flag=True)
def feed_import(files: tuple[Path, ...], input_format: str | None, quiet: bool) -> None:
    """Add the papers of FILES to the candidates (all files or nothing)."""
    with open_store() as store:
        summary, warnings = api.import_feed(store, files, input_format)
    warn(warnings, quiet)
    click.echo(f"feed: {summary.read} papers read, {summary.new} new, {summary.merged} already known")


@cli.command("digest")
@click.option("--profile", "profile", required=True, help="The stored profile to rank for.")
@ranking_options
@click.option(
    "--min-relevance",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Only papers at least this relevant (calibrated, 0-1): a quiet day sends few, a busy one is capped by --top.",
)
@click.option("--include-seen", is_flag=True, help="Also show papers already shown to (or rated by) this profile.")
@click.option(
    "--per-interest",
    type=click.IntRange(min=0),
    default=None,
    help="Slots each interest is guaranteed (default: --top shared among interests; 0: one plain ranking).",
)
@click.option(
    "--by-interest/--flat",
    default=True,
    show_default=True,
    help="Group the digest by interest, or list it by score.",
)
@click.option(
    "--half-life",
    "half_life",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Weight your papers by age: a paper this many years old counts half (default: no weighting).",
)
@click.option(
    "--max-age-days",
    type=click.IntRange(min=0),
    default=None,
    help="Leave out candidates dated more than this many days ago (undated ones are kept).",
)
def digest_command(
    profile: str,
    top: int,
    fmt: str,
    out: Path | None,
    model: str,
    aggregation: str,
    quiet: bool,
    min_relevance: float,
    include_seen: bool,
    per_interest: int | None,
    by_interest: bool,
    half_life: float | None,
    max_age_days: int | None,
) -> None:
    """Rank the stored candidates for a stored profile; papers shown once are not shown again."""
    settings = DigestOptions(
        min_relevance=min_relevance,
        include_seen=include_seen,
        per_interest=per_interest,
        by_interest=by_interest,
        half_life_years=half_life,
        max_age_days=max_age_days,
    )
    with open_store() as store:
        digest = api.digest_from_store(
            store,
            profile,
            encoder=make_encoder(model),
            options=rank_options(top, aggregation),
            show_progress=show_progress() and not quiet,
            settings=settings,
        )
    left_out = [
        f"{n} {what}"
        for n, what in (
            (digest.excluded_seen, "already shown or rated"),
            (digest.excluded_old, "too old"),
            (digest.below_threshold, f"below relevance {min_relevance:g}"),
            (digest.muted, "in muted interests"),
        )
        if n
    ]
    subtitle = (
        f"{len(digest.recommendations)} of {digest.candidates} candidates for profile '{profile}' "
        f"({digest.profile_size} papers"
        + (f", {len(digest.interests)} interests" if len(digest.interests) > 1 else "")
        + (f", {digest.n_ratings} ratings" if digest.n_ratings else "")
        + f") · model {digest.model_id}"
        + (f" · left out: {', '.join(left_out)}" if left_out else "")
    )
    write_output(digest.recommendations, fmt, out, f"papersift digest for {profile}", subtitle)


@cli.command("affinity")
@click.option(
    "--archives",
    required=True,
    type=click.Path(path_type=Path),
    help="Directory of reviewer archives: one ~ID.jsonl per reviewer, one paper per line.",
)
@click.option(
    "--submissions",
    required=True,
    type=FILES,
    help="submissions.json ({id: paper}) or a JSON/JSONL file of papers.",
)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="CSV to write.")
@click.option(
    "--model",
    default=DEFAULT_ENCODER,
    show_default=True,
    help="Encoder: minilm, tfidf, or a sentence-transformers model name or path.",
)
@click.option("--chunk", type=click.IntRange(min=1), default=512, show_default=True, help="Submissions per chunk.")
@click.option(
    "--adapt", is_flag=True, help="First adapt MiniLM to these archives and submissions (no labels; see `adapt`)."
)
@click.option("--quiet", "-q", is_flag=True)
def affinity_command(
    archives: Path, submissions: Path, out: Path, model: str, chunk: int, adapt: bool, quiet: bool
) -> None:
    """Score every (submission, reviewer) pair; write submission_id,reviewer_id,score lines."""
    encoder = adapted_affinity_encoder(archives, submissions, quiet) if adapt else make_encoder(model)
    with open_store() as store:
        result = api.compute_affinity(
            archives,
            submissions,
            out,
            encoder=encoder,
            chunk=chunk,
            store=store,
            show_progress=show_progress() and not quiet,
        )
    if not quiet:
        click.echo(
            f"{result.pairs} scores ({result.submissions} submissions x {result.reviewers} reviewers) written to {out}",
            err=True,
        )


@cli.group("eval", cls=PapersiftGroup)
def eval_group() -> None:
    """Measure affinity quality on public datasets."""


@eval_group.command("goldstandard")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--splits", default="1-10", show_default=True, help="Which resamplings d_20_N to use, e.g. 1-10 or 1,3.")
@click.option(
    "--model",
    default=DEFAULT_ENCODER,
    show_default=True,
    help="Encoder: minilm, tfidf, or a sentence-transformers model name or path.",
)
@click.option("--aggregation", default=DEFAULT_AGGREGATION, show_default=True, help="As for rank.")
@click.option(
    "--half",
    type=click.Choice(["all", "choose", "confirm"]),
    default="all",
    show_default=True,
    help="Researchers to report on: all, or one of the two fixed halves (decide on 'choose', report 'confirm').",
)
@click.option(
    "--published/--no-published", default=True, show_default=True, help="Also score the included predictions."
)
@click.option("--quiet", "-q", is_flag=True)
def eval_goldstandard(
    directory: Path, splits: str, model: str, aggregation: str, half: str, published: bool, quiet: bool
) -> None:
    """Loss (lower is better), 95% bootstrap interval and easy/hard accuracy on the reviewer-expertise gold standard."""
    from ..evaluation import report

    with open_store() as store:
        rows = report.evaluate_goldstandard(
            directory,
            report.parse_splits(splits),
            make_encoder(model),
            aggregation,
            half=half,
            include_published=published,
            store=store,
            show_progress=show_progress() and not quiet,
        )
    click.echo(report.format_table(rows))


cli.add_command(rate_command)
cli.add_command(fetch_group)
cli.add_command(update_command)
profile_group.add_command(profile_exclude)
profile_group.add_command(profile_refresh)
cli.add_command(interests_group)
cli.add_command(adapt_command)


@cli.command("where")
def where_command() -> None:
    """Print the path of the local store."""
    click.echo(str(default_db_path()))


def main() -> None:
    cli(prog_name="papersift")
