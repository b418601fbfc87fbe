"""The app factory: builds the app from :class:`WebSettings` and assembles the routers, the error
handlers and the middleware. Nothing here is imported by a route (their shared parts are in
:mod:`.deps`, :mod:`.state` and :mod:`.rendering`)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from . import api_v1, routes
from .errors import install_error_handlers
from .middleware import CsrfCookieAndHeaders
from .settings import API_BODY_LIMIT, MAX_ID, WebSettings
from .state import HERE, AppState

__all__ = ["API_BODY_LIMIT", "MAX_ID", "WebSettings", "create_app"]


def create_app(settings: WebSettings) -> FastAPI:
    """The papersift web app for ``settings``: pages, the JSON API under /api/v1, the mail and feed
    links, static files."""
    app = FastAPI(
        # A backstop for bodies sent without a length: none is read beyond this (a plain 413). Bodies
        # with a length are refused first, with a page or JSON, by CsrfCookieAndHeaders; this limit runs
        # before it, so it is the upload limit plus a margin. The JSON API's is 1 MiB.
        max_body_size=settings.upload_body_limit + API_BODY_LIMIT,
        title="papersift",
        version="1",
        description="Daily research papers ranked for you, with reasons. JSON API under /api/v1 "
        "(sign in, or send `Authorization: Bearer TOKEN` with a token from `papersift user token NAME`).",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app_state = AppState(settings)
    app.state.papersift = app_state
    app.add_middleware(CsrfCookieAndHeaders, app_state=app_state)
    install_error_handlers(app, app_state)

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(routes.auth.router, max_body_size=API_BODY_LIMIT)
    app.include_router(api_v1.router, max_body_size=API_BODY_LIMIT)
    for router in routes.PAGE_ROUTERS:
        app.include_router(router)
    app.include_router(routes.mail.router, include_in_schema=False)
    app.router.on_shutdown.append(app_state.close)
    if settings.scheduler:
        from .daily import daily_scheduler

        daily = daily_scheduler(app_state)
        app.state.daily = daily
        app.router.on_startup.append(daily.start)
        app.router.on_shutdown.append(daily.stop)
    return app
