"""Migration 7 (frozen): an index on the background sample's order.

A digest calibrates its relevance against a stable sample of the store's papers, ordered by a
multiplicative hash of the id. Without an index that order sorts every paper on every digest (a
quarter of a second at 200,000 papers); with this index on the same expression, the sample is the
first rows of the index. The expression is written out here as it was at this version;
``papers.background_ids`` must order by exactly the same expression for the index to be used.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, MetaData, Table, literal_column
from sqlalchemy.engine import Connection

metadata = MetaData()

papers = Table("papers", metadata, Column("id", Integer, primary_key=True))

# The id (below 2**31) times Knuth's multiplicative constant, modulo 2**32: a 64-bit integer on both
# databases (PostgreSQL types the constant as bigint, so the product is bigint).
spread = (papers.c.id * literal_column("2654435761")) % literal_column("4294967296")

background_order = Index("ix_papers_background_order", spread, papers.c.id)


def upgrade(conn: Connection) -> None:
    background_order.create(conn)
