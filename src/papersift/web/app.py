"""The app factory and what every route shares: settings, the store, the viewer, CSRF, templates."""

from __future__ import annotations

import math
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import accounts, explore
from ..encoders import Encoder, get_encoder
from ..errors import PapersiftError
from ..store import Store
from ..store import accounts as account_tables
from . import present
from .jobs import JobRunner

HERE = Path(__file__).parent
SESSION_COOKIE = "papersift_session"
CSRF_COOKIE = "papersift_csrf"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# The largest id SQLite and PostgreSQL store (a signed 64-bit integer): a larger number names no row,
# and is refused as a wrong value (422) before it reaches the database driver, which cannot bind it.
MAX_ID = 2**63 - 1
IdPath = Annotated[int, PathParam(ge=0, le=MAX_ID)]
IdQuery = Annotated[int | None, Query(ge=0, le=MAX_ID)]
IdForm = Annotated[int, Form(ge=0, le=MAX_ID)]
# The JSON API's and the sign-in form's largest request body: far above any real one.
API_BODY_LIMIT = 1024 * 1024


@dataclass
class WebSettings:
    """Everything the app is built from; tests build their own.

    ``store``: the store's path (or URL, where the store accepts one); ``multi_user``: accounts
    required; ``secret_key``: signs the CSRF cookie; ``secure_cookies``: set behind TLS.
    """

    store: str
    multi_user: bool = False
    secret_key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    model: str = "minilm"
    secure_cookies: bool = False
    max_upload_bytes: int = 5 * 1024 * 1024
    max_upload_files: int = 10
    login_attempts: int = 5
    login_window_seconds: float = 300.0
    job_workers: int = 1
    # Run the daily job (papersift run) inside the server, at start and then hourly.
    scheduler: bool = False
    # contact address -> HTTP client, for imports by author id (tests pass a loopback or mock client).
    client_factory: Callable[[str | None], Any] | None = None
    encoder: Encoder | None = None

    @property
    def upload_body_limit(self) -> int:
        """The largest upload request: every file at its limit, plus room for the form around them."""
        return self.max_upload_bytes * self.max_upload_files + 65536


class NotSignedIn(Exception):
    """Raised by the viewer dependency in multi-user mode without a live session."""


@dataclass
class Viewer:
    """Who is asking: a user (multi-user mode) or the one local researcher (user None)."""

    user: accounts.UserRecord | None
    csrf: str
    multi_user: bool

    @property
    def name(self) -> str:
        return self.user.name if self.user else "you"


class AppState:
    """What the app owns for its lifetime: the store, the encoder (loaded on first use), jobs, limits."""

    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        # A request waits at most 30 s for another writer (the daily job), quietly: the page says what failed.
        self.store = Store(settings.store, lock_timeout=30.0, on_wait=lambda _message: None, command="papersift serve")
        account_tables.ensure_schema(self.store)
        self.jobs = JobRunner(settings.job_workers)
        # Pages computed from the store (the lab), kept while what they were computed from is unchanged.
        self.results = explore.ResultCache()
        # The search pool's vectors (a few MB each): semantic search and "more like this" read them from here.
        self.vectors = explore.ResultCache(size=4)
        self.limiter = accounts.LoginLimiter(settings.login_attempts, settings.login_window_seconds)
        self.csrf_signer = URLSafeSerializer(settings.secret_key, salt="papersift-csrf")
        self._encoder = settings.encoder
        self._encoder_lock = threading.Lock()
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(HERE / "templates")),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            auto_reload=False,
        )
        self.templates.globals.update(
            paper_links=present.paper_links,
            byline=present.byline,
            pick_reasons=present.reasons,
            percent=present.percent,
            origin_label=present.origin_label,
            colour=present.colour,
        )
        self.templates.filters["urlpart"] = lambda v: quote(str(v), safe="")

    @property
    def encoder(self) -> Encoder:
        with self._encoder_lock:
            if self._encoder is None:
                self._encoder = get_encoder(self.settings.model)
            return self._encoder

    def close(self) -> None:
        self.jobs.shutdown()
        self.store.close()


def state(request: Request) -> AppState:
    return request.app.state.papersift  # type: ignore[no-any-return]


