"""The few statements SQLite and PostgreSQL spell differently: insert-or-ignore, upsert, re-pointing rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, delete, exists, select, tuple_, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement


def _insert(conn: Connection, table: Table) -> Any:
    # The dialect's module is imported by the engine of that dialect anyway; naming both here would
    # make every SQLite store import PostgreSQL's dialect (and asyncio with it) at start-up.
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)


def insert_ignore(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows, skipping any that would break a unique key."""
    if rows:
        conn.execute(_insert(conn, table).on_conflict_do_nothing(), list(rows))


def insert_if_new(conn: Connection, table: Table, row: Mapping[str, Any]) -> bool:
    """Insert one row unless it would break a unique key; whether it was written."""
    key = list(table.primary_key.columns)[0]
    statement = _insert(conn, table).values(**row).on_conflict_do_nothing().returning(key)
    return conn.execute(statement).first() is not None


def upsert(
    conn: Connection,
    table: Table,
    values: Mapping[str, Any],
    key: Sequence[str],
    update_only: Sequence[str] | None = None,
) -> None:
    """Insert a row, or update the row with the same ``key`` columns to ``values`` (only the
    ``update_only`` columns, when given)."""
    statement = _insert(conn, table).values(**values)
    columns = update_only if update_only is not None else [name for name in values if name not in key]
    changes = {name: statement.excluded[name] for name in columns}
    conn.execute(statement.on_conflict_do_update(index_elements=list(key), set_=changes))


def upsert_many(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    key: Sequence[str],
    update_only: Sequence[str],
) -> None:
    """:func:`upsert` for many rows with the same columns."""
    if rows:
        statement = _insert(conn, table)
        changes = {name: statement.excluded[name] for name in update_only}
        conn.execute(statement.on_conflict_do_update(index_elements=list(key), set_=changes), list(rows))


def repoint(conn: Connection, table: Table, column: str, old: int, new: int) -> None:
    """Move ``table``'s rows from ``column == old`` to ``column == new``; where ``new`` already has
    the row (same other primary-key columns), ``new``'s row wins and ``old``'s is dropped."""
    target = table.c[column]
    others = [c for c in table.primary_key.columns if c.name != column]
    clash: ColumnElement[bool]
    if not others:
        clash = exists(select(target).where(target == new))
    elif len(others) == 1:
        clash = others[0].in_(select(others[0]).where(target == new))
    else:
        clash = tuple_(*others).in_(select(*others).where(target == new))
    if table.primary_key.columns.contains_column(target):
        conn.execute(delete(table).where(target == old, clash))
    conn.execute(update(table).where(target == old).values({column: new}))
