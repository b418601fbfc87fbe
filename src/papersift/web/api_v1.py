"""The JSON API, versioned under /api/v1 and described at /openapi.json. Every page's data is here too."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field, StringConstraints

from .. import api, explore
from ..digest import pick_to_dict
from ..store import Store
from ..store import accounts as tables
from ..store.learning import PaperNotFound
from . import actions
from .app import (
    MAX_ID,
    IdPath,
    IdQuery,
    Viewer,
    check_csrf,
    get_store,
    get_viewer,
    profile_access,
    state,
    visible_profiles,
)

router = APIRouter(prefix="/api/v1", tags=["api"], dependencies=[Depends(check_csrf)])

RatingValue = Literal["up", "down", "save", "dismiss"]


# A paper named by its store id, or by an arXiv id, DOI or exact title.
StoreIdOrName = (
    Annotated[int, Field(ge=0, le=MAX_ID)] | Annotated[str, StringConstraints(min_length=1, max_length=2000)]
)


class RatingIn(BaseModel):
    paper: StoreIdOrName = Field(description="The paper's store id (or an arXiv id, DOI or exact title).")
    rating: RatingValue


class RatingOut(BaseModel):
    paper: int
    title: str
    rating: str | None
    previous: str | None = None


class RenameIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class MergeIn(BaseModel):
    interests: list[str] = Field(min_length=2)


class SplitIn(BaseModel):
    parts: int = Field(default=2, ge=2, le=8)


class MuteIn(BaseModel):
    muted: bool = True


class BudgetIn(BaseModel):
    """At most ``budget`` picks a digest for the interest; null clears it, 0 sends none (as a mute)."""

    budget: int | None = Field(default=None, ge=0, le=1000)


class AuthorImportIn(BaseModel):
    kind: Literal["openalex", "orcid", "s2-author", "dblp", "arxiv-author"]
    value: str = Field(min_length=1, max_length=300)


def _store_id(store: Store, ref: int | str) -> int:
    """The store id ``ref`` names: itself, its digits, or the paper it names (arXiv id, DOI, exact title).
    Digits beyond a 64-bit id are no store id, so they are looked up like any other name."""
    if isinstance(ref, int):
        return ref
    return int(ref) if ref.isdigit() and int(ref) <= MAX_ID else store.resolve_paper(ref)


def _paper_id(store: Store, profile: str, viewer: Viewer, ref: int | str) -> int:
    paper_id = _store_id(store, ref)
    if not tables.paper_exists(store, paper_id):
        raise HTTPException(404, f"there is no paper with store id {paper_id}")
    if viewer.multi_user and paper_id not in tables.visible_paper_ids(store, profile, [paper_id]):
        raise HTTPException(404, f"there is no paper with store id {paper_id}")
    return paper_id


@router.get("/profiles")
def profiles(viewer: Viewer = Depends(get_viewer), store: Store = Depends(get_store)) -> list[str]:
    """The profiles you can use."""
    return visible_profiles(store, viewer)


@router.get("/profiles/{name}/digest")
def digest(
    name: str = Depends(profile_access), run: IdQuery = None, store: Store = Depends(get_store)
) -> list[dict[str, Any]]:
    """The latest digest (or digest ``run``): the picks with id, relevance and reasons, as
    ``papersift digest --format json`` writes them. Reading it changes nothing; POST makes a new one."""
    with store.reading():  # one read transaction, as the Today page
        return [pick_to_dict(r) for r in explore.digest_view(store, name, run).recommendations]


@router.post("/profiles/{name}/digest", status_code=202)
def new_digest(request: Request, name: str = Depends(profile_access)) -> dict[str, Any]:
    """Rank the stored candidates now, as a background job; poll /api/v1/jobs/{id}."""
    return actions.start_digest_job(request, name).to_dict()


@router.get("/profiles/{name}/digests")
def digests(name: str = Depends(profile_access), store: Store = Depends(get_store)) -> list[dict[str, Any]]:
    """Earlier digests, newest first."""
    return [vars(r) for r in explore.digest_history(store, name)]


@router.get("/profiles/{name}/ratings")
def ratings(name: str = Depends(profile_access), store: Store = Depends(get_store)) -> list[dict[str, Any]]:
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
def rate(
    body: RatingIn,
    name: str = Depends(profile_access),
    viewer: Viewer = Depends(get_viewer),
    store: Store = Depends(get_store),
) -> RatingOut:
    """Rate a paper: up, down, save or dismiss (rating again replaces the rating)."""
    paper_id = _store_id(store, body.paper)
    try:
        # One write transaction: the paper exists, the viewer may see it, it is not one of their own.
        change = api.rate_by_id(store, name, paper_id, body.rating, origin="web", visible_only=viewer.multi_user)
    except PaperNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    return RatingOut(paper=paper_id, title=change.title, rating=body.rating, previous=change.previous)


@router.delete("/profiles/{name}/ratings/{paper_id}")
def unrate(
    paper_id: IdPath,
    name: str = Depends(profile_access),
    viewer: Viewer = Depends(get_viewer),
    store: Store = Depends(get_store),
) -> RatingOut:
    """Undo a rating: the paper counts as never rated."""
    paper_id = _paper_id(store, name, viewer, paper_id)
    previous = tables.ratings_for(store, name, [paper_id]).get(paper_id)
    explore.unrate_paper(store, name, paper_id)
    return RatingOut(
        paper=paper_id, title=explore.get_paper(store, paper_id).display_title, rating=None, previous=previous
    )


@router.get("/profiles/{name}/papers/{paper_id}")
def paper(
    request: Request,
    paper_id: IdPath,
    name: str = Depends(profile_access),
    viewer: Viewer = Depends(get_viewer),
    store: Store = Depends(get_store),
) -> dict[str, Any]:
    """The full record, papers like it, and the profile's closest own papers."""
    paper_id = _paper_id(store, name, viewer, paper_id)
    detail = actions.paper_detail(request, store, name, viewer, paper_id)
    return {
        "paper": detail["paper"].to_dict(),
        "rating": detail["rating"],
        "more_like_this": [
            {"id": p.store_id, "title": p.display_title, "similarity": round(s, 4)} for p, s in detail["similar"]
        ],
        "closest_own": [
            {"id": p.store_id, "title": p.display_title, "similarity": round(s, 4)} for p, s in detail["own"]
        ],
    }


