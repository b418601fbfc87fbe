"""The daily job against a real SMTP server on loopback: one mail per profile and day, retried, never doubled."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from papersift.delivery.daily import run_daily
from papersift.encoders import get_encoder
from papersift.store import Store

from .conftest import TUESDAY, DroppingServer, SmtpServer, write_config


def run(store: Store, config, when: dt.datetime = TUESDAY, **kwargs):  # type: ignore[no-untyped-def]
    lines: list[str] = []
    report = run_daily(store, config, lambda: when, encoder=get_encoder("fake"), log=lines.append, **kwargs)
    return report, lines


def test_mail_arrives_multipart_with_headers(store: Store, smtp_server: SmtpServer, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", smtp_server.url)
    report, lines = run(store, config)
    assert report.exit_code == 0 and report.profiles[0].sent == 1, lines
    ((mail_from, rcpts, _),) = smtp_server.inbox.messages
    assert mail_from == "papersift@uni.edu" and rcpts == ["you@uni.edu"]
    (message,) = smtp_server.inbox.parsed()
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    ((_, _, record),) = store.all_deliveries()
    assert message["Message-ID"] == record.message_id and record.status == "sent"
    assert message["Date"].datetime == TUESDAY
    assert message["List-Unsubscribe"].startswith("<http://papersift.test/mail/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["To"] == "you@uni.edu" and "papersift@uni.edu" in message["From"]
    assert "<script" not in html.lower() and "http://papersift.test/mail/vote/" in html
    assert text.count("More like this: http://papersift.test/mail/vote/") == 5
    digest = store.digest_of_day("me", TUESDAY.date())
    assert digest is not None and len(digest.paper_ids) == 5 and digest.shown
    assert set(digest.paper_ids) <= store.shown_paper_ids("me")
    for pick in digest.picks:
        assert pick.paper.display_title in html


def test_rerun_same_day_sends_nothing_and_next_tuesday_sends_new_papers(
    store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "config.toml", smtp_server.url)
    run(store, config)
    report, lines = run(store, config, TUESDAY + dt.timedelta(hours=3))
    assert len(smtp_server.inbox.messages) == 1
    assert "already sent" in report.profiles[0].describe()
    run(store, config, TUESDAY + dt.timedelta(days=7))
    assert len(smtp_server.inbox.messages) == 2
    first, second = (store.digest_of_day("me", d) for d in (TUESDAY.date(), TUESDAY.date() + dt.timedelta(days=7)))
    assert first and second and not set(first.paper_ids) & set(second.paper_ids)


def test_not_a_delivery_day_and_empty_day(store: Store, smtp_server: SmtpServer, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", smtp_server.url, days='["mon"]')
    report, _ = run(store, config)
    assert "tue is not a delivery day" in report.profiles[0].describe()
    config = write_config(tmp_path / "config.toml", smtp_server.url, min_relevance=1.0)
    report, _ = run(store, config)
    assert "no candidate above min_relevance 1" in report.profiles[0].describe()
    assert smtp_server.inbox.messages == [] and store.all_deliveries() == []
    assert store.shown_paper_ids("me") == set()


def test_refused_then_retried_with_the_same_message(store: Store, smtp_server: SmtpServer, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", smtp_server.url)
    smtp_server.inbox.refuse = True
    report, _ = run(store, config)
    # Deferred, not lost: EX_TEMPFAIL, and when it is tried again.
    assert report.exit_code == 75 and report.profiles[0].failed == 1
    assert report.retry_note() == (
        "1 delivery deferred: the next `papersift run` retries it (every run until 2026-12-01), with the same papers"
    )
    assert "550" in report.profiles[0].describe() and smtp_server.inbox.messages == []
    ((_, _, failed),) = store.all_deliveries()
    assert failed.status == "failed" and failed.attempts == 1
    smtp_server.inbox.refuse = False
    report, _ = run(store, config, TUESDAY + dt.timedelta(hours=1))
    assert report.exit_code == 0 and report.retry_note() is None
    (message,) = smtp_server.inbox.parsed()
    ((_, _, sent),) = store.all_deliveries()
    assert sent.status == "sent" and sent.attempts == 2 and message["Message-ID"] == failed.message_id


def test_connection_dropped_mid_data_is_retried_next_day(
    store: Store, smtp_server: SmtpServer, dropping_server: DroppingServer, tmp_path: Path
) -> None:
    dropped = write_config(tmp_path / "config.toml", f"smtp://127.0.0.1:{dropping_server.port}")
    report, _ = run(store, dropped)
    assert dropping_server.drops == 1 and report.profiles[0].failed == 1
    ((_, _, failed),) = store.all_deliveries()
    assert failed.status == "failed"
    # Wednesday: the Tuesday digest is retried (same Message-ID) and Wednesday's is sent.
    working = write_config(tmp_path / "config.toml", smtp_server.url)
    run(store, working, TUESDAY + dt.timedelta(days=1))
    ids = [m["Message-ID"] for m in smtp_server.inbox.parsed()]
    assert failed.message_id in ids and len(ids) == len(set(ids)) == 2
    assert {r.status for _, _, r in store.all_deliveries()} == {"sent"}


def test_auth_refused_must_be_fixed(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from .conftest import Inbox, free_port

    def refuse_everyone(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        return AuthResult(success=False, handled=False)

    port = free_port()
    controller = Controller(
        Inbox(),
        hostname="127.0.0.1",
        port=port,
        auth_require_tls=False,
        authenticator=refuse_everyone,
    )
    controller.start()
    try:
        monkeypatch.setenv("PAPERSIFT_SMTP_PASSWORD", "wrong")
        config = write_config(tmp_path / "config.toml", f"smtp://me@127.0.0.1:{port}")
        report, _ = run(store, config)
    finally:
        controller.stop()
    assert report.exit_code == 1 and "refused the login" in report.must_fix[0], report.profiles[0].describe()
    assert "wrong" not in " ".join(report.must_fix) + report.profiles[0].describe()
    ((_, _, record),) = store.all_deliveries()
    assert record.status == "failed"


def test_dry_run_and_unsubscribed(store: Store, smtp_server: SmtpServer, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", smtp_server.url, email='["you@uni.edu", "boss@uni.edu"]')
    report, _ = run(store, config, dry_run=True)
    assert "would send 5 papers to you@uni.edu, boss@uni.edu" in report.profiles[0].describe()
    assert store.all_deliveries() == [] and store.shown_paper_ids("me") == set()
    store.unsubscribe("me", "Boss@uni.edu")
    run(store, config)
    assert [rcpts for _, rcpts, _ in smtp_server.inbox.messages] == [["you@uni.edu"]]


def test_a_delivery_is_claimed_by_one_run_only(store: Store, smtp_server: SmtpServer, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", smtp_server.url)
    smtp_server.inbox.refuse = True
    run(store, config)
    ((_, _, failed),) = store.all_deliveries()
    assert store.mark_attempt(failed)  # one run claims it...
    assert not store.mark_attempt(failed)  # ...a second, having read the same row, does not
