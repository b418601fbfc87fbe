"""A profile's ratings: list, rate, undo (all through :mod:`papersift.feedback`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from ... import api, feedback
from ..deps import IdPath, ProfileDep, StoreDep, ViewerDep
from .models import RatingIn, RatingOut

router = APIRouter()


@router.get("/profiles/{name}/ratings")
def ratings(name: ProfileDep, store: StoreDep) -> list[dict[str, Any]]:
    overview = api.profile_overview(store, name)
    return [
        {
            "paper": e.paper.store_id,
            "title": e.paper.display_title,
            "rating": e.rating,
            "origin": e.origin,
            "at": e.created_at,
        }
        for e in overview.ratings
    ]


@router.post("/profiles/{name}/ratings")
def rate(body: RatingIn, name: ProfileDep, viewer: ViewerDep, store: StoreDep) -> RatingOut:
    """Rate a paper: up, down, save or dismiss (rating again replaces the rating)."""
    try:
        # One write transaction: the paper exists, the viewer may see it, it is not one of their own.
        change = feedback.rate(store, name, body.paper, body.rating, origin="web", visible_only=viewer.multi_user)
    except feedback.PaperNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    return RatingOut(paper=change.paper_id, title=change.title, rating=change.rating, previous=change.previous)


@router.delete("/profiles/{name}/ratings/{paper_id}")
def unrate(paper_id: IdPath, name: ProfileDep, viewer: ViewerDep, store: StoreDep) -> RatingOut:
    """Undo a rating: the paper counts as never rated."""
    try:
        change = feedback.unrate(store, name, paper_id, visible_only=viewer.multi_user)
    except feedback.PaperNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    return RatingOut(paper=change.paper_id, title=change.title, rating=None, previous=change.previous)
