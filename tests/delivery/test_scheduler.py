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
