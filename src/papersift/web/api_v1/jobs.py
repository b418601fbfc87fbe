"""Background jobs and the lab."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request

from .. import actions
from ..deps import IdPath, StoreDep, ViewerDep, visible_profiles
from ..state import state

router = APIRouter()


@router.get("/jobs/{job_id}")
def job(request: Request, job_id: IdPath, viewer: ViewerDep, store: StoreDep) -> dict[str, Any]:
    found = state(request).jobs.get(job_id)
    if found is None or found.profile not in visible_profiles(store, viewer):
        raise HTTPException(404, f"there is no job {job_id}")
    return found.to_dict()


@router.get("/lab")
def lab(request: Request, viewer: ViewerDep, store: StoreDep) -> list[dict[str, Any]]:
    """For each new paper, the members (profiles shared with the lab) it matters to most."""
    return [
        {
            "id": row.paper.store_id,
            "title": row.paper.display_title,
            "members": [{"profile": p, "relevance": round(r, 4)} for p, r in row.members],
        }
        for row in actions.lab_rows(request, store, viewer)
    ]
