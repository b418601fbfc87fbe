"""Digest deliveries in the store: recorded before sending, marked after; unsubscribes; feed nonces.

Plain functions over a :class:`Store` (``transaction()`` to write, ``snapshot()`` to read), on the tables
of today's schema (made by migration 5).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from ..errors import StoreError
from . import schema as m
from .db import Store
from .profiles import profile_id

STATUSES = ("pending", "sending", "sent", "failed", "unknown", "cancelled")


def _profile_id(store: Store, conn: Connection, profile: str) -> int:
    return profile_id(conn, profile)


@dataclass(frozen=True)
class DigestRecord:
    id: int
    profile: str
    day: dt.date
    paper_ids: list[int]
    items: list[dict[str, Any]]
    run_id: int | None
    created_at: str


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
    channel: str  # email, webhook or feed
    address: str
    message_id: str
    payload: bytes


def _digest(row: Any, profile: str) -> DigestRecord:
    return DigestRecord(
        id=int(row.id),
        profile=profile,
        day=dt.date.fromisoformat(row.day),
        paper_ids=[int(i) for i in json.loads(row.paper_ids)],
        items=json.loads(row.items),
        run_id=row.run_id,
        created_at=row.created_at,
    )


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


def find_digest(store: Store, profile: str, day: dt.date) -> DigestRecord | None:
    with store.snapshot() as conn:
        profile_id = _profile_id(store, conn, profile)
        row = conn.execute(
            select(m.digests).where(m.digests.c.profile_id == profile_id, m.digests.c.day == day.isoformat())
        ).first()
    return _digest(row, profile) if row is not None else None


def record_digest(
    store: Store, profile: str, day: dt.date, items: Sequence[dict[str, Any]], deliveries: Sequence[NewDelivery]
) -> DigestRecord:
    """The day's digest and every delivery of it (status pending), in one transaction, before anything is sent.

    If another run recorded this day's digest first, that one is returned and ``deliveries`` are dropped.
    """
    now = store.now()
    paper_ids = [int(item["id"]) for item in items if item.get("id") is not None]
    try:
        with store.transaction() as conn:
            profile_id = _profile_id(store, conn, profile)
            result = conn.execute(
                insert(m.digests).values(
                    profile_id=profile_id,
                    day=day.isoformat(),
                    paper_ids=json.dumps(paper_ids),
                    items=json.dumps(list(items), ensure_ascii=False),
                    created_at=now,
                )
            )
            digest_id = int(result.inserted_primary_key[0])  # type: ignore[index]
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
    except StoreError:
        existing = find_digest(store, profile, day)
        if existing is None:
            raise
        return existing
    found = find_digest(store, profile, day)
    if found is None:
        raise StoreError(f"the digest of {day} for '{profile}' was not kept")
    return found


def set_digest_run(store: Store, digest_id: int, run_id: int) -> None:
    with store.transaction() as conn:
        conn.execute(update(m.digests).where(m.digests.c.id == digest_id).values(run_id=run_id))


def deliveries_of(store: Store, digest_id: int) -> list[DeliveryRecord]:
    with store.snapshot() as conn:
        rows = conn.execute(
            select(m.deliveries).where(m.deliveries.c.digest_id == digest_id).order_by(m.deliveries.c.id)
        ).all()
    return [_delivery(r) for r in rows]


def all_deliveries(store: Store, profile: str | None = None) -> list[tuple[str, dt.date, DeliveryRecord]]:
    """Every delivery as (profile, day, record), oldest first: for summaries and tests."""
    query = (
        select(m.deliveries, m.digests.c.day, m.profiles.c.name)
        .join(m.digests, m.digests.c.id == m.deliveries.c.digest_id)
        .join(m.profiles, m.profiles.c.id == m.digests.c.profile_id)
        .order_by(m.deliveries.c.id)
    )
    if profile is not None:
        query = query.where(m.profiles.c.name == profile)
    with store.snapshot() as conn:
        rows = conn.execute(query).all()
    return [(r.name, dt.date.fromisoformat(r.day), _delivery(r)) for r in rows]


def _set(store: Store, delivery_id: int, **values: Any) -> None:
    with store.transaction() as conn:
        conn.execute(
            update(m.deliveries).where(m.deliveries.c.id == delivery_id).values(updated_at=store.now(), **values)
        )


def mark_attempt(store: Store, delivery: DeliveryRecord) -> bool:
    """Claim the delivery for one attempt (counted before connecting; the status stays pending).

    A compare-and-set on (status, attempts) as read: False when another run claimed it first, so two
    runs at once never both send it.
    """
    with store.transaction() as conn:
        result = conn.execute(
            update(m.deliveries)
            .where(
                m.deliveries.c.id == delivery.id,
                m.deliveries.c.status == delivery.status,
                m.deliveries.c.attempts == delivery.attempts,
            )
            .values(attempts=delivery.attempts + 1, status="pending", updated_at=store.now())
        )
    return bool(result.rowcount)


def mark_sending(store: Store, delivery_id: int) -> None:
    """The last byte is about to go: from here on the outcome of a crash is unknown."""
    _set(store, delivery_id, status="sending")


def mark_sent(store: Store, delivery_id: int) -> None:
    now = store.now()
    _set(store, delivery_id, status="sent", sent_at=now, last_error=None)


def mark_failed(store: Store, delivery_id: int, error: str) -> None:
    _set(store, delivery_id, status="failed", last_error=error[:2000])


def mark_unknown(store: Store, delivery_id: int, note: str) -> None:
    _set(store, delivery_id, status="unknown", last_error=note[:2000])


def mark_cancelled(store: Store, delivery_id: int, reason: str) -> None:
    _set(store, delivery_id, status="cancelled", last_error=reason)


# -- unsubscribes --------------------------------------------------------------


def unsubscribe(store: Store, profile: str, address: str) -> bool:
    """Stop mail of ``profile`` to ``address``; False if it was already stopped."""
    try:
        with store.transaction() as conn:
            conn.execute(
                insert(m.unsubscribes).values(
                    profile_id=_profile_id(store, conn, profile), address=address.lower(), created_at=store.now()
                )
            )
    except StoreError:
        if address.lower() in unsubscribed(store, profile):
            return False
        raise
    return True


def resubscribe(store: Store, profile: str, address: str) -> bool:
    with store.transaction() as conn:
        result = conn.execute(
            delete(m.unsubscribes).where(
                m.unsubscribes.c.profile_id == _profile_id(store, conn, profile),
                m.unsubscribes.c.address == address.lower(),
            )
        )
    return bool(result.rowcount)


def unsubscribed(store: Store, profile: str) -> set[str]:
    with store.snapshot() as conn:
        rows = conn.execute(
            select(m.unsubscribes.c.address).where(m.unsubscribes.c.profile_id == _profile_id(store, conn, profile))
        ).all()
    return {r.address for r in rows}


# -- feeds ----------------------------------------------------------------------


def current_feed_nonce(store: Store, profile: str) -> str | None:
    """The nonce of the profile's feed URL, None if it never had one (reading makes none)."""
    with store.snapshot() as conn:
        profile_id = _profile_id(store, conn, profile)
        row = conn.execute(select(m.feed_tokens.c.nonce).where(m.feed_tokens.c.profile_id == profile_id)).first()
    return None if row is None else str(row.nonce)


