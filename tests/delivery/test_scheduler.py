"""The in-process scheduler (for `papersift serve --scheduler`): runs the daily job at its time, stops promptly."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from papersift.config import store_location
from papersift.delivery.scheduler import DailyScheduler, next_run, store_job
from papersift.encoders import get_encoder
from papersift.errors import ConfigError
from papersift.store import Store

from .conftest import SmtpServer, write_config


def test_next_run() -> None:
    now = dt.datetime(2026, 11, 24, 7, 30, tzinfo=dt.UTC)
    assert next_run(now, "07:31") == now + dt.timedelta(minutes=1)
    assert next_run(now, "07:30") == now + dt.timedelta(days=1)
    with pytest.raises(ConfigError):
        next_run(now, "7.30")


def test_scheduler_runs_the_job_at_its_time(store: Store, smtp_server: SmtpServer, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", smtp_server.url, days='["mon","tue","wed","thu","fri","sat","sun"]')
    target = (dt.datetime.now().astimezone() + dt.timedelta(minutes=2)).replace(second=0, microsecond=0)
    offset = target - dt.datetime.now().astimezone() - dt.timedelta(seconds=0.3)

    def clock() -> dt.datetime:
        return dt.datetime.now().astimezone() + offset

    job = store_job(lambda: Store(store_location()), lambda: config, clock=clock, encoder=get_encoder("fake"))
    scheduler = DailyScheduler(job, at=f"{target:%H:%M}", clock=clock).start()
    deadline = time.monotonic() + 60
    while scheduler.runs == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    started = time.monotonic()
    scheduler.stop()
    assert time.monotonic() - started < 5 and scheduler.runs == 1
    assert len(smtp_server.inbox.messages) == 1


class _Report:
    """What a job returns, as far as the scheduler reads it."""

    def __init__(self, exit_code: int) -> None:
        self.exit_code = exit_code
        self.sources: list[object] = []
        self.profiles: list[object] = []
        self.must_fix: list[str] = []


def test_a_run_that_deferred_a_delivery_is_retried_soon_not_tomorrow() -> None:
    from papersift.delivery.daily import EX_TEMPFAIL

    outcomes = [EX_TEMPFAIL, EX_TEMPFAIL, 0]
    calls: list[float] = []

    def job() -> _Report:
        calls.append(time.monotonic())
        return _Report(outcomes[min(len(calls) - 1, 2)])  # type: ignore[return-value]

    scheduler = DailyScheduler(job, at="00:00", run_at_start=True, retry_after=0.2).start()  # type: ignore[arg-type]
    deadline = time.monotonic() + 10
    while scheduler.runs < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # after a run that delivered, the next is tomorrow at 00:00: nothing more now
    scheduler.stop()
    assert len(calls) == 3 and calls[2] - calls[0] >= 0.4


def test_a_failing_job_does_not_end_the_scheduler() -> None:
    calls: list[int] = []

    def job() -> _Report:
        calls.append(1)
        raise RuntimeError("a bug")

    scheduler = DailyScheduler(job, at="00:00", run_at_start=True).start()  # type: ignore[arg-type]
    deadline = time.monotonic() + 10
    while scheduler.runs < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    scheduler.stop()
    assert calls == [1] and "failed unexpectedly: RuntimeError: a bug" in scheduler.last[0]
