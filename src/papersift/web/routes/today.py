"""Today: the latest digest (or an earlier one), making a new one, and the vote buttons' form path."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ... import explore, feedback
from .. import actions
from ..deps import CsrfChecked, IdForm, IdQuery, ProfileDep, StoreDep, ViewerDep
from ..rendering import back, profile_url, render
from ..state import state

router = APIRouter(include_in_schema=False, dependencies=[CsrfChecked])


def profile_jobs(request: Request, name: str, job: int | None, kind: str | None = None) -> list[Any]:
    """The profile's running jobs (of ``kind``), and job ``job`` (just finished, from a redirect) if it is theirs."""
    jobs = [j for j in state(request).jobs.active(name) if kind is None or j.kind == kind]
    if job is not None:
        found = state(request).jobs.get(job)
        if found is not None and found.profile == name and found not in jobs:
            jobs.append(found)
    return jobs


@router.get("/p/{name}/today", response_class=HTMLResponse)
def today(
    request: Request, name: ProfileDep, viewer: ViewerDep, store: StoreDep, run: IdQuery = None, job: IdQuery = None
) -> Response:
    with store.reading():  # one read transaction for the whole page
        view = explore.digest_view(store, name, run)
        history = explore.digest_history(store, name)
        jobs = profile_jobs(request, name, job)
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
            n_papers=0 if view.run else len(store.profile_paper_ids(name)),
            colour_of={n: i % 10 for i, n in enumerate(explore.interest_names(store, name))},
            budgets={i.display_name: i.budget for i in store.interests(name) if i.budget is not None},
        )


@router.post("/p/{name}/digest")
def new_digest(request: Request, name: ProfileDep) -> Response:
    job = actions.start_digest_job(request, name)
    return RedirectResponse(f"{profile_url(name)}/today?job={job.id}", status_code=303)


@router.post("/p/{name}/ratings")
def rate(
    name: ProfileDep,
    viewer: ViewerDep,
    store: StoreDep,
    paper: IdForm,
    rating: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """The no-JavaScript path of the vote buttons (the page's script uses the JSON API)."""
    target = next if next.startswith("/p/") else profile_url(name) + "/today"
    try:
        if rating == "undo":
            feedback.unrate(store, name, paper, visible_only=viewer.multi_user)
            return back(target, notice="Rating undone.")
        change = feedback.rate(store, name, paper, rating, origin="web", visible_only=viewer.multi_user)
    except feedback.PaperNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    return back(target, notice=f"{rating} for {change.title}")
