"""`papersift serve --scheduler`: the daily job (`papersift run`) inside the server.

The delivery helper's :func:`papersift.delivery.daily.run_daily` is idempotent per day (a rerun
sends nothing twice), so the server simply calls it at start and then every ``interval`` seconds.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from .. import api
from ..config import load_config
from ..errors import PapersiftError


class DailyScheduler:
    def __init__(self, app_state: Any, interval: float = 3600.0) -> None:
        self.app_state = app_state
        self.interval = interval
        self.last: list[str] = []
        self.runs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="papersift-daily", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.last = self.run_once()
            except PapersiftError as exc:
                self.last = [f"the daily job failed: {exc}"]
            except Exception as exc:  # a bug in the job must not stop the server; say it and try again later
                self.last = [f"the daily job failed unexpectedly: {type(exc).__name__}: {exc}"]
            self.runs += 1
            for line in self.last:
                print(f"papersift daily job: {line}", file=sys.stderr)
            self._stop.wait(self.interval)

    def run_once(self) -> list[str]:
        from ..delivery.daily import run_daily
        from ..fetch.client import HttpClient

        store = self.app_state.store
        config = load_config()
        encoder = self.app_state.encoder
        if not (config.profiles or config.follow):
            report = run_daily(store, config, encoder=encoder)
        else:
            with HttpClient.from_config(config) as client:
                report = run_daily(store, config, encoder=encoder, update=lambda: api.update(store, config, client))
        return [s.describe() for s in report.sources] + [p.describe() for p in report.profiles]
