"""Digest deliveries: recorded before sending, marked after; unsubscribes; feed nonces.

Plain functions on a connection, and :class:`DeliveryRecords` (mixed into
:class:`~papersift.store.Store`) opening the transaction or snapshot that calls them. A delivery
points at a digest record (:mod:`.digest_record`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from ..errors import StoreError
from ..models import Recommendation
from . import digest_record as dr
from . import schema as m
from .profiles import profile_id

STATUSES = ("pending", "sending", "sent", "failed", "unknown", "cancelled")


@dataclass(frozen=True)
class DeliveryRecord:
    id: int
    digest_id: int
    channel: str
    address: str
    message_id: str
    status: str
    attempts: int
    last_error: str | None
    payload: bytes
    created_at: str
    updated_at: str
    sent_at: str | None


@dataclass(frozen=True)
class NewDelivery:
    channel: str  # a registered delivery channel: email, webhook
    address: str
    message_id: str
    payload: bytes


def _delivery(row: Any) -> DeliveryRecord:
    return DeliveryRecord(
        id=int(row.id),
        digest_id=int(row.digest_id),
        channel=row.channel,
        address=row.address,
        message_id=row.message_id,
        status=row.status,
        attempts=int(row.attempts),
        last_error=row.last_error,
        payload=bytes(row.payload),
        created_at=row.created_at,
        updated_at=row.updated_at,
        sent_at=row.sent_at,
    )


def insert_deliveries(conn: Connection, digest_id: int, deliveries: Sequence[NewDelivery], now: str) -> None:
    """One pending row per channel and address of a digest, with the exact bytes to send."""
    for new in deliveries:
        conn.execute(
            insert(m.deliveries).values(
                digest_id=digest_id,
                channel=new.channel,
                address=new.address,
                message_id=new.message_id,
                status="pending",
                attempts=0,
                payload=new.payload,
                created_at=now,
                updated_at=now,
            )
        )


def deliveries_of(conn: Connection, digest_id: int) -> list[DeliveryRecord]:
    rows = conn.execute(
        select(m.deliveries).where(m.deliveries.c.digest_id == digest_id).order_by(m.deliveries.c.id)
    ).all()
    return [_delivery(r) for r in rows]


def all_deliveries(conn: Connection, profile: str | None = None) -> list[tuple[str, dt.date | None, DeliveryRecord]]:
    """Every delivery as (profile, day of its digest, record), oldest first: for summaries and tests."""
    query = (
        select(m.deliveries, m.digests.c.day, m.profiles.c.name)
        .join(m.digests, m.digests.c.id == m.deliveries.c.digest_id)
        .join(m.profiles, m.profiles.c.id == m.digests.c.profile_id)
        .order_by(m.deliveries.c.id)
    )
    if profile is not None:
        query = query.where(m.profiles.c.name == profile)
    return [(r.name, dt.date.fromisoformat(r.day) if r.day else None, _delivery(r)) for r in conn.execute(query).all()]


def set_status(conn: Connection, delivery_id: int, now: str, **values: Any) -> None:
    conn.execute(update(m.deliveries).where(m.deliveries.c.id == delivery_id).values(updated_at=now, **values))


def claim(conn: Connection, delivery: DeliveryRecord, now: str) -> bool:
    """Count one attempt, as a compare-and-set on (status, attempts) as read: False when another run
    claimed it first, so two runs at once never both send it."""
    result = conn.execute(
        update(m.deliveries)
        .where(
            m.deliveries.c.id == delivery.id,
            m.deliveries.c.status == delivery.status,
            m.deliveries.c.attempts == delivery.attempts,
        )
        .values(attempts=delivery.attempts + 1, status="pending", updated_at=now)
    )
    return bool(result.rowcount)


def add_unsubscribe(conn: Connection, profile: int, address: str, now: str) -> None:
    conn.execute(insert(m.unsubscribes).values(profile_id=profile, address=address.lower(), created_at=now))


def remove_unsubscribe(conn: Connection, profile: int, address: str) -> bool:
    result = conn.execute(
        delete(m.unsubscribes).where(
            m.unsubscribes.c.profile_id == profile, m.unsubscribes.c.address == address.lower()
        )
    )
    return bool(result.rowcount)


def unsubscribed_addresses(conn: Connection, profile: int) -> set[str]:
    rows = conn.execute(select(m.unsubscribes.c.address).where(m.unsubscribes.c.profile_id == profile)).all()
    return {r.address for r in rows}


def feed_nonce_of(conn: Connection, profile: int) -> str | None:
    row = conn.execute(select(m.feed_tokens.c.nonce).where(m.feed_tokens.c.profile_id == profile)).first()
    return None if row is None else str(row.nonce)


def set_feed_nonce(conn: Connection, profile: int, now: str, rotate: bool) -> str:
    current = feed_nonce_of(conn, profile)
    if current is not None and not rotate:
        return current
    nonce = secrets.token_urlsafe(12)
    if current is None:
        conn.execute(insert(m.feed_tokens).values(profile_id=profile, nonce=nonce, created_at=now))
    else:
        conn.execute(
            update(m.feed_tokens).where(m.feed_tokens.c.profile_id == profile).values(nonce=nonce, created_at=now)
        )
    return nonce


class DeliveryRecords:
    """The :class:`~papersift.store.Store` methods of deliveries, unsubscribes and feed nonces."""

    if TYPE_CHECKING:

        def transaction(self) -> AbstractContextManager[Connection]: ...
        def snapshot(self) -> AbstractContextManager[Connection]: ...
        def now(self) -> str: ...
        def digest_of_day(self, profile: str, day: dt.date) -> dr.DigestRecord | None: ...

    def record_daily_digest(
        self,
        profile: str,
        day: dt.date,
        picks: Sequence[Recommendation],
        deliveries: Sequence[NewDelivery],
        *,
        model_id: str,
        n_candidates: int | None,
        params: dict[str, Any] | None = None,
    ) -> dr.DigestRecord:
        """The day's digest and every delivery of it (status pending), in one transaction, before anything is
        sent; its papers are not shown yet. If another run recorded this day's digest first, that one is
        returned and ``deliveries`` are dropped."""
        now = self.now()
        try:
            with self.transaction() as conn:
                digest_id = dr.insert_digest(
                    conn,
                    profile_id(conn, profile),
                    picks,
                    model_id=model_id,
                    n_candidates=n_candidates,
                    params={"delivery": day.isoformat(), **(params or {})},
                    now=now,
                    day=day,
                )
                insert_deliveries(conn, digest_id, deliveries, now)
        except StoreError:
            if self.digest_of_day(profile, day) is None:
                raise
        found = self.digest_of_day(profile, day)
        if found is None:
            raise StoreError(f"the digest of {day} for '{profile}' was not kept")
        return found

    def add_deliveries(self, digest_id: int, deliveries: Sequence[NewDelivery]) -> None:
        with self.transaction() as conn:
            insert_deliveries(conn, digest_id, deliveries, self.now())

    def deliveries_of(self, digest_id: int) -> list[DeliveryRecord]:
        with self.snapshot() as conn:
            return deliveries_of(conn, digest_id)

    def all_deliveries(self, profile: str | None = None) -> list[tuple[str, dt.date | None, DeliveryRecord]]:
        with self.snapshot() as conn:
            return all_deliveries(conn, profile)

    def mark_attempt(self, delivery: DeliveryRecord) -> bool:
        """Claim the delivery for one attempt (counted before connecting; the status stays pending)."""
        with self.transaction() as conn:
            return claim(conn, delivery, self.now())

    def _set_delivery(self, delivery_id: int, **values: Any) -> None:
        with self.transaction() as conn:
            set_status(conn, delivery_id, self.now(), **values)

    def mark_sending(self, delivery_id: int) -> None:
        """The last byte is about to go: from here on the outcome of a crash is unknown."""
        self._set_delivery(delivery_id, status="sending")

    def mark_sent(self, delivery_id: int) -> None:
        self._set_delivery(delivery_id, status="sent", sent_at=self.now(), last_error=None)

    def mark_failed(self, delivery_id: int, error: str) -> None:
        self._set_delivery(delivery_id, status="failed", last_error=error[:2000])

    def mark_unknown(self, delivery_id: int, note: str) -> None:
        self._set_delivery(delivery_id, status="unknown", last_error=note[:2000])

    def mark_cancelled(self, delivery_id: int, reason: str) -> None:
        self._set_delivery(delivery_id, status="cancelled", last_error=reason)

    def unsubscribe(self, profile: str, address: str) -> bool:
        """Stop mail of ``profile`` to ``address``; False if it was already stopped."""
        try:
            with self.transaction() as conn:
                add_unsubscribe(conn, profile_id(conn, profile), address, self.now())
        except StoreError:
            if address.lower() in self.unsubscribed(profile):
                return False
            raise
        return True

    def resubscribe(self, profile: str, address: str) -> bool:
        with self.transaction() as conn:
            return remove_unsubscribe(conn, profile_id(conn, profile), address)

    def unsubscribed(self, profile: str) -> set[str]:
        with self.snapshot() as conn:
            return unsubscribed_addresses(conn, profile_id(conn, profile))

    def current_feed_nonce(self, profile: str) -> str | None:
        """The nonce of the profile's feed URL, None if it never had one (reading makes none)."""
        with self.snapshot() as conn:
            return feed_nonce_of(conn, profile_id(conn, profile))

    def feed_nonce(self, profile: str, rotate: bool = False) -> str:
        """The nonce of the profile's private feed URL (made on first use); ``rotate`` revokes the old URLs."""
        with self.transaction() as conn:
            return set_feed_nonce(conn, profile_id(conn, profile), self.now(), rotate)