@router.get("/profiles/{name}/interests")
def interests(name: str = Depends(profile_access), store: Store = Depends(get_store)) -> list[dict[str, Any]]:
    return [_interest(v) for v in api.profile_overview(store, name).interests]


def _interest(view: api.InterestView) -> dict[str, Any]:
    return {
        "id": view.id,
        "name": view.name,
        "label": view.label,
        "muted": view.muted,
        "budget": view.budget,
        "papers": [p.store_id for p in view.papers],
    }


@router.post("/profiles/{name}/interests/{interest}/rename")
def rename(
    interest: str, body: RenameIn, name: str = Depends(profile_access), store: Store = Depends(get_store)
) -> dict[str, Any]:
    return _interest(api.rename_interest(store, name, interest, body.name))


@router.post("/profiles/{name}/interests/{interest}/mute")
def mute(
    interest: str, body: MuteIn, name: str = Depends(profile_access), store: Store = Depends(get_store)
) -> dict[str, Any]:
    return _interest(api.mute_interest(store, name, interest, body.muted))


@router.post("/profiles/{name}/interests/{interest}/budget")
def budget(
    interest: str, body: BudgetIn, name: str = Depends(profile_access), store: Store = Depends(get_store)
) -> dict[str, Any]:
    return _interest(api.set_interest_budget(store, name, interest, body.budget))


