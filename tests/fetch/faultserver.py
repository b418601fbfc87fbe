"""A fault-injecting HTTP(S) server on loopback, and the hostile-server scenarios papersift must survive.

The first path segment names the fault: ``http://127.0.0.1:PORT/gzip-bomb/works?...`` answers
with a gzip bomb whatever the rest of the path. A fetcher is pointed at a fault through the
config's ``[network.endpoints]`` (``"api.openalex.org" = "http://127.0.0.1:PORT/gzip-bomb"``), so
the whole fetch path (fetcher, client, parser, store) meets the fault as it would in the wild.

Used by tests/fetch/test_hostile_servers.py and by benchmarks/reliability.py (the README's
Reliability table), which run the same :data:`SCENARIOS`.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GOOD_TITLE = "Widgets considered as a whole"


def openalex_body(titles: list[str], next_cursor: str | None = None) -> bytes:
    """A minimal, valid OpenAlex ``/works`` page with one work per title."""
    results = []
    for index, title in enumerate(titles):
        results.append(
            {
                "id": f"https://openalex.org/W77{index:06d}",
                "doi": f"https://doi.org/10.5555/fault.{index}",
                "title": title,
                "display_name": title,
                "publication_date": "2026-05-01",
                "authorships": [{"author": {"display_name": "Jane Doe"}}],
                "abstract_inverted_index": {"We": [0], "study": [1], "widgets.": [2]},
                "ids": {"openalex": f"https://openalex.org/W77{index:06d}"},
            }
        )
    return json.dumps(
        {"meta": {"count": len(results), "per_page": 200, "next_cursor": next_cursor}, "results": results}
    ).encode()


@functools.lru_cache(maxsize=4)
def gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes, gzipped (1 GiB makes about 1 MB)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1024 * 1024)
    parts = [compressor.compress(block) for _ in range(size // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


@dataclass
class Seen:
    """One request the server received."""

    path: str
    headers: dict[str, str]
    at: float


class FaultHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FaultServerHTTP

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        fault = self.path.lstrip("/").split("/", 1)[0].split("?", 1)[0]
        self.server.owner.seen.append(Seen(self.path, dict(self.headers.items()), time.monotonic()))
        action = FAULTS.get(fault)
        try:
            if action is None:
                self.answer(404, b"no such fault")
            else:
                action(self)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            pass  # the client hung up, as it should on most faults

    # -- building blocks --

    def answer(
        self, status: int, body: bytes, headers: dict[str, str] | None = None, content_length: int | None = None
    ) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body) if content_length is None else content_length))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True

    def count(self, key: str) -> int:
        """How many times ``key`` was asked for before (per server)."""
        counts = self.server.owner.counts
        counts[key] = counts.get(key, 0) + 1
        return counts[key] - 1

    @property
    def owner(self) -> FaultServer:
        return self.server.owner


def _ok(h: FaultHandler) -> None:
    h.answer(200, openalex_body([GOOD_TITLE, GOOD_TITLE + " again"]), {"Content-Type": "application/json"})


def _ok_gzip(h: FaultHandler) -> None:
    body = gzip.compress(openalex_body([GOOD_TITLE]))
    h.answer(200, body, {"Content-Type": "application/json", "Content-Encoding": "gzip"})


def _redirect_loop(h: FaultHandler) -> None:
    h.answer(302, b"", {"Location": h.path})


def _redirect_once(h: FaultHandler) -> None:
    """Same origin: to /ok/..."""
    rest = h.path.split("/", 2)[2] if h.path.count("/") >= 2 else ""
    h.answer(302, b"", {"Location": "/ok/" + rest})


def _redirect_away(h: FaultHandler) -> None:
    """To another origin (the ``other`` server): credentials must not follow."""
    other = h.owner.other
    target = f"{other.base}/ok/{h.path.split('/', 2)[2] if h.path.count('/') >= 2 else ''}" if other else "/"
    h.answer(302, b"", {"Location": target})


def _redirect_file(h: FaultHandler) -> None:
    h.answer(302, b"", {"Location": "file:///etc/passwd"})


def _bad_gzip(h: FaultHandler) -> None:
    h.answer(200, b"\x1f\x8b\x08\x00this is not gzip at all" * 10, {"Content-Encoding": "gzip"})


def _gzip_bomb(h: FaultHandler) -> None:
    h.answer(200, gzip_bomb(h.owner.bomb_bytes), {"Content-Type": "application/json", "Content-Encoding": "gzip"})


def _brotli(h: FaultHandler) -> None:
    h.answer(200, b"\x0b\x02\x80hello\x03", {"Content-Encoding": "br"})


def _huge_length(h: FaultHandler) -> None:
    h.answer(200, b"[" * 1024, content_length=10**12)


def _endless(h: FaultHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Connection", "close")
    h.end_headers()
    chunk = b" " * 65536
    h.wfile.write(b'{"results": [')
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not h.owner.stopping.is_set():
        h.wfile.write(chunk)
    h.close_connection = True


def _slow_body(h: FaultHandler) -> None:
    body = openalex_body([GOOD_TITLE])
    h.send_response(200)
    h.send_header("Content-Length", str(len(body)))
    h.send_header("Connection", "close")
    h.end_headers()
    h.wfile.flush()
    for byte in body:
        if h.owner.stopping.wait(h.owner.drip):
            return
        h.wfile.write(bytes([byte]))
        h.wfile.flush()


def _slow_headers(h: FaultHandler) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"y" * 10_000:
        if h.owner.stopping.wait(h.owner.drip):
            return
        h.wfile.write(bytes([byte]))
        h.wfile.flush()


def _stall(h: FaultHandler) -> None:
    """Accept, read the request, never answer."""
    h.owner.stopping.wait(60)


def _truncated(h: FaultHandler) -> None:
    h.answer(200, b'{"results": [', content_length=100_000)


def _reset(h: FaultHandler) -> None:
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    h.connection.close()
    h.close_connection = True


def _http_500(h: FaultHandler) -> None:
    h.answer(500, b"<html>Internal Server Error</html>", {"Content-Type": "text/html"})


def _retry_after_long(h: FaultHandler) -> None:
    h.answer(429, b"slow down", {"Retry-After": "599"})


def _retry_after_short(h: FaultHandler) -> None:
    if h.count("retry-after-short") % 2 == 0:
        h.answer(503, b"busy", {"Retry-After": "1"})
    else:
        _ok(h)


def _surrogate(h: FaultHandler) -> None:
    body = openalex_body(["TITLE-MARK", "Another look at widgets"]).replace(b"TITLE-MARK", b"Lone \\ud800 surrogate")
    body = body.replace(b"W77", b"W88").replace(b"fault.", b"fault-s.")  # other papers than ``ok`` serves
    h.answer(200, body, {"Content-Type": "application/json"})


def _big_number(h: FaultHandler) -> None:
    body = openalex_body([GOOD_TITLE]).replace(b'"count": 1', b'"count": ' + b"9" * 5000)
    h.answer(200, body, {"Content-Type": "application/json"})


def _huge_int(h: FaultHandler) -> None:
    body = openalex_body([GOOD_TITLE]).replace(b'"count": 1', b'"count": ' + b"9" * 40)
    h.answer(200, body, {"Content-Type": "application/json"})


def _deep_json(h: FaultHandler) -> None:
    h.answer(200, b"[" * 100_000 + b"]" * 100_000, {"Content-Type": "application/json"})


def _not_json(h: FaultHandler) -> None:
    h.answer(200, b"<html><body>Welcome to the captive portal</body></html>", {"Content-Type": "text/html"})


def _empty(h: FaultHandler) -> None:
    h.answer(200, b"")


def _wrong_shape(h: FaultHandler) -> None:
    h.answer(200, b'{"meta": [], "results": {"a": 1}}', {"Content-Type": "application/json"})


def _nul_bytes(h: FaultHandler) -> None:
    h.answer(200, b"\x00" * 5000, {"Content-Type": "application/json"})


def _invalid_utf8(h: FaultHandler) -> None:
    h.answer(
        200, openalex_body([GOOD_TITLE]).replace(b"Widgets", b"Wid\xff\xfegets"), {"Content-Type": "application/json"}
    )


def _not_found(h: FaultHandler) -> None:
    h.answer(404, json.dumps({"error": "no such author \x1b]8;;http://evil.example\x07click\x1b[2J"}).encode())


FAULTS: dict[str, Callable[[FaultHandler], None]] = {
    "ok": _ok,
    "ok-gzip": _ok_gzip,
    "redirect-loop": _redirect_loop,
    "redirect-once": _redirect_once,
    "redirect-away": _redirect_away,
    "redirect-file": _redirect_file,
    "bad-gzip": _bad_gzip,
    "gzip-bomb": _gzip_bomb,
    "brotli": _brotli,
    "huge-length": _huge_length,
    "endless": _endless,
    "slow-body": _slow_body,
    "slow-headers": _slow_headers,
    "stall": _stall,
    "truncated": _truncated,
    "reset": _reset,
    "http-500": _http_500,
    "retry-after-long": _retry_after_long,
    "retry-after-short": _retry_after_short,
    "surrogate": _surrogate,
    "big-number": _big_number,
    "huge-int": _huge_int,
    "deep-json": _deep_json,
    "not-json": _not_json,
    "empty": _empty,
    "wrong-shape": _wrong_shape,
    "nul-bytes": _nul_bytes,
    "invalid-utf8": _invalid_utf8,
    "not-found": _not_found,
}


class FaultServerHTTP(http.server.ThreadingHTTPServer):
    daemon_threads = True
    owner: FaultServer


@dataclass
class FaultServer:
    """A running fault server on 127.0.0.1 (``tls``: with a self-signed certificate for ``localhost``)."""

    tls: bool = False
    drip: float = 0.3  # seconds between bytes of the slow faults
    bomb_bytes: int = 256 * 1024 * 1024
    other: FaultServer | None = None
    seen: list[Seen] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    stopping: threading.Event = field(default_factory=threading.Event)
    cert_file: Path | None = None
    _httpd: FaultServerHTTP | None = None
    _dir: tempfile.TemporaryDirectory[str] | None = None

    def start(self) -> FaultServer:
        httpd = FaultServerHTTP(("127.0.0.1", 0), FaultHandler)
        httpd.owner = self
        gzip_bomb(self.bomb_bytes)  # made before any request, so that serving it is instant
        if self.tls:
            self._dir = tempfile.TemporaryDirectory()
            cert, key = self_signed_certificate(Path(self._dir.name))
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
            self.cert_file = cert
        self._httpd = httpd
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    @property
    def port(self) -> int:
        assert self._httpd is not None
        return int(self._httpd.server_address[1])

    @property
    def base(self) -> str:
        host = "localhost" if self.tls else "127.0.0.1"
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    def url(self, fault: str) -> str:
        return f"{self.base}/{fault}"

    def stop(self) -> None:
        self.stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._dir is not None:
            self._dir.cleanup()

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A throw-away certificate for ``localhost`` and its key, made with the ``openssl`` command."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
        + ["-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


class SilentTLSPort:
    """A loopback port that accepts TCP connections and never says a word (a TLS handshake that hangs)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.conns:
            conn.close()


