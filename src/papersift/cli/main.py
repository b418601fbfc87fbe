"""The papersift command line: one thin command per library function."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import api
from ..config import load_config, store_location
from ..digest import FORMATS
from ..encoders import DEFAULT_ENCODER, Encoder
from ..progress import set_quiet as set_progress_quiet
from ..ranking import DEFAULT_AGGREGATION, DigestOptions
from .common import (
    MODEL_HELP,
    InputFormatChoice,
    PapersiftGroup,
    Resources,
    add_quiet_everywhere,
    echo,
    input_format_option,
    make_encoder,
    n_papers,
    note,
    profile_option,
    quiet_option,
    rank_options,
    ranking_options,
    resources,
    show_progress,
    store,
    warn,
    write_output,
)
from .lazy import LazyCommands

F = TypeVar("F", bound=Callable[..., Any])
FILES = click.Path(path_type=Path)


@click.group(cls=PapersiftGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="papersift")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Sift research papers down to the ones that matter to you, and say why.

    Data lives in $PAPERSIFT_HOME (default: the platform's user data directory).

    \b
    Example:
      papersift profile import pubs.bib --profile me
      papersift feed import hf-today.txt
      papersift digest
    """
    # One store and one HTTP client factory for the whole invocation, closed when it ends.
    if ctx.obj is None:
        ctx.obj = Resources()
        ctx.call_on_close(ctx.obj.close)
    # Until the subcommand's -q says otherwise (its options are read after this runs).
    resources().quiet = False
    set_progress_quiet(False)


def selection_options(per_interest_default: int | None) -> Callable[[F], F]:
    """The options ``rank`` and ``digest`` share: which papers and how they are grouped."""

    def decorate(func: F) -> F:
        options = [
            click.option(
                "--min-relevance",
                type=click.FloatRange(0, 1),
                default=0.0,
                show_default=True,
                help="Only papers at least this relevant (calibrated, 0-1): a quiet day sends few, "
                "a busy one is capped by --top.",
            ),
            click.option(
                "--per-interest",
                type=click.IntRange(min=0),
                default=per_interest_default,
                show_default=per_interest_default is not None,
                help="Slots each interest is guaranteed (default for digest: --top shared among interests; "
                "0: one plain ranking by score).",
            ),
            click.option(
                "--by-interest/--flat",
                default=True,
                show_default=True,
                help="Group the picks under their interests, or list them by score.",
            ),
            click.option(
                "--half-life",
                "half_life",
                type=click.FloatRange(min=0, min_open=True),
                default=None,
                help="Weight your papers by age: a paper this many years old counts half (default: no weighting).",
            ),
        ]
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def _subtitle(digest: api.Digest, who: str, min_relevance: float) -> str:
    left_out = [
        f"{n} {what}"
        for n, what in (
            (digest.excluded_own, "of your own papers"),
            (digest.excluded_seen, "already shown or rated"),
            (digest.excluded_old, "too old"),
            (digest.below_threshold, f"below relevance {min_relevance:g}"),
            (digest.muted, "in muted interests"),
            (digest.over_budget, "over their interest's budget"),
        )
        if n
    ]
    made_of = [n_papers(digest.profile_size)]
    if len(digest.interests) > 1:
        made_of.append(f"{len(digest.interests)} interests")
    if digest.stateless:
        made_of.append("no ratings or history: ranked from files")
    elif digest.n_ratings:
        made_of.append(f"{digest.n_ratings} ratings")
    return (
        f"{len(digest.recommendations)} of {digest.candidates} candidates for {who} ({', '.join(made_of)})"
        f" · model {digest.model_id}" + (f" · left out: {', '.join(left_out)}" if left_out else "")
    )


@cli.command("rank")
@click.option(
    "--profile", "profiles", multiple=True, required=True, type=FILES, help="A file of your papers (repeatable)."
)
@click.option(
    "--feed", "feeds", multiple=True, required=True, type=FILES, help="A file of candidate papers (repeatable)."
)
@click.option("--no-cache", is_flag=True, help="Do not keep embeddings in the local store between runs.")
@input_format_option
@click.option(
    "--feed-format",
    type=InputFormatChoice(),
    default=None,
    metavar="FORMAT",
    help="Force the feed files' format, one of --input-format's (default: --input-format, else detected).",
)
@ranking_options
@selection_options(per_interest_default=0)
def rank_command(
    profiles: tuple[Path, ...],
    feeds: tuple[Path, ...],
    no_cache: bool,
    input_format: str | None,
    feed_format: str | None,
    top: int,
    fmt: str,
    out: Path | None,
    model: str,
    aggregation: str,
    quiet: bool,
    min_relevance: float,
    per_interest: int | None,
    by_interest: bool,
    half_life: float | None,
) -> None:
    """Rank the papers of FEED files against the papers of PROFILE files (no store needed).

    The same ranking as `digest`, with relevance, interests and reasons; only what needs a store
    (ratings, papers already shown) is absent. By default one plain ranking by score
    (--per-interest 0), grouped under interests.

    \b
    Example:
      papersift rank --profile pubs.bib --feed hf-today.txt --top 10
    """
    settings = DigestOptions(
        min_relevance=min_relevance, per_interest=per_interest, by_interest=by_interest, half_life_years=half_life
    )
    api.refuse_stdin_twice([*profiles, *feeds])  # '-' as a profile and as a feed
    profile = api.load_papers(profiles, input_format)
    feed = api.load_papers(feeds, feed_format or input_format)
    digest = api.rank_papers(
        profile.papers,
        feed.papers,
        make_encoder(model),
        rank_options(top, aggregation),
        settings,
        cache=None if no_cache else store(),
        show_progress=show_progress() and not quiet,
        warnings=profile.warnings + feed.warnings,
    )
    warn(digest.warnings, quiet)
    write_output(digest.recommendations, fmt, out, "papersift digest", _subtitle(digest, "your files", min_relevance))


