"""The daily job, wired once: `papersift run`, `papersift serve --scheduler` and the scheduler call this.

:func:`daily_run` reads the effective delivery settings (config.toml's ``[deliver.NAME]`` tables and the
web's saved settings, :mod:`.targets`), updates the followed sources unless told not to, and delivers
through :func:`papersift.delivery.daily.run_daily`. ``offline`` (``--offline``, ``$PAPERSIFT_OFFLINE``)
means the same everywhere: no title look-ups on arXiv while the profiles are refreshed.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import Any

from ..clock import local_now
from ..config import Config
from ..encoders import Encoder
from ..store import Store
from .daily import RunReport, run_daily
from .targets import effective_config

OFFLINE_ENV = "PAPERSIFT_OFFLINE"


def is_offline(flag: bool | None = None) -> bool:
    """``flag`` when given, else ``$PAPERSIFT_OFFLINE`` read as click reads a boolean (1, true, yes, on)."""
    if flag is not None:
        return flag
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in {"1", "true", "yes", "on", "t", "y"}


def daily_run(
    store: Store,
    config: Config,
    *,
    profile: str | None = None,
    dry_run: bool = False,
    update: bool = True,
    offline: bool | None = None,
    encoder: Encoder | None = None,
    clock: Callable[[], dt.datetime] = local_now,
    client_factory: Callable[[Config], Any] | None = None,
    log: Callable[[str], None] = lambda line: None,
    **run_options: Any,
) -> RunReport:
    """One daily run over ``store``: update (unless ``update`` is False or it is a dry run), rank, deliver.

    ``client_factory(config)`` makes the HTTP client of the update (default: the config's ``[network]``);
    ``run_options`` go to :func:`~papersift.delivery.daily.run_daily` (``transport``, ``tokens``).
    """
    effective = effective_config(store, config)
    if not update or dry_run or not (effective.profiles or effective.follow):
        return run_daily(
            store, effective, clock, profile=profile, dry_run=dry_run, encoder=encoder, log=log, **run_options
        )
    from ..fetch.client import HttpClient
    from ..fetch.runner import update as update_sources

    factory = client_factory or HttpClient.from_config
    look_up_titles = not is_offline(offline)
    with factory(effective) as client:
        return run_daily(
            store,
            effective,
            clock,
            profile=profile,
            encoder=encoder,
            log=log,
            update=lambda: update_sources(store, effective, client, look_up_titles=look_up_titles),
            **run_options,
        )
