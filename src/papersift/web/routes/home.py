"""The start page (choose or make a profile) and the lab (who in the group each new paper matters to)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ... import accounts
from ...sources import FORMATS as INPUT_FORMATS
from .. import actions
from ..deps import CsrfChecked, StoreDep, ViewerDep, no_such_profile, visible_profiles
from ..rendering import back, profile_url, render
from .uploads import import_uploads, read_uploads

router = APIRouter(include_in_schema=False, dependencies=[CsrfChecked])


@router.get("/", response_class=HTMLResponse)
def home(request: Request, viewer: ViewerDep, store: StoreDep) -> Response:
    names = visible_profiles(store, viewer)
    if len(names) == 1 and not request.query_params.get("choose"):
        return RedirectResponse(profile_url(names[0]) + "/today", status_code=303)
    return render(request, "home.html", viewer, names=names, formats=list(INPUT_FORMATS), page="home")


@router.post("/profiles")
async def create_profile(request: Request, viewer: ViewerDep, store: StoreDep) -> Response:
    form = await request.form()
    name = str(form.get("name") or "").strip()
    if not name or len(name) > 100 or "/" in name:
        return back("/?choose=1", error="Give the profile a name (up to 100 characters, no '/').")
    if viewer.user is not None:
        try:
            accounts.claim_profile(store, viewer.user, name)
        except accounts.ProfileTaken:
            # Another user's profile: answered as every other route answers it, without saying it exists.
            raise no_such_profile(name, viewer) from None
    else:
        if store.profile_exists(name):
            return back("/?choose=1", error=f"There is already a profile named '{name}'.")
        store.create_profile(name)
    files = await read_uploads(request, form)
    target = profile_url(name) + "/profile"
    if files:
        return back(target, notice=await import_uploads(request, store, name, files, form))
    return back(target, notice=f"Profile '{name}' created: add your papers below.")


@router.get("/lab", response_class=HTMLResponse)
def lab(request: Request, viewer: ViewerDep, store: StoreDep) -> Response:
    rows = actions.lab_rows(request, store, viewer)
    shared = store.lab_profiles()
    mine = visible_profiles(store, viewer)
    return render(request, "lab.html", viewer, page="lab", rows=rows, shared=shared, profile=mine[0] if mine else None)
