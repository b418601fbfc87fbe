"""A failed send loses nothing, and mail goes out as providers read it: with a real aiosmtpd server on
loopback that is down first and up later, and its headers checked on the raw bytes it received."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner, Result

from papersift.cli.main import cli
from papersift.store import Store

from .conftest import Inbox, SmtpServer, free_port, write_config


@contextmanager
def server_on(port: int) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture
def down_port(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """A config whose SMTP server is not running (nothing listens on its port)."""
    port = free_port()
    path = tmp_path / "config.toml"
    write_config(path, f"smtp://127.0.0.1:{port}", days='["mon","tue","wed","thu","fri","sat","sun"]')
    monkeypatch.setenv("PAPERSIFT_CONFIG", str(path))
    return port


def test_digest_email_that_cannot_send_leaves_its_papers_unshown(store: Store, down_port: int) -> None:
    failed = invoke("digest", "--profile", "me", "--model", "fake", "--top", "3", "--email", "x@uni.edu")
    assert failed.exit_code == 1, failed.output
    assert "stay unshown" in failed.output and "Traceback" not in failed.output
    assert store.shown_paper_ids("me") == set()
    first = store.digest("me")
    assert first is not None and not first.shown and len(first.picks) == 3
    top = first.picks[0].paper
    ((_, _, record),) = store.all_deliveries()
    assert record.status == "failed" and record.digest_id == first.id
    history = invoke("history", "--profile", "me")
    assert "not delivered yet" in history.output and "3 of" in history.output

    with server_on(down_port) as inbox:
        sent = invoke("digest", "--profile", "me", "--model", "fake", "--top", "3", "--email", "x@uni.edu")
    assert sent.exit_code == 0, sent.output
    (message,) = inbox.parsed()
    html = message.get_body(("html",)).get_content()
    assert top.display_title in html  # the day's top paper was not lost with the failed mail
    assert top.store_id in store.shown_paper_ids("me")


def test_run_defers_with_exit_75_and_the_later_mail_carries_the_top_paper(store: Store, down_port: int) -> None:
    deferred = invoke("run", "--no-update", "--model", "fake")
    assert deferred.exit_code == 75, deferred.output
    assert "the next `papersift run` retries it (every run until" in deferred.stderr
    (digest,) = store.daily_digests("me")
    top = digest.picks[0].paper

    with server_on(down_port) as inbox:
        retried = invoke("run", "--no-update", "--model", "fake")
    assert retried.exit_code == 0, retried.output
    (message,) = inbox.parsed()
    assert top.display_title in message.get_body(("html",)).get_content()


def test_url_headers_arrive_as_plain_urls_on_the_wire(
    store: Store, smtp_server: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    write_config(path, smtp_server.url, days='["mon","tue","wed","thu","fri","sat","sun"]')
    # A long base URL: the header is far past the 78 characters at which the SMTP policy folds.
    long_base = "https://papersift.example.org/a/rather/long/path/for/this/installation"
    path.write_text(path.read_text().replace('base_url = "http://papersift.test"', f'base_url = "{long_base}"'))
    monkeypatch.setenv("PAPERSIFT_CONFIG", str(path))
    assert invoke("run", "--no-update", "--model", "fake").exit_code == 0
    assert invoke("digest", "--profile", "me", "--model", "fake", "--top", "2", "--email", "x@uni.edu").exit_code == 0
    assert len(smtp_server.inbox.messages) == 2
    for _, _, raw in smtp_server.inbox.messages:
        head = raw.split(b"\r\n\r\n", 1)[0]
        unfolded = re.sub(rb"\r\n[ \t]+", b" ", head)
        lines = unfolded.split(b"\r\n")
        (unsubscribe,) = [line for line in lines if line.startswith(b"List-Unsubscribe: ")]
        assert re.fullmatch(
            rb"List-Unsubscribe: <" + re.escape(long_base.encode()) + rb"/mail/unsubscribe/[A-Za-z0-9_.\-]+>",
            unsubscribe,
        ), unsubscribe
        assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in lines
        for line in lines:
            if b"://" in line:
                assert b"=?" not in line, line  # no header carrying a URL is RFC 2047 encoded
        assert all(len(line) <= 998 for line in head.split(b"\r\n"))
