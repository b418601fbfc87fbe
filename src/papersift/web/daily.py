"""`papersift serve --scheduler`: the daily job inside the server, the same
:func:`~papersift.delivery.job.daily_run` as `papersift run`."""

from __future__ import annotations

from typing import Any

from .state import AppState


def daily_scheduler(app_state: AppState) -> Any:
    """A :class:`~papersift.delivery.scheduler.DailyScheduler` running the daily job on the app's store."""
    from ..config import load_config
    from ..delivery.job import daily_run
    from ..delivery.scheduler import DailyScheduler

    settings = app_state.settings
    factory = settings.client_factory

    def job() -> Any:
        return daily_run(
            app_state.store,
            load_config(),
            encoder=app_state.encoder,
            offline=settings.offline,
            client_factory=(lambda config: factory(config.contact)) if factory else None,
        )

    return DailyScheduler(job, at=settings.scheduler_at, run_at_start=True)
