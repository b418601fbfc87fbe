"""How a failed request answers: JSON under /api/, the error page elsewhere, always one safe sentence.

A message may quote what the request sent; :func:`safe_text` keeps such a quote short and encodable
(a lone surrogate such as ``"\\ud800"`` cannot be written as UTF-8, and would turn a 4xx into a 500).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import PapersiftError
from .deps import NotSignedIn
from .rendering import error_page
from .settings import MAX_ID
from .state import AppState

# A quoted value longer than this is cut (a hostile value must not come back at length).
QUOTE_LIMIT = 200


def safe_text(text: str, limit: int | None = None) -> str:
    """``text`` as UTF-8 can carry it (lone surrogates written as ``\\ud800``), cut at ``limit`` characters."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if limit is None or len(text) <= limit else text[:limit] + "..."


def _api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def install_error_handlers(app: FastAPI, app_state: AppState) -> None:
    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if _api(request):
            return JSONResponse({"detail": "sign in first (or send an API token as Authorization: Bearer)"}, 401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(PapersiftError)
    async def library_error(request: Request, exc: PapersiftError) -> Response:
        message = safe_text(str(exc))
        if _api(request):
            return JSONResponse({"detail": message}, status_code=400)
        return HTMLResponse(error_page(app_state, message), status_code=400)

    # Starlette's class, so that the router's own 404 (a mistyped address) gets a page too, not JSON.
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = safe_text(str(exc.detail))
        if _api(request) or exc.status_code in (301, 302, 303, 307):
            return JSONResponse({"detail": message}, status_code=exc.status_code, headers=exc.headers)
        if exc.status_code == 404 and message == "Not Found":
            message = f"there is no page at {safe_text(request.url.path, QUOTE_LIMIT)}"
        return HTMLResponse(error_page(app_state, message), status_code=exc.status_code)

    # A page address or form with a wrong value (/p/me/papers/abc): one sentence on the error page, no
    # validator's wording; the API keeps FastAPI's detailed 422 JSON, which programs read.
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if _api(request):
            return JSONResponse({"detail": json_safe(exc.errors())}, status_code=422)
        status, message = page_validation_message(exc.errors())
        return HTMLResponse(error_page(app_state, message), status_code=status)


PATH_PARTS = {"paper_id": "a paper's store id (a whole number)", "job_id": "a job's number"}


def page_validation_message(errors: Sequence[Any]) -> tuple[int, str]:
    """The status and one sentence for a page's wrong value: which part of the address or form, and what
    it should be."""
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        where, name = (loc[0] if loc else ""), (loc[-1] if len(loc) > 1 else "")
        value = error.get("input")
        shown = f"'{safe_text(str(value), 40)}'" if isinstance(value, str | int) and str(value) else "it"
        if where == "path":
            what = PATH_PARTS.get(name, "a valid value")
            return 422, f"There is no page at this address: {shown} is not {what}."
        if where in ("query", "body"):
            kind = "address" if where == "query" else "form"
            return 422, f"The {kind} field '{safe_text(name, 40)}' has a wrong value ({shown}): {_plain(error)}."
    return 422, "The request has a wrong value: reload the page and try again."


def _plain(error: Any) -> str:
    kind = str(error.get("type", ""))
    if kind.startswith("int") or "integer" in kind:
        return "give a whole number"
    if kind == "missing":
        return "it is required"
    return "check it and try again"


def json_safe(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Validation errors as JSON can carry them: the offending input echoed only when short and plain
    (an infinite float, bytes, a lone surrogate or a long string are shown as a short text), so a hostile
    value can neither break the answer nor come back at length."""

    def short(value: Any) -> Any:
        if value is None or isinstance(value, bool) or (isinstance(value, int) and abs(value) <= MAX_ID):
            return value
        if isinstance(value, float) and math.isfinite(value):
            return value
        return safe_text(value if isinstance(value, str) else repr(value), QUOTE_LIMIT)

    safe = []
    for error in errors:
        item = {
            "type": error.get("type"),
            "loc": [short(part) for part in error.get("loc", ())],
            "msg": safe_text(str(error.get("msg"))),
        }
        if "input" in error:
            item["input"] = short(error["input"])
        if isinstance(error.get("ctx"), dict):
            item["ctx"] = {str(k): short(v) for k, v in error["ctx"].items()}
        safe.append(item)
    return safe