def feed_nonce(store: Store, profile: str, rotate: bool = False) -> str:
    """The nonce of the profile's private feed URL (made on first use); ``rotate`` revokes the old URLs."""
    with store.transaction() as conn:
        profile_id = _profile_id(store, conn, profile)
        row = conn.execute(select(m.feed_tokens.c.nonce).where(m.feed_tokens.c.profile_id == profile_id)).first()
        if row is not None and not rotate:
            return str(row.nonce)
        nonce = secrets.token_urlsafe(12)
        if row is None:
            conn.execute(insert(m.feed_tokens).values(profile_id=profile_id, nonce=nonce, created_at=store.now()))
        else:
            conn.execute(
                update(m.feed_tokens)
                .where(m.feed_tokens.c.profile_id == profile_id)
                .values(nonce=nonce, created_at=store.now())
            )
    return nonce


def recent_digests(store: Store, profile: str, limit: int = 30) -> list[DigestRecord]:
    """The profile's latest digests, newest first (what its feed shows)."""
    with store.snapshot() as conn:
        rows = conn.execute(
            select(m.digests)
            .where(m.digests.c.profile_id == _profile_id(store, conn, profile))
            .order_by(m.digests.c.day.desc())
            .limit(limit)
        ).all()
    return [_digest(r, profile) for r in rows]
