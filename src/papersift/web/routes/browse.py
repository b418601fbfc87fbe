"""Finding papers: text or semantic search, and the map of the profile's papers and candidates."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ... import explore
from .. import actions
from ..deps import CsrfChecked, ProfileDep, StoreDep, ViewerDep
from ..rendering import render
from ..state import state

router = APIRouter(include_in_schema=False, dependencies=[CsrfChecked])


@router.get("/p/{name}/search", response_class=HTMLResponse)
def search(
    request: Request, name: ProfileDep, viewer: ViewerDep, store: StoreDep, q: str = "", mode: str = "text"
) -> Response:
    hits = actions.search(request, store, name, viewer, q, mode == "semantic") if q.strip() else []
    return render(request, "search.html", viewer, profile=name, page="search", q=q, mode=mode, hits=hits)


@router.get("/p/{name}/map", response_class=HTMLResponse)
def map_page(request: Request, name: ProfileDep, viewer: ViewerDep, store: StoreDep) -> Response:
    data = explore.profile_map(store, name, state(request).encoder)
    order = explore.interest_names(store, name)
    colour_of = {n: (order.index(n) if n in order else len(order) + i) % 10 for i, n in enumerate(data.interests)}
    return render(request, "map.html", viewer, profile=name, page="map", data=data, colour_of=colour_of)
