"""Numbered migrations with frozen DDL, and the record of which ones a store has had.

Each migration is a module ``mNNN_name.py`` defining its own ``MetaData``/``Table`` objects as they
were written at that version (never today's tables from :mod:`papersift.store.schema`) and
``upgrade(conn)``. The table ``schema_version`` holds one row per migration applied, so it works the
same on SQLite and PostgreSQL; SQLite's ``PRAGMA user_version`` is kept equal to the highest number
so that an older papersift, which read only that, still refuses a newer store. Stores made before
``schema_version`` existed are adopted from their ``user_version``.

To add a migration: write ``mNNN_what.py`` in this shape, append its name to ``NAMES`` and
declare the resulting tables in :mod:`papersift.store.schema`. Numbers need not be contiguous; a
store gets every known migration it has not had, in number order.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, insert, inspect, select, text
from sqlalchemy.engine import Connection

from ... import clock
from ...errors import StoreError

# In number order. A store that is up to date (every open but the first) runs none of them, so their
# modules, each building its own tables, are imported only when a store needs them.
NAMES: tuple[str, ...] = (
    "m001_initial",
    "m002_learning",
    "m003_fetching",
    "m004_accounts",
    "m005_deliveries",
    "m006_candidate_window",
    "m007_background_sample",
    "m008_interest_budget",
    "m009_api_tokens",
    "m010_digest_record",
)


def number(migration: ModuleType | str) -> int:
    """A migration's number, from its module name (``m004_accounts`` -> 4)."""
    return int(name(migration)[1:4])


def name(migration: ModuleType | str) -> str:
    return (migration if isinstance(migration, str) else migration.__name__).rsplit(".", 1)[-1]


NAME_OF = {number(n): n for n in NAMES}
SCHEMA_VERSION = max(NAME_OF)


def load(version: int) -> ModuleType:
    """Migration number ``version``'s module."""
    return importlib.import_module(f"{__name__}.{NAME_OF[version]}")


def __getattr__(attribute: str) -> Any:
    # ``MIGRATIONS`` (the modules, in order) and ``KNOWN`` (number -> module) import every migration.
    if attribute == "MIGRATIONS":
        return [load(n) for n in sorted(NAME_OF)]
    if attribute == "KNOWN":
        return {n: load(n) for n in sorted(NAME_OF)}
    raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")


_bookkeeping = MetaData()
schema_version = Table(
    "schema_version",
    _bookkeeping,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(200), nullable=False),
    Column("applied_at", String(32), nullable=False),
)


def applied_versions(conn: Connection) -> set[int] | None:
    """The migrations a store has had; None for a store that has never been migrated."""
    if inspect(conn).has_table("schema_version"):
        return {int(r.version) for r in conn.execute(select(schema_version.c.version))}
    if conn.dialect.name == "sqlite":
        legacy = int(conn.execute(text("PRAGMA user_version")).scalar_one())
        if legacy:
            return set(range(1, legacy + 1))
    return None


def pending(applied: set[int] | None) -> list[ModuleType]:
    """The known migrations a store with ``applied`` still needs; refuses a store from a newer papersift."""
    done = applied or set()
    unknown = sorted(done - set(NAME_OF))
    if unknown:
        raise StoreError(
            f"the store has schema version {max(unknown)}, newer than this papersift ({SCHEMA_VERSION}); "
            "upgrade papersift"
        )
    return [load(n) for n in sorted(NAME_OF) if n not in done]


def up_to_date(conn: Connection) -> bool:
    """True when the store has had every known migration and records them in ``schema_version``."""
    return not pending(applied_versions(conn)) and inspect(conn).has_table("schema_version")


def upgrade(conn: Connection, now: str | None = None) -> list[int]:
    """Apply every pending migration inside the caller's transaction (which holds the write lock).

    ``now`` stamps them (the store's clock; default: the time now). Returns the numbers applied.
    """
    applied = applied_versions(conn)
    todo = pending(applied)
    now = now or clock.timestamp()
    if not inspect(conn).has_table("schema_version"):
        _bookkeeping.create_all(conn)
        # A store made before this table existed: record what its user_version said it had.
        for version in sorted(applied or ()):
            conn.execute(insert(schema_version).values(version=version, name=NAME_OF[version], applied_at=now))
    for migration in todo:
        migration.upgrade(conn)
        conn.execute(insert(schema_version).values(version=number(migration), name=name(migration), applied_at=now))
    if conn.dialect.name == "sqlite" and todo:
        highest = max(number(m) for m in todo) if not applied else max({*applied, *(number(m) for m in todo)})
        conn.execute(text(f"PRAGMA user_version = {int(highest)}"))
    return [number(m) for m in todo]
