"""A profile's Settings page: digest size, minimum relevance, e-mail, delivery days, followed sources, lab;
and what the daily run will deliver with them (a [deliver.NAME] table in config.toml wins)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ...config import load_config
from ...delivery.targets import SettingsError, plan_for, read_profile_settings, save_profile_settings
from .. import actions
from ..deps import CsrfChecked, ProfileDep, StoreDep, ViewerDep
from ..rendering import back, profile_url, render

router = APIRouter(include_in_schema=False, dependencies=[CsrfChecked])


@router.get("/p/{name}/settings", response_class=HTMLResponse)
def settings_page(request: Request, name: ProfileDep, viewer: ViewerDep, store: StoreDep) -> Response:
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
async def save_settings(request: Request, name: ProfileDep, store: StoreDep) -> Response:
    form = await request.form()
    target = profile_url(name) + "/settings"
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