@cli.command("digest")
@profile_option
@ranking_options
@selection_options(per_interest_default=None)
@click.option("--include-seen", is_flag=True, help="Also show papers already shown to (or rated by) this profile.")
@click.option(
    "--reset-shown", is_flag=True, help="First forget which papers were shown to this profile (they may come back)."
)
@click.option(
    "--max-age-days",
    type=click.IntRange(min=0),
    default=None,
    help="Leave out candidates dated more than this many days ago (undated ones are kept).",
)
@click.option(
    "--window-days",
    type=click.IntRange(min=1),
    default=None,
    help="A candidate never shown leaves the pool this many days after it was last fetched or imported "
    "(default: [store] candidate_window_days in the config file, else 30).",
)
@click.option("--email", "emails", multiple=True, help="Send the digest to this address now, via [smtp] (repeatable).")
def digest_command(
    profile: str | None,
    top: int,
    fmt: str,
    out: Path | None,
    model: str,
    aggregation: str,
    quiet: bool,
    min_relevance: float,
    per_interest: int | None,
    by_interest: bool,
    half_life: float | None,
    include_seen: bool,
    reset_shown: bool,
    max_age_days: int | None,
    window_days: int | None,
    emails: tuple[str, ...],
) -> None:
    """Rank the stored candidates for a stored profile; papers shown once are not shown again.

    \b
    Example:
      papersift digest --top 10 --min-relevance 0.5
      papersift digest --profile me --format html --out digest.html
    """
    settings = DigestOptions(
        min_relevance=min_relevance,
        include_seen=include_seen,
        per_interest=per_interest,
        by_interest=by_interest,
        half_life_years=half_life,
        max_age_days=max_age_days,
        candidate_window_days=window_days or load_config().store.candidate_window_days,
    )
    the_store = store()
    name = api.default_profile(the_store, profile)
    if reset_shown:
        forgotten = api.reset_shown(the_store, name)
        if not quiet:
            echo(f"profile '{name}': {forgotten} shown papers forgotten", err=True)
    digest = api.digest_from_store(
        the_store,
        name,
        encoder=make_encoder(model),
        options=rank_options(top, aggregation),
        show_progress=show_progress() and not quiet,
        settings=settings,
        mark_shown=not emails,  # mailed: shown once the mail is accepted
    )
    if digest.profile_size == 0 and not quiet:
        note(
            f"profile '{name}' has no papers yet, so nothing can be close to them: "
            f"add yours with `papersift profile import FILE --profile {name}`"
        )
    if digest.candidates == 0 and not quiet:
        note(
            f"no candidates to rank (none imported or fetched in the last {settings.candidate_window_days} days): "
            "add some with `papersift feed import FILE` or `papersift fetch ...`"
        )
    if emails:
        from .deliver import email_digest

        email_digest(name, emails, digest)
        return
    subtitle = _subtitle(digest, f"profile '{name}'", min_relevance)
    write_output(digest.recommendations, fmt, out, f"papersift digest for {name}", subtitle)


def history_line(summary: Any) -> str:
    """One past digest as ``history`` lists it: picks of how many candidates, when delivered, the model."""
    picks = n_papers(summary.n_picks)
    if summary.n_candidates is not None:
        picks = f"{summary.n_picks} of {summary.n_candidates} candidates"
    parts = [picks]
    if summary.day:
        parts.append(f"daily digest of {summary.day}")
    if summary.shown_at is None:
        parts.append("not delivered yet (its papers stay unshown)")
    if summary.model_id:
        parts.append(f"model {summary.model_id}")
    return "  ".join(parts)


