"""The routers of the server-rendered side, one per resource: sign-in, the start page and lab, Today,
a paper, the Profile page, search and map, Settings, and the links of mails and feeds. The JSON API's
routers are in :mod:`papersift.web.api_v1`."""

from __future__ import annotations

from fastapi import APIRouter

from . import auth, browse, home, icon, mail, papers, profile, settings, today

PAGE_ROUTERS: tuple[APIRouter, ...] = (
    icon.router,
    home.router,
    today.router,
    papers.router,
    profile.router,
    browse.router,
    settings.router,
)

__all__ = ["PAGE_ROUTERS", "auth", "mail"]
