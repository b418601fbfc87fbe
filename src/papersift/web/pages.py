"""The server-rendered pages and their form actions (POST, then a 303 back to a page)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from .. import accounts, api, explore
from ..config import load_config
from ..delivery.targets import SettingsError, plan_for, read_profile_settings, save_profile_settings
from ..errors import PapersiftError
from ..sources import FORMATS as INPUT_FORMATS
from ..store import Store
from ..store import accounts as tables
from ..store.learning import PaperNotFound
from . import actions
from .app import (
    IdForm,
    IdPath,
    IdQuery,
    Viewer,
    back,
    check_csrf,
    get_store,
    get_viewer,
    profile_access,
    render,
    state,
    visible_profiles,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])


def _p(name: str) -> str:
    return "/p/" + quote(name, safe="")


@router.get("/", response_class=HTMLResponse)
def home(request: Request, viewer: Viewer = Depends(get_viewer), store: Store = Depends(get_store)) -> Response:
    names = visible_profiles(store, viewer)
    if len(names) == 1 and not request.query_params.get("choose"):
        return RedirectResponse(_p(names[0]) + "/today", status_code=303)
    return render(request, "home.html", viewer, names=names, formats=list(INPUT_FORMATS), page="home")


@router.post("/profiles")
async def create_profile(
    request: Request, viewer: Viewer = Depends(get_viewer), store: Store = Depends(get_store)
) -> Response:
    form = await request.form()
    name = str(form.get("name") or "").strip()
    if not name or len(name) > 100 or "/" in name:
        return back("/?choose=1", error="Give the profile a name (up to 100 characters, no '/').")
    if viewer.user is not None:
        accounts.claim_profile(store, viewer.user, name)
    else:
        if tables.profile_exists(store, name):
            return back("/?choose=1", error=f"There is already a profile named '{name}'.")
        tables.create_profile(store, name)
    files = await _uploads(request, form)
    if files:
        summary, warnings = explore.import_uploads(store, name, files, _format(form))
        return back(_p(name) + "/profile", notice=_imported(summary, warnings))
    return back(_p(name) + "/profile", notice=f"Profile '{name}' created: add your papers below.")


# -- Today ------------------------------------------------------------------------------


def _jobs(request: Request, name: str, job: int | None, kind: str | None = None) -> list[Any]:
    """The profile's running jobs (of ``kind``), and job ``job`` (just finished, from a redirect) if it is theirs."""
    jobs = [j for j in state(request).jobs.active(name) if kind is None or j.kind == kind]
    if job is not None:
        found = state(request).jobs.get(job)
        if found is not None and found.profile == name and found not in jobs:
            jobs.append(found)
    return jobs


@router.get("/p/{name}/today", response_class=HTMLResponse)
def today(
    request: Request,
    run: IdQuery = None,
    job: IdQuery = None,
    name: str = Depends(profile_access),
    viewer: Viewer = Depends(get_viewer),
    store: Store = Depends(get_store),
) -> Response:
    with store.reading():  # one read transaction for the whole page
        view = explore.digest_view(store, name, run)
        history = explore.digest_history(store, name)
        jobs = _jobs(request, name, job)
        return render(
            request,
            "today.html",
            viewer,
            profile=name,
            page="today",
            view=view,
            history=history,
            latest=history[0].id if history else None,
            jobs=jobs,
            n_papers=0 if view.run else len(tables.profile_paper_ids(store, name)),
            colour_of={n: i % 10 for i, n in enumerate(explore.interest_names(store, name))},
            budgets={i.display_name: i.budget for i in store.interests(name) if i.budget is not None},
        )


@router.post("/p/{name}/digest")
def new_digest(request: Request, name: str = Depends(profile_access)) -> Response:
    job = actions.start_digest_job(request, name)
    return RedirectResponse(f"{_p(name)}/today?job={job.id}", status_code=303)


