"""A whole store as JSON lines: ``papersift export`` / ``papersift import``, for backups and for
moving between machines or backends (SQLite <-> PostgreSQL).

The file is UTF-8, one JSON object per line. The first line is the header::

    {"format": "papersift-store", "version": 1, "schema": 7, "exported_at": "...",
     "tables": {"papers": 183, "provenance": 193, ...}}

then one line per row, table by table in foreign-key order: ``{"t": "papers", "r": {...}}`` with
the row's columns as the store holds them (ids included, JSON columns as their text, binary columns
as base64). Every table a user would miss is exported: papers with their identity keys and
provenance, candidates, profiles with their papers, exclusions and sources, interests (names,
mutes), ratings, runs, shown papers and picks, digests and deliveries, unsubscribes, feed tokens,
fetch checkpoints, profile settings, users (password *hashes*), their API tokens (SHA-256 *hashes*: scripts
keep working after a restore) and profile owners. Left out:

* ``embeddings``: a cache, recomputed on first use from the papers' text (and large);
* ``sessions``: web log-ins, short-lived secrets; users sign in again;
* the migrations' own bookkeeping: the receiving store has its own.

An import goes into an empty store only (one with no row in any exported table), in one
transaction: a truncated, corrupt or refused file leaves the store exactly as it was, and the error
names the line. The file is read line by line (at most :data:`MAX_LINE_BYTES` each) and written in
batches, so memory does not grow with the store.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from sqlalchemy import Integer, LargeBinary, Table, func, insert, select, text
from sqlalchemy.engine import Connection

from ..errors import InputError, StoreError
from ..progress import progress
from . import migrations
from . import schema as s
from .db import Store
from .migrations import m010_digest_record as m010

FORMAT = "papersift-store"
VERSION = 1
NOT_EXPORTED = {
    "embeddings": "a cache, recomputed from the papers' text on first use",
    "sessions": "web log-ins are short-lived secrets; users sign in again",
}
MAX_LINE_BYTES = 64 * 1024 * 1024
# Exports of a schema before the digest record hold a digest three ways (runs, run_picks, digests.items).
DIGEST_RECORD = migrations.number(m010)
_BATCH = 500


def exported_tables() -> list[Table]:
    """The tables an export holds, parents before children."""
    return [t for t in s.metadata.sorted_tables if t.name not in NOT_EXPORTED]


@dataclass
class ExchangeSummary:
    """What an export wrote or an import read: rows per table."""

    tables: dict[str, int] = field(default_factory=dict)
    schema: int = 0

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def _binary_columns(table: Table) -> set[str]:
    return {c.name for c in table.columns if isinstance(c.type, LargeBinary)}


def _encode(row: dict[str, Any], binary: set[str]) -> dict[str, Any]:
    for name in binary:
        if row.get(name) is not None:
            row[name] = base64.b64encode(bytes(row[name])).decode("ascii")
    return row


def export_store(store: Store, stream: IO[str]) -> ExchangeSummary:
    """Write the whole store to ``stream`` (text) as JSON lines, with a progress bar on a terminal.

    It reads in one transaction holding the write lock, so the counts in the header and the rows
    after it are one consistent state even while a web server or a daily job runs.
    """
    tables = exported_tables()
    with store.transaction() as conn:
        schema = max(migrations.applied_versions(conn) or {0})
        counts = {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one()) for t in tables}
        header = {
            "format": FORMAT,
            "version": VERSION,
            "schema": schema,
            "exported_at": store.now(),
            "tables": counts,
            "not_exported": sorted(NOT_EXPORTED),
        }
        stream.write(json.dumps(header, ensure_ascii=False) + "\n")
        with progress(sum(counts.values()), "exporting", unit="rows") as bar:
            for table in tables:
                binary = _binary_columns(table)
                order = list(table.primary_key.columns) or list(table.columns)
                query = select(table).order_by(*order).execution_options(yield_per=_BATCH)
                for partition in conn.execute(query).partitions():
                    for row in partition:
                        line = {"t": table.name, "r": _encode(dict(row._mapping), binary)}
                        stream.write(json.dumps(line, ensure_ascii=False) + "\n")
                    bar.advance(len(partition))
    return ExchangeSummary(counts, schema)


def _lines(stream: IO[bytes], origin: str) -> Iterator[tuple[int, Any]]:
    """Each line's number and JSON value; a line too long, cut off, not UTF-8 or not JSON is an InputError."""
    line_no = 0
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        line_no += 1
        if len(raw) > MAX_LINE_BYTES:
            raise InputError(
                f"line longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB; not a papersift export", origin, line_no
            )
        if not raw.endswith(b"\n"):
            raise InputError("the file ends in the middle of this line (cut off while copying?)", origin, line_no)
        try:
            decoded = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start + 1})", origin, line_no) from None
        try:
            yield line_no, json.loads(decoded)
        except ValueError as exc:
            raise InputError(f"not a JSON object ({exc})", origin, line_no) from None