@cli.command("history")
@click.argument("run", type=int, required=False)
@profile_option
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format of RUN."
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write RUN to FILE instead of stdout.")
def history_command(run: int | None, profile: str | None, fmt: str, out: Path | None) -> None:
    """The profile's past digests, newest first; with RUN, that digest again as it was.

    \b
    Example:
      papersift history
      papersift history 12 --format markdown --out digest-12.md
    """
    the_store = store()
    name = api.default_profile(the_store, profile)
    if run is None:
        runs = api.digest_history(the_store, name)
        if not runs:
            echo(f"profile '{name}' has no digests yet (papersift digest)")
        for r in runs:
            echo(f"{r.id:5d}  {r.created_at}  {history_line(r)}")
        return
    picks = api.past_digest(the_store, name, run)
    write_output(picks, fmt, out, f"papersift digest {run} for {name}", f"{n_papers(len(picks))}, as shown then")


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
@click.option("--model", default=DEFAULT_ENCODER, show_default=True, help=MODEL_HELP)
@click.option("--chunk", type=click.IntRange(min=1), default=512, show_default=True, help="Submissions per chunk.")
@click.option(
    "--adapt", is_flag=True, help="First adapt MiniLM to these archives and submissions (no labels; see `adapt`)."
)
@quiet_option
def affinity_command(
    archives: Path, submissions: Path, out: Path, model: str, chunk: int, adapt: bool, quiet: bool
) -> None:
    """Score every (submission, reviewer) pair; write submission_id,reviewer_id,score lines.

    \b
    Example:
      papersift affinity --archives archives/ --submissions submissions.json --out affinity.csv
      papersift affinity --archives archives/ --submissions submissions.json --out affinity.csv --adapt
    """
    encoder: Encoder
    if adapt:
        from .adapt import adapted_affinity_encoder

        encoder = adapted_affinity_encoder(archives, submissions, quiet)
    else:
        encoder = make_encoder(model)
    result = api.compute_affinity(
        archives,
        submissions,
        out,
        encoder=encoder,
        chunk=chunk,
        store=store(),
        show_progress=show_progress() and not quiet,
    )
    if not quiet:
        echo(
            f"{result.pairs} scores ({result.submissions} submissions x {result.reviewers} reviewers) written to {out}",
            err=True,
        )


@cli.group("eval", cls=PapersiftGroup)
def eval_group() -> None:
    """Measure affinity quality on public datasets.

    \b
    Example:
      papersift eval goldstandard ../goldstandard --splits 1-3
    """


@eval_group.command("goldstandard")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--splits", default="1-10", show_default=True, help="Which resamplings d_20_N to use, e.g. 1-10 or 1,3.")
@click.option("--model", default=DEFAULT_ENCODER, show_default=True, help=MODEL_HELP)
@click.option(
    "--aggregation",
    default=DEFAULT_AGGREGATION,
    show_default=True,
    help="As for rank: topK+W*mean (e.g. top1+mean), topK, softmax:T, max or mean.",
)
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
@quiet_option
def eval_goldstandard(
    directory: Path, splits: str, model: str, aggregation: str, half: str, published: bool, quiet: bool
) -> None:
    """Loss (lower is better), 95% bootstrap interval and easy/hard accuracy on the reviewer-expertise gold standard.

    \b
    Example:
      papersift eval goldstandard ../goldstandard --splits 1,3 --model tfidf
    """
    from ..evaluation import report

    rows = report.evaluate_goldstandard(
        directory,
        report.parse_splits(splits),
        make_encoder(model),
        aggregation,
        half=half,
        include_published=published,
        store=store(),
        show_progress=show_progress() and not quiet,
    )
    echo(report.format_table(rows))


@cli.command("where")
def where_command() -> None:
    """Print where the store is: the SQLite file, or the database URL (password hidden).

    \b
    Example:
      papersift where
    """
    location = resources().store_path or store_location()
    if isinstance(location, str) and "://" in location:
        from sqlalchemy.engine import make_url

        location = make_url(location).render_as_string(hide_password=True)
    echo(str(location))


# The other commands are imported when they are run (or listed): `papersift digest` does not pay for
# importing the web app, the fetchers' HTTP stack or PostgreSQL's helpers (a third of its start-up).
cli.commands = LazyCommands(
    cli.commands,
    {
        "profile": "papersift.cli.profile:profile_group",
        "feed": "papersift.cli.feed:feed_group",
        "rate": "papersift.cli.learn:rate_command",
        "interests": "papersift.cli.learn:interests_group",
        "fetch": "papersift.cli.fetch:fetch_group",
        "update": "papersift.cli.fetch:update_command",
        "serve": "papersift.cli.web:serve_command",
        "user": "papersift.cli.web:user_group",
        "run": "papersift.cli.deliver:run_command",
        "feed-url": "papersift.cli.deliver:feed_url_command",
        "schedule": "papersift.cli.deliver:schedule_group",
        "adapt": "papersift.cli.adapt:adapt_command",
        "embed": "papersift.cli.embed:embed_command",
        "export": "papersift.cli.exchange:export_command",
        "import": "papersift.cli.exchange:import_command",
        "conflicts": "papersift.cli.assign:conflicts_command",
        "assign": "papersift.cli.assign:assign_group",
    },
    on_load=add_quiet_everywhere,
)
add_quiet_everywhere(cli)


def main() -> None:
    cli(prog_name="papersift")
