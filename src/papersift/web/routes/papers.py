"""A paper's page, and keeping one of the profile's papers out of it (or letting it back in)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from ... import api
from .. import actions
from ..deps import CsrfChecked, IdPath, ProfileDep, StoreDep, ViewerDep
from ..rendering import back, profile_url, render

router = APIRouter(include_in_schema=False, dependencies=[CsrfChecked])


@router.get("/p/{name}/papers/{paper_id}", response_class=HTMLResponse)
def paper(request: Request, paper_id: IdPath, name: ProfileDep, viewer: ViewerDep, store: StoreDep) -> Response:
    if not store.paper_exists(paper_id) or (
        viewer.multi_user and paper_id not in store.visible_paper_ids(name, [paper_id])
    ):
        raise HTTPException(404, f"there is no paper with store id {paper_id}")
    detail = actions.paper_detail(request, store, name, viewer, paper_id)
    own_ids = set(store.profile_paper_ids(name))
    return render(request, "paper.html", viewer, profile=name, page="paper", is_own=paper_id in own_ids, **detail)


@router.post("/p/{name}/papers/{paper_id}/exclude")
def exclude(paper_id: IdPath, name: ProfileDep, store: StoreDep) -> Response:
    if paper_id not in store.profile_paper_ids(name):
        raise HTTPException(404, f"paper {paper_id} is not one of this profile's papers")
    found = api.exclude_from_profile(store, name, paper_id)
    return back(profile_url(name) + "/profile", notice=f"Excluded: {found.display_title}")


@router.post("/p/{name}/papers/{paper_id}/include")
def include(paper_id: IdPath, name: ProfileDep, store: StoreDep) -> Response:
    if paper_id not in store.profile_paper_ids(name, include_excluded=True):
        raise HTTPException(404, f"paper {paper_id} is not one of this profile's papers")
    api.include_in_profile(store, name, paper_id)
    return back(profile_url(name) + "/profile", notice="Included again.")
