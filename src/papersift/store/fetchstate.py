"""Fetch checkpoints: where a paged fetch got to, written with each page's papers in one transaction,
so a fetch that dies half-way resumes from its last stored page with nothing lost or written twice."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from . import schema as s
from .papers import ImportSummary


@dataclass(frozen=True)
class Checkpoint:
    """Where a fetch got to: the state to resume from, whether it finished, what it stored so far."""

    key: str
    label: str
    state: dict[str, Any]
    done: bool
    pages: int
    papers: int
    new: int
    started_at: str
    updated_at: str


@dataclass(frozen=True)
class PageStored:
    """What storing one page did, and the checkpoint's running totals after it."""

    summary: ImportSummary
    checkpoint: Checkpoint


def checkpoint(conn: Connection, key: str) -> Checkpoint | None:
    row = conn.execute(select(s.fetch_checkpoints).where(s.fetch_checkpoints.c.key == key)).first()
    return _checkpoint(row) if row else None


def advance(
    conn: Connection,
    key: str,
    label: str,
    state: dict[str, Any],
    done: bool,
    restart: bool,
    summary: ImportSummary,
    now: str,
) -> Checkpoint:
    """Move a checkpoint on by one stored page (``restart``: its totals start afresh)."""
    table = s.fetch_checkpoints
    row = conn.execute(select(table).where(table.c.key == key)).first()
    if row is None or restart:
        pages, read, new, started = 1, summary.read, summary.new, now
    else:
        pages, read, new, started = (
            row.pages + 1,
            row.papers + summary.read,
            row.new_papers + summary.new,
            row.started_at,
        )
    values = {
        "label": label,
        "state": json.dumps(state, sort_keys=True),
        "done": int(done),
        "pages": pages,
        "papers": read,
        "new_papers": new,
        "started_at": started,
        "updated_at": now,
    }
    if row is None:
        conn.execute(insert(table).values(key=key, **values))
    else:
        conn.execute(update(table).where(table.c.key == key).values(**values))
    return Checkpoint(key, label, state, done, pages, read, new, started, now)


def _checkpoint(row: Any) -> Checkpoint:
    return Checkpoint(
        key=row.key,
        label=row.label,
        state=json.loads(row.state or "{}"),
        done=bool(row.done),
        pages=row.pages,
        papers=row.papers,
        new=row.new_papers,
        started_at=row.started_at,
        updated_at=row.updated_at,
    )
