"""`papersift conflicts`, `papersift assign` and `papersift assign explain`: thin calls into papersift.assign."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..assign.solvers import SOLVERS
from .common import PapersiftGroup, echo, quiet_option, resources, show_progress

if TYPE_CHECKING:
    from ..assign.conflicts import Conflicts
    from ..assign.online import OnlineReport

FILES = click.Path(path_type=Path)
OUT = click.Path(dir_okay=False, path_type=Path)


@click.command("conflicts")
@click.option(
    "--archives", required=True, type=FILES, help="Directory of reviewer archives (~ID.jsonl), as for affinity."
)
@click.option("--submissions", required=True, type=FILES, help="submissions.json ({id: paper}) or JSON/JSONL papers.")
@click.option(
    "--years",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Co-authorship counts this many years back.",
)
@click.option(
    "--domains", is_flag=True, help="Also the same e-mail domain or institution (public mail domains ignored)."
)
@click.option(
    "--profiles",
    type=FILES,
    default=None,
    help="CSV person_id,value[,value...]: e-mail addresses, domains or institutions of reviewers and authors.",
)
@click.option(
    "--explicit",
    "explicit",
    multiple=True,
    type=FILES,
    help="A conflicts file submission_id,reviewer_id[,reason] to merge in (repeatable).",
)
@click.option(
    "--online",
    is_flag=True,
    help="Also co-authorship within --years on OpenAlex and DBLP, for people whose ids are known (--author-ids).",
)
@click.option(
    "--author-ids",
    type=FILES,
    default=None,
    help="CSV person_id,openalex:A...[,dblp:PID]: OpenAlex/DBLP ids of reviewers and authors (for --online).",
)
@click.option(
    "--offline",
    is_flag=True,
    envvar="PAPERSIFT_OFFLINE",
    help="Never go online: --online is refused (or $PAPERSIFT_OFFLINE=1).",
)
@click.option("--out", required=True, type=OUT, help="CSV to write: submission_id,reviewer_id,reason.")
@quiet_option
def conflicts_command(
    archives: Path,
    submissions: Path,
    years: int,
    domains: bool,
    profiles: Path | None,
    explicit: tuple[Path, ...],
    online: bool,
    author_ids: Path | None,
    offline: bool,
    out: Path,
    quiet: bool,
) -> None:
    """Find conflicts of interest: authorship, co-authorship within --years, shared domains, explicit lists.

    Every line says which rule made it. People are matched by OpenReview id or e-mail where the data
    has them, else by name. With --online, the works of reviewers and authors whose OpenAlex or DBLP
    ids are known (--author-ids, or an authorids entry that is such an id) are looked up, each person
    once, and a shared work in the window is a conflict "co-author (OpenAlex, 2024): NAME".

    \b
    Example:
      papersift conflicts --archives archives/ --submissions submissions.json --years 3 --domains \\
          --out conflicts.csv
      papersift conflicts --archives archives/ --submissions submissions.json --online \\
          --author-ids ids.csv --out conflicts.csv
    """
    from ..assign.conflicts import find_conflicts, read_profiles
    from ..assign.csvio import csv_field
    from ..assign.online import read_author_ids
    from ..assign.problem import read_pair_reasons
    from ..fileio import open_output

    if online and offline:
        raise click.UsageError(
            "--online looks people up on OpenAlex and DBLP, which --offline ($PAPERSIFT_OFFLINE) forbids"
        )
    if author_ids is not None and not online:
        raise click.UsageError("--author-ids is read by --online only; add --online or drop --author-ids")
    ids = read_author_ids(author_ids) if author_ids is not None else {}
    listed: dict[tuple[str, str], str] = {}
    for path in explicit:
        listed.update(read_pair_reasons(path))
    found = find_conflicts(
        archives,
        submissions,
        years=years,
        domains=domains,
        profiles=read_profiles(profiles) if profiles else None,
        explicit=listed,
    )
    lookups = _online_coauthors(found, ids, years, quiet) if online else None
    rows = found.rows()
    with open_output(out) as stream:
        stream.write("".join(f"{csv_field(s)},{csv_field(r)},{csv_field(why)}\n" for s, r, why in rows))
    if not quiet:
        if not found.archive_papers_with_authors or not found.submissions_with_authors:
            where = "archives" if not found.archive_papers_with_authors else "submissions"
            echo(
                f"warning: the {where} list no authors, so authorship and co-authorship could not be checked", err=True
            )
        rules = ", ".join(f"{n} {rule}" for rule, n in sorted(found.by_rule().items())) or "none"
        echo(f"{len(rows)} conflicting pairs ({rules}) written to {out}", err=True)
        if lookups is not None:
            failed = (
                f"; {len(lookups.failed)} of them could not be looked up (warnings above)" if lookups.failed else ""
            )
            echo(
                f"online: {lookups.looked_up} author ids looked up in {lookups.requests} requests, "
                f"{lookups.pairs} pairs share a work in the window{failed}",
                err=True,
            )


def _online_coauthors(found: Conflicts, ids: dict[str, set[str]], years: int, quiet: bool) -> OnlineReport:
    """The --online rule with the invocation's HTTP client, a bar on a terminal, a warning per failed person."""
    from ..assign.online import add_online_coauthors, plan_lookups
    from ..config import load_config
    from ..progress import progress

    plan = plan_lookups(found, ids)
    if not plan.wanted:
        raise click.UsageError(
            "--online found no OpenAlex or DBLP ids: give --author-ids FILE (person_id,openalex:A... or dblp:PID)"
        )
    with (
        resources().client(load_config()) as client,
        progress(len(plan.wanted), "looking up co-authors", unit="ids") as bar,
    ):
        report = add_online_coauthors(found, plan, client, years=years, on_done=bar.advance)
    if not quiet:
        for line in report.failures():
            echo(f"warning: could not look up {line}", err=True)
    return report


