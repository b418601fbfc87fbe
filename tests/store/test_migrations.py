"""Migrations with frozen DDL: every earlier schema upgrades to the latest, and equals a fresh store."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, insert, inspect, text
from sqlalchemy.engine import Engine

from papersift.errors import StoreError
from papersift.store import Store, migrations
from papersift.store.migrations import m001_initial

LEGACY_VERSIONS = [1, 2, 3]  # schemas that were tracked only by SQLite's PRAGMA user_version


def build_legacy_store(path: Path, version: int) -> None:
    """A store as papersift at ``version`` left it: that version's DDL, its number in user_version."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        for migration in migrations.MIGRATIONS:
            if migrations.number(migration) <= version:
                migration.upgrade(conn)
        conn.execute(
            insert(m001_initial.papers).values(
                title="Sharpness-aware minimization", ids='{"arxiv": "2010.01412"}', created_at="t", updated_at="t"
            )
        )
        conn.execute(insert(m001_initial.paper_keys).values(key="arxiv:2010.01412", paper_id=1))
        conn.execute(text(f"PRAGMA user_version = {version}"))
    engine.dispose()


def schema_of(engine: Engine) -> dict[str, Any]:
    """Every table with its columns, keys, indexes and constraints, as the database reports them."""
    found = inspect(engine)
    return {
        table: {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default"))) for c in found.get_columns(table)
            ],
            "primary_key": found.get_pk_constraint(table)["constrained_columns"],
            "foreign_keys": sorted(
                (
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    tuple(fk["referred_columns"]),
                    str(fk.get("options")),
                )
                for fk in found.get_foreign_keys(table)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in found.get_indexes(table)
            ),
            "unique": sorted((u["name"], tuple(u["column_names"])) for u in found.get_unique_constraints(table)),
        }
        for table in sorted(found.get_table_names())
        if table != "schema_version"
    }


def versions_of(path: Path) -> list[int]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("select version from schema_version order by version")]


@pytest.mark.parametrize("version", LEGACY_VERSIONS)
def test_every_earlier_schema_upgrades_to_the_latest_and_keeps_its_papers(tmp_path: Path, version: int) -> None:
    path = tmp_path / f"v{version}.db"
    build_legacy_store(path, version)
    with Store(path) as store:
        assert store.schema_version == migrations.SCHEMA_VERSION
        (paper,) = store.candidate_papers() or store.papers_by_id([1])
        assert paper.title == "Sharpness-aware minimization" and paper.store_id == 1
        assert store.resolve_paper("2010.01412") == 1
    assert versions_of(path) == sorted(migrations.KNOWN)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION


@pytest.mark.parametrize("version", LEGACY_VERSIONS)
def test_an_upgraded_store_has_exactly_the_schema_of_a_fresh_one(tmp_path: Path, version: int) -> None:
    Store(tmp_path / "fresh.db").close()
    build_legacy_store(tmp_path / "old.db", version)
    Store(tmp_path / "old.db").close()
    fresh, upgraded = (create_engine(f"sqlite:///{tmp_path / name}") for name in ("fresh.db", "old.db"))
    assert schema_of(upgraded) == schema_of(fresh)
    assert "papers" in schema_of(fresh) and "fetch_checkpoints" in schema_of(fresh)


def test_fresh_store_matches_todays_table_definitions(tmp_path: Path) -> None:
    """schema.py (what the code queries) and the migrations (what builds the store) must agree."""
    from papersift.store import schema

    Store(tmp_path / "fresh.db").close()
    built = create_engine(f"sqlite:///{tmp_path / 'built.db'}")
    schema.metadata.create_all(built)
    assert schema_of(create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")) == schema_of(built)


def test_store_from_the_future_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("insert into schema_version (version, name, applied_at) values (99, 'm099_future', 'x')")
    with pytest.raises(StoreError, match="schema version 99, newer than this papersift"):
        Store(path)


def test_legacy_store_from_the_future_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="newer than this papersift"):
        Store(path)


def _open_new_store(path: str, barrier: Any, results: Any) -> None:
    barrier.wait()
    try:
        with Store(path) as store:
            results.put(("ok", store.schema_version))
    except Exception as exc:  # noqa: BLE001 - the test reports any failure
        results.put(("failed", f"{type(exc).__name__}: {exc}"))


def test_processes_creating_a_new_store_at_once_all_succeed(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    n = 6
    for attempt in range(3):
        path = str(tmp_path / f"new{attempt}.db")
        barrier, results = context.Barrier(n), context.Queue()
        workers = [context.Process(target=_open_new_store, args=(path, barrier, results)) for _ in range(n)]
        for worker in workers:
            worker.start()
        outcomes = [results.get(timeout=60) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
        assert outcomes == [("ok", migrations.SCHEMA_VERSION)] * n
        assert versions_of(Path(path)) == sorted(migrations.KNOWN)
