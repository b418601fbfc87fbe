"""One clock: papersift.clock gives the time; the store stamps everything with its own injectable clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import text

from papersift import accounts, clock
from papersift.store import Store, deliveries
from tests.conftest import engine_for

AT = dt.datetime(2031, 3, 4, 5, 6, 7, 890, tzinfo=dt.timezone(dt.timedelta(hours=2)))
STAMP = "2031-03-04T03:06:07+00:00"


def test_one_stamp_format() -> None:
    assert clock.timestamp(AT) == STAMP
    stamp = dt.datetime.fromisoformat(clock.timestamp())
    assert stamp.tzinfo == dt.UTC and stamp.microsecond == 0
    assert abs((clock.now() - stamp).total_seconds()) < 5
    assert clock.local_now().utcoffset() == dt.datetime.now().astimezone().utcoffset()


def test_accounts_and_deliveries_use_the_stores_clock(store_location: str | Path) -> None:
    store = Store(store_location, clock=lambda: AT)
    user = accounts.add_user(store, "ada", "a long enough password")
    assert user.created_at == STAMP
    token, _ = accounts.start_session(store, user, days=1)
    assert accounts.session_for(store, token) is not None
    store.clock = lambda: AT + dt.timedelta(days=2)  # the session expired a day ago
    assert accounts.session_for(store, token) is None

    store.clock = lambda: AT
    store.create_profile("me")
    digest = store.record_daily_digest(
        "me",
        AT.date(),
        [],
        [deliveries.NewDelivery("email", "ada@example.org", "<m@x>", b"body")],
        model_id="m",
        n_candidates=0,
    )
    assert digest.summary.created_at == STAMP
    [delivery] = store.deliveries_of(digest.id)
    assert delivery.created_at == STAMP
    store.close()


def test_migrations_are_stamped_by_the_stores_clock(store_location: str | Path) -> None:
    Store(store_location, clock=lambda: AT).close()
    with engine_for(store_location).connect() as conn:
        stamps = set(conn.execute(text("SELECT applied_at FROM schema_version")).scalars())
    assert stamps == {STAMP}
