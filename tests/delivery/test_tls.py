"""smtps:// and smtp+starttls:// against aiosmtpd with a throw-away certificate (verified, not skipped)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from papersift.delivery.smtp import parse_smtp_url, send_message

from .conftest import Inbox, free_port

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


MESSAGE = b"From: a@localhost\r\nTo: b@localhost\r\nSubject: hi\r\n\r\n.leading dot stays\r\nbye\r\n"


@pytest.mark.parametrize("scheme", ["smtps", "smtp+starttls"])
def test_tls_schemes(scheme: str, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    inbox, port = Inbox(), free_port()
    if scheme == "smtps":
        controller = Controller(inbox, hostname="localhost", port=port, ssl_context=server_context)
    else:
        controller = Controller(
            inbox, hostname="localhost", port=port, tls_context=server_context, require_starttls=True
        )
    controller.start()
    try:
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts this certificate, and verifies it
        send_message(parse_smtp_url(f"{scheme}://localhost:{port}"), "a@localhost", ["b@localhost"], MESSAGE)
        with pytest.raises(Exception):  # noqa: B017 (any refusal will do: the point is no unverified TLS)
            monkeypatch.delenv("SSL_CERT_FILE")
            send_message(
                parse_smtp_url(f"{scheme}://localhost:{port}", timeout=5), "a@localhost", ["b@localhost"], MESSAGE
            )
    finally:
        controller.stop()
    ((_, _, raw),) = inbox.messages
    assert b"\r\n.leading dot stays\r\n" in raw.replace(b"\n", b"\r\n").replace(b"\r\r", b"\r")
