"""Migration 3 (frozen): profile sources, profile exclusions by identity key, fetch checkpoints.

Written out as at schema version 3; ``profiles`` is declared only by the key its foreign keys need.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, Text, UniqueConstraint
from sqlalchemy.engine import Connection

metadata = MetaData()

Table("profiles", metadata, Column("id", Integer, primary_key=True))

profile_sources = Table(
    "profile_sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("value", Text, nullable=False),
    Column("added_at", String(32), nullable=False),
    Column("fetched_at", String(32)),
    UniqueConstraint("profile_id", "kind", "value", name="uq_profile_source"),
)

profile_exclusions = Table(
    "profile_exclusions",
    metadata,
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("key", Text, primary_key=True),
    Column("excluded_at", String(32), nullable=False),
)

fetch_checkpoints = Table(
    "fetch_checkpoints",
    metadata,
    Column("key", Text, primary_key=True),
    Column("label", Text, nullable=False, default=""),
    Column("state", Text, nullable=False, default="{}"),
    Column("done", Integer, nullable=False, default=0),
    Column("pages", Integer, nullable=False, default=0),
    Column("papers", Integer, nullable=False, default=0),
    Column("new_papers", Integer, nullable=False, default=0),
    Column("started_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
)


def upgrade(conn: Connection) -> None:
    metadata.create_all(conn, tables=[profile_sources, profile_exclusions, fetch_checkpoints], checkfirst=False)
