"""Ratings: the one service that writes and undoes them, for the CLI (`papersift rate`), the web's votes
(form and JSON API) and the one-click votes of a digest mail alike, with every check inside it.

A rating is refused when its value is not one of :data:`RATINGS`, when the paper does not exist (or, on a
shared server, is one the profile may not see), and when the paper is one of the profile's own papers:
ratings are for candidates. The checks and the write are one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import StoreError
from .latex import latex_to_text
from .store import RATINGS, Store
from .store.learning import OwnPaperRated, PaperNotFound

__all__ = ["POSITION_LIKE", "RATINGS", "PaperNotFound", "RatingChange", "rate", "unrate"]

# A bare number up to this size that names a paper never shown to the profile is most likely a
# position in a digest ("#3"), not the store id printed beside the pick.
POSITION_LIKE = 200
# The largest store id (a signed 64-bit integer); more digits than that are looked up as a name.
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class RatingChange:
    """What a vote did: the paper (id and display title), its new rating (None: undone) and the one it replaced."""

    paper_id: int
    title: str
    rating: str | None
    previous: str | None


def paper_id_of(store: Store, paper: int | str) -> int:
    """The store id ``paper`` names: itself, its digits, or the paper it names (arXiv id, DOI, exact title)."""
    if isinstance(paper, int):
        return paper
    text = paper.strip()
    return int(text) if text.isdigit() and int(text) <= MAX_ID else store.resolve_paper(text)


def rate(
    store: Store,
    profile: str,
    paper: int | str,
    rating: str,
    origin: str = "cli",
    *,
    visible_only: bool = False,
    guard_positions: bool = False,
) -> RatingChange:
    """Rate ``paper`` (a store id, or an arXiv id, DOI or exact title) for ``profile``; a new rating
    replaces the old one.

    ``origin``: who rated (cli, web, mail). ``visible_only`` (a shared server): a paper the profile may not
    see is refused as if it did not exist (:class:`PaperNotFound`). ``guard_positions`` (the CLI, where
    people type numbers): a small bare number naming a paper the profile was never shown is refused, as it
    is most likely a digest position given for an id.
    """
    if rating not in RATINGS:
        raise StoreError(f"unknown rating '{rating[:40]}' (use one of: {', '.join(RATINGS)})")
    paper_id = paper_id_of(store, paper)
    if guard_positions and isinstance(paper, str):
        _refuse_position(store, profile, paper.strip(), paper_id, rating)
    try:
        title, previous = store.rate(profile, paper_id, rating, origin, visible_only=visible_only)
    except OwnPaperRated as exc:
        raise _own_paper(_display_title(store, paper_id, exc.title), paper_id, profile) from None
    return RatingChange(paper_id, _display_title(store, paper_id, title), rating, previous)


def unrate(store: Store, profile: str, paper: int | str, *, visible_only: bool = False) -> RatingChange:
    """Undo a rating: the paper counts as never rated. Refused as :func:`rate` refuses an unknown paper."""
    paper_id = paper_id_of(store, paper)
    found = store.papers_by_id([paper_id])
    if not found or (visible_only and paper_id not in store.visible_paper_ids(profile, [paper_id])):
        raise PaperNotFound(paper_id)
    previous = store.ratings_for(profile, [paper_id]).get(paper_id)
    store.delete_rating(profile, paper_id)
    return RatingChange(paper_id, found[0].display_title, None, previous)


def _refuse_position(store: Store, profile: str, number: str, paper_id: int, rating: str) -> None:
    if not number.isdigit() or int(number) > POSITION_LIKE:
        return
    if paper_id in store.shown_paper_ids(profile) or paper_id in store.profile_paper_ids(profile):
        return
    found = store.papers_by_id([paper_id])
    if not found:
        return  # the rating itself says there is no such paper
    raise StoreError(
        f"{number} is a store id, not a position in a digest, and paper {number} ('{found[0].display_title}') was "
        f"never shown to profile '{profile}'; give the id printed beside the pick (`papersift rate ID {rating}`), "
        "or add --yes to rate this paper anyway"
    )


def _display_title(store: Store, paper_id: int, title: str) -> str:
    """``Paper.display_title`` from a stored title (the paper is loaded only when it has none)."""
    return latex_to_text(title) if title.strip() else store.papers_by_id([paper_id])[0].display_title


def _own_paper(title: str, paper_id: int, profile: str) -> StoreError:
    return StoreError(
        f"'{title}' (id {paper_id}) is one of the papers of profile '{profile}': ratings are for candidates; "
        f"to keep it out of the profile use `papersift profile exclude {paper_id}`"
    )
