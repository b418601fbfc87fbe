"""The store's side of fetching (migration 3): checkpoints, profile sources, profile exclusions.

A mixin of :class:`~papersift.store.db.Store`. :meth:`FetchStateMixin.store_page` writes a
page's papers and its checkpoint in one transaction, so a fetch that dies half-way resumes
from its last stored page with nothing lost and nothing written twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Engine

from ..clock import now_iso as _now
from ..identity import identity_keys
from . import schema as s

if TYPE_CHECKING:
    from pathlib import Path

    from ..models import Paper
    from .db import ImportSummary


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
class SourceRecord:
    """One source of a profile's papers."""

    kind: str
    value: str
    added_at: str
    fetched_at: str | None = None


@dataclass(frozen=True)
class PageStored:
    """What storing one page did, and the checkpoint's running totals after it."""

    summary: ImportSummary
    checkpoint: Checkpoint


class FetchStateMixin:
    """Methods :class:`Store` gains from migration 3."""

    engine: Engine
    path: Path

    if TYPE_CHECKING:  # provided by Store

        def transaction(self) -> AbstractContextManager[Connection]: ...

        def _read(self) -> AbstractContextManager[Connection]: ...

        def _profile_id(self, conn: Connection, name: str) -> int: ...

        def _ensure_profile(self, conn: Connection, name: str, now: str) -> int: ...

        def _import_into(
            self, conn: Connection, papers: Iterable[Paper], profile: str | None, as_candidates: bool, now: str
        ) -> ImportSummary: ...

        def _load(self, conn: Connection, paper_id: int) -> Paper: ...

    # -- checkpoints ---------------------------------------------------------

    def checkpoint(self, key: str) -> Checkpoint | None:
        with self._read() as conn:
            row = conn.execute(select(s.fetch_checkpoints).where(s.fetch_checkpoints.c.key == key)).first()
        return _checkpoint(row) if row else None

    def checkpoints(self) -> list[Checkpoint]:
        with self._read() as conn:
            rows = conn.execute(select(s.fetch_checkpoints).order_by(s.fetch_checkpoints.c.updated_at.desc())).all()
        return [_checkpoint(r) for r in rows]

    def store_page(
        self,
        papers: Iterable[Paper],
        key: str,
        label: str,
        state: dict[str, Any],
        done: bool,
        restart: bool,
        profile: str | None = None,
        as_candidates: bool = False,
    ) -> PageStored:
        """Import one fetched page and move its checkpoint on, in one transaction.

        ``restart`` starts the checkpoint's totals afresh (a new fetch); otherwise they accumulate.
        """
        now = _now()
        table = s.fetch_checkpoints
        with self.transaction() as conn:
            summary = self._import_into(conn, papers, profile, as_candidates, now)
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
        checkpoint = Checkpoint(key, label, state, done, pages, read, new, started, now)
        return PageStored(summary, checkpoint)

    # -- profile sources -----------------------------------------------------

    def add_profile_source(self, profile: str, kind: str, value: str) -> bool:
        """Remember a source of ``profile`` (created if new); False if it was already known."""
        now = _now()
        table = s.profile_sources
        with self.transaction() as conn:
            profile_id = self._ensure_profile(conn, profile, now)
            known = conn.execute(
                select(table.c.id).where(table.c.profile_id == profile_id, table.c.kind == kind, table.c.value == value)
            ).first()
            if known:
                conn.execute(update(table).where(table.c.id == known.id).values(fetched_at=now))
                return False
            conn.execute(
                insert(table).values(profile_id=profile_id, kind=kind, value=value, added_at=now, fetched_at=now)
            )
            return True

    def profile_sources(self, profile: str) -> list[SourceRecord]:
        table = s.profile_sources
        with self._read() as conn:
            profile_id = self._profile_id(conn, profile)
            rows = conn.execute(select(table).where(table.c.profile_id == profile_id).order_by(table.c.id)).all()
        return [SourceRecord(r.kind, r.value, r.added_at, r.fetched_at) for r in rows]

    # -- exclusions ----------------------------------------------------------

    def exclude_profile_paper(self, profile: str, paper_id: int) -> None:
        """Keep a paper out of ``profile`` now and whenever it comes back, under any of its identity keys."""
        now = _now()
        with self.transaction() as conn:
            profile_id = self._profile_id(conn, profile)
            keys = {r.key for r in conn.execute(select(s.paper_keys.c.key).where(s.paper_keys.c.paper_id == paper_id))}
            keys.update(identity_keys(self._load(conn, paper_id)))
            for key in sorted(keys):
                conn.execute(
                    insert(s.profile_exclusions)
                    .prefix_with("OR IGNORE")
                    .values(profile_id=profile_id, key=key, excluded_at=now)
                )
            table = s.profile_papers
            where = (table.c.profile_id == profile_id, table.c.paper_id == paper_id)
            if conn.execute(select(table.c.paper_id).where(*where)).first():
                conn.execute(update(table).where(*where).values(excluded=1))
            else:
                conn.execute(insert(table).values(profile_id=profile_id, paper_id=paper_id, added_at=now, excluded=1))

    def include_profile_paper(self, profile: str, paper_id: int) -> None:
        """Undo :meth:`exclude_profile_paper`."""
        with self.transaction() as conn:
            profile_id = self._profile_id(conn, profile)
            keys = [r.key for r in conn.execute(select(s.paper_keys.c.key).where(s.paper_keys.c.paper_id == paper_id))]
            conn.execute(
                delete(s.profile_exclusions).where(
                    s.profile_exclusions.c.profile_id == profile_id, s.profile_exclusions.c.key.in_(keys)
                )
            )
            table = s.profile_papers
            conn.execute(
                update(table).where(table.c.profile_id == profile_id, table.c.paper_id == paper_id).values(excluded=0)
            )

    def excluded_count(self, profile: str) -> int:
        table = s.profile_papers
        with self._read() as conn:
            profile_id = self._profile_id(conn, profile)
            rows = conn.execute(select(table.c.paper_id).where(table.c.profile_id == profile_id, table.c.excluded == 1))
            return len(rows.all())

    def _is_excluded(self, conn: Connection, profile_id: int, paper_id: int) -> bool:
        row = conn.execute(
            select(s.profile_exclusions.c.key)
            .join(s.paper_keys, s.paper_keys.c.key == s.profile_exclusions.c.key)
            .where(s.profile_exclusions.c.profile_id == profile_id, s.paper_keys.c.paper_id == paper_id)
            .limit(1)
        ).first()
        return row is not None


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
