"""Today's tables (SQLAlchemy Core): what the code queries.

The database is built by the numbered migrations in :mod:`papersift.store.migrations`, each with
its own frozen DDL; a change here needs a new migration, and a test checks that a freshly migrated
store has exactly these tables.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    literal_column,
)
from sqlalchemy.engine import CursorResult

from ..errors import StoreError
from .migrations import m004_accounts as m004
from .migrations import m005_deliveries as m005
from .migrations import m009_api_tokens as m009
from .migrations import m010_digest_record as m010

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

# The background sample's order (migration 7): a multiplicative hash of the id, indexed so that a
# digest reads the sample's first rows instead of sorting every paper. One expression, used by both.
BACKGROUND_ORDER = (papers.c.id * literal_column("2654435761")) % literal_column("4294967296")
Index("ix_papers_background_order", BACKGROUND_ORDER, papers.c.id)

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
    # Since migration 6: a digest reads only the candidates of its window.
    Index("ix_candidates_last_seen", "last_seen"),
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

# -- since migration 2: what papersift learns from the user ----------------------

# One rating per (profile, paper): rating again replaces it. ``rating`` is up, down, save or dismiss;
# ``origin`` says where it was given (cli, web, digest).
ratings = Table(
    "ratings",
    metadata,
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("paper_id", Integer, ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Column("rating", String(16), nullable=False),
    Column("origin", String(32), nullable=False, default="cli"),
    Column("created_at", String(32), nullable=False),
)

# A profile's papers grouped into interests; ``label`` is found automatically, ``name`` is the user's.
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
    # Since migration 8: the most picks a digest gives this interest (NULL: no limit of its own).
    Column("budget", Integer),
)

interest_papers = Table(
    "interest_papers",
    metadata,
    Column("interest_id", Integer, ForeignKey("interests.id", ondelete="CASCADE"), primary_key=True),
    Column("paper_id", Integer, ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True, index=True),
)

# -- since migration 3: where papers come from, and fetches that can resume --------

# A profile's sources, re-pulled by `profile refresh`: kind is openalex, orcid, s2-author, dblp,
# arxiv-author, zotero or file; value the id, name or path (never a secret).
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

# Papers kept out of a profile, by every identity key they had when excluded: a later version
# (a journal DOI, a new arXiv version) that shares any key stays out too.
profile_exclusions = Table(
    "profile_exclusions",
    metadata,
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("key", Text, primary_key=True),
    Column("excluded_at", String(32), nullable=False),
)

# One row per fetch request (``key``, e.g. ``openalex:filter=author.id:A1&search=``): the state to
# resume from (JSON: a cursor, token or offset), whether it finished, and what it stored so far.
# Each page's papers and this row are written in one transaction.
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


# -- since migrations 4 and 5: accounts (web) and deliveries (e-mail, feeds) ------------------
# Unchanged since they were written, so today's tables are copies of those migrations' tables; a
# migration that changes one replaces its copy here with a full declaration.
users, sessions, profile_owners, profile_settings = (t.to_metadata(metadata) for t in m004.TABLES[:4])
unsubscribes, feed_tokens = (t.to_metadata(metadata) for t in m005.TABLES[2:])

# -- since migration 10: one digest record -------------------------------------------------------
# A digest (made by `papersift digest`, the web, or the daily run for a day) and its picks, which
# deliveries and the shown papers point at; every channel reads these rows (see migration 10).
digests, digest_picks, deliveries, shown = (t.to_metadata(metadata) for t in m010.TABLES)

# -- since migration 9: API tokens for scripts (only their SHA-256 is kept) ------------------
(api_tokens,) = (t.to_metadata(metadata) for t in m009.TABLES)


def new_row_id(result: CursorResult[Any]) -> int:
    """The primary key of the row an INSERT just wrote."""
    key = result.inserted_primary_key
    if key is None or key[0] is None:
        raise StoreError("the store did not report the id of a new row")
    return int(key[0])