@dataclass(frozen=True)
class Scenario:
    """One hostile-server case: the fault, what papersift must do, and the words the outcome must contain."""

    fault: str
    expect: str  # "error" (a clean SourceError for that source) or "imported" (papers stored)
    says: str = ""
    tls: bool = False
    papers: int = 0


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("ok", "imported", papers=2),
    Scenario("ok-gzip", "imported", papers=1),
    Scenario("redirect-once", "imported", papers=2),
    Scenario("redirect-away", "imported", papers=2),
    Scenario("redirect-loop", "error", "more than 5 redirects"),
    Scenario("redirect-file", "error", "not an http(s) URL"),
    Scenario("bad-gzip", "error", "gzip data is corrupt"),
    Scenario("gzip-bomb", "error", "decompresses to more than"),
    Scenario("brotli", "error", "content encoding papersift does not read"),
    Scenario("huge-length", "error", "declares 1000000000000 bytes"),
    Scenario("endless", "error", "larger than"),
    Scenario("slow-body", "error", "timed out"),
    Scenario("slow-headers", "error", "timed out"),
    Scenario("stall", "error", "timed out"),
    Scenario("truncated", "error", "connection failed"),
    Scenario("reset", "error", "connection failed"),
    Scenario("http-500", "error", "HTTP 500"),
    Scenario("retry-after-long", "error", "deferred to the next run"),
    Scenario("retry-after-short", "imported", papers=2),
    Scenario("surrogate", "imported", papers=2),
    Scenario("big-number", "error", "thousands of digits"),
    Scenario("huge-int", "imported", papers=1),
    Scenario("deep-json", "error", ""),
    Scenario("not-json", "error", ""),
    Scenario("empty", "error", ""),
    Scenario("wrong-shape", "error", ""),
    Scenario("nul-bytes", "error", ""),
    Scenario("invalid-utf8", "error", "not valid UTF-8"),
    Scenario("not-found", "error", "HTTP 404 (no such author click)"),
    Scenario("ok", "imported", "", tls=True, papers=2),
    Scenario("tls-untrusted", "error", "certificate could not be verified", tls=True),
    Scenario("tls-silent", "error", "timed out", tls=True),
)


