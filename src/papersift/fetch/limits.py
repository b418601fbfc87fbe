"""What a hostile server cannot do to papersift: take unbounded time, memory or bytes.

* **A total deadline per request.** httpx's timeouts bound each read, so a server sending one
  byte every few seconds would never time out. :class:`DeadlineBackend` wraps httpcore's socket
  backend and gives every connect, read and write only what is left of the request's deadline
  (set by the client around each request with :meth:`DeadlineBackend.until`).
* **Bounded bodies.** :func:`read_body` checks ``Content-Length`` before reading, streams the raw
  body and stops at the limit, and decompresses gzip/deflate itself in bounded steps, so a gzip
  bomb stops at the same limit instead of filling memory.
"""

from __future__ import annotations

import ssl
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

ACCEPT_ENCODING = "gzip, deflate"
_DECODE_STEP = 256 * 1024  # the most one decompression step may produce


class BodyTooLarge(Exception):
    """The body (as sent, or once decompressed) is larger than the client accepts."""


class BadEncoding(Exception):
    """The body's ``Content-Encoding`` is unknown or its compressed data is corrupt."""


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's sync backend, with every socket operation bounded by the current request's deadline."""

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self.inner = inner or httpcore.SyncBackend()
        self._local = threading.local()

    @contextmanager
    def until(self, deadline: float) -> Iterator[None]:
        """Within the block, no socket operation of this thread lasts past ``deadline`` (time.monotonic)."""
        previous = getattr(self._local, "deadline", None)
        self._local.deadline = deadline
        try:
            yield
        finally:
            self._local.deadline = previous

    def remaining(self, timeout: float | None, error: type[Exception]) -> float | None:
        deadline = getattr(self._local, "deadline", None)
        if deadline is None:
            return timeout
        left = deadline - time.monotonic()
        if left <= 0:
            raise error("the request's total deadline passed")
        return left if timeout is None else min(timeout, left)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = self.remaining(timeout, httpcore.ConnectTimeout)
        stream = self.inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _DeadlineStream(stream, self)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        timeout = self.remaining(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self.inner.connect_unix_socket(path, timeout, socket_options), self)

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, backend: DeadlineBackend) -> None:
        self.inner = inner
        self.backend = backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, self.backend.remaining(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, self.backend.remaining(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        timeout = self.backend.remaining(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self.inner.start_tls(ssl_context, server_hostname, timeout), self.backend)

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


def deadline_transport(backend: DeadlineBackend, verify: ssl.SSLContext | str | bool = True) -> httpx.HTTPTransport:
    """An httpx transport whose connections go through ``backend``.

    httpx has no public way to pass a network backend, so the transport's connection pool is
    rebuilt with it (the same settings httpx uses); ``tests/fetch`` checks the deadline holds.
    """
    transport = httpx.HTTPTransport(verify=verify)
    limits = httpx.Limits()
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(verify=verify),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=backend,
    )
    return transport


def _decoder(encoding: str) -> Any:
    """A zlib decompressor for one ``Content-Encoding`` value (None for identity)."""
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(zlib.MAX_WBITS | 16)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise BadEncoding(f"the response uses a content encoding papersift does not read ({encoding})")


def read_body(response: httpx.Response, limit: int) -> bytes:
    """The decoded body of a streamed ``response``, or :class:`BodyTooLarge` as soon as it passes ``limit``.

    Neither the bytes on the wire nor their decompression may pass ``limit``; a declared
    ``Content-Length`` over it is refused before anything is read.
    """
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"the response declares {int(declared)} bytes, more than the {limit} accepted")
    encodings = [e.strip().lower() for e in response.headers.get("Content-Encoding", "").split(",") if e.strip()]
    if len(encodings) > 1:
        raise BadEncoding(f"the response is encoded {len(encodings)} times over ({', '.join(encodings)})")
    if response.is_stream_consumed:  # built in memory (a mock transport): already read and decoded
        if len(response.content) > limit:
            raise BodyTooLarge(f"the response is larger than the {limit} bytes accepted")
        return response.content
    decoder = _decoder(encodings[0] if encodings else "")
    received = 0
    parts: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_raw():
            received += len(chunk)
            if received > limit:
                raise BodyTooLarge(f"the response is larger than the {limit} bytes accepted; stopped reading")
            if decoder is None:
                parts.append(chunk)
                size += len(chunk)
                continue
            data = chunk
            while data:
                piece = decoder.decompress(data, _DECODE_STEP)
                size += len(piece)
                if size > limit:
                    raise BodyTooLarge(f"the response decompresses to more than the {limit} bytes accepted")
                parts.append(piece)
                data = decoder.unconsumed_tail
        if decoder is not None:
            tail = decoder.flush()
            size += len(tail)
            if size > limit:
                raise BodyTooLarge(f"the response decompresses to more than the {limit} bytes accepted")
            parts.append(tail)
    except zlib.error as exc:
        raise BadEncoding(f"the response's {encodings[0]} data is corrupt ({exc})") from None
    return b"".join(parts)
