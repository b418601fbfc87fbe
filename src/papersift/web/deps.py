"""The dependencies every route shares, as ``Annotated`` types: the store, the viewer, a profile they may
use, CSRF, and ids in paths, queries and forms. Routes declare ``store: StoreDep``; nothing else writes
``Depends(get_store)``.

Dependencies that only read the request or make one indexed lookup are ``async``: FastAPI runs a plain
``def`` dependency on a worker thread, and under load each such hop waits for a thread and for the
interpreter lock (measured in benchmarks/bench_web.py: it doubled the CPU per request). Endpoints stay ``def``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Query, Request
from fastapi import Path as PathParam

from .. import accounts
from ..store import Store
from .settings import MAX_ID, SAFE_METHODS, SESSION_COOKIE
from .state import AppState, state

IdPath = Annotated[int, PathParam(ge=0, le=MAX_ID)]
IdQuery = Annotated[int | None, Query(ge=0, le=MAX_ID)]
IdForm = Annotated[int, Form(ge=0, le=MAX_ID)]


class NotSignedIn(Exception):
    """Raised by the viewer dependency in multi-user mode without a live session."""


@dataclass
class Viewer:
    """Who is asking: a user (multi-user mode) or the one local researcher (user None).

    ``bearer``: the request carried a live API token (``Authorization: Bearer``) rather than a cookie,
    so it needs no CSRF token: a browser never adds that header on its own."""

    user: accounts.UserRecord | None
    csrf: str
    multi_user: bool
    bearer: bool = False

    @property
    def name(self) -> str:
        return self.user.name if self.user else "you"


async def get_app_state(request: Request) -> AppState:
    return state(request)


AppStateDep = Annotated[AppState, Depends(get_app_state)]


async def get_store(request: Request) -> Store:
    """The app's store (one engine per app; each store call takes its own connection)."""
    return state(request).store


StoreDep = Annotated[Store, Depends(get_store)]


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


async def get_viewer(request: Request, store: StoreDep) -> Viewer:
    """The signed-in user: by API token when the request carries one, else by session cookie (one lookup
    of the token's hash, on an indexed column)."""
    multi_user = state(request).settings.multi_user
    token = _bearer(request)
    if token is not None:
        user = accounts.api_token_user(store, token)
        if user is None:
            raise HTTPException(
                401, "the API token is not valid (revoked, expired or mistyped)", {"WWW-Authenticate": "Bearer"}
            )
        return Viewer(user if multi_user else None, "", multi_user, bearer=True)
    if multi_user:
        found = accounts.session_for(store, request.cookies.get(SESSION_COOKIE, ""))
        if found is None:
            raise NotSignedIn()
        user, csrf = found
        return Viewer(user, csrf, True)
    return Viewer(None, request.state.csrf, False)


ViewerDep = Annotated[Viewer, Depends(get_viewer)]
# The full-stack-fastapi-template's name for the same thing.
CurrentUser = ViewerDep


async def check_csrf(request: Request, viewer: ViewerDep) -> None:
    """Every state-changing request with a cookie carries the viewer's CSRF token (header X-CSRF-Token or
    form field); a request with an API token needs none."""
    if request.method in SAFE_METHODS or viewer.bearer:
        return
    token = request.headers.get("x-csrf-token")
    if token is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        token = value if isinstance(value, str) else None
    if not token or not secrets.compare_digest(token, viewer.csrf):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")


CsrfChecked = Depends(check_csrf)


def no_such_profile(name: str, viewer: Viewer) -> HTTPException:
    """The one answer for a profile the viewer may not use, whether it is missing or another user's."""
    if viewer.user is not None:
        return HTTPException(404, f"there is no profile named '{name}' of yours")
    return HTTPException(404, f"there is no profile named '{name}'")


async def profile_access(name: str, viewer: ViewerDep, store: StoreDep) -> str:
    """The profile ``name`` if the viewer may use it; 404 otherwise (another user's profile does not exist
    for you). One indexed lookup, like :func:`get_viewer`."""
    allowed = accounts.can_access(store, viewer.user, name) if viewer.user is not None else store.profile_exists(name)
    if not allowed:
        raise no_such_profile(name, viewer)
    return name


ProfileDep = Annotated[str, Depends(profile_access)]


def visible_profiles(store: Store, viewer: Viewer) -> list[str]:
    if viewer.user is not None:
        return accounts.visible_profiles(store, viewer.user)
    return [p.name for p in store.profiles()]
