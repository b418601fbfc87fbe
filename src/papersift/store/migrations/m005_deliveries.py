"""Migration 5: digest deliveries (recorded before sending), unsubscribed addresses, feed tokens.

The tables are written out here as they are at this version, never imported from today's schema.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Connection

metadata = MetaData()

# Only what the foreign keys below point at (the real tables were made by migration 1).
_profiles = Table("profiles", metadata, Column("id", Integer, primary_key=True))

# One digest per profile and day, with its picks (JSON, as Recommendation.to_dict()) frozen when made:
# a retry sends exactly this digest. ``run_id`` is set once the run is recorded and its papers marked shown.
digests = Table(
    "digests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
    Column("day", String(10), nullable=False),
    Column("paper_ids", Text, nullable=False, default="[]"),
    Column("items", Text, nullable=False, default="[]"),
    Column("run_id", Integer),
    Column("created_at", String(32), nullable=False),
    UniqueConstraint("profile_id", "day", name="uq_digest_day"),
)

# One row per channel and address of a digest, written (with its Message-ID and the exact bytes to send)
# before anything is sent. status: pending -> sending (the last byte is about to go) -> sent, or failed
# (retried by the next run), or unknown (a run died mid-send; never resent: at most once).
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("digest_id", Integer, ForeignKey("digests.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("address", Text, nullable=False),
    Column("message_id", Text, nullable=False),
    Column("status", String(16), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("payload", LargeBinary, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Column("sent_at", String(32)),
    UniqueConstraint("digest_id", "channel", "address", name="uq_delivery_address"),
    UniqueConstraint("message_id", name="uq_delivery_message_id"),
)

unsubscribes = Table(
    "unsubscribes",
    metadata,
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("address", Text, primary_key=True),
    Column("created_at", String(32), nullable=False),
)

# The nonce a profile's private feed URL carries; rotating it revokes every older feed URL.
feed_tokens = Table(
    "feed_tokens",
    metadata,
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("nonce", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
)

TABLES = [digests, deliveries, unsubscribes, feed_tokens]


def upgrade(conn: Connection) -> None:
    metadata.create_all(conn, tables=TABLES, checkfirst=True)
