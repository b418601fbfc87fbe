"""Migration 9 (frozen): API tokens, so a script can use the JSON API without a browser session.

A token is shown once when made; the table keeps only its SHA-256, as ``sessions`` does. Each token has
a label unique for its user (the name ``papersift user token --revoke`` takes) and an optional expiry.
``users`` appears only as the stub the foreign key needs.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, UniqueConstraint
from sqlalchemy.engine import Connection

metadata = MetaData()

Table("users", metadata, Column("id", Integer, primary_key=True))

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("label", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=True),
    UniqueConstraint("user_id", "label", name="uq_api_token_label"),
)

TABLES = [api_tokens]


def upgrade(conn: Connection) -> None:
    metadata.create_all(conn, tables=TABLES)