async def get_store(request: Request) -> Store:
    """The app's store (one engine per app; each store call takes its own connection).

    Dependencies that only read the request or make one indexed lookup are ``async``: FastAPI runs a
    plain ``def`` dependency on a worker thread, and under load each such hop waits for a thread and
    for the interpreter lock (measured in benchmarks/bench_web.py). Endpoints stay ``def``."""
    return state(request).store


async def get_viewer(request: Request, store: Store = Depends(get_store)) -> Viewer:
    """The signed-in user (one lookup of the session by its token's hash, on its primary key)."""
    app_state = state(request)
    if app_state.settings.multi_user:
        found = accounts.session_for(store, request.cookies.get(SESSION_COOKIE, ""))
        if found is None:
            raise NotSignedIn()
        user, csrf = found
        return Viewer(user, csrf, True)
    return Viewer(None, request.state.csrf, False)


async def check_csrf(request: Request, viewer: Viewer = Depends(get_viewer)) -> None:
    """Every state-changing request carries the viewer's CSRF token (header X-CSRF-Token or form field)."""
    if request.method in SAFE_METHODS:
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


async def profile_access(
    name: str, request: Request, viewer: Viewer = Depends(get_viewer), store: Store = Depends(get_store)
) -> str:
    """The profile ``name`` if the viewer may use it; 404 otherwise (another user's profile does not exist for you).
    One indexed lookup, like :func:`get_viewer`."""
    if viewer.user is not None:
        if not accounts.can_access(store, viewer.user, name):
            raise HTTPException(404, f"there is no profile named '{name}' of yours")
    elif not account_tables.profile_exists(store, name):
        raise HTTPException(404, f"there is no profile named '{name}'")
    return name


def visible_profiles(store: Store, viewer: Viewer) -> list[str]:
    if viewer.user is not None:
        return accounts.visible_profiles(store, viewer.user)
    return [p.name for p in store.profiles()]


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


