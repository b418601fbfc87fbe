"""The store's tables (SQLAlchemy Core) and its numbered migrations.

``PRAGMA user_version`` holds the number of the last migration applied; each
migration is a function run once, in order, inside one transaction.
"""

from __future__ import annotations

from collections.abc import Callable

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
    Column("authors", Text, nullable=False, default="[]"),  # JSON list
    Column("n_authors", Integer),
    Column("ids", Text, nullable=False, default="{}"),  # JSON {scheme: value}
    Column("date", String(32)),
    Column("venue", Text),
    Column("comments", Text),
    Column("upvotes", Integer),
    Column("links", Text, nullable=False, default="[]"),
    Column("extra", Text, nullable=False, default="{}"),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
)

# Every identity key (arxiv:, doi:, title:, abstract:) points at one paper.
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
    Column("vector", LargeBinary, nullable=False),  # float32, little-endian
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


def _migration_1(conn: Connection) -> None:
    """The first schema: papers, identities, provenance, profiles, candidates, embeddings, runs."""
    metadata.create_all(
        conn,
        tables=[papers, paper_keys, provenance, profiles, profile_papers, candidates, embeddings, runs, run_items],
    )


MIGRATIONS: list[Callable[[Connection], None]] = [_migration_1]
SCHEMA_VERSION = len(MIGRATIONS)
