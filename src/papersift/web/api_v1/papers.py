"""Papers: one paper's record and neighbours, exclude/include, imports by author id, search, the map."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from ... import api, explore
from .. import actions
from ..deps import IdPath, ProfileDep, StoreDep, ViewerDep
from ..state import state
from .common import visible_paper_id
from .models import AuthorImportIn

router = APIRouter()


@router.get("/profiles/{name}/papers/{paper_id}")
def paper(
    request: Request,
    paper_id: IdPath,
    name: ProfileDep,
    viewer: ViewerDep,
    store: StoreDep,
) -> dict[str, Any]:
    """The full record, papers like it, and the profile's closest own papers."""
    paper_id = visible_paper_id(store, name, viewer, paper_id)
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


@router.post("/profiles/{name}/papers/{paper_id}/exclude")
def exclude(
    paper_id: IdPath,
    name: ProfileDep,
    viewer: ViewerDep,
    store: StoreDep,
) -> dict[str, Any]:
    paper_id = visible_paper_id(store, name, viewer, paper_id)
    api.exclude_from_profile(store, name, paper_id)
    return {"paper": paper_id, "excluded": True}


@router.post("/profiles/{name}/papers/{paper_id}/include")
def include(
    paper_id: IdPath,
    name: ProfileDep,
    viewer: ViewerDep,
    store: StoreDep,
) -> dict[str, Any]:
    paper_id = visible_paper_id(store, name, viewer, paper_id)
    api.include_in_profile(store, name, paper_id)
    return {"paper": paper_id, "excluded": False}


@router.post("/profiles/{name}/imports/author", status_code=202)
def import_author(request: Request, body: AuthorImportIn, name: ProfileDep) -> dict[str, Any]:
    """Import a profile's papers from a service by author id, as a background job."""
    return actions.start_author_import(request, name, body.kind, body.value).to_dict()


@router.get("/profiles/{name}/search")
def search(
    request: Request,
    name: ProfileDep,
    viewer: ViewerDep,
    store: StoreDep,
    q: str = "",
    semantic: bool = False,
) -> list[dict[str, Any]]:
    """Title/abstract/author search, or with ``semantic=true`` papers like the sentence ``q``."""
    hits = actions.search(request, store, name, viewer, q, semantic)
    return [
        {"id": p.store_id, "title": p.display_title, "authors": p.authors, "date": p.date, "similarity": s}
        for p, s in hits
    ]


@router.get("/profiles/{name}/map")
def map_data(request: Request, name: ProfileDep, store: StoreDep) -> dict[str, Any]:
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
