"""The Profile page: the profile's papers, interests and sources; uploads, imports by author id, and the
interest actions (rename, merge, split, mute, budget)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ... import api
from ...errors import PapersiftError
from ...sources import FORMATS as INPUT_FORMATS
from .. import actions
from ..deps import CsrfChecked, IdQuery, ProfileDep, StoreDep, ViewerDep
from ..rendering import back, profile_url, render
from ..state import state
from .today import profile_jobs
from .uploads import import_uploads, read_uploads

router = APIRouter(include_in_schema=False, dependencies=[CsrfChecked])


@router.get("/p/{name}/profile", response_class=HTMLResponse)
def profile(request: Request, name: ProfileDep, viewer: ViewerDep, store: StoreDep, job: IdQuery = None) -> Response:
    overview = api.profile_overview(store, name)
    included = {p.store_id for p in overview.papers}
    excluded = [p for p in store.profile_papers(name, include_excluded=True) if p.store_id not in included]
    settings = state(request).settings
    return render(
        request,
        "profile.html",
        viewer,
        profile=name,
        page="profile",
        overview=overview,
        excluded=excluded,
        sources=store.profile_sources(name),
        formats=list(INPUT_FORMATS),
        author_kinds=actions.AUTHOR_KINDS,
        jobs=profile_jobs(request, name, job, kind="import"),
        max_upload_mb=settings.max_upload_bytes // (1024 * 1024),
        max_files=settings.max_upload_files,
    )


@router.post("/p/{name}/upload")
async def upload(request: Request, name: ProfileDep, store: StoreDep) -> Response:
    form = await request.form()
    target = profile_url(name) + "/profile"
    try:
        files = await read_uploads(request, form)
        if not files:
            return back(target, error="Choose at least one file to upload.")
        notice = await import_uploads(request, store, name, files, form)
    except PapersiftError as exc:
        return back(target, error=str(exc))
    return back(target, notice=notice)


@router.post("/p/{name}/import-author")
def import_author(
    request: Request, name: ProfileDep, kind: Annotated[str, Form()], value: Annotated[str, Form()]
) -> Response:
    if kind not in actions.AUTHOR_KINDS or not value.strip():
        return back(profile_url(name) + "/profile", error="Choose a service and give an author id.")
    job = actions.start_author_import(request, name, kind, value.strip())
    return RedirectResponse(f"{profile_url(name)}/profile?job={job.id}", status_code=303)


@router.post("/p/{name}/interests")
async def interests(request: Request, name: ProfileDep, store: StoreDep) -> Response:
    """One form endpoint for rename, merge, split, mute, unmute and budget (the button pressed says which)."""
    form = await request.form()
    action = str(form.get("action") or "")
    interest = str(form.get("interest") or "")
    target = profile_url(name) + "/profile#interests"
    try:
        if action == "rename":
            view = api.rename_interest(store, name, interest, str(form.get("new_name") or ""))
            notice = f"Interest renamed to '{view.name}'."
        elif action in ("mute", "unmute"):
            view = api.mute_interest(store, name, interest, action == "mute")
            notice = f"Interest '{view.name}' {'muted' if view.muted else 'served again'}."
        elif action == "budget":
            view = api.set_interest_budget(store, name, interest, _budget(form.get("budget")))
            notice = (
                f"Interest '{view.name}' has no budget: it gets its usual share."
                if view.budget is None
                else f"Interest '{view.name}' gets at most {_picks(view.budget)} a digest."
            )
        elif action == "merge":
            chosen = [str(v) for v in form.getlist("merge")]
            view = api.merge_interests(store, name, chosen)
            notice = f"Merged into '{view.name}'."
        elif action == "split":
            parts = int(str(form.get("parts") or "2"))
            views = api.split_interest(store, name, interest, max(2, min(parts, 8)), state(request).encoder)
            notice = "Split into " + ", ".join(f"'{v.name}'" for v in views) + "."
        elif action == "find":
            api.find_interests(store, name, state(request).encoder)
            notice = "Interests found afresh."
        else:
            return back(target, error="Unknown interest action.")
    except (PapersiftError, ValueError) as exc:
        return back(target, error=str(exc))
    return back(target, notice=notice)


def _budget(value: object) -> int | None:
    """A budget from the form: empty clears it; otherwise a whole number of picks, 0 or more."""
    text = str(value or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 6:
        raise ValueError(
            f"A budget is a whole number of picks, 0 or more (not '{text[:20]}'); leave it empty for none."
        )
    return int(text)


def _picks(n: int) -> str:
    return f"{n} pick" if n == 1 else f"{n} picks"
