"""The daily job inside a long-running process (``papersift serve --scheduler``): one background thread.

It sleeps until the next ``at`` (local time), runs the job, and repeats. The job's own bookkeeping
makes a run after a restart, or two processes running it, harmless: nothing is sent twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

from ..config import Config
from ..errors import ConfigError
from ..store import Store
from .daily import RunReport, run_daily
from .schedule import _TIME

log = logging.getLogger("papersift.scheduler")


def next_run(now: dt.datetime, at: str) -> dt.datetime:
    """The first ``at`` (HH:MM, in ``now``'s time zone) strictly after ``now``."""
    match = _TIME.match(at)
    if not match:
        raise ConfigError(f"expected a time of day HH:MM, not {at!r}")
    candidate = now.replace(hour=int(match.group(1)), minute=int(match.group(2)), second=0, microsecond=0)
    return candidate if candidate > now else candidate + dt.timedelta(days=1)


class DailyScheduler:
    """Runs ``job`` every day at ``at``; ``stop()`` ends the thread promptly."""

    def __init__(
        self,
        job: Callable[[], Any],
        at: str = "07:30",
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone(),
    ) -> None:
        next_run(clock(), at)  # refuse a bad time now, not at the first run
        self.job = job
        self.at = at
        self.clock = clock
        self.runs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="papersift-scheduler", daemon=True)

    def start(self) -> DailyScheduler:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            now = self.clock()
            if self._stop.wait((next_run(now, self.at) - now).total_seconds()):
                return
            try:
                self.job()
            except Exception:  # a failed day must not end the server's scheduler; the next day retries
                log.exception("the daily run failed")
            self.runs += 1


def store_job(
    open_store: Callable[[], Store], load_config: Callable[[], Config], **kwargs: Any
) -> Callable[[], RunReport]:
    """A job for :class:`DailyScheduler`: open the store, read the config afresh, deliver (``run_daily`` kwargs)."""

    def job() -> RunReport:
        with open_store() as store:
            report = run_daily(store, load_config(), log=log.info, **kwargs)
        for problem in report.must_fix:
            log.error("papersift run: %s", problem)
        return report

    return job