@click.group("assign", cls=PapersiftGroup, invoke_without_command=True, subcommand_metavar="[explain ASSIGNMENT ...]")
@click.option("--scores", type=FILES, help="Affinity CSV as `papersift affinity` writes it: submission,reviewer,score.")
@click.option("--reviewers-per-paper", "-k", type=click.IntRange(min=1), help="Reviewers each paper needs.")
@click.option("--max-load", type=click.IntRange(min=0), help="Most papers a reviewer gets.")
@click.option(
    "--min-load", type=click.IntRange(min=0), default=0, show_default=True, help="Fewest papers a reviewer gets."
)
@click.option("--loads", type=FILES, default=None, help="CSV reviewer_id,max[,min]: per-reviewer loads.")
@click.option("--demands", type=FILES, default=None, help="CSV submission_id,k: per-paper number of reviewers.")
@click.option(
    "--conflicts", type=FILES, default=None, help="CSV submission_id,reviewer_id[,reason]: pairs never assigned."
)
@click.option(
    "--solver",
    type=click.Choice(list(SOLVERS)),
    default="minmax",
    show_default=True,
    help="minmax: best total; fairflow: raise the worst-off paper; randomized: capped probabilities; "
    "fairsequence: papers take turns picking.",
)
@click.option(
    "--probability-limit",
    type=click.FloatRange(0, 1, min_open=True),
    default=None,
    help="randomized: most probability any one pair may have (Q).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="randomized: the draw's seed.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "matcher-json"]),
    default="csv",
    show_default=True,
    help="csv (submission_id,reviewer_id,score) or openreview-matcher's JSON.",
)
@click.option(
    "--weak-quantile",
    type=click.FloatRange(0, 1),
    default=0.1,
    show_default=True,
    help="A paper is a weak match when every reviewer scores below this quantile of all candidate scores.",
)
@click.option("--out", type=OUT, help="File to write the assignment to.")
@quiet_option
@click.pass_context
def assign_group(
    ctx: click.Context,
    scores: Path | None,
    reviewers_per_paper: int | None,
    max_load: int | None,
    min_load: int,
    loads: Path | None,
    demands: Path | None,
    conflicts: Path | None,
    solver: str,
    probability_limit: float | None,
    seed: int,
    fmt: str,
    weak_quantile: float,
    out: Path | None,
    quiet: bool,
) -> None:
    """Assign reviewers to papers from affinity scores, under demands, loads and conflicts.

    The instance is checked first: if it cannot be solved, one sentence names the binding constraint,
    the papers affected and what to change, and no file is written. A summary follows each solve.
    `papersift assign explain` tells why each reviewer got a paper.

    \b
    Example:
      papersift assign --scores affinity.csv -k 3 --max-load 6 --conflicts conflicts.csv \\
          --out assignment.csv
      papersift assign --scores affinity.csv -k 3 --max-load 6 --solver randomized \\
          --probability-limit 0.5 --seed 7 --format matcher-json --out assignment.json
    """
    if ctx.invoked_subcommand is not None:
        return
    missing = [
        name
        for name, value in (
            ("--scores", scores),
            ("--reviewers-per-paper", reviewers_per_paper),
            ("--max-load", max_load),
            ("--out", out),
        )
        if value is None
    ]
    if missing:
        raise click.UsageError(f"missing {', '.join(missing)} (or a subcommand: explain)")
    assert scores is not None and reviewers_per_paper is not None and max_load is not None and out is not None
    from ..assign import AssignRequest, Settings, run_assignment

    if solver == "randomized" and probability_limit is None:
        raise click.UsageError("--solver randomized needs --probability-limit Q (e.g. 0.5)")
    if solver != "randomized" and probability_limit is not None:
        raise click.UsageError("--probability-limit applies to --solver randomized only")
    request = AssignRequest(
        scores=scores,
        settings=Settings(
            reviewers_per_paper, max_load, min_load, probability_limit if solver == "randomized" else None
        ),
        solver=solver,
        loads=loads,
        demands=demands,
        conflicts=conflicts,
        seed=seed,
        weak_quantile=weak_quantile,
    )
    _, summary = run_assignment(request, out, fmt, show_progress=show_progress() and not quiet)
    if not quiet:
        for line in summary.lines():
            echo(line, err=True)
        echo(f"wrote {out}", err=True)


