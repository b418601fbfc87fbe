"""The daily job inside a long-running process (``papersift serve --scheduler``): one background thread.

It runs the job at start (when asked: a server that starts at noon still delivers today), then sleeps
until the next ``at`` (local time) and repeats. A run that deferred a delivery (a mail server down,
:data:`~papersift.delivery.daily.EX_TEMPFAIL`) is tried again after ``retry_after`` seconds instead of
the next day. The job's own bookkeeping makes a run after a restart, or two processes running it,
harmless: nothing is sent twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from ..clock import local_now
from ..config import Config
from ..errors import ConfigError, PapersiftError
from ..store import Store
from .daily import EX_TEMPFAIL, RunReport
from .job import daily_run
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
    """Runs ``job`` every day at ``at`` (and once at start with ``run_at_start``); ``stop()`` ends it promptly.

    ``last`` holds the lines of the latest run (or why it failed), ``runs`` how many have run.
    """

    def __init__(
        self,
        job: Callable[[], RunReport],
        at: str = "07:30",
        clock: Callable[[], dt.datetime] = local_now,
        run_at_start: bool = False,
        retry_after: float = 3600.0,
    ) -> None:
        next_run(clock(), at)  # refuse a bad time now, not at the first run
        self.job = job
        self.at = at
        self.clock = clock
        self.run_at_start = run_at_start
        self.retry_after = retry_after
        self.runs = 0
        self.last: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="papersift-scheduler", daemon=True)

    def start(self) -> DailyScheduler:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _loop(self) -> None:
        retry = self.run_at_start
        while not self._stop.is_set():
            if not retry:
                now = self.clock()
                if self._stop.wait((next_run(now, self.at) - now).total_seconds()):
                    return
            deferred = self._run_once()
            self.runs += 1
            retry = False
            if deferred and self._stop.wait(self.retry_after):
                return
            retry = deferred

    def _run_once(self) -> bool:
        """Run the job; True when it deferred a delivery (to be retried soon)."""
        try:
            report = self.job()
        except PapersiftError as exc:
            self.last = [f"the daily run failed: {exc}"]
        except Exception as exc:  # a failed day must not end the server's scheduler; the next day retries
            log.exception("the daily run failed")
            self.last = [f"the daily run failed unexpectedly: {type(exc).__name__}: {exc}"]
        else:
            self.last = [s.describe() for s in report.sources] + [p.describe() for p in report.profiles]
            for line in self.last:
                log.info("papersift run: %s", line)
            for problem in report.must_fix:
                log.error("papersift run: %s", problem)
            return report.exit_code == EX_TEMPFAIL
        for line in self.last:
            log.error("papersift run: %s", line)
        return False


def store_job(
    open_store: Callable[[], AbstractContextManager[Store]], load_config: Callable[[], Config], **kwargs: Any
) -> Callable[[], RunReport]:
    """A job for :class:`DailyScheduler`: open the store, read the config afresh, run :func:`daily_run`
    (``kwargs`` go to it: encoder, clock, offline, client_factory...)."""

    def job() -> RunReport:
        with open_store() as store:
            return daily_run(store, load_config(), log=log.info, **kwargs)

    return job