def _check_header(header: Any, origin: str, schema: int) -> dict[str, int]:
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise InputError(f"not a papersift store export (its first line is no '{FORMAT}' header)", origin, 1)
    version = header.get("version")
    if not isinstance(version, int) or version > VERSION or version < 1:
        raise InputError(
            f"written in export format version {version!r}, which this papersift does not know "
            f"(it reads version {VERSION}); import it with the papersift that wrote it, or a newer one",
            origin,
            1,
        )
    exported_schema = header.get("schema")
    if not isinstance(exported_schema, int) or exported_schema > schema:
        raise InputError(
            f"exported from a store at schema version {exported_schema!r}, newer than this papersift's "
            f"({schema}); upgrade papersift to import it",
            origin,
            1,
        )
    tables = header.get("tables")
    known = {t.name for t in exported_tables()} | (set(m010.OLD_TABLES) if exported_schema < DIGEST_RECORD else set())
    if not isinstance(tables, dict) or not all(isinstance(n, int) and n >= 0 for n in tables.values()):
        raise InputError("the header has no valid table counts", origin, 1)
    unknown = sorted(set(tables) - known)
    if unknown:
        raise InputError(f"the export holds tables this papersift does not have: {', '.join(unknown)}", origin, 1)
    return {str(k): int(v) for k, v in tables.items()}


def _nonempty_tables(conn: Connection) -> list[str]:
    return [t.name for t in exported_tables() if conn.execute(select(t).limit(1)).first() is not None]


