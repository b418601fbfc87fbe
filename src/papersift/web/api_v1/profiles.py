"""Profiles: which you may use, their digests, and their interests (rename, mute, budget, merge, split)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from ... import api, explore
from ...digest import pick_to_dict
from .. import actions
from ..deps import IdQuery, ProfileDep, StoreDep, ViewerDep, visible_profiles
from ..state import state
from .models import BudgetIn, MergeIn, MuteIn, RenameIn, SplitIn

router = APIRouter()


@router.get("/profiles")
def profiles(viewer: ViewerDep, store: StoreDep) -> list[str]:
    """The profiles you can use."""
    return visible_profiles(store, viewer)


@router.get("/profiles/{name}/digest")
def digest(name: ProfileDep, store: StoreDep, run: IdQuery = None) -> list[dict[str, Any]]:
    """The latest digest (or digest ``run``): the picks with id, relevance and reasons, as
    ``papersift digest --format json`` writes them. Reading it changes nothing; POST makes a new one."""
    with store.reading():  # one read transaction, as the Today page
        return [pick_to_dict(r) for r in explore.digest_view(store, name, run).recommendations]


@router.post("/profiles/{name}/digest", status_code=202)
def new_digest(request: Request, name: ProfileDep) -> dict[str, Any]:
    """Rank the stored candidates now, as a background job; poll /api/v1/jobs/{id}."""
    return actions.start_digest_job(request, name).to_dict()


@router.get("/profiles/{name}/digests")
def digests(name: ProfileDep, store: StoreDep) -> list[dict[str, Any]]:
    """Earlier digests, newest first."""
    return [vars(r) for r in explore.digest_history(store, name)]


@router.get("/profiles/{name}/interests")
def interests(name: ProfileDep, store: StoreDep) -> list[dict[str, Any]]:
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
def rename(interest: str, body: RenameIn, name: ProfileDep, store: StoreDep) -> dict[str, Any]:
    return _interest(api.rename_interest(store, name, interest, body.name))


@router.post("/profiles/{name}/interests/{interest}/mute")
def mute(interest: str, body: MuteIn, name: ProfileDep, store: StoreDep) -> dict[str, Any]:
    return _interest(api.mute_interest(store, name, interest, body.muted))


@router.post("/profiles/{name}/interests/{interest}/budget")
def budget(interest: str, body: BudgetIn, name: ProfileDep, store: StoreDep) -> dict[str, Any]:
    return _interest(api.set_interest_budget(store, name, interest, body.budget))


@router.post("/profiles/{name}/interests/merge")
def merge(body: MergeIn, name: ProfileDep, store: StoreDep) -> dict[str, Any]:
    return _interest(api.merge_interests(store, name, body.interests))


@router.post("/profiles/{name}/interests/{interest}/split")
def split(
    request: Request,
    interest: str,
    body: SplitIn,
    name: ProfileDep,
    store: StoreDep,
) -> list[dict[str, Any]]:
    return [_interest(v) for v in api.split_interest(store, name, interest, body.parts, state(request).encoder)]
