"""The local SQLite store. Only this package touches the database.

Every public write is one transaction: an import that fails half-way leaves
the store exactly as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from ..clock import now_iso as _now
from ..errors import StoreError
from ..identity import deduplicate, identity_keys, merge
from ..models import Paper, Provenance
from . import migrations
from . import schema as s
from .engine import WRITE_OPTION, Backend
from .fetchstate import FetchStateMixin
from .learning import LearningMixin


@dataclass(frozen=True)
class ImportSummary:
    """What an import did: papers read, new papers, papers merged into known ones."""

    read: int
    new: int
    merged: int


@dataclass(frozen=True)
class ProfileInfo:
    name: str
    n_papers: int
    created_at: str


class Store(LearningMixin, FetchStateMixin):
    """A papersift store: an SQLite file (the default) or a PostgreSQL URL; created and migrated on open."""

    def __init__(
        self,
        location: str | Path,
        *,
        lock_timeout: float = 600.0,
        on_wait: Callable[[str], None] | None = None,
        command: str | None = None,
    ) -> None:
        self._backend = Backend(location, lock_timeout=lock_timeout, on_wait=on_wait, command=command)
        self.engine: Engine = self._backend.engine
        self.path = self._backend.path if self._backend.path is not None else Path(self._backend.name)
        self.name = self._backend.name
        self._migrate()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One write transaction holding the store's write lock; database errors become :class:`StoreError`."""
        try:
            with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
                self._backend.lock_for_writing(conn)
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"the store {self.name} refused the write: {getattr(exc, 'orig', None) or exc}") from None
        finally:
            self._backend.done_writing()

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """One read-only snapshot; never waits for a writer. Database errors become :class:`StoreError`."""
        try:
            with self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"the store {self.name} could not be read: {getattr(exc, 'orig', None) or exc}") from None

    def _migrate(self) -> None:
        """Bring the schema up to date; safe when several processes open a new store at once."""
        try:
            with self.engine.connect() as conn:
                if migrations.up_to_date(conn):
                    return
            # Re-checked under the write lock: another process may have migrated meanwhile.
            with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
                self._backend.lock_for_writing(conn)
                migrations.upgrade(conn)
        except SQLAlchemyError as exc:
            raise StoreError(
                f"{self.name} is not a usable papersift store: {getattr(exc, 'orig', None) or exc}"
            ) from None
        finally:
            self._backend.done_writing()

    @property
    def schema_version(self) -> int:
        with self._read() as conn:
            return max(migrations.applied_versions(conn) or {0})

    # -- papers ---------------------------------------------------------

    def import_papers(
        self,
        papers: Iterable[Paper],
        profile: str | None = None,
        as_candidates: bool = False,
    ) -> ImportSummary:
        """Add papers (de-duplicated against each other and the store) in one transaction.

        With ``profile`` they join that profile (created if new); with
        ``as_candidates`` they become candidates for digests.
        """
        with self.transaction() as conn:
            return self._import_into(conn, papers, profile, as_candidates, _now())

    def _import_into(
        self, conn: Connection, papers: Iterable[Paper], profile: str | None, as_candidates: bool, now: str
    ) -> ImportSummary:
        """The body of :meth:`import_papers`, inside the caller's transaction (a fetch adds its checkpoint)."""
        incoming = deduplicate(papers)
        new = merged = 0
        profile_id = self._ensure_profile(conn, profile, now) if profile else None
        for paper in incoming:
            paper_id, was_new = self._upsert(conn, paper, now)
            new += was_new
            merged += not was_new
            if profile_id is not None:
                # A paper the user excluded (under any of its identity keys) joins the profile as excluded.
                excluded = int(self._is_excluded(conn, profile_id, paper_id))
                exists = conn.execute(
                    select(s.profile_papers.c.paper_id).where(
                        s.profile_papers.c.profile_id == profile_id, s.profile_papers.c.paper_id == paper_id
                    )
                ).first()
                if not exists:
                    conn.execute(
                        insert(s.profile_papers).values(
                            profile_id=profile_id, paper_id=paper_id, added_at=now, excluded=excluded
                        )
                    )
                elif excluded:
                    conn.execute(
                        update(s.profile_papers)
                        .where(s.profile_papers.c.profile_id == profile_id, s.profile_papers.c.paper_id == paper_id)
                        .values(excluded=1)
                    )
            if as_candidates:
                seen = conn.execute(select(s.candidates.c.paper_id).where(s.candidates.c.paper_id == paper_id)).first()
                if seen:
                    conn.execute(update(s.candidates).where(s.candidates.c.paper_id == paper_id).values(last_seen=now))
                else:
                    conn.execute(insert(s.candidates).values(paper_id=paper_id, first_seen=now, last_seen=now))
        return ImportSummary(read=len(incoming), new=new, merged=merged)

    def _upsert(self, conn: Connection, paper: Paper, now: str) -> tuple[int, bool]:
        keys = identity_keys(paper)
        rows = conn.execute(select(s.paper_keys.c.paper_id).where(s.paper_keys.c.key.in_(keys))).all() if keys else []
        existing = sorted({row.paper_id for row in rows})
        if not existing:
            paper_id = conn.execute(insert(s.papers).values(**_paper_row(paper), created_at=now, updated_at=now))
            new_id = s.new_row_id(paper_id)
            self._write_keys_and_sources(conn, new_id, paper, now)
            return new_id, True
        survivor = existing[0]
        combined = self._load(conn, survivor)
        for other in existing[1:]:
            merge(combined, self._load(conn, other))
            self._absorb(conn, survivor, other)
        merge(combined, paper)
        conn.execute(update(s.papers).where(s.papers.c.id == survivor).values(**_paper_row(combined), updated_at=now))
        self._write_keys_and_sources(conn, survivor, combined, now)
        return survivor, False

    def _absorb(self, conn: Connection, survivor: int, other: int) -> None:
        """Re-point everything that referred to ``other`` at ``survivor``, then drop ``other``."""
        conn.execute(update(s.paper_keys).where(s.paper_keys.c.paper_id == other).values(paper_id=survivor))
        for table in (s.profile_papers, s.candidates, s.ratings, s.interest_papers, s.shown):
            # Both may hold a row already; the survivor's row wins.
            conn.execute(
                table.update().prefix_with("OR IGNORE").where(table.c.paper_id == other).values(paper_id=survivor)
            )
            conn.execute(delete(table).where(table.c.paper_id == other))
        conn.execute(update(s.run_items).where(s.run_items.c.paper_id == other).values(paper_id=survivor))
        conn.execute(delete(s.papers).where(s.papers.c.id == other))

    def _write_keys_and_sources(self, conn: Connection, paper_id: int, paper: Paper, now: str) -> None:
        for key in identity_keys(paper):
            conn.execute(insert(s.paper_keys).prefix_with("OR IGNORE").values(key=key, paper_id=paper_id))
        for source in paper.sources:
            conn.execute(
                insert(s.provenance)
                .prefix_with("OR IGNORE")
                .values(
                    paper_id=paper_id,
                    origin=source.origin,
                    format=source.format,
                    record=source.record,
                    line=source.line,
                    imported_at=now,
                )
            )

    def _load(self, conn: Connection, paper_id: int) -> Paper:
        row = conn.execute(select(s.papers).where(s.papers.c.id == paper_id)).one()
        sources = conn.execute(
            select(s.provenance).where(s.provenance.c.paper_id == paper_id).order_by(s.provenance.c.id)
        ).all()
        return _paper_from_row(row, sources)

    def _load_many(self, conn: Connection, paper_ids: Sequence[int]) -> list[Paper]:
        if not paper_ids:
            return []
        rows = {r.id: r for r in conn.execute(select(s.papers).where(s.papers.c.id.in_(paper_ids))).all()}
        by_paper: dict[int, list[Any]] = {}
        for src in conn.execute(
            select(s.provenance).where(s.provenance.c.paper_id.in_(paper_ids)).order_by(s.provenance.c.id)
        ).all():
            by_paper.setdefault(src.paper_id, []).append(src)
        return [_paper_from_row(rows[i], by_paper.get(i, [])) for i in paper_ids if i in rows]

    def paper_count(self) -> int:
        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(s.papers)).scalar_one())

    def candidate_papers(self, since: str | None = None) -> list[Paper]:
        """Candidates for digests (optionally only those first seen at or after ``since``, ISO)."""
        query = select(s.candidates.c.paper_id).order_by(s.candidates.c.first_seen, s.candidates.c.paper_id)
        if since:
            query = query.where(s.candidates.c.first_seen >= since)
        with self._read() as conn:
            ids = [r.paper_id for r in conn.execute(query).all()]
            return self._load_many(conn, ids)

    # -- profiles -------------------------------------------------------

    def _ensure_profile(self, conn: Connection, name: str, now: str) -> int:
        row = conn.execute(select(s.profiles.c.id).where(s.profiles.c.name == name)).first()
        if row:
            return int(row.id)
        return s.new_row_id(conn.execute(insert(s.profiles).values(name=name, created_at=now)))

    def _profile_id(self, conn: Connection, name: str) -> int:
        row = conn.execute(select(s.profiles.c.id).where(s.profiles.c.name == name)).first()
        if row is None:
            known = [r.name for r in conn.execute(select(s.profiles.c.name).order_by(s.profiles.c.name)).all()]
            hint = (
                f" (known profiles: {', '.join(known)})" if known else " (import one with `papersift profile import`)"
            )
            raise StoreError(f"there is no profile named '{name}'{hint}")
        return int(row.id)

    def profiles(self) -> list[ProfileInfo]:
        with self._read() as conn:
            rows = conn.execute(
                select(s.profiles.c.name, s.profiles.c.created_at, func.count(s.profile_papers.c.paper_id))
                .select_from(s.profiles.outerjoin(s.profile_papers))
                .group_by(s.profiles.c.id)
                .order_by(s.profiles.c.name)
            ).all()
        return [ProfileInfo(name=r[0], created_at=r[1], n_papers=int(r[2])) for r in rows]

    def profile_papers(self, name: str, include_excluded: bool = False) -> list[Paper]:
        with self._read() as conn:
            profile_id = self._profile_id(conn, name)
            query = select(s.profile_papers.c.paper_id).where(s.profile_papers.c.profile_id == profile_id)
            if not include_excluded:
                query = query.where(s.profile_papers.c.excluded == 0)
            ids = [r.paper_id for r in conn.execute(query.order_by(s.profile_papers.c.paper_id)).all()]
            return self._load_many(conn, ids)

    # -- embeddings -----------------------------------------------------

    def get_embeddings(self, model_id: str, content_hashes: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._read() as conn:
            for start in range(0, len(content_hashes), 500):
                chunk = list(content_hashes[start : start + 500])
                rows = conn.execute(
                    select(s.embeddings.c.content_hash, s.embeddings.c.vector).where(
                        s.embeddings.c.model_id == model_id, s.embeddings.c.content_hash.in_(chunk)
                    )
                ).all()
                for row in rows:
                    found[row.content_hash] = np.frombuffer(row.vector, dtype="<f4")
        return found

    def put_embeddings(self, model_id: str, vectors: dict[str, np.ndarray]) -> None:
        now = _now()
        rows = [
            {
                "model_id": model_id,
                "content_hash": content_hash,
                "dim": int(vector.shape[0]),
                "vector": np.asarray(vector, dtype="<f4").tobytes(),
                "created_at": now,
            }
            for content_hash, vector in vectors.items()
        ]
        if rows:
            with self.transaction() as conn:
                conn.execute(insert(s.embeddings).prefix_with("OR IGNORE"), rows)

    # -- runs -----------------------------------------------------------

    def record_run(
        self,
        profile: str | None,
        model_id: str,
        n_candidates: int,
        items: Sequence[tuple[int, float, Paper, list[dict[str, Any]]]],
        params: dict[str, Any] | None = None,
        mark_shown: bool = False,
    ) -> int:
        """Remember a ranking run: (rank, score, paper, why) per recommendation.

        With ``mark_shown`` (and a profile) its papers count as shown to the profile, in the same transaction.
        """
        now = _now()
        with self.transaction() as conn:
            profile_id = self._profile_id(conn, profile) if profile else None
            run_id = s.new_row_id(
                conn.execute(
                    insert(s.runs).values(
                        profile_id=profile_id,
                        model_id=model_id,
                        created_at=now,
                        n_candidates=n_candidates,
                        params=json.dumps(params or {}),
                    )
                )
            )
            shown_ids = []
            for rank, score, paper, why in items:
                keys = identity_keys(paper)
                row = conn.execute(select(s.paper_keys.c.paper_id).where(s.paper_keys.c.key.in_(keys)).limit(1)).first()
                if row is None:
                    continue
                conn.execute(
                    insert(s.run_items).values(
                        run_id=run_id, rank=rank, paper_id=row.paper_id, score=score, why=json.dumps(why)
                    )
                )
                shown_ids.append(int(row.paper_id))
            if mark_shown and profile_id is not None:
                self._mark_shown(conn, profile_id, shown_ids, run_id)
        return run_id

    def run_count(self) -> int:
        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(s.runs)).scalar_one())


def _paper_row(paper: Paper) -> dict[str, Any]:
    return {
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": json.dumps(paper.authors),
        "n_authors": paper.n_authors,
        "ids": json.dumps(paper.ids, sort_keys=True),
        "date": paper.date,
        "venue": paper.venue,
        "comments": paper.comments,
        "upvotes": paper.upvotes,
        "links": json.dumps(paper.links),
        "extra": json.dumps(paper.extra, sort_keys=True),
    }


def _paper_from_row(row: Any, sources: Sequence[Any]) -> Paper:
    paper = Paper(
        title=row.title,
        abstract=row.abstract,
        authors=json.loads(row.authors),
        n_authors=row.n_authors,
        ids=json.loads(row.ids),
        date=row.date,
        venue=row.venue,
        comments=row.comments,
        upvotes=row.upvotes,
        links=json.loads(row.links),
        extra=json.loads(row.extra),
        sources=[Provenance(src.origin, src.format, src.record, src.line) for src in sources],
    )
    paper.store_id = row.id
    return paper