@router.post("/profiles/{name}/interests/merge")
def merge(body: MergeIn, name: str = Depends(profile_access), store: Store = Depends(get_store)) -> dict[str, Any]:
    return _interest(api.merge_interests(store, name, body.interests))


@router.post("/profiles/{name}/interests/{interest}/split")
def split(
    request: Request,
    interest: str,
    body: SplitIn,
    name: str = Depends(profile_access),
    store: Store = Depends(get_store),
) -> list[dict[str, Any]]:
    return [_interest(v) for v in api.split_interest(store, name, interest, body.parts, state(request).encoder)]


@router.post("/profiles/{name}/papers/{paper_id}/exclude")
def exclude(
    paper_id: IdPath,
    name: str = Depends(profile_access),
    viewer: Viewer = Depends(get_viewer),
    store: Store = Depends(get_store),
) -> dict[str, Any]:
    paper_id = _paper_id(store, name, viewer, paper_id)
    api.exclude_from_profile(store, name, str(paper_id))
    return {"paper": paper_id, "excluded": True}


@router.post("/profiles/{name}/papers/{paper_id}/include")
def include(
    paper_id: IdPath,
    name: str = Depends(profile_access),
    viewer: Viewer = Depends(get_viewer),
    store: Store = Depends(get_store),
) -> dict[str, Any]:
    paper_id = _paper_id(store, name, viewer, paper_id)
    store.include_profile_paper(name, paper_id)
    return {"paper": paper_id, "excluded": False}


@router.post("/profiles/{name}/imports/author", status_code=202)
def import_author(request: Request, body: AuthorImportIn, name: str = Depends(profile_access)) -> dict[str, Any]:
    """Import a profile's papers from a service by author id, as a background job."""
    return actions.start_author_import(request, name, body.kind, body.value).to_dict()


@router.get("/profiles/{name}/search")
def search(
    request: Request,
    q: str = "",
    semantic: bool = False,
    name: str = Depends(profile_access),
    viewer: Viewer = Depends(get_viewer),
    store: Store = Depends(get_store),
) -> list[dict[str, Any]]:
    """Title/abstract/author search, or with ``semantic=true`` papers like the sentence ``q``."""
    hits = actions.search(request, store, name, viewer, q, semantic)
    return [
        {"id": p.store_id, "title": p.display_title, "authors": p.authors, "date": p.date, "similarity": s}
        for p, s in hits
    ]


@router.get("/profiles/{name}/map")
def map_data(
    request: Request, name: str = Depends(profile_access), store: Store = Depends(get_store)
) -> dict[str, Any]:
    data = explore.profile_map(store, name, state(request).encoder)
    return {
        "explained_variance": round(data.explained, 4),
        "interests": data.interests,
        "points": [
            {
                "id": p.paper.store_id,
                "title": p.paper.display_title,
                "x": round(p.x, 4),
                "y": round(p.y, 4),
                "kind": p.kind,
                "interest": p.interest,
            }
            for p in data.points
        ],
    }


@router.get("/jobs/{job_id}")
def job(
    request: Request, job_id: IdPath, viewer: Viewer = Depends(get_viewer), store: Store = Depends(get_store)
) -> dict[str, Any]:
    found = state(request).jobs.get(job_id)
    if found is None or found.profile not in visible_profiles(store, viewer):
        raise HTTPException(404, f"there is no job {job_id}")
    return found.to_dict()


@router.get("/lab")
def lab(
    request: Request, viewer: Viewer = Depends(get_viewer), store: Store = Depends(get_store)
) -> list[dict[str, Any]]:
    """For each new paper, the members (profiles shared with the lab) it matters to most."""
    return [
        {
            "id": row.paper.store_id,
            "title": row.paper.display_title,
            "members": [{"profile": p, "relevance": round(r, 4)} for p, r in row.members],
        }
        for row in actions.lab_rows(request, store, viewer)
    ]
