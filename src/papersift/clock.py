"""The one clock: what time and day it is, in one place (tests pass their own ``today`` or clock).

Inside the store, use the store's injectable clock (``store.now()`` for a stamp, ``store.clock()`` for
the time) so tests can set it. Durations use :func:`time.monotonic`, which is not a clock of the day.
"""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


def local_now() -> dt.datetime:
    """The current time in the user's time zone, timezone-aware (schedules are in the user's hours)."""
    return now().astimezone()


def timestamp(at: dt.datetime | None = None) -> str:
    """A time as stored and compared in the store: ISO 8601, UTC, whole seconds (default: now).

    ``at`` must be timezone-aware.
    """
    return (at if at is not None else now()).astimezone(dt.UTC).isoformat(timespec="seconds")


def today() -> dt.date:
    """The user's local calendar day (digests and feeds are about days as the user lives them)."""
    return dt.date.today()