def _decode(row: Any, table: Table, origin: str, line_no: int) -> dict[str, Any]:
    if not isinstance(row, dict):
        raise InputError(f"the row of table '{table.name}' is not a JSON object", origin, line_no)
    unknown = sorted(set(row) - set(table.columns.keys()))
    if unknown:
        raise InputError(f"table '{table.name}' has no column {', '.join(unknown)}", origin, line_no)
    for name in _binary_columns(table):
        if isinstance(row.get(name), str):
            try:
                row[name] = base64.b64decode(row[name], validate=True)
            except ValueError:
                raise InputError(f"column '{name}' is not base64", origin, line_no) from None
    return row


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL hands out ids from sequences that rows inserted with their ids did not advance."""
    if conn.dialect.name != "postgresql":
        return
    for table in exported_tables():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        column = keys[0]
        sequence = conn.execute(
            text("select pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
        ).scalar()
        if sequence:
            top = conn.execute(select(func.max(column))).scalar()
            conn.execute(
                text("select setval(:s, :v, :called)"), {"s": sequence, "v": top or 1, "called": top is not None}
            )


def _load_rows(
    conn: Connection,
    lines: Iterator[tuple[int, Any]],
    tables: dict[str, Table],
    expected: dict[str, int],
    seen: dict[str, int],
    origin: str,
    advance: Callable[[int], None],
    legacy: dict[str, list[dict[str, Any]]] | None = None,
) -> None:
    """Insert the rows after the header in batches, checking their order and counts as they come.

    ``legacy``: an export made before migration 10; the rows of its digest tables are kept here instead
    (their table names and columns are the old ones), to be converted once all are read.
    """
    order = list(tables)
    batch: list[dict[str, Any]] = []
    current: Table | None = None
    position = 0
    for line_no, item in lines:
        if legacy is not None and isinstance(item, dict) and item.get("t") in m010.OLD_TABLES and "r" in item:
            name = item["t"]
            seen[name] = seen.get(name, 0) + 1
            if name not in expected or seen[name] > expected[name]:
                raise InputError(f"more rows of table '{name}' than the header announced", origin, line_no)
            legacy.setdefault(name, []).append(_decode(item["r"], m010.OLD_TABLES[name], origin, line_no))
            advance(1)
            continue
        if not isinstance(item, dict) or set(item) != {"t", "r"} or item["t"] not in tables:
            raise InputError('expected a row {"t": TABLE, "r": {...}} of a known table', origin, line_no)
        table = tables[item["t"]]
        if table is not current:
            if order.index(table.name) < position or table.name not in expected:
                raise InputError(f"rows of table '{table.name}' out of place", origin, line_no)
            if batch and current is not None:
                conn.execute(insert(current), batch)
                advance(len(batch))
                batch = []
            current, position = table, order.index(table.name)
        seen[table.name] += 1
        if seen[table.name] > expected[table.name]:
            raise InputError(f"more rows of table '{table.name}' than the header announced", origin, line_no)
        batch.append(_decode(item["r"], table, origin, line_no))
        if len(batch) >= _BATCH:
            conn.execute(insert(table), batch)
            advance(len(batch))
            batch = []
    if batch and current is not None:
        conn.execute(insert(current), batch)
        advance(len(batch))


def import_store(store: Store, stream: IO[bytes], origin: str) -> ExchangeSummary:
    """Load an export into this store, which must be empty; all of it or nothing (a bar on a terminal)."""
    tables = {t.name: t for t in exported_tables()}
    lines = _lines(stream, origin)
    first = next(lines, None)
    if first is None:
        raise InputError("the file is empty; a papersift export starts with a header line", origin)
    with store.transaction() as conn:
        schema = max(migrations.applied_versions(conn) or {0})
        expected = _check_header(first[1], origin, schema)
        busy = _nonempty_tables(conn)
        if busy:
            held = ", ".join(busy[:3]) + (", ..." if len(busy) > 3 else "")
            raise StoreError(
                f"the store {store.name} is not empty (it has {held}); "
                "import an export only into a new store (set PAPERSIFT_HOME or PAPERSIFT_DATABASE_URL to a new one)"
            )
        seen = dict.fromkeys(expected, 0)
        legacy: dict[str, list[dict[str, Any]]] | None = None
        if int(first[1]["schema"]) < DIGEST_RECORD:
            legacy = {}
        with progress(sum(expected.values()), "importing", unit="rows") as bar:
            _load_rows(conn, lines, tables, expected, seen, origin, bar.advance, legacy)
        short = [f"{name} {seen[name]} of {n}" for name, n in expected.items() if seen[name] != n]
        if short:
            raise InputError(
                f"the file ends before all its rows (read {', '.join(short)}); "
                "it is incomplete and nothing was imported",
                origin,
            )
        if legacy is not None:
            # One digest record from the three copies of an export made before it (as migration 10 does).
            papers = {int(i) for i in conn.execute(select(s.papers.c.id)).scalars()}
            for name, rows in m010.convert(legacy, papers).items():
                if rows:
                    conn.execute(insert(s.metadata.tables[name]), rows)
        _reset_sequences(conn)
    return ExchangeSummary(seen, int(first[1]["schema"]))
