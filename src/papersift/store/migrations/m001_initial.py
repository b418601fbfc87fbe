"""Migration 1 (frozen): papers, identity keys, provenance, profiles, candidates, embeddings, runs.

These tables are written out as they were at schema version 1. Never import today's tables here and
never edit this file: a store created at version 1 has exactly this schema, and later migrations
change it only by adding to it.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
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

papers = Table(
    "papers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text, nullable=False, default=""),
    Column("abstract", Text, nullable=False, default=""),
    Column("authors", Text, nullable=False, default="[]"),
    Column("n_authors", Integer),
    Column("ids", Text, nullable=False, default="{}"),
    Column("date", String(32)),
    Column("venue", Text),
    Column("comments", Text),
    Column("upvotes", Integer),
    Column("links", Text, nullable=False, default="[]"),
    Column("extra", Text, nullable=False, default="{}"),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
)

paper_keys = Table(
    "paper_keys",
    metadata,
    Column("key", Text, primary_key=True),
    Column("paper_id", Integer, ForeignKey("papers.id", ondelete="CASCADE"), nullable=False, index=True),
)

provenance = Table(
    "provenance",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("paper_id", Integer, ForeignKey("papers.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("origin", Text, nullable=False),
    Column("format", String(64), nullable=False),
    Column("record", Integer),
    Column("line", Integer),
    Column("imported_at", String(32), nullable=False),
    UniqueConstraint("paper_id", "origin", "format", "record", name="uq_provenance"),
)

profiles = Table(
    "profiles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("created_at", String(32), nullable=False),
)

profile_papers = Table(
    "profile_papers",
    metadata,
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("paper_id", Integer, ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Column("added_at", String(32), nullable=False),
    Column("excluded", Integer, nullable=False, default=0),
)

candidates = Table(
    "candidates",
    metadata,
    Column("paper_id", Integer, ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Column("first_seen", String(32), nullable=False),
    Column("last_seen", String(32), nullable=False),
)

embeddings = Table(
    "embeddings",
    metadata,
    Column("model_id", String(300), primary_key=True),
    Column("content_hash", String(64), primary_key=True),
    Column("dim", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),
    Column("created_at", String(32), nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), index=True),
    Column("model_id", String(300), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("n_candidates", Integer, nullable=False),
    Column("params", Text, nullable=False, default="{}"),
)

run_items = Table(
    "run_items",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("rank", Integer, primary_key=True),
    Column("paper_id", Integer, ForeignKey("papers.id", ondelete="CASCADE"), nullable=False),
    Column("score", Float, nullable=False),
    Column("why", Text, nullable=False, default="[]"),
)


def upgrade(conn: Connection) -> None:
    metadata.create_all(conn, checkfirst=False)
