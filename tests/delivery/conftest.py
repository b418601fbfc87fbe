"""Real components for delivery tests: an aiosmtpd server on loopback, a store with the sample data, a config."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from papersift import api
from papersift.config import Config, load_config
from papersift.store import Store
from tests.conftest import FEED_FILES, PROFILE_FILES

TUESDAY = dt.datetime(2026, 11, 24, 7, 30, tzinfo=dt.UTC)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Inbox:
    """What the SMTP server received; ``refuse`` makes it answer 550 to every RCPT."""

    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    refuse: bool = False

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 Message accepted for delivery"

    def parsed(self) -> list[Message]:
        return [message_from_bytes(raw, policy=default) for _, _, raw in self.messages]


@dataclass
class SmtpServer:
    inbox: Inbox
    port: int

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(inbox, port)
    finally:
        controller.stop()


class DroppingServer:
    """A loopback SMTP server that answers up to DATA, reads part of the message, and hangs up."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = int(self.sock.getsockname()[1])
        self.drops = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn, conn.makefile("rwb") as stream:
                stream.write(b"220 dropper ESMTP\r\n")
                stream.flush()
                while line := stream.readline():
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        stream.write(b"250 dropper\r\n")
                    elif verb == b"DATA":
                        stream.write(b"354 go ahead\r\n")
                        stream.flush()
                        stream.read(200)  # part of the message, then the line goes dead
                        self.drops += 1
                        conn.shutdown(socket.SHUT_RDWR)
                        break
                    elif verb == b"QUIT":
                        stream.write(b"221 bye\r\n")
                        break
                    else:
                        stream.write(b"250 OK\r\n")
                    stream.flush()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def dropping_server() -> Iterator[DroppingServer]:
    server = DroppingServer()
    yield server
    server.close()


def location_of(store: Store) -> str:
    """Where an open store is, for another connection to it (a file, or a PostgreSQL URL with its schema)."""
    if store.engine.dialect.name == "sqlite":
        return str(store.path)
    return store.engine.url.render_as_string(hide_password=False)


@pytest.fixture
def store(isolated_home: Path) -> Iterator[Store]:
    from papersift.config import store_location

    with Store(store_location()) as opened:
        api.import_profile(opened, "me", PROFILE_FILES)
        api.import_feed(opened, FEED_FILES)
        yield opened


def write_config(
    path: Path,
    smtp_url: str,
    *,
    days: str = '["mon","tue","wed","thu","fri"]',
    extra: str = "",
    min_relevance: float = 0.0,
    top: int = 5,
    email: str = '["you@uni.edu"]',
) -> Config:
    path.write_text(
        f"""
[web]
secret_key = "test-secret-key-that-is-long-enough"
base_url = "http://papersift.test"

[smtp]
url = "{smtp_url}"
sender = "papersift <papersift@uni.edu>"

[deliver.me]
email = {email}
days = {days}
top = {top}
min_relevance = {min_relevance}
{extra}
""",
        encoding="utf-8",
    )
    return load_config(path)