@router.post("/p/{name}/ratings")
def rate(
    request: Request,
    paper: IdForm,
    rating: str = Form(""),
    next: str = Form(""),
    name: str = Depends(profile_access),
    viewer: Viewer = Depends(get_viewer),
    store: Store = Depends(get_store),
) -> Response:
    """The no-JavaScript path of the vote buttons (the page's script uses the JSON API)."""
    target = next if next.startswith("/p/") else _p(name) + "/today"
    if rating == "undo":
        if viewer.multi_user and paper not in tables.visible_paper_ids(store, name, [paper]):
            raise HTTPException(404, f"there is no paper with store id {paper}")
        explore.unrate_paper(store, name, paper)
        return back(target, notice="Rating undone.")
    try:
        change = api.rate_by_id(store, name, paper, rating, origin="web", visible_only=viewer.multi_user)
    except PaperNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    return back(target, notice=f"{rating} for {change.title}")


# -- a paper ------------------------------------------------------------------------------


@router.get("/p/{name}/papers/{paper_id}", response_class=HTMLResponse)
def paper(
    request: Request,
    paper_id: IdPath,
    name: str = Depends(profile_access),
    viewer: Viewer = Depends(get_viewer),
    store: Store = Depends(get_store),
) -> Response:
    if not tables.paper_exists(store, paper_id) or (
        viewer.multi_user and paper_id not in tables.visible_paper_ids(store, name, [paper_id])
    ):
        raise HTTPException(404, f"there is no paper with store id {paper_id}")
    detail = actions.paper_detail(request, store, name, viewer, paper_id)
    own_ids = set(tables.profile_paper_ids(store, name))
    return render(request, "paper.html", viewer, profile=name, page="paper", is_own=paper_id in own_ids, **detail)


# -- the profile ----------------------------------------------------------------------------


@router.get("/p/{name}/profile", response_class=HTMLResponse)
def profile(
    request: Request,
    job: IdQuery = None,
    name: str = Depends(profile_access),
    viewer: Viewer = Depends(get_viewer),
    store: Store = Depends(get_store),
) -> Response:
    overview = api.profile_overview(store, name)
    included = {p.store_id for p in overview.papers}
    excluded = [p for p in store.profile_papers(name, include_excluded=True) if p.store_id not in included]
    jobs = _jobs(request, name, job, kind="import")
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
        jobs=jobs,
        max_upload_mb=state(request).settings.max_upload_bytes // (1024 * 1024),
        max_files=state(request).settings.max_upload_files,
    )


async def _uploads(request: Request, form: Any) -> list[tuple[str, bytes]]:
    settings = state(request).settings
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    if len(files) > settings.max_upload_files:
        raise PapersiftError(f"at most {settings.max_upload_files} files per upload")
    found = []
    for upload in files:
        data = await upload.read(settings.max_upload_bytes + 1)
        if len(data) > settings.max_upload_bytes:
            raise PapersiftError(
                f"{upload.filename}: larger than the upload limit of {settings.max_upload_bytes} bytes"
            )
        found.append((str(upload.filename), data))
    return found


def _format(form: Any) -> str | None:
    value = str(form.get("input_format") or "")
    return value if value in INPUT_FORMATS else None


def _imported(summary: Any, warnings: list[str]) -> str:
    text = f"{summary.read} papers read, {summary.new} new, {summary.merged} already known"
    return text + (f" ({len(warnings)} warnings: {warnings[0]})" if warnings else "")


@router.post("/p/{name}/upload")
async def upload(request: Request, name: str = Depends(profile_access), store: Store = Depends(get_store)) -> Response:
    form = await request.form()
    target = _p(name) + "/profile"
    try:
        files = await _uploads(request, form)
        if not files:
            return back(target, error="Choose at least one file to upload.")
        summary, warnings = explore.import_uploads(store, name, files, _format(form))
    except PapersiftError as exc:
        return back(target, error=str(exc))
    return back(target, notice=_imported(summary, warnings))


@router.post("/p/{name}/import-author")
def import_author(
    request: Request, kind: str = Form(...), value: str = Form(...), name: str = Depends(profile_access)
) -> Response:
    if kind not in actions.AUTHOR_KINDS or not value.strip():
        return back(_p(name) + "/profile", error="Choose a service and give an author id.")
    job = actions.start_author_import(request, name, kind, value.strip())
    return RedirectResponse(f"{_p(name)}/profile?job={job.id}", status_code=303)


