"""The JSON API, versioned under /api/v1 and described at /openapi.json. Every page's data is here too.

A script signs in with an API token (``papersift user token NAME``) sent as ``Authorization: Bearer
TOKEN``, and then needs no CSRF token; a browser session sends its CSRF token in ``X-CSRF-Token``.
"""

from __future__ import annotations

from fastapi import APIRouter

from ..deps import CsrfChecked
from . import jobs, papers, profiles, ratings

router = APIRouter(prefix="/api/v1", tags=["api"], dependencies=[CsrfChecked])
for _part in (profiles.router, ratings.router, papers.router, jobs.router):
    router.include_router(_part)

__all__ = ["router"]
