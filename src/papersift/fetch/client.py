"""One polite HTTP client for every service papersift talks to.

Politeness is per host: a minimum interval between requests (each service's published
policy), a descriptive User-Agent with the user's contact address, retries with exponential
backoff and jitter on timeouts, connection errors, 429 and 5xx, honouring ``Retry-After``
(seconds or an HTTP date) and Zotero's ``Backoff``. Time is injected (``clock``, ``sleep``,
``wall_clock``) and so is the httpx ``transport``, so tests run instantly and offline.
"""

from __future__ import annotations

import contextlib
import email.utils
import random
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import httpx

from ..errors import SourceError
from ..textsafe import printable
from .limits import (
    ACCEPT_ENCODING,
    BadEncoding,
    BodyTooLarge,
    DeadlineBackend,
    deadline_transport,
    proxy_mounts,
    read_body,
)

if TYPE_CHECKING:
    from ..config import Config

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
# A Retry-After longer than this is not waited for: the source is deferred and a rerun resumes.
MAX_RETRY_AFTER = 60.0
# A wait this long (asked by the service) is worth telling the user about.
NOTICE_WAIT = 10.0
MAX_BODY_BYTES = 64 * 1024 * 1024
ERROR_BODY_BYTES = 64 * 1024  # of an error response, only a hint is read
MAX_REDIRECTS = 5
# Everything included (connect, TLS, headers, body) one attempt may take, in seconds.
DEFAULT_DEADLINE = 120.0
# Kept on a redirect to another origin; every other header (API keys, Authorization) is dropped.
SAFE_HEADERS = frozenset({"accept", "accept-language", "accept-encoding", "user-agent", "zotero-api-version"})


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
    HTTP 503 after 5 attempts"``. Whatever a server does (redirect loops, corrupt or endless bodies,
    gzip bombs, one byte every few seconds, TLS failures) ends as a :class:`SourceError` within
    ``deadline`` seconds per attempt and ``max_body_bytes`` of memory. ``endpoints`` maps a service's
    host to another base URL (a mirror, or a local test server): ``{"api.openalex.org":
    "http://127.0.0.1:8765/openalex"}``; the politeness of the service's own host still applies.
    """

    def __init__(
        self,
        contact: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        deadline: float = DEFAULT_DEADLINE,
        max_attempts: int = 5,
        backoff_base: float = 2.0,
        backoff_cap: float = 120.0,
        max_retry_after: float = MAX_RETRY_AFTER,
        max_body_bytes: int = MAX_BODY_BYTES,
        max_redirects: int = MAX_REDIRECTS,
        endpoints: Mapping[str, str] | None = None,
        policies: Mapping[str, HostPolicy] | None = None,
        default_policy: HostPolicy = DEFAULT_POLICY,
        verify: ssl.SSLContext | str | bool = True,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        wall_clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.contact = contact
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_retry_after = max_retry_after
        self.max_body_bytes = max_body_bytes
        self.max_redirects = max_redirects
        self.deadline = deadline
        self.endpoints = {host.lower(): base.rstrip("/") for host, base in (endpoints or {}).items()}
        self.policies = dict(POLICIES if policies is None else policies)
        self.default_policy = default_policy
        self.clock = clock
        self.sleep = sleep
        self.wall_clock = wall_clock
        self.jitter = jitter
        # Said to the user after the fetch (e.g. a long wait a service asked for).
        self.notices: list[str] = []
        self._next_allowed: dict[str, float] = {}
        self._backend: DeadlineBackend | None = None
        mounts: dict[str, httpx.BaseTransport | None] = {}
        if transport is None:
            self._backend = DeadlineBackend()
            transport = deadline_transport(self._backend, verify)
            mounts = proxy_mounts(self._backend, verify)
        self._http = httpx.Client(
            transport=transport,
            mounts=mounts,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": user_agent(contact), "Accept-Encoding": ACCEPT_ENCODING},
            follow_redirects=False,
        )

    @classmethod
    def from_config(cls, config: Config, **options: Any) -> HttpClient:
        """The client the config's ``[network]`` table describes (keyword ``options`` override it)."""
        network = config.network
        settings: dict[str, Any] = {
            "deadline": network.deadline,
            "max_retry_after": network.max_retry_after,
            "max_body_bytes": int(network.max_response_mb * 1024 * 1024),
            "endpoints": network.endpoints,
        }
        return cls(config.contact, **(settings | options))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def policy(self, host: str) -> HostPolicy:
        return self.policies.get(host, self.default_policy)

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

    def _slot(self, url: str) -> tuple[str, HostPolicy]:
        host = (urlsplit(url).hostname or "").lower()
        policy = self.policy(host)
        return policy.group or host, policy

    def _endpoint(self, url: str) -> str:
        """``url`` with its host's base replaced as ``endpoints`` says (unchanged for other hosts)."""
        parts = urlsplit(url)
        base = self.endpoints.get((parts.hostname or "").lower())
        if base is None:
            return url
        rest = parts.path + (f"?{parts.query}" if parts.query else "")
        return base + rest

    def get(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        service: str = "",
    ) -> httpx.Response:
        """GET ``url`` politely; a 2xx response (body read in full), or a :class:`SourceError`.

        The error names the service and the request; :class:`SourceDeferred` (a :class:`SourceError`)
        when the service asks for a longer wait than papersift makes, so a rerun tries again.
        """
        host = urlsplit(url).hostname or ""
        slot, policy = self._slot(url)
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
                response = self._follow(self._endpoint(url), query, dict(headers or {}), slot)
            except _Refused as exc:
                raise SourceError(f"{who}: {exc}") from None
            except httpx.TimeoutException:
                last_problem = "timed out"
                wait = self._backoff(attempt)
            except httpx.TransportError as exc:
                tls = _tls_failure(exc)
                if tls:
                    raise SourceError(f"{who}: {tls}") from None
                if _name_not_resolved(exc):
                    # No DNS answer is what an offline machine gives: retrying only makes the user wait
                    # half a minute for the same sentence; a rerun resumes.
                    raise SourceUnavailable(
                        f"{who}: could not resolve {urlsplit(self._endpoint(url)).hostname} (no network connection?)"
                    ) from None
                last_problem = f"connection failed ({type(exc).__name__}: {_short(exc)})"
                wait = self._backoff(attempt)
            except (httpx.HTTPError, httpx.InvalidURL) as exc:  # anything else httpx raises: one sentence
                raise SourceError(f"{who}: {type(exc).__name__}: {_short(exc)}") from None
            else:
                backoff = _retry_after(response.headers.get("Backoff"), self.wall_clock())
                if backoff:
                    self._hold(slot, min(backoff, self.max_retry_after))
                    if backoff > self.max_retry_after:
                        self.notices.append(
                            f"{service or host} asked for a {backoff:.0f} s pause; papersift waits at most "
                            f"{self.max_retry_after:.0f} s"
                        )
                if response.is_success:
                    return response
                if response.status_code not in RETRY_STATUSES:
                    raise SourceError(f"{who}: HTTP {response.status_code}{_excerpt(response)}")
                last_problem = f"HTTP {response.status_code}"
                retry_after = _retry_after(response.headers.get("Retry-After"), self.wall_clock())
                if retry_after is not None and retry_after > self.max_retry_after:
                    raise SourceDeferred(
                        f"{who}: {last_problem}, and the service asks to wait {retry_after:.0f} s "
                        f"(papersift waits at most {self.max_retry_after:.0f} s); deferred to the next run"
                    )
                if retry_after is not None and retry_after >= NOTICE_WAIT and attempt < self.max_attempts:
                    self.notices.append(f"{service or host} asked to wait {retry_after:.0f} s (Retry-After); waited")
                wait = retry_after if retry_after is not None else self._backoff(attempt)
            if attempt < self.max_attempts:
                self._hold(slot, wait)
        raise SourceUnavailable(f"{who}: {last_problem}; gave up after {self.max_attempts} attempts")

    def _follow(self, url: str, query: Mapping[str, Any], headers: dict[str, str], slot: str) -> httpx.Response:
        """One attempt: the request and its redirects (each hop waits its host's turn), body read within limits.

        Headers other than the harmless ones (the API key of Zotero, any Authorization) are dropped
        when a redirect leaves the origin of the first request.
        """
        origin = _origin(url)
        params: Mapping[str, Any] | None = query or None
        for hop in range(self.max_redirects + 1):
            hop_slot, hop_policy = self._slot(url)
            if hop or hop_slot != slot:  # a redirect, or a service's endpoint on another host: that host's turn too
                self._wait_turn(hop_slot)
                self._hold(hop_slot, hop_policy.min_interval)
            response = self._send(url, params, headers)
            if not response.is_redirect:
                return response
            target = response.headers.get("Location", "")
            try:
                next_url = str(response.url.join(target))
            except (httpx.InvalidURL, ValueError, UnicodeError):
                raise _Refused(f"redirected to {target[:200]!r}, which is not a valid URL; refused") from None
            if urlsplit(next_url).scheme not in ("http", "https"):
                raise _Refused(f"redirected to {target[:200]!r}, which is not an http(s) URL; refused")
            if _origin(next_url) != origin:
                headers = {k: v for k, v in headers.items() if k.lower() in SAFE_HEADERS}
            url, params = next_url, None
        raise _Refused(f"more than {self.max_redirects} redirects (last to {url[:200]}); gave up")

    def _send(self, url: str, params: Mapping[str, Any] | None, headers: dict[str, str]) -> httpx.Response:
        """GET one URL with no redirect followed: the response with its (bounded) body read."""
        started = time.monotonic()
        guard = self._backend.until(started + self.deadline) if self._backend else contextlib.nullcontext()
        with guard, self._http.stream("GET", url, params=params, headers=headers) as streamed:
            limit = self.max_body_bytes if streamed.is_success else ERROR_BODY_BYTES
            try:
                body = read_body(streamed, limit)
            except (BodyTooLarge, BadEncoding) as exc:
                if not streamed.is_success:
                    body = b""
                else:
                    raise _Refused(f"{exc}; refused") from None
        kept = [
            (k, v) for k, v in streamed.headers.multi_items() if k.lower() not in ("content-encoding", "content-length")
        ]
        return httpx.Response(streamed.status_code, headers=kept, content=body, request=streamed.request)


