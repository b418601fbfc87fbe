"""Migration 4: accounts and what the web app keeps per profile.

Frozen as written for schema version 4: the tables are declared here, never imported from today's
schema. ``profiles``, ``runs`` and ``papers`` appear only as the stubs the foreign keys need.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, Text
from sqlalchemy.engine import Connection

metadata = MetaData()

# Stubs of earlier tables, so the foreign keys below resolve; never created here.
Table("profiles", metadata, Column("id", Integer, primary_key=True))
Table("runs", metadata, Column("id", Integer, primary_key=True))

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),  # argon2id, as argon2-cffi encodes it
    Column("is_admin", Integer, nullable=False, default=0),
    Column("created_at", String(32), nullable=False),
)

# A signed-in browser: the cookie carries a random token, the table only its SHA-256.
sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
)

# Who owns a profile (multi-user mode): only its owner reads or changes it.
profile_owners = Table(
    "profile_owners",
    metadata,
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
)

# Per-profile settings as JSON (digest size, minimum relevance, e-mail, sources...) and the lab opt-in.
profile_settings = Table(
    "profile_settings",
    metadata,
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("settings", Text, nullable=False, default="{}"),
    Column("lab_opt_in", Integer, nullable=False, default=0),
    Column("updated_at", String(32), nullable=False),
)

# What a run's picks were beyond run_items (which keeps rank, score and the closest own papers):
# the interest each served, its calibrated relevance and the ratings that moved it, as JSON.
run_picks = Table(
    "run_picks",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("rank", Integer, primary_key=True),
    Column("details", Text, nullable=False, default="{}"),
)

TABLES = [users, sessions, profile_owners, profile_settings, run_picks]


def upgrade(conn: Connection) -> None:
    """Users, sessions, profile ownership, per-profile settings and lab opt-in, run pick details."""
    metadata.create_all(conn, tables=TABLES)
