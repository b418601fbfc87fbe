"""One polite HTTP client for every service papersift talks to.

Politeness is per host: a minimum interval between requests (each service's published
policy), a descriptive User-Agent with the user's contact address, retries with exponential
backoff and jitter on timeouts, connection errors, 429 and 5xx, honouring ``Retry-After``
(seconds or an HTTP date) and Zotero's ``Backoff``. Time is injected (``clock``, ``sleep``,
``wall_clock``) and so is the httpx ``transport``, so tests run instantly and offline.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from ..errors import SourceError

PROJECT_URL = "https://github.com/papersift/papersift"


@dataclass(frozen=True)
class HostPolicy:
    """How often one host may be asked, and whether it wants the contact address as a ``mailto`` parameter."""

    min_interval: float
    mailto_param: bool = False
    reference: str = ""
    # Hosts of one service share one slot (arXiv's limit is for all of its machine interfaces together).
    group: str = ""


_ARXIV_TERMS = "arXiv API terms of use: no more than one request every 3 seconds, all arXiv hosts together"
# Each service's published policy (the user guide's politeness table is made from this).
POLICIES: dict[str, HostPolicy] = {
    "export.arxiv.org": HostPolicy(3.0, reference=_ARXIV_TERMS, group="arxiv"),
    "rss.arxiv.org": HostPolicy(3.0, reference=_ARXIV_TERMS, group="arxiv"),
    "oaipmh.arxiv.org": HostPolicy(3.0, reference=_ARXIV_TERMS, group="arxiv"),
    "api.openalex.org": HostPolicy(
        0.1, mailto_param=True, reference="OpenAlex: 10 requests/s; mailto joins the polite pool"
    ),
    "api.semanticscholar.org": HostPolicy(1.0, reference="Semantic Scholar: 1 request/s without an API key"),
    "api.crossref.org": HostPolicy(0.02, mailto_param=True, reference="Crossref: 50 requests/s in the polite pool"),
    "pub.orcid.org": HostPolicy(0.05, reference="ORCID public API: 24 requests/s"),
    "dblp.org": HostPolicy(1.0, reference="DBLP: one request per second, honour 429 Retry-After"),
    "api2.openreview.net": HostPolicy(0.2, reference="OpenReview: a few requests per second"),
    "api.openreview.net": HostPolicy(0.2, reference="OpenReview: a few requests per second"),
    "huggingface.co": HostPolicy(0.5, reference="Hugging Face Hub: well under its per-IP limits"),
    "api.zotero.org": HostPolicy(0.1, reference="Zotero Web API: honour Backoff and Retry-After"),
}
DEFAULT_POLICY = HostPolicy(1.0, reference="any other host: one request per second")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# A Retry-After longer than this is not waited for: the request fails and a rerun resumes.
MAX_RETRY_AFTER = 600.0
MAX_BODY_BYTES = 64 * 1024 * 1024


def user_agent(contact: str | None) -> str:
    from .. import __version__

    contact_part = f"; mailto:{contact}" if contact else ""
    return f"papersift/{__version__} (+{PROJECT_URL}{contact_part})"


def full_url(url: str, params: Mapping[str, Any] | None = None) -> str:
    """The URL a request goes to, for messages and provenance (never with secrets: those go in headers)."""
    if not params:
        return url
    query = urlencode({k: v for k, v in params.items() if v is not None}, safe=':,/*+"')
    return f"{url}{'&' if '?' in url else '?'}{query}"


def _retry_after(value: str | None, wall_now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` (or ``Backoff``) header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - wall_now)


class HttpClient:
    """A rate-limited, retrying ``GET`` over :class:`httpx.Client`; every failure is a :class:`SourceError`.

    ``service`` (given per request) names the service in error messages: ``"OpenAlex: GET https://...:
    HTTP 503 after 5 attempts"``.
    """

    def __init__(
        self,
        contact: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        max_attempts: int = 5,
        backoff_base: float = 2.0,
        backoff_cap: float = 120.0,
        policies: Mapping[str, HostPolicy] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        wall_clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.contact = contact
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.policies = dict(POLICIES if policies is None else policies)
        self.clock = clock
        self.sleep = sleep
        self.wall_clock = wall_clock
        self.jitter = jitter
        self._next_allowed: dict[str, float] = {}
        self._http = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": user_agent(contact)},
            follow_redirects=True,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def policy(self, host: str) -> HostPolicy:
        return self.policies.get(host, DEFAULT_POLICY)

    def _wait_turn(self, slot: str) -> None:
        delay = self._next_allowed.get(slot, 0.0) - self.clock()
        if delay > 0:
            self.sleep(delay)

    def _hold(self, slot: str, seconds: float) -> None:
        """No request to ``slot`` (a host or a service's hosts) for ``seconds`` from now (never shortens a hold)."""
        until = self.clock() + seconds
        self._next_allowed[slot] = max(self._next_allowed.get(slot, 0.0), until)

    def _backoff(self, attempt: int) -> float:
        delay = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        return delay * (0.5 + self.jitter() / 2)

    def get(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        service: str = "",
    ) -> httpx.Response:
        """GET ``url`` politely; a 2xx response, or a :class:`SourceError` naming the service and the request."""
        host = urlsplit(url).hostname or ""
        policy = self.policy(host)
        slot = policy.group or host
        query = {k: v for k, v in (params or {}).items() if v is not None}
        if policy.mailto_param and self.contact and "mailto" not in query:
            query["mailto"] = self.contact
        shown = full_url(url, {k: v for k, v in query.items() if k != "mailto"})
        who = f"{service or host}: GET {shown}"
        last_problem = ""
        for attempt in range(1, self.max_attempts + 1):
            self._wait_turn(slot)
            self._hold(slot, policy.min_interval)
            try:
                response = self._http.get(url, params=query or None, headers=dict(headers or {}))
            except httpx.TimeoutException:
                last_problem = "timed out"
                wait = self._backoff(attempt)
            except httpx.TransportError as exc:
                last_problem = f"connection failed ({type(exc).__name__}: {exc})"
                wait = self._backoff(attempt)
            else:
                backoff = _retry_after(response.headers.get("Backoff"), self.wall_clock())
                if backoff:
                    self._hold(slot, backoff)
                if response.is_success:
                    if len(response.content) > MAX_BODY_BYTES:
                        raise SourceError(f"{who}: the response is larger than {MAX_BODY_BYTES} bytes; refused")
                    return response
                if response.status_code not in RETRY_STATUSES:
                    raise SourceError(f"{who}: HTTP {response.status_code}{_excerpt(response)}")
                last_problem = f"HTTP {response.status_code}"
                retry_after = _retry_after(response.headers.get("Retry-After"), self.wall_clock())
                if retry_after is not None and retry_after > MAX_RETRY_AFTER:
                    raise SourceError(
                        f"{who}: {last_problem}, and the service asks to wait {retry_after:.0f} s; try again later"
                    )
                wait = retry_after if retry_after is not None else self._backoff(attempt)
            if attempt < self.max_attempts:
                self._hold(slot, wait)
        raise SourceError(f"{who}: {last_problem}; gave up after {self.max_attempts} attempts")


def _excerpt(response: httpx.Response) -> str:
    """A hint from an error body (JSON message or the start of the text), never a page of HTML."""
    try:
        data = response.json()
    except ValueError:
        text = response.text.strip()
        if not text or text[:1] == "<":
            return ""
        return f" ({' '.join(text.split())[:200]})"
    if isinstance(data, dict):
        for key in ("message", "error", "detail", "name"):
            if isinstance(data.get(key), str):
                return f" ({data[key][:200]})"
    return ""
