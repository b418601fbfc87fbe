"""Webhook delivery behind the same bookkeeping; candidates embedded once for all profiles."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from papersift import api
from papersift.delivery.daily import run_daily
from papersift.encoders import get_encoder
from papersift.store import Store
from tests.conftest import PROFILE_FILES

from .conftest import TUESDAY, SmtpServer, write_config


class Hook:
    def __init__(self) -> None:
        self.bodies: list[dict] = []  # type: ignore[type-arg]
        self.status = 200
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if hook.status == 200:
                    hook.bodies.append(json.loads(body))
                self.send_response(hook.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def hook() -> Iterator[Hook]:
    server = Hook()
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_webhook_once_and_retried(store: Store, smtp_server: SmtpServer, hook: Hook, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", smtp_server.url, email="[]", extra=f'webhook = "{hook.url}"')
    hook.status = 503
    report = run_daily(store, config, lambda: TUESDAY, encoder=get_encoder("fake"))
    assert report.profiles[0].failed == 1 and "HTTP 503" in report.profiles[0].describe()
    hook.status = 200
    run_daily(store, config, lambda: TUESDAY, encoder=get_encoder("fake"))
    run_daily(store, config, lambda: TUESDAY, encoder=get_encoder("fake"))
    (body,) = hook.bodies
    assert body["profile"] == "me" and len(body["papers"]) == 5 and body["text"].startswith("*papersift digest for me")
    assert smtp_server.inbox.messages == []
    ((_, _, record),) = store.all_deliveries()
    assert record.channel == "webhook" and record.status == "sent" and record.attempts == 2


def test_candidates_are_embedded_once_for_every_profile(store: Store, smtp_server: SmtpServer, tmp_path: Path) -> None:
    api.import_profile(store, "you", PROFILE_FILES[:1])
    extra = '[deliver.you]\nemail = ["you2@uni.edu"]\ndays = ["tue"]\ntop = 5\nmin_relevance = 0.0\n'
    config = write_config(tmp_path / "config.toml", smtp_server.url, extra=extra)
    encoder = get_encoder("fake")
    run_daily(store, config, lambda: TUESDAY, encoder=encoder)
    assert len(smtp_server.inbox.messages) == 2
    # No text embedded twice, whatever the number of profiles: the first profile embedded (in batches)
    # everything both need; the second found it all cached.
    assert sum(encoder.calls) <= store.paper_count()
