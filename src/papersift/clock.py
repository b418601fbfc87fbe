"""The one clock: what time and day it is for papersift.

Stored timestamps are UTC, ISO 8601 to the second (``2026-11-30T12:00:00+00:00``); "today"
(for announcement days and age windows) is the local calendar day. Code that must run on
"next Tuesday" in tests takes a ``today`` argument and defaults to :func:`today`.
"""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    """The current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def now_iso() -> str:
    """The current UTC time as stored: ISO 8601 to the second."""
    return now().isoformat(timespec="seconds")


def today() -> dt.date:
    """The local calendar day."""
    return dt.date.today()