@assign_group.command("explain")
@click.argument("assignment", type=FILES)
@click.option("--scores", required=True, type=FILES, help="The affinity CSV the assignment was made from.")
@click.option("--paper", required=True, help="The submission id to explain.")
@click.option(
    "--max-load", type=click.IntRange(min=0), default=None, help="The --max-load of the run (tells full loads)."
)
@click.option("--loads", type=FILES, default=None, help="The --loads file of the run.")
@click.option("--conflicts", type=FILES, default=None, help="The --conflicts file of the run.")
@click.option("--archives", type=FILES, default=None, help="Reviewer archives: show each reviewer's closest papers.")
@click.option("--submissions", type=FILES, default=None, help="The submissions file (with --archives).")
@quiet_option
def explain_command(
    assignment: Path,
    scores: Path,
    paper: str,
    max_load: int | None,
    loads: Path | None,
    conflicts: Path | None,
    archives: Path | None,
    submissions: Path | None,
    quiet: bool,
) -> None:
    """Why each reviewer got PAPER, and why higher-scoring candidates did not (conflict, full load, cap).

    \b
    Example:
      papersift assign explain assignment.csv --scores affinity.csv --paper p3 --max-load 6 \\
          --conflicts conflicts.csv --archives archives/ --submissions submissions.json
    """
    from ..assign.explain import explain_paper

    explanation = explain_paper(
        assignment, scores, paper, max_load, loads, conflicts, archives_dir=archives, submissions_path=submissions
    )
    for line in explanation.lines():
        echo(line)
