"""Migration 2 (frozen): what papersift learns from the user: ratings, interests, papers already shown.

Written out as at schema version 2; the tables it refers to (papers, profiles, runs) are declared
here only by the key columns the foreign keys need, and are not created by this migration.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, Text
from sqlalchemy.engine import Connection

metadata = MetaData()

# Earlier tables, only as far as the foreign keys below need them.
Table("papers", metadata, Column("id", Integer, primary_key=True))
Table("profiles", metadata, Column("id", Integer, primary_key=True))
Table("runs", metadata, Column("id", Integer, primary_key=True))

ratings = Table(
    "ratings",
    metadata,
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("paper_id", Integer, ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Column("rating", String(16), nullable=False),
    Column("origin", String(32), nullable=False, default="cli"),
    Column("created_at", String(32), nullable=False),
)

interests = Table(
    "interests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("label", Text, nullable=False, default=""),
    Column("name", Text),
    Column("muted", Integer, nullable=False, default=0),
    Column("model_id", String(300), nullable=False, default=""),
    Column("created_at", String(32), nullable=False),
)

interest_papers = Table(
    "interest_papers",
    metadata,
    Column("interest_id", Integer, ForeignKey("interests.id", ondelete="CASCADE"), primary_key=True),
    Column("paper_id", Integer, ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True, index=True),
)

shown = Table(
    "shown",
    metadata,
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("paper_id", Integer, ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="SET NULL")),
    Column("shown_at", String(32), nullable=False),
)


def upgrade(conn: Connection) -> None:
    metadata.create_all(conn, tables=[ratings, interests, interest_papers, shown], checkfirst=False)
