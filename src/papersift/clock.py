"""The one clock: what time and day it is, in one place (tests pass their own ``today``)."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


def timestamp() -> str:
    """The current time as stored: ISO 8601, UTC, whole seconds."""
    return now().isoformat(timespec="seconds")


def today() -> dt.date:
    """The user's local calendar day (digests and feeds are about days as the user lives them)."""
    return dt.date.today()
