"""Commands for what papersift learns: ratings and interests."""

from __future__ import annotations

import click

from .. import api
from ..encoders import DEFAULT_ENCODER
from ..store import RATINGS
from .common import PapersiftGroup, echo, make_encoder, n_papers, profile_option, store

model_option = click.option(
    "--model",
    default=DEFAULT_ENCODER,
    show_default=True,
    help="Encoder used when interests have to be found from the papers' embeddings.",
)


@click.command("rate")
@click.argument("paper")
@click.argument("rating", type=click.Choice(RATINGS))
@profile_option
@click.option("--yes", "confirmed", is_flag=True, help="Rate a paper by a bare store id although it was never shown.")
def rate_command(paper: str, rating: str, profile: str | None, confirmed: bool) -> None:
    """Rate PAPER for a profile: up, down, save or dismiss.

    PAPER is a store id (printed beside each pick as "id N"), an arXiv id (any version), a DOI, the
    h-... handle `rank` prints for papers without one of those, or the paper's exact title; not a
    position in the digest, and not one of your own papers. Up-votes and saves
    teach the ranking to find more like it, down-votes fewer; dismiss only hides the paper. Rating again
    replaces the rating.

    \b
    Example:
      papersift rate 2411.01234 up
      papersift rate 17 dismiss --profile me
    """
    the_store = store()
    name = api.default_profile(the_store, profile)
    rated = api.rate(the_store, name, paper, rating, origin="cli", guard_positions=not confirmed)
    echo(f"profile '{name}': {rating} for {rated.title} (store id {rated.paper_id})")


@click.group("interests", cls=PapersiftGroup)
def interests_group() -> None:
    """Your profile's interests: groups of your papers, each served by the digest.

    \b
    Example:
      papersift interests list
    """


def _print(views: list[api.InterestView]) -> None:
    for view in views:
        flags = " [muted]" if view.muted else ""
        if view.budget is not None:
            flags += f" [budget: at most {view.budget} pick{'' if view.budget == 1 else 's'}]"
        label = f" (terms: {view.label})" if view.renamed else ""
        echo(f"{view.id}. {view.name}{label}{flags}: {n_papers(len(view.papers))}")
        for paper in view.papers[:5]:
            echo(f"     - {paper.display_title}")
        if len(view.papers) > 5:
            echo(f"     ... and {len(view.papers) - 5} more")


@interests_group.command("list")
@profile_option
@model_option
def interests_list(profile: str | None, model: str) -> None:
    """The profile's interests with their papers (found from the papers' embeddings the first time).

    \b
    Example:
      papersift interests list --profile me
    """
    the_store = store()
    name = api.default_profile(the_store, profile)
    _print(api.list_interests(the_store, name, make_encoder(model)))


@interests_group.command("recompute")
@profile_option
@model_option
def interests_recompute(profile: str | None, model: str) -> None:
    """Group the profile's papers into interests afresh (forgets renames, merges, splits and mutes).

    \b
    Example:
      papersift interests recompute
    """
    the_store = store()
    name = api.default_profile(the_store, profile)
    _print(api.find_interests(the_store, name, make_encoder(model)))


@interests_group.command("rename")
@click.argument("interest")
@click.argument("new_name")
@profile_option
def interests_rename(interest: str, new_name: str, profile: str | None) -> None:
    """Call INTEREST (its number or name) NEW_NAME.

    \b
    Example:
      papersift interests rename 2 "Sharp minima"
    """
    the_store = store()
    name = api.default_profile(the_store, profile)
    _print([api.rename_interest(the_store, name, interest, new_name)])


@interests_group.command("merge")
@click.argument("interests", nargs=-1, required=True)
@profile_option
def interests_merge(interests: tuple[str, ...], profile: str | None) -> None:
    """Merge the second and later INTERESTS into the first.

    \b
    Example:
      papersift interests merge 1 3
    """
    the_store = store()
    name = api.default_profile(the_store, profile)
    _print([api.merge_interests(the_store, name, interests)])


@interests_group.command("split")
@click.argument("interest")
@click.option("--parts", type=click.IntRange(min=2, max=8), default=2, show_default=True, help="Into how many.")
@profile_option
@model_option
def interests_split(interest: str, parts: int, profile: str | None, model: str) -> None:
    """Split INTEREST into PARTS by clustering its papers.

    \b
    Example:
      papersift interests split 1 --parts 3
    """
    the_store = store()
    name = api.default_profile(the_store, profile)
    _print(api.split_interest(the_store, name, interest, parts, make_encoder(model)))


@interests_group.command("mute")
@click.argument("interest")
@profile_option
def interests_mute(interest: str, profile: str | None) -> None:
    """Send no recommendations for INTEREST (its papers stay in the profile).

    \b
    Example:
      papersift interests mute "Sharp minima"
    """
    the_store = store()
    name = api.default_profile(the_store, profile)
    _print([api.mute_interest(the_store, name, interest, True)])


@interests_group.command("unmute")
@click.argument("interest")
@profile_option
def interests_unmute(interest: str, profile: str | None) -> None:
    """Serve INTEREST again.

    \b
    Example:
      papersift interests unmute "Sharp minima"
    """
    the_store = store()
    name = api.default_profile(the_store, profile)
    _print([api.mute_interest(the_store, name, interest, False)])


@interests_group.command("budget")
@click.argument("interest")
@click.argument("picks", type=click.IntRange(min=0), required=False)
@click.option("--clear", is_flag=True, help="Remove the budget: the interest gets its usual share again.")
@profile_option
def interests_budget(interest: str, picks: int | None, clear: bool, profile: str | None) -> None:
    """Give INTEREST at most PICKS papers per digest (its unused slots go to your other interests).

    Without a budget an interest gets its share of the digest (``--top`` divided among your interests)
    and more when the others have too few good papers. A budget caps it; PICKS 0 sends nothing,
    like `interests mute`. The digest, `papersift run`, the web app's Today page and the e-mail all
    honour it.

    \b
    Example:
      papersift interests budget "Sharp minima" 2
      papersift interests budget "Sharp minima" --clear
    """
    if clear == (picks is not None):
        raise click.UsageError("give either PICKS (a number, 0 or more) or --clear")
    the_store = store()
    name = api.default_profile(the_store, profile)
    _print([api.set_interest_budget(the_store, name, interest, None if clear else picks)])