def create_app(settings: WebSettings) -> FastAPI:
    """The papersift web app for ``settings``: pages, the JSON API under /api/v1, static files."""
    from . import api_v1, auth, pages

    app = FastAPI(
        # A backstop for bodies sent without a length: none is read beyond this (a plain 413). Bodies
        # with a length are refused first, with a page or JSON, by _CsrfCookieAndHeaders below; this
        # limit runs before it, so it is the upload limit plus a margin. The JSON API's is 1 MiB.
        max_body_size=settings.upload_body_limit + API_BODY_LIMIT,
        title="papersift",
        version="1",
        description="Daily research papers ranked for you, with reasons. JSON API under /api/v1.",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app_state = AppState(settings)
    app.state.papersift = app_state

    app.add_middleware(_CsrfCookieAndHeaders, app_state=app_state)

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(PapersiftError)
    async def library_error(request: Request, exc: PapersiftError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=400)
        return HTMLResponse(_error_page(app_state, str(exc)), status_code=400)

    # Starlette's class, so that the router's own 404 (a mistyped address) gets a page too, not JSON.
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/") or exc.status_code in (301, 302, 303, 307):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        message = str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = f"there is no page at {request.url.path}"
        return HTMLResponse(_error_page(app_state, message), status_code=exc.status_code)

    # A page address or form with a wrong value (/p/me/papers/abc): one sentence on the error page;
    # the API keeps FastAPI's detailed 422 JSON, which programs read.
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": _json_safe(exc.errors())}, status_code=422)
        problems = []
        for error in exc.errors()[:3]:
            where = " ".join(str(part) for part in error.get("loc", ())[1:]) or "the request"
            problems.append(f"{where}: {error.get('msg', 'not valid')}")
        return HTMLResponse(_error_page(app_state, "; ".join(problems)), status_code=422)

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(auth.router, max_body_size=API_BODY_LIMIT)
    app.include_router(api_v1.router, max_body_size=API_BODY_LIMIT)
    app.include_router(pages.router)
    _include_delivery(app)
    app.router.on_shutdown.append(app_state.close)
    if settings.scheduler:
        from .scheduler import DailyScheduler

        daily = DailyScheduler(app_state)
        app.state.daily = daily
        app.router.on_startup.append(daily.start)
        app.router.on_shutdown.append(daily.stop)
    return app


CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"


class _CsrfCookieAndHeaders:
    """Every response's security headers; single-user mode's CSRF cookie; oversized uploads refused first.

    A plain ASGI middleware: Starlette's ``BaseHTTPMiddleware`` (``@app.middleware``) runs every request
    through an extra task and memory stream, which cost measurable time per request under load."""

    def __init__(self, app: ASGIApp, app_state: AppState) -> None:
        self.app = app
        self.app_state = app_state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = self.app_state.settings
        headers = Headers(scope=scope)
        refusal = self._refused_body(scope["path"], headers)
        if refusal is not None:
            _add_headers(refusal.headers, None)
            await refusal(scope, receive, send)
            return
        fresh = None
        if not settings.multi_user:
            try:
                token = self.app_state.csrf_signer.loads(cookie_parser(headers.get("cookie", "")).get(CSRF_COOKIE, ""))
            except BadSignature:
                token = None
            if not isinstance(token, str):
                token = fresh = secrets.token_urlsafe(32)
            scope.setdefault("state", {})["csrf"] = token
        cookie = None
        if fresh is not None:
            carrier = Response()
            carrier.set_cookie(
                CSRF_COOKIE,
                self.app_state.csrf_signer.dumps(fresh),
                httponly=True,
                samesite="lax",
                secure=settings.secure_cookies,
            )
            cookie = carrier.headers["set-cookie"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                _add_headers(MutableHeaders(scope=message), cookie)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _refused_body(self, path: str, headers: Headers) -> Response | None:
        """A body too large for its route, refused from its Content-Length before it is read: uploads up
        to their limit, the JSON API and the sign-in form up to 1 MiB. (FastAPI's own ``max_body_size``,
        set to the same limits, cuts off a body sent without a length while it streams.)"""
        settings = self.app_state.settings
        length = headers.get("content-length", "")
        api = path.startswith("/api/")
        if headers.get("content-type", "").startswith("multipart/form-data") and not api:
            if not length.isdigit():
                return JSONResponse({"detail": "uploads need a Content-Length"}, status_code=411)
            limit = settings.upload_body_limit
            if int(length) > limit:
                message = f"The upload is larger than the limit of {limit} bytes."
                return HTMLResponse(_error_page(self.app_state, message), status_code=413)
            return None
        if (api or path == "/login") and length.isdigit() and int(length) > API_BODY_LIMIT:
            if api:
                detail = f"the request body is larger than the limit of {API_BODY_LIMIT} bytes"
                return JSONResponse({"detail": detail}, status_code=413)
            message = f"The request body is larger than the limit of {API_BODY_LIMIT} bytes."
            return HTMLResponse(_error_page(self.app_state, message), status_code=413)
        return None


def _add_headers(headers: MutableHeaders, cookie: str | None) -> None:
    if cookie is not None:
        headers.append("set-cookie", cookie)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if headers.get("content-type", "").startswith("text/html"):
        headers.setdefault("Content-Security-Policy", CSP)


def _json_safe(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Validation errors as JSON can carry them: the offending input echoed only when short and plain
    (an infinite float, bytes or a long string are shown as a short text), so a hostile value can
    neither break the answer nor come back at length."""

    def short(value: Any) -> Any:
        if value is None or isinstance(value, bool) or (isinstance(value, int) and abs(value) <= MAX_ID):
            return value
        if isinstance(value, float) and math.isfinite(value):
            return value
        text = value if isinstance(value, str) else repr(value)
        return text if len(text) <= 200 else text[:200] + "..."

    safe = []
    for error in errors:
        item = {
            "type": error.get("type"),
            "loc": [short(part) for part in error.get("loc", ())],
            "msg": error.get("msg"),
        }
        if "input" in error:
            item["input"] = short(error["input"])
        if isinstance(error.get("ctx"), dict):
            item["ctx"] = {str(k): short(v) for k, v in error["ctx"].items()}
        safe.append(item)
    return safe


def _include_delivery(app: FastAPI) -> None:
    """The routes behind the links of e-mails and feeds: one-click votes, unsubscribe, RSS/Atom."""
    from ..delivery.routes import make_router

    app.include_router(make_router(get_store), include_in_schema=False)


def _error_page(app_state: AppState, message: str) -> str:
    return app_state.templates.get_template("error.html").render(message=message)
