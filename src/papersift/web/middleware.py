"""Every response's security headers; single-user mode's CSRF cookie; oversized bodies refused first."""

from __future__ import annotations

import secrets

from fastapi.responses import HTMLResponse, JSONResponse, Response
from itsdangerous import BadSignature
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .rendering import error_page
from .settings import API_BODY_LIMIT, CSRF_COOKIE
from .state import AppState

CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"


class CsrfCookieAndHeaders:
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
                return HTMLResponse(error_page(self.app_state, message), status_code=413)
            return None
        if (api or path == "/login") and length.isdigit() and int(length) > API_BODY_LIMIT:
            if api:
                detail = f"the request body is larger than the limit of {API_BODY_LIMIT} bytes"
                return JSONResponse({"detail": detail}, status_code=413)
            message = f"The request body is larger than the limit of {API_BODY_LIMIT} bytes."
            return HTMLResponse(error_page(self.app_state, message), status_code=413)
        return None


def _add_headers(headers: MutableHeaders, cookie: str | None) -> None:
    if cookie is not None:
        headers.append("set-cookie", cookie)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if headers.get("content-type", "").startswith("text/html"):
        headers.setdefault("Content-Security-Policy", CSP)
