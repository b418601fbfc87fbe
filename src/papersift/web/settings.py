"""What a papersift web app is built from (:class:`WebSettings`) and the constants its parts share."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..encoders import DEFAULT_ENCODER

if TYPE_CHECKING:
    from ..config import Config
    from ..delivery.tokens import Tokens
    from ..encoders import Encoder

SESSION_COOKIE = "papersift_session"
CSRF_COOKIE = "papersift_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The largest id SQLite and PostgreSQL store (a signed 64-bit integer): a larger number names no row,
# and is refused as a wrong value (422) before it reaches the database driver, which cannot bind it.
MAX_ID = 2**63 - 1
# The JSON API's and the sign-in form's largest request body: far above any real one.
API_BODY_LIMIT = 1024 * 1024


@dataclass
class WebSettings:
    """Everything the app is built from; tests build their own.

    ``store``: the store's path (or URL, where the store accepts one); ``multi_user``: accounts
    required; ``secret_key``: signs the CSRF cookie; ``secure_cookies``: set behind TLS.
    ``config`` and ``tokens``: what the mail and feed links are read with (default: config.toml and
    its ``[web] secret_key``, loaded on first use).
    """

    store: str
    multi_user: bool = False
    secret_key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    model: str = DEFAULT_ENCODER
    secure_cookies: bool = False
    max_upload_bytes: int = 5 * 1024 * 1024
    max_upload_files: int = 10
    login_attempts: int = 5
    login_window_seconds: float = 300.0
    job_workers: int = 1
    # Run the daily job (papersift run) inside the server: at start, then every day at scheduler_at
    # (local time); a deferred delivery is retried after an hour.
    scheduler: bool = False
    scheduler_at: str = "07:30"
    offline: bool | None = None  # no arXiv title look-ups in the daily job (None: $PAPERSIFT_OFFLINE)
    # contact address -> HTTP client, for imports by author id (tests pass a loopback or mock client).
    client_factory: Callable[[str | None], Any] | None = None
    encoder: Encoder | None = None
    config: Config | None = None
    tokens: Tokens | None = field(default=None, repr=False)

    @property
    def upload_body_limit(self) -> int:
        """The largest upload request: every file at its limit, plus room for the form around them."""
        return self.max_upload_bytes * self.max_upload_files + 65536