class SourceUnavailable(SourceError):
    """The service could not be reached or kept failing (timeouts, failed connections, 429/5xx until
    papersift gave up): nothing wrong with the request, so a later run may well succeed.

    Every other :class:`SourceError` (a 404, a refused certificate, a response in no known format)
    comes back the same on a rerun until someone fixes what it names.
    """


class SourceDeferred(SourceUnavailable):
    """The service asked papersift to come back later than it is willing to wait; a rerun resumes."""


class _Refused(Exception):
    """A response papersift will not take (too large, corrupt, redirect loop): not retried."""


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


_RESOLUTION_FAILURES = (
    "name or service not known",
    "temporary failure in name resolution",
    "nodename nor servname provided",
    "no address associated with hostname",
    "getaddrinfo failed",
)


def _name_not_resolved(exc: BaseException) -> bool:
    """Whether a connection failed because the host name has no address (DNS), not on the way."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return True
        seen = seen.__cause__ or seen.__context__
    text = str(exc).lower()
    return any(phrase in text for phrase in _RESOLUTION_FAILURES)


def _tls_failure(exc: BaseException) -> str | None:
    """A sentence for a TLS failure (not retried: a bad certificate stays bad), else None."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return f"the server's TLS certificate could not be verified ({seen.verify_message}); refused"
        if isinstance(seen, ssl.SSLError):
            return f"the TLS handshake failed ({_short(seen)})"
        seen = seen.__cause__ or seen.__context__
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return f"the server's TLS certificate could not be verified ({_short(exc)}); refused"
    if "SSL" in text or "TLS" in text:
        return f"the TLS handshake failed ({_short(exc)})"
    return None


def _excerpt(response: httpx.Response) -> str:
    """A hint from an error body (JSON message or the start of the text), never a page of HTML."""
    try:
        data = response.json()
    except (ValueError, RecursionError):
        text = response.text.strip()
        if not text or text[:1] == "<":
            return ""
        return f" ({printable(' '.join(text.split())[:200], single_line=True)})"
    if isinstance(data, dict):
        for key in ("message", "error", "detail", "name"):
            if isinstance(data.get(key), str):
                return f" ({printable(data[key][:200], single_line=True)})"
    return ""