@router.post("/p/{name}/papers/{paper_id}/exclude")
def exclude(paper_id: IdPath, name: str = Depends(profile_access), store: Store = Depends(get_store)) -> Response:
    if paper_id not in tables.profile_paper_ids(store, name):
        raise HTTPException(404, f"paper {paper_id} is not one of this profile's papers")
    found = api.exclude_from_profile(store, name, str(paper_id))
    return back(_p(name) + "/profile", notice=f"Excluded: {found.display_title}")


@router.post("/p/{name}/papers/{paper_id}/include")
def include(paper_id: IdPath, name: str = Depends(profile_access), store: Store = Depends(get_store)) -> Response:
    if paper_id not in {p.store_id for p in store.profile_papers(name, include_excluded=True)}:
        raise HTTPException(404, f"paper {paper_id} is not one of this profile's papers")
    store.include_profile_paper(name, paper_id)
    return back(_p(name) + "/profile", notice="Included again.")


@router.post("/p/{name}/interests")
async def interests(
    request: Request, name: str = Depends(profile_access), store: Store = Depends(get_store)
) -> Response:
    """One form endpoint for rename, merge, split, mute, unmute and budget (the button pressed says which)."""
    form = await request.form()
    action = str(form.get("action") or "")
    interest = str(form.get("interest") or "")
    target = _p(name) + "/profile#interests"
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


# -- search, map, lab, settings -----------------------------------------------------------------


@router.get("/p/{name}/search", response_class=HTMLResponse)
def search(
    request: Request,
    q: str = "",
    mode: str = "text",
    name: str = Depends(profile_access),
    viewer: Viewer = Depends(get_viewer),
    store: Store = Depends(get_store),
) -> Response:
    hits = actions.search(request, store, name, viewer, q, mode == "semantic") if q.strip() else []
    return render(request, "search.html", viewer, profile=name, page="search", q=q, mode=mode, hits=hits)


@router.get("/p/{name}/map", response_class=HTMLResponse)
def map_page(
    request: Request,
    name: str = Depends(profile_access),
    viewer: Viewer = Depends(get_viewer),
    store: Store = Depends(get_store),
) -> Response:
    data = explore.profile_map(store, name, state(request).encoder)
    order = explore.interest_names(store, name)
    colour_of = {n: (order.index(n) if n in order else len(order) + i) % 10 for i, n in enumerate(data.interests)}
    return render(request, "map.html", viewer, profile=name, page="map", data=data, colour_of=colour_of)


@router.get("/lab", response_class=HTMLResponse)
def lab(request: Request, viewer: Viewer = Depends(get_viewer), store: Store = Depends(get_store)) -> Response:
    rows = actions.lab_rows(request, store, viewer)
    shared = tables.lab_profiles(store)
    mine = visible_profiles(store, viewer)
    return render(request, "lab.html", viewer, page="lab", rows=rows, shared=shared, profile=mine[0] if mine else None)


@router.get("/p/{name}/settings", response_class=HTMLResponse)
def settings_page(
    request: Request,
    name: str = Depends(profile_access),
    viewer: Viewer = Depends(get_viewer),
    store: Store = Depends(get_store),
) -> Response:
    settings = read_profile_settings(store, name)
    plan = plan_for(store, load_config(), name)
    return render(
        request,
        "settings.html",
        viewer,
        profile=name,
        page="settings",
        values=settings.as_dict(),
        lab_opt_in=settings.lab_opt_in,
        days=actions.DAYS,
        plan=plan,
    )


@router.post("/p/{name}/settings")
async def save_settings(
    request: Request, name: str = Depends(profile_access), store: Store = Depends(get_store)
) -> Response:
    form = await request.form()
    target = _p(name) + "/settings"
    values = {
        "top": str(form.get("top") or "20"),
        "min_relevance": str(form.get("min_relevance") or "0"),
        "email": str(form.get("email") or ""),
        "days": [d for d in actions.DAYS if form.get(f"day_{d}")],
        "follow": str(form.get("follow") or ""),
    }
    try:
        save_profile_settings(store, name, values, bool(form.get("lab_opt_in")))
    except SettingsError as exc:
        return back(target, error=str(exc))
    return back(target, notice="Settings saved.")
