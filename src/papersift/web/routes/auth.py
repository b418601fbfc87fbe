"""Signing in and out (multi-user mode)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ... import accounts
from ..deps import CsrfChecked, StoreDep
from ..settings import SESSION_COOKIE
from ..state import state

router = APIRouter()


def _safe_next(target: str) -> str:
    """Only a path on this site (never //evil.example or a full URL)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def _login_page(request: Request, message: str = "", status: int = 200, next_url: str = "/") -> HTMLResponse:
    html = (
        state(request)
        .templates.get_template("login.html")
        .render(message=message, next_url=_safe_next(next_url), multi_user=state(request).settings.multi_user)
    )
    return HTMLResponse(html, status_code=status)


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request, next: str = "/") -> Response:
    if not state(request).settings.multi_user:
        return RedirectResponse("/", status_code=303)
    return _login_page(request, next_url=next)


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    store: StoreDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    app_state = state(request)
    if not app_state.settings.multi_user:
        return RedirectResponse("/", status_code=303)
    address = request.client.host if request.client else "?"
    if not app_state.limiter.allowed(username, address):
        return _login_page(request, "Too many failed sign-ins: wait a few minutes and try again.", 429, next)
    user = accounts.authenticate(store, username, password)
    if user is None:
        app_state.limiter.failed(username, address)
        return _login_page(request, "That user name and password do not match.", 401, next)
    app_state.limiter.succeeded(username)
    token, _csrf = accounts.start_session(store, user)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=accounts.SESSION_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=app_state.settings.secure_cookies,
    )
    return response


@router.post("/logout", include_in_schema=False, dependencies=[CsrfChecked])
def logout(request: Request, store: StoreDep) -> Response:
    accounts.end_session(store, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login" if state(request).settings.multi_user else "/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
