"""Opening a store (an SQLite file or a PostgreSQL URL) and taking its write lock.

One writer at a time on either backend: SQLite by ``BEGIN IMMEDIATE``, PostgreSQL by a
transaction-level advisory lock. Readers never wait for writers (SQLite's WAL, PostgreSQL's MVCC).
A writer that finds the store busy waits, says once which command holds it, and gives up only
after ``lock_timeout`` seconds.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from ..errors import StoreError

# Any constant works; it names papersift's write lock among the server's advisory locks.
PG_WRITE_LOCK = 0x70617065  # "pape"
WRITE_OPTION = "papersift_write"
NOTE_FLAG = "papersift_holder_note"
# Reads and statements inside a write: SQLite's busy handler waits this long (rare under WAL).
BUSY_TIMEOUT_MS = 10_000
# How long a writer waits quietly before saying who holds the store.
NOTICE_AFTER = 1.0


def is_url(location: str | Path) -> bool:
    return isinstance(location, str) and "://" in location


def current_command() -> str:
    """What this process is, for a waiting writer's message: ``papersift import`` and the like."""
    args = [Path(sys.argv[0]).name or "python", *[a for a in sys.argv[1:3] if not a.startswith("-")]]
    return " ".join(args)[:120]


def print_notice(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Backend:
    """The database a store lives in and how writes take its lock."""

    def __init__(
        self,
        location: str | Path,
        *,
        lock_timeout: float,
        on_wait: Callable[[str], None] | None,
        command: str | None,
    ) -> None:
        self.command = command or current_command()
        self.lock_timeout = lock_timeout
        self.on_wait = on_wait or print_notice
        self.path: Path | None = None
        if is_url(location):
            url = str(location)
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            elif not url.startswith("postgresql+"):
                raise StoreError(f"unsupported store URL '{_redact(url)}' (use a file path or postgresql://...)")
            try:
                self.engine: Engine = create_engine(
                    url,
                    pool_pre_ping=True,
                    connect_args={"application_name": f"papersift: {self.command} (pid {os.getpid()})"[:63]},
                )
            except ImportError:
                raise StoreError("PostgreSQL needs the psycopg driver: pip install 'papersift[postgres]'") from None
            self.name = _redact(url.replace("postgresql+psycopg://", "postgresql://"))
        else:
            self.path = Path(location)
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the data directory {self.path.parent}: {exc.strerror}") from None
            # The driver's own transaction handling is switched off (isolation_level=None) so that
            # the "begin" hook below decides: BEGIN for reads, BEGIN IMMEDIATE for writes.
            self.engine = create_engine(f"sqlite:///{self.path}", connect_args={"isolation_level": None})
            event.listen(self.engine, "connect", _on_sqlite_connect)
            event.listen(self.engine, "begin", self._on_sqlite_begin)
            self.name = str(self.path)
        self.dialect = self.engine.dialect.name

    @property
    def holder_note(self) -> Path | None:
        return self.path.with_name(self.path.name + ".writer") if self.path else None

    # -- the write lock -------------------------------------------------

    def _on_sqlite_begin(self, conn: Connection) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            # Each attempt waits up to NOTICE_AFTER in SQLite's own busy handler.
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(NOTICE_AFTER * 1000)}")
            try:
                self._wait_for(lambda: _try(conn, "BEGIN IMMEDIATE"))
            finally:
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._write_holder_note(conn)
        else:
            conn.exec_driver_sql("BEGIN")

    def lock_for_writing(self, conn: Connection) -> None:
        """PostgreSQL: take the write lock inside the transaction ``conn`` has begun (SQLite took it at BEGIN).

        A busy lock is waited for inside the server, which hands it over the moment its holder commits;
        each wait is cut at ``NOTICE_AFTER`` so that the wait can be reported and bounded. (Polling
        with a sleep between tries, as before, added up to the poll interval to every contended write.)"""
        if self.dialect != "postgresql":
            return
        if conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": PG_WRITE_LOCK}).scalar():
            return
        self._wait_for(lambda: _pg_lock_within(conn, NOTICE_AFTER), conn)

    def done_writing(self, conn: Connection) -> None:
        """After a write transaction ended: remove the note saying who holds the lock, if this one wrote it."""
        note = self.holder_note
        if note is not None and conn.info.pop(NOTE_FLAG, False):
            try:
                note.unlink(missing_ok=True)
            except OSError:
                pass

    def _wait_for(self, attempt: Callable[[], bool], conn: Connection | None = None) -> None:
        started = time.monotonic()
        told = False
        while not attempt():
            waited = time.monotonic() - started
            if waited >= self.lock_timeout:
                raise StoreError(
                    f"the store {self.name} is busy: {self._holder(conn)} has been writing to it for over "
                    f"{self.lock_timeout:.0f} s; try again when it has finished"
                )
            if not told and waited >= NOTICE_AFTER:
                self.on_wait(f"waiting for {self._holder(conn)} to finish writing to the store...")
                told = True

    def _write_holder_note(self, conn: Connection) -> None:
        note = self.holder_note
        if note is None:
            return
        try:
            note.write_text(json.dumps({"command": self.command, "pid": os.getpid()}), encoding="utf-8")
            conn.info[NOTE_FLAG] = True
        except OSError:
            pass  # only a courtesy to waiting writers

    def _holder(self, conn: Connection | None) -> str:
        """Who holds the write lock, as well as can be told: ``papersift import (pid 123)``."""
        if self.dialect == "postgresql" and conn is not None:
            row = conn.execute(
                text(
                    "SELECT a.application_name, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted AND l.objid = :k LIMIT 1"
                ),
                {"k": PG_WRITE_LOCK},
            ).first()
            if row and row[0]:
                return str(row[0]).removeprefix("papersift: ")
            return "another process"
        note = self.holder_note
        try:
            data = json.loads(note.read_text(encoding="utf-8")) if note else {}
            return f"{data['command']} (pid {int(data['pid'])})"
        except (OSError, ValueError, KeyError, TypeError):
            return "another process"


def _pg_lock_within(conn: Connection, seconds: float) -> bool:
    """Wait up to ``seconds`` for PostgreSQL's write lock, in a savepoint: a wait cut short by
    ``lock_timeout`` aborts only the savepoint, never the caller's transaction. True once held."""
    try:
        with conn.begin_nested():
            conn.execute(text(f"SET LOCAL lock_timeout = '{int(seconds * 1000)}ms'"))
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_WRITE_LOCK})
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == "55P03":  # lock_not_available: still busy
            return False
        raise
    # The lock stays with the transaction; the timeout must not cut the caller's own statements.
    conn.execute(text("SET LOCAL lock_timeout TO DEFAULT"))
    return True


def _try(conn: Connection, statement: str) -> bool:
    try:
        conn.exec_driver_sql(statement)
    except OperationalError as exc:
        if getattr(exc.orig, "sqlite_errorname", "").startswith("SQLITE_BUSY") or "locked" in str(exc.orig):
            return False
        raise
    return True


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        # Two processes creating a new store at once both ask for WAL; the busy handler lets one wait.
        cursor.execute("PRAGMA journal_mode = WAL")
    # With WAL, NORMAL loses at most the last commits on a power cut, never consistency.
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _redact(url: str) -> str:
    """A URL without its password, for messages."""
    scheme, _, rest = url.partition("://")
    if "@" in rest:
        credentials, _, host = rest.rpartition("@")
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}@{host}" if user else f"{scheme}://{host}"
    return url