# -- running a scenario through the whole fetch path -------------------------------------------------


@dataclass
class Outcome:
    """What happened: ``imported`` / ``error`` (a clean SourceError) / ``unexpected`` (an exception papersift
    did not foresee, caught by the runner) / ``traceback`` (escaped) / ``hang`` (still running at the limit)."""

    scenario: Scenario
    kind: str
    seconds: float
    message: str = ""
    papers: int = 0

    @property
    def as_expected(self) -> bool:
        if self.kind != self.scenario.expect:
            return False
        if self.kind == "imported":
            return self.papers == self.scenario.papers
        return self.scenario.says in self.message


def fault_client_options(server: FaultServer | None = None) -> dict[str, Any]:
    """A client tuned for the fault runs: short deadline and waits, small body limit, loopback politeness."""
    from papersift.fetch.client import HostPolicy

    quick = HostPolicy(0.02)
    return {
        "deadline": 0.8,
        "timeout": 0.8,
        "max_attempts": 2,
        "backoff_base": 0.05,
        "max_body_bytes": 4 * 1024 * 1024,
        "policies": {"api.openalex.org": quick},
        "default_policy": quick,
    }


def run_scenario(
    scenario: Scenario, plain: FaultServer, tls: FaultServer, store_dir: Path, limit: float = 30.0
) -> Outcome:
    """Fetch an OpenAlex author's works with ``api.openalex.org`` pointed at the scenario's fault."""
    from papersift.fetch import HttpClient, fetch_source
    from papersift.fetch.openalex import author_works
    from papersift.store import Store

    options = fault_client_options()
    silent: SilentTLSPort | None = None
    if scenario.fault == "tls-untrusted":
        endpoint = tls.url("ok")  # the certificate is self-signed: not trusted by default
    elif scenario.fault == "tls-silent":
        silent = SilentTLSPort()
        endpoint = f"https://localhost:{silent.port}/ok"
    elif scenario.tls:
        endpoint = tls.url(scenario.fault)
        options["verify"] = ssl.create_default_context(cafile=str(tls.cert_file))
    else:
        endpoint = plain.url(scenario.fault)
    store_dir.mkdir(parents=True, exist_ok=True)
    store = Store(store_dir / f"{scenario.fault}{'-tls' if scenario.tls else ''}.db")
    result: dict[str, Any] = {}

    def work() -> None:
        try:
            with HttpClient("me@example.org", endpoints={"api.openalex.org": endpoint}, **options) as client:
                result["report"] = fetch_source(store, author_works("A5023888391"), client)
        except BaseException as exc:  # noqa: BLE001 - counted as a traceback
            result["exc"] = exc

    started = time.monotonic()
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(limit)
    seconds = time.monotonic() - started
    if silent is not None:
        silent.close()
    if thread.is_alive():
        return Outcome(scenario, "hang", seconds, f"still running after {limit:.0f} s")
    if "exc" in result:
        exc = result["exc"]
        return Outcome(scenario, "traceback", seconds, f"{type(exc).__name__}: {exc}")
    report = result["report"]
    papers = store.paper_count()
    if report.ok:
        return Outcome(scenario, "imported", seconds, "; ".join(report.warnings), papers)
    kind = "unexpected" if "please report this as a bug" in (report.error or "") else "error"
    return Outcome(scenario, kind, seconds, report.error or "", papers)
