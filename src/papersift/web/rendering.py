"""Turning a route's result into a response: a page, the error page, a redirect after a form."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from .deps import Viewer, visible_profiles
from .state import AppState, state


def profile_url(name: str) -> str:
    """A profile's pages start here (the name quoted as one path segment)."""
    return "/p/" + quote(name, safe="")


def render(request: Request, template: str, viewer: Viewer, status: int = 200, **context: Any) -> HTMLResponse:
    app_state = state(request)
    context.setdefault("profile", None)
    context.setdefault("page", "")
    context["pq"] = quote(context["profile"], safe="") if context["profile"] else ""
    html = app_state.templates.get_template(template).render(
        request=request,
        viewer=viewer,
        csrf=viewer.csrf,
        profiles=visible_profiles(app_state.store, viewer),
        notice=request.query_params.get("notice", ""),
        error=request.query_params.get("error", ""),
        multi_user=app_state.settings.multi_user,
        **context,
    )
    return HTMLResponse(html, status_code=status)


def back(url: str, notice: str = "", error: str = "") -> RedirectResponse:
    """After a form POST: see the page again (303), with a one-line notice or error."""
    url, hash_, fragment = url.partition("#")
    sep = "&" if "?" in url else "?"
    if error:
        url += f"{sep}error={quote(error)}"
    elif notice:
        url += f"{sep}notice={quote(notice)}"
    return RedirectResponse(url + hash_ + fragment, status_code=303)


def error_page(app_state: AppState, message: str) -> str:
    return app_state.templates.get_template("error.html").render(message=message)
