"""What the app owns for its lifetime (:class:`AppState`): the store, the encoder, jobs, caches, templates."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import jinja2
from fastapi import Request
from itsdangerous import URLSafeSerializer

from .. import accounts, explore
from ..encoders import Encoder, get_encoder
from ..store import Store
from . import present
from .jobs import JobRunner
from .settings import WebSettings

if TYPE_CHECKING:
    from ..config import Config
    from ..delivery.tokens import Tokens

HERE = Path(__file__).parent


class AppState:
    """The store, the encoder (loaded on first use), jobs, limits, templates and the mail links' keys."""

    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        # A request waits at most 30 s for another writer (the daily job), quietly: the page says what failed.
        self.store = Store(settings.store, lock_timeout=30.0, on_wait=lambda _message: None, command="papersift serve")
        self.jobs = JobRunner(settings.job_workers)
        # Pages computed from the store (the lab), kept while what they were computed from is unchanged.
        self.results = explore.ResultCache()
        # The search pool's vectors (a few MB each): semantic search and "more like this" read them from here.
        self.vectors = explore.ResultCache(size=4)
        self.limiter = accounts.LoginLimiter(settings.login_attempts, settings.login_window_seconds)
        self.csrf_signer = URLSafeSerializer(settings.secret_key, salt="papersift-csrf")
        self._encoder = settings.encoder
        self._lock = threading.Lock()
        self._config = settings.config
        self._tokens = settings.tokens
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
            interest_name=present.interest_name,
            percent=present.percent,
            origin_label=present.origin_label,
            colour=present.colour,
        )
        self.templates.filters["urlpart"] = lambda v: quote(str(v), safe="")

    @property
    def encoder(self) -> Encoder:
        with self._lock:
            if self._encoder is None:
                self._encoder = get_encoder(self.settings.model)
            return self._encoder

    @property
    def config(self) -> Config:
        """config.toml (the mail links' base URL and secret), read on first use."""
        from ..config import load_config

        with self._lock:
            if self._config is None:
                self._config = load_config()
            return self._config

    @property
    def tokens(self) -> Tokens:
        """The signer of mail and feed links (the ``[web] secret_key`` the daily run signs them with)."""
        from ..delivery.tokens import Tokens, secret_key

        config = self.config
        with self._lock:
            if self._tokens is None:
                self._tokens = Tokens(secret_key(config))
            return self._tokens

    def close(self) -> None:
        self.jobs.shutdown()
        self.store.close()


def state(request: Request) -> AppState:
    return request.app.state.papersift  # type: ignore[no-any-return]
