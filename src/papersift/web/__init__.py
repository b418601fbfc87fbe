"""The web app: FastAPI, server-rendered Jinja2 pages, a JSON API under /api/v1. See :func:`create_app`."""

from .app import WebSettings, create_app

__all__ = ["WebSettings", "create_app"]
