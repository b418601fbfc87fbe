"""The store: one SQLite file (the default) or a PostgreSQL database. Only this package touches it.

:class:`Store` owns the connection, the clock and error translation; the work is done by plain
functions in :mod:`.papers`, :mod:`.profiles`, :mod:`.learning`, :mod:`.fetchstate` and
:mod:`.digest`, each taking a connection. Every public write is one transaction holding the store's
write lock (an import that fails half-way leaves the store exactly as it was); every read is one
snapshot that never waits for a writer. Any database error becomes a :class:`StoreError`.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from .. import clock as clocks
from ..errors import StoreError
from ..identity import deduplicate
from ..models import Paper
from . import fetchstate, learning, migrations, papers, profiles
from . import schema as s
from .deliveries import DeliveryRecords
from .digest import DigestInputs, read_digest_inputs
from .digest_record import DigestRecords
from .engine import WRITE_OPTION, Backend
from .fetchstate import Checkpoint, PageStored
from .learning import InterestRecord, RatingRecord
from .papers import ImportSummary, PaperCache
from .profiles import ProfileInfo, SourceRecord
from .sql import insert_ignore
from .users import AccountsMixin

Clock = Callable[[], dt.datetime]


# An interest's budget is a count of picks per digest; anything above this is a typing mistake.
MAX_INTEREST_BUDGET = 1000


class Store(AccountsMixin, DigestRecords, DeliveryRecords):
    """A papersift store, created and migrated on open.

    ``location`` is a file path (SQLite) or a ``postgresql://`` URL. A writer that finds the store
    busy waits up to ``lock_timeout`` seconds, telling ``on_wait`` (default: stderr) once which
    command holds it. ``clock`` gives the time stamps of everything written.
    """

    def __init__(
        self,
        location: str | Path,
        *,
        lock_timeout: float = 600.0,
        on_wait: Callable[[str], None] | None = None,
        command: str | None = None,
        clock: Clock = clocks.now,
    ) -> None:
        self._backend = Backend(location, lock_timeout=lock_timeout, on_wait=on_wait, command=command)
        # The connection of an open :meth:`reading` block in this thread (or task), if any.
        self._reader: ContextVar[Connection | None] = ContextVar(f"papersift_store_reader_{id(self)}", default=None)
        self.engine: Engine = self._backend.engine
        self.name = self._backend.name
        # The file of an SQLite store; for PostgreSQL, the URL without its password.
        self.path = self._backend.path if self._backend.path is not None else Path(self.name)
        self.clock = clock
        try:
            self._migrate()
        except BaseException:
            self.engine.dispose()
            raise

    def now(self) -> str:
        """The store's one clock, as the ISO time stamp every table stores."""
        return clocks.timestamp(self.clock())

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ---------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One write transaction holding the store's write lock; database errors become :class:`StoreError`."""
        try:
            with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
                try:
                    with conn.begin():
                        self._backend.lock_for_writing(conn)
                        yield conn
                finally:
                    self._backend.done_writing(conn)
        except SQLAlchemyError as exc:
            raise StoreError(f"the store {self.name} refused the write: {_reason(exc)}") from None
        finally:
            reader = self._reader.get()
            if reader is not None and reader.in_transaction():
                # Reads after this write, in the same :meth:`reading` block, see it.
                reader.rollback()

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """One read-only snapshot that never waits for a writer; database errors become :class:`StoreError`.

        Inside :meth:`reading`, the block's connection and read transaction."""
        try:
            reader = self._reader.get()
            if reader is not None:
                yield reader
                return
            with self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"the store {self.name} could not be read: {_reason(exc)}") from None

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Every :meth:`snapshot` in this block (this thread or task) reads through one connection and one
        read transaction: one consistent view for a whole page, and one connection checkout and BEGIN
        instead of one per store call. A write inside the block ends that read transaction, so later
        reads see it. Nested blocks share the outer one's connection."""
        if self._reader.get() is not None:
            yield
            return
        try:
            with self.engine.connect() as conn:
                token = self._reader.set(conn)
                try:
                    yield
                finally:
                    self._reader.reset(token)
        except SQLAlchemyError as exc:
            raise StoreError(f"the store {self.name} could not be read: {_reason(exc)}") from None

    def _migrate(self) -> None:
        """Bring the schema up to date; safe when several processes open a new store at once.

        While a new SQLite file is still in rollback-journal mode (before the first opener switches it
        to WAL), SQLite answers "database is locked" at once to one of two openers instead of letting
        it wait (its deadlock rule, which skips the busy handler); such an opener tries again.
        """
        started = time.monotonic()
        while True:
            try:
                self._migrate_once()
                return
            except SQLAlchemyError as exc:
                cause = str(getattr(exc, "orig", exc))
                busy = "locked" in cause or "busy" in cause
                if not busy or time.monotonic() - started > self._backend.lock_timeout:
                    raise StoreError(f"{self.name} is not a usable papersift store: {_reason(exc)}") from None
                self.engine.dispose()
                time.sleep(random.uniform(0.05, 0.25))

    def _migrate_once(self) -> None:
        with self.engine.connect() as conn:
            if migrations.up_to_date(conn):
                return
        # Re-checked under the write lock: another process may have migrated meanwhile.
        with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
            try:
                with conn.begin():
                    self._backend.lock_for_writing(conn)
                    migrations.upgrade(conn, self.now())
            finally:
                self._backend.done_writing(conn)

    @property
    def schema_version(self) -> int:
        with self.snapshot() as conn:
            return max(migrations.applied_versions(conn) or {0})

    # -- papers -------------------------------------------------------------------------

    def import_papers(
        self, items: Iterable[Paper], profile: str | None = None, as_candidates: bool = False
    ) -> ImportSummary:
        """Add papers (de-duplicated against each other and the store) in one transaction.

        With ``profile`` they join that profile (created if new); with ``as_candidates`` they
        become candidates for digests. The de-duplication lookup and the writes are one
        transaction under the write lock, so concurrent imports never store a paper twice.
        """
        incoming = deduplicate(items)  # before taking the write lock: it needs no database
        now = self.now()
        with self.transaction() as conn:
            profile_id = profiles.ensure_profile(conn, profile, now) if profile else None
            return papers.import_into(conn, incoming, profile_id, as_candidates, now)

    def paper_count(self) -> int:
        with self.snapshot() as conn:
            return papers.paper_count(conn)

    def candidate_papers(self, since: str | None = None) -> list[Paper]:
        """Candidates for digests (optionally only those first seen at or after ``since``, ISO)."""
        query = select(s.candidates.c.paper_id).order_by(s.candidates.c.first_seen, s.candidates.c.paper_id)
        if since:
            query = query.where(s.candidates.c.first_seen >= since)
        with self.snapshot() as conn:
            return papers.load_many(conn, [r.paper_id for r in conn.execute(query)])

    def papers_by_id(self, paper_ids: Sequence[int], cache: PaperCache | None = None) -> list[Paper]:
        """The papers with these ids, in this order; with ``cache``, those it holds unchanged from it."""
        with self.snapshot() as conn:
            return cache.load(conn, list(paper_ids)) if cache is not None else papers.load_many(conn, list(paper_ids))

    def titled_arxiv_ids(self, arxiv_ids: Sequence[str]) -> set[str]:
        """Those of ``arxiv_ids`` (normalized, as in ``Paper.ids``) whose stored paper has a title."""
        with self.snapshot() as conn:
            return papers.titled_arxiv_ids(conn, list(arxiv_ids))

    def resolve_paper(self, ref: str) -> int:
        """The store id of the paper called ``ref``: a store id, an arXiv id (any version), a DOI or an exact title."""
        ref = ref.strip()
        if not ref:
            raise StoreError("name a paper: a store id, an arXiv id, a DOI, its h-... handle or its exact title")
        with self.snapshot() as conn:
            found = papers.resolve(conn, ref)
        if not found:
            hint = "give a store id, an arXiv id, a DOI, an h-... handle or the exact title"
            if ref.lower().startswith("h-"):
                # `rank` prints handles of papers it read from files: they name a paper once the file is imported.
                hint = (
                    "a handle `papersift rank` printed names a paper once its file is imported: "
                    "papersift feed import FILE"
                )
            raise StoreError(f"no paper in the store matches '{ref}' ({hint})")
        if len(found) > 1:
            ids = ", ".join(str(i) for i in sorted(found))
            raise StoreError(f"'{ref}' matches several papers (store ids {ids}); give one store id")
        return found.pop()

    def background_paper_ids(self, exclude: Sequence[int] = (), limit: int = 400) -> list[int]:
        """A stable sample of the store's papers: the same ids come back as the store grows."""
        with self.snapshot() as conn:
            return papers.background_ids(conn, exclude, limit)

    # -- profiles ---------------------------------------------------------------------

    def profiles(self) -> list[ProfileInfo]:
        with self.snapshot() as conn:
            return profiles.list_profiles(conn)

    def profile_papers(self, name: str, include_excluded: bool = False) -> list[Paper]:
        with self.snapshot() as conn:
            ids = profiles.profile_paper_ids(conn, profiles.profile_id(conn, name), include_excluded)
            return papers.load_many(conn, ids)

    def profile_paper_ids(self, name: str, include_excluded: bool = False) -> list[int]:
        """The store ids of a profile's papers (without loading them)."""
        with self.snapshot() as conn:
            return profiles.profile_paper_ids(conn, profiles.profile_id(conn, name), include_excluded)

    def add_profile_source(self, profile: str, kind: str, value: str) -> bool:
        """Remember a source of ``profile`` (created if new); False if it was already known."""
        now = self.now()
        with self.transaction() as conn:
            return profiles.add_source(conn, profiles.ensure_profile(conn, profile, now), kind, value, now)

    def profile_sources(self, profile: str) -> list[SourceRecord]:
        with self.snapshot() as conn:
            return profiles.sources(conn, profiles.profile_id(conn, profile))

    def exclude_profile_paper(self, profile: str, paper_id: int) -> None:
        """Keep a paper out of ``profile`` now and whenever it comes back, under any of its identity keys."""
        now = self.now()
        with self.transaction() as conn:
            profiles.exclude(conn, profiles.profile_id(conn, profile), paper_id, now)

    def include_profile_paper(self, profile: str, paper_id: int) -> None:
        """Undo :meth:`exclude_profile_paper`."""
        with self.transaction() as conn:
            profiles.include(conn, profiles.profile_id(conn, profile), paper_id)

    def excluded_count(self, profile: str) -> int:
        with self.snapshot() as conn:
            return profiles.excluded_count(conn, profiles.profile_id(conn, profile))

    # -- embeddings -----------------------------------------------------------------

    def get_embeddings(self, model_id: str, content_hashes: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        table = s.embeddings
        with self.snapshot() as conn:
            for start in range(0, len(content_hashes), papers.CHUNK):
                chunk = list(content_hashes[start : start + papers.CHUNK])
                rows = conn.execute(
                    select(table.c.content_hash, table.c.vector).where(
                        table.c.model_id == model_id, table.c.content_hash.in_(chunk)
                    )
                )
                for row in rows:
                    found[row.content_hash] = np.frombuffer(bytes(row.vector), dtype="<f4")
        return found

    def put_embeddings(self, model_id: str, vectors: dict[str, np.ndarray]) -> None:
        """Keep vectors (float32, little-endian bytes); a text already embedded by the model keeps its first vector."""
        now = self.now()
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
                insert_ignore(conn, s.embeddings, rows)

    # -- what digests showed (the digest record itself: :class:`.digest_record.DigestRecords`) ------

    def shown_paper_ids(self, profile: str) -> set[int]:
        with self.snapshot() as conn:
            return learning.shown_ids(conn, profiles.profile_id(conn, profile))

    def reset_shown(self, profile: str) -> int:
        with self.transaction() as conn:
            return learning.reset_shown(conn, profiles.profile_id(conn, profile))

    def digest_inputs(
        self,
        profile: str,
        *,
        today: dt.date,
        max_age_days: int | None,
        include_seen: bool,
        candidate_window_days: int,
        cache: PaperCache | None = None,
    ) -> DigestInputs:
        """Everything a digest ranks, read in one snapshot with the filtering done in SQL (see :mod:`.digest`)."""
        with self.snapshot() as conn:
            return read_digest_inputs(
                conn,
                profiles.profile_id(conn, profile),
                cache=cache,
                today=today,
                max_age_days=max_age_days,
                include_seen=include_seen,
                candidate_window_days=candidate_window_days,
            )

    # -- ratings ------------------------------------------------------------------------

    def rate(
        self, profile: str, paper_id: int, rating: str, origin: str = "cli", visible_only: bool = False
    ) -> tuple[str, str | None]:
        """Rate a paper for a profile (a new rating replaces the old one) in one transaction with its
        checks: refuses a missing paper (or, with ``visible_only``, one the profile may not see;
        :class:`learning.PaperNotFound`) and the profile's own papers (:class:`learning.OwnPaperRated`);
        returns the paper's title and its previous rating. Callers outside the store use
        :func:`papersift.feedback.rate`, which words the refusals."""
        now = self.now()
        with self.transaction() as conn:
            return learning.rate(conn, profiles.profile_id(conn, profile), paper_id, rating, origin, now, visible_only)

    def ratings(self, profile: str) -> list[RatingRecord]:
        with self.snapshot() as conn:
            return learning.ratings(conn, profiles.profile_id(conn, profile))

    def reset_ratings(self, profile: str) -> int:
        """Forget every rating of a profile; returns how many there were."""
        with self.transaction() as conn:
            return learning.reset_ratings(conn, profiles.profile_id(conn, profile))

    # -- interests --------------------------------------------------------------------

    def interests(self, profile: str) -> list[InterestRecord]:
        with self.snapshot() as conn:
            return learning.interests(conn, profiles.profile_id(conn, profile))

    def find_interest(self, profile: str, ref: str) -> InterestRecord:
        with self.snapshot() as conn:
            return learning.find_interest(conn, profiles.profile_id(conn, profile), profile, ref)

    def save_interests(self, profile: str, groups: Sequence[tuple[str, Sequence[int]]], model_id: str = "") -> None:
        """Replace a profile's interests by ``groups`` of (label, paper ids); names, mutes and budgets are forgotten."""
        now = self.now()
        with self.transaction() as conn:
            learning.replace_all_interests(conn, profiles.profile_id(conn, profile), groups, model_id, now)

    def _update_interest(self, profile: str, ref: str, **values: Any) -> InterestRecord:
        with self.transaction() as conn:
            profile_id = profiles.profile_id(conn, profile)
            return learning.update_interest(conn, learning.find_interest(conn, profile_id, profile, ref), **values)

    def rename_interest(self, profile: str, ref: str, name: str) -> InterestRecord:
        name = name.strip()
        if not name:
            raise StoreError("an interest's name cannot be empty")
        return self._update_interest(profile, ref, name=name)

    def relabel_interest(self, profile: str, ref: str, label: str) -> InterestRecord:
        return self._update_interest(profile, ref, label=label)

    def set_interest_muted(self, profile: str, ref: str, muted: bool) -> InterestRecord:
        return self._update_interest(profile, ref, muted=int(muted))

    def set_interest_budget(self, profile: str, ref: str, budget: int | None) -> InterestRecord:
        """At most ``budget`` picks a digest for the interest (None: no limit of its own; 0: none, as muted)."""
        if budget is not None and not 0 <= budget <= MAX_INTEREST_BUDGET:
            raise StoreError(
                f"an interest's budget is a number of picks, 0 or more and at most {MAX_INTEREST_BUDGET} (not {budget})"
            )
        return self._update_interest(profile, ref, budget=budget)

    def merge_interests(self, profile: str, refs: Sequence[str]) -> InterestRecord:
        """Fold the second and later interests into the first (which keeps its name, mute and budget)."""
        with self.transaction() as conn:
            profile_id = profiles.profile_id(conn, profile)
            return learning.merge_interests(conn, [learning.find_interest(conn, profile_id, profile, r) for r in refs])

    def replace_interest(
        self, profile: str, ref: str, groups: Sequence[tuple[str, Sequence[int]]], model_id: str = ""
    ) -> list[InterestRecord]:
        """Split: one interest becomes ``groups`` (each keeps the old mute and budget; a user name gets a number)."""
        now = self.now()
        with self.transaction() as conn:
            profile_id = profiles.profile_id(conn, profile)
            old = learning.find_interest(conn, profile_id, profile, ref)
            conn.execute(s.interests.delete().where(s.interests.c.id == old.id))
            ids = learning.insert_interests(
                conn, profile_id, groups, model_id, now, name=old.name, muted=old.muted, budget=old.budget
            )
            return [i for i in learning.interests(conn, profile_id) if i.id in ids]

    # -- fetch checkpoints -------------------------------------------------------------

    def checkpoint(self, key: str) -> Checkpoint | None:
        with self.snapshot() as conn:
            return fetchstate.checkpoint(conn, key)

    def store_page(
        self,
        items: Iterable[Paper],
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
        incoming = deduplicate(items)
        now = self.now()
        with self.transaction() as conn:
            profile_id = profiles.ensure_profile(conn, profile, now) if profile else None
            summary = papers.import_into(conn, incoming, profile_id, as_candidates, now)
            moved = fetchstate.advance(conn, key, label, state, done, restart, summary, now)
        return PageStored(summary, moved)


def _reason(exc: SQLAlchemyError) -> str:
    """The driver's own words when there are any (SQLAlchemy's wrapper adds SQL and a link)."""
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc) else type(exc).__name__
