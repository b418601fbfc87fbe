"""Migration 8 (frozen): a per-interest budget.

``interests.budget`` is the most picks a digest gives the interest; NULL (every existing interest)
means no limit of its own. The column is written out here as it was at this version; ``interests``
is declared only as far as the new column needs it.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, Table
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateColumn

metadata = MetaData()

interests = Table("interests", metadata, Column("id", Integer, primary_key=True))

budget = Column("budget", Integer, nullable=True)
interests.append_column(budget)


def upgrade(conn: Connection) -> None:
    column = CreateColumn(budget).compile(dialect=conn.dialect)
    conn.exec_driver_sql(f"ALTER TABLE interests ADD COLUMN {column}")
