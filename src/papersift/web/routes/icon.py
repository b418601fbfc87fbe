"""``/favicon.ico``, which browsers ask for on their own (pages link the SVG in /static); no sign-in needed."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from ..state import HERE

router = APIRouter(include_in_schema=False)


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    return FileResponse(
        HERE / "static" / "favicon.ico", media_type="image/x-icon", headers={"Cache-Control": "public, max-age=86400"}
    )
