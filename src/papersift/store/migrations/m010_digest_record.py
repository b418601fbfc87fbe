"""Migration 10 (frozen): one digest record.

Before, one digest was kept three ways: ``runs`` + ``run_items`` (what was shown), ``run_picks``
(each pick's interest, relevance and rating reasons, migration 4) and, for the daily run, a JSON copy
of the picks in ``digests.items`` (migration 5) that ``deliveries`` pointed at. From here on a digest
is one row of ``digests`` with one row of ``digest_picks`` per pick; ``deliveries`` and ``shown``
point at it.

The data moves over: every run keeps its id (the numbers ``papersift history`` showed stay valid);
a daily digest whose run was recorded becomes that run's row, with its day; one whose run was never
recorded (its papers not yet shown) gets a new row with its picks from the JSON. ``shown_at`` says
when a digest's papers were marked shown (a run's creation time; NULL for a digest not yet
delivered). A daily run's ``n_candidates`` counted its picks, not its candidates, so it becomes
NULL (unknown). Picks of papers deleted since are left out, as the old tables' cascades did.

The old tables are read into memory, dropped and the new ones created under the final names (a
rename would leave the old index and constraint names taken on PostgreSQL). Every table is written
out here as it was at this version, never imported from today's schema.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
    text,
)
from sqlalchemy.engine import Connection

# -- the tables as they were before (migrations 1, 4 and 5), to read and drop ----------------
before = MetaData()
_old_runs = Table(
    "runs",
    before,
    Column("id", Integer, primary_key=True),
    Column("profile_id", Integer),
    Column("model_id", String(300)),
    Column("created_at", String(32)),
    Column("n_candidates", Integer),
    Column("params", Text),
)
_old_run_items = Table(
    "run_items",
    before,
    Column("run_id", Integer, ForeignKey("runs.id"), primary_key=True),
    Column("rank", Integer, primary_key=True),
    Column("paper_id", Integer),
    Column("score", Float),
    Column("why", Text),
)
_old_run_picks = Table(
    "run_picks",
    before,
    Column("run_id", Integer, ForeignKey("runs.id"), primary_key=True),
    Column("rank", Integer, primary_key=True),
    Column("details", Text),
)
_old_digests = Table(
    "digests",
    before,
    Column("id", Integer, primary_key=True),
    Column("profile_id", Integer),
    Column("day", String(10)),
    Column("paper_ids", Text),
    Column("items", Text),
    Column("run_id", Integer),
    Column("created_at", String(32)),
)
_old_deliveries = Table(
    "deliveries",
    before,
    Column("id", Integer, primary_key=True),
    Column("digest_id", Integer, ForeignKey("digests.id")),
    Column("channel", String(16)),
    Column("address", Text),
    Column("message_id", Text),
    Column("status", String(16)),
    Column("attempts", Integer),
    Column("last_error", Text),
    Column("payload", LargeBinary),
    Column("created_at", String(32)),
    Column("updated_at", String(32)),
    Column("sent_at", String(32)),
)
_old_shown = Table(
    "shown",
    before,
    Column("profile_id", Integer, primary_key=True),
    Column("paper_id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("shown_at", String(32)),
)
# Children first: on SQLite with foreign keys on, dropping a parent with children left is refused.
_DROP_ORDER = [_old_deliveries, _old_shown, _old_run_picks, _old_run_items, _old_digests, _old_runs]

# -- the tables from this version on -----------------------------------------------------------
metadata = MetaData()
Table("profiles", metadata, Column("id", Integer, primary_key=True))
_papers = Table("papers", metadata, Column("id", Integer, primary_key=True))

# One digest: made by `papersift digest` or the web (day NULL), or the daily run's for one profile
# and day. ``shown_at``: when its papers were marked shown (NULL: not delivered yet).
digests = Table(
    "digests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), index=True),
    Column("day", String(10)),
    Column("model_id", String(300), nullable=False, default=""),
    Column("n_candidates", Integer),
    Column("params", Text, nullable=False, default="{}"),
    Column("created_at", String(32), nullable=False),
    Column("shown_at", String(32)),
    UniqueConstraint("profile_id", "day", name="uq_digests_profile_day"),
)

# A digest's picks: rank, paper, score, and why (closest own papers and rated papers as JSON, the
# interest served and the calibrated relevance).
digest_picks = Table(
    "digest_picks",
    metadata,
    Column("digest_id", Integer, ForeignKey("digests.id", ondelete="CASCADE"), primary_key=True),
    Column("rank", Integer, primary_key=True),
    Column("paper_id", Integer, ForeignKey("papers.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("score", Float, nullable=False),
    Column("relevance", Float),
    Column("interest", Text),
    Column("interest_id", Integer),
    Column("why", Text, nullable=False, default="[]"),
    Column("ratings", Text, nullable=False, default="[]"),
)

# As in migration 5, pointing at the new digests.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("digest_id", Integer, ForeignKey("digests.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("address", Text, nullable=False),
    Column("message_id", Text, nullable=False),
    Column("status", String(16), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("payload", LargeBinary, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Column("sent_at", String(32)),
    UniqueConstraint("digest_id", "channel", "address", name="uq_delivery_address"),
    UniqueConstraint("message_id", name="uq_delivery_message_id"),
)

# As in migration 1, with the digest that showed the paper instead of the run.
shown = Table(
    "shown",
    metadata,
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("paper_id", Integer, ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Column("digest_id", Integer, ForeignKey("digests.id", ondelete="SET NULL")),
    Column("shown_at", String(32), nullable=False),
)

TABLES = [digests, digest_picks, deliveries, shown]
_BATCH = 500


def _rows(conn: Connection, table: Table) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(select(table))]


def _json(value: Any, default: Any) -> Any:
    try:
        return json.loads(value) if value else default
    except ValueError:
        return default


def _insert(conn: Connection, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == _BATCH:
            conn.execute(insert(table), batch)
            batch = []
    if batch:
        conn.execute(insert(table), batch)


def _pick(digest_id: int, rank: int, paper_id: int, score: float, why: Any, details: dict[str, Any]) -> dict[str, Any]:
    relevance = details.get("relevance")
    interest_id = details.get("interest_id")
    return {
        "digest_id": digest_id,
        "rank": rank,
        "paper_id": paper_id,
        "score": float(score),
        "relevance": None if relevance is None else float(relevance),
        "interest": details.get("interest"),
        "interest_id": None if interest_id is None else int(interest_id),
        "why": json.dumps(why if isinstance(why, list) else [], ensure_ascii=False),
        "ratings": json.dumps(details.get("ratings") or [], ensure_ascii=False),
    }


OLD_TABLES = {t.name: t for t in _DROP_ORDER}


def upgrade(conn: Connection) -> None:
    old = {name: _rows(conn, table) for name, table in OLD_TABLES.items()}
    paper_ids = {int(r.id) for r in conn.execute(select(_papers.c.id))}
    for table in _DROP_ORDER:
        table.drop(conn)
    metadata.create_all(conn, tables=TABLES)
    for name, rows in convert(old, paper_ids).items():
        _insert(conn, metadata.tables[name], rows)
    if conn.dialect.name == "postgresql":
        # Rows written with their ids leave the serial sequences behind; the next insert must not reuse one.
        for name in ("digests", "deliveries"):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                )
            )


def convert(old: dict[str, list[dict[str, Any]]], paper_ids: set[int]) -> dict[str, list[dict[str, Any]]]:
    """The rows of the new tables from the rows of the old ones (by table name; ``paper_ids``: the papers
    that exist). Pure, so a store export made before this version is imported the same way."""
    runs, items = old.get("runs", []), old.get("run_items", [])
    details = {(r["run_id"], r["rank"]): _json(r["details"], {}) for r in old.get("run_picks", [])}
    old_digests, old_deliveries, old_shown = old.get("digests", []), old.get("deliveries", []), old.get("shown", [])
    new: dict[int, dict[str, Any]] = {}
    for run in runs:
        params = _json(run["params"], {})
        daily = isinstance(params, dict) and "delivery" in params
        new[run["id"]] = {
            "id": run["id"],
            "profile_id": run["profile_id"],
            "day": None,
            "model_id": run["model_id"] or "",
            "n_candidates": None if daily else run["n_candidates"],
            "params": run["params"] or "{}",
            "created_at": run["created_at"],
            "shown_at": run["created_at"],  # every run marked its papers shown when it was recorded
        }
    picks = [
        _pick(
            i["run_id"],
            i["rank"],
            i["paper_id"],
            i["score"],
            _json(i["why"], []),
            details.get((i["run_id"], i["rank"]), {}),
        )
        for i in items
    ]
    next_id = max([0, *new]) + 1
    digest_of: dict[int, int] = {}
    for made in sorted(old_digests, key=lambda d: d["id"]):
        recorded = new.get(made["run_id"]) if made["run_id"] is not None else None
        if recorded is not None and recorded["profile_id"] == made["profile_id"] and recorded["day"] is None:
            recorded.update(day=made["day"], created_at=made["created_at"])
            digest_of[made["id"]] = recorded["id"]
            continue
        digest_id, next_id = next_id, next_id + 1
        digest_of[made["id"]] = digest_id
        new[digest_id] = {
            "id": digest_id,
            "profile_id": made["profile_id"],
            "day": made["day"],
            "model_id": "",
            "n_candidates": None,
            "params": json.dumps({"delivery": made["day"]}),
            "created_at": made["created_at"],
            "shown_at": None,
        }
        for pick in _json(made["items"], []):
            if isinstance(pick, dict) and pick.get("id") in paper_ids and pick.get("rank") is not None:
                picks.append(
                    _pick(
                        digest_id, int(pick["rank"]), int(pick["id"]), pick.get("score") or 0.0, pick.get("why"), pick
                    )
                )

    return {
        "digests": [new[k] for k in sorted(new)],
        "digest_picks": picks,
        "deliveries": [{**d, "digest_id": digest_of[d["digest_id"]]} for d in old_deliveries],
        "shown": [
            {
                "profile_id": r["profile_id"],
                "paper_id": r["paper_id"],
                "digest_id": r["run_id"] if r["run_id"] in new else None,
                "shown_at": r["shown_at"],
            }
            for r in old_shown
        ],
    }
