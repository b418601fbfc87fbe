"""Migration 6 (frozen): an index on ``candidates.last_seen``.

A digest considers only the candidates seen within its window (``candidate_window_days``); with
this index it reads those rows, not every candidate the store ever had. ``candidates`` is declared
here only as far as the index needs it.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, MetaData, String, Table
from sqlalchemy.engine import Connection

metadata = MetaData()

candidates = Table(
    "candidates",
    metadata,
    Column("paper_id", Integer, primary_key=True),
    Column("last_seen", String(32), nullable=False),
)

last_seen = Index("ix_candidates_last_seen", candidates.c.last_seen)


def upgrade(conn: Connection) -> None:
    last_seen.create(conn)
