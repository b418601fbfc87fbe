"""Migrations with frozen DDL: every earlier schema upgrades to the latest and equals a fresh store,
on SQLite and (with --postgres or PAPERSIFT_TEST_DATABASE_URL) on PostgreSQL."""

from __future__ import annotations

import multiprocessing
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.engine import Engine

from papersift.errors import StoreError
from papersift.store import Store, migrations
from papersift.store.migrations import m001_initial
from tests.conftest import engine_for

EARLIER_VERSIONS = [1, 2, 3, 8]
NewLocation = Callable[[str], "str | Path"]


def build_store(location: str | Path, version: int, legacy: bool) -> None:
    """A store as papersift at ``version`` left it, built with that version's own DDL, holding one paper.

    ``legacy``: as papersift <= 3 did on SQLite, the version only in ``PRAGMA user_version``;
    otherwise recorded in ``schema_version`` as this framework does (PostgreSQL never had anything else).
    """
    engine = engine_for(location)
    with engine.begin() as conn:
        for migration in migrations.MIGRATIONS:
            if migrations.number(migration) <= version:
                migration.upgrade(conn)
        if legacy:
            conn.execute(text(f"PRAGMA user_version = {version}"))
        else:
            migrations.schema_version.create(conn)
            for number in range(1, version + 1):
                conn.execute(
                    insert(migrations.schema_version).values(
                        version=number, name=migrations.name(migrations.KNOWN[number]), applied_at="then"
                    )
                )
        conn.execute(
            insert(m001_initial.papers).values(
                title="Sharpness-aware minimization", ids='{"arxiv": "2010.01412"}', created_at="t", updated_at="t"
            )
        )
        paper_id = conn.execute(select(m001_initial.papers.c.id)).scalar_one()
        conn.execute(insert(m001_initial.paper_keys).values(key="arxiv:2010.01412", paper_id=paper_id))
    engine.dispose()


def index_definitions(engine: Engine, table: str) -> list[tuple[str, str]]:
    """Every index of ``table`` by name with its definition as the database holds it, expression
    indexes included (SQLAlchemy's reflection skips those on SQLite)."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            query = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :t"
        else:
            query = "SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'index' AND tbl_name = :t"
        rows = conn.execute(text(query), {"t": table}).all()
    # The definition without its spacing: SQLite keeps the text as written, and SQLAlchemy's
    # create_all and a migration's CREATE INDEX may space it differently.
    return sorted((str(name), " ".join(str(sql).replace("(", " ( ").replace(")", " ) ").split())) for name, sql in rows)


def schema_of(engine: Engine) -> dict[str, Any]:
    """Every table with its columns, keys, indexes and constraints, as the database reports them."""
    found = inspect(engine)
    with warnings.catch_warnings():
        # "Skipped unsupported reflection of expression-based index": index_definitions covers them.
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
        return _schema_of(engine, found)


def _schema_of(engine: Engine, found: Any) -> dict[str, Any]:
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
                (str(i["name"]), tuple(i["column_names"]), bool(i["unique"])) for i in found.get_indexes(table)
            ),
            "unique": sorted((str(u["name"]), tuple(u["column_names"])) for u in found.get_unique_constraints(table)),
            "index_definitions": index_definitions(engine, table),
        }
        for table in sorted(found.get_table_names())
        if table != "schema_version"
    }


def versions_of(location: str | Path) -> list[int]:
    engine = engine_for(location)
    with engine.connect() as conn:
        found = [int(v) for v in conn.execute(text("select version from schema_version order by version")).scalars()]
    engine.dispose()
    return found


def legacy_possible(location: str | Path) -> bool:
    return not (isinstance(location, str) and "://" in location)


@pytest.mark.parametrize("version", EARLIER_VERSIONS)
@pytest.mark.parametrize("legacy", [True, False], ids=["user_version", "schema_version"])
def test_every_earlier_schema_upgrades_to_the_latest_and_keeps_its_papers(
    new_store_location: NewLocation, version: int, legacy: bool
) -> None:
    location = new_store_location(f"v{version}.db")
    if legacy and not legacy_possible(location):
        pytest.skip("PostgreSQL stores never had PRAGMA user_version")
    build_store(location, version, legacy)
    with Store(location) as store:
        assert store.schema_version == migrations.SCHEMA_VERSION
        paper_id = store.resolve_paper("2010.01412")
        (paper,) = store.papers_by_id([paper_id])
        assert paper.title == "Sharpness-aware minimization"
        assert store.profiles() == [] and store.ratings  # the later tables answer
        store.import_papers([paper], profile="me")
        assert len(store.profile_papers("me")) == 1 and store.paper_count() == 1
    assert versions_of(location) == sorted(migrations.KNOWN)
    if legacy:
        engine = engine_for(location)
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA user_version")).scalar() == migrations.SCHEMA_VERSION
        engine.dispose()


@pytest.mark.parametrize("version", EARLIER_VERSIONS)
def test_an_upgraded_store_has_exactly_the_schema_of_a_fresh_one(new_store_location: NewLocation, version: int) -> None:
    fresh, old = new_store_location("fresh.db"), new_store_location("old.db")
    Store(fresh).close()
    build_store(old, version, legacy=legacy_possible(old))
    Store(old).close()
    fresh_schema, upgraded_schema = (schema_of(engine_for(location)) for location in (fresh, old))
    assert upgraded_schema == fresh_schema
    assert {"papers", "ratings", "fetch_checkpoints"} <= set(fresh_schema)


def test_fresh_store_matches_todays_table_definitions(new_store_location: NewLocation) -> None:
    """schema.py (what the code queries) and the migrations (what builds the store) must agree."""
    from papersift.store import schema

    fresh, built = new_store_location("fresh.db"), new_store_location("built.db")
    Store(fresh).close()
    schema.metadata.create_all(engine_for(built))
    assert schema_of(engine_for(fresh)) == schema_of(engine_for(built))


def test_store_from_the_future_is_refused(store_location: str | Path) -> None:
    Store(store_location).close()
    engine = engine_for(store_location)
    with engine.begin() as conn:
        conn.execute(text("insert into schema_version (version, name, applied_at) values (99, 'm099_future', 'x')"))
    engine.dispose()
    with pytest.raises(StoreError, match="schema version 99, newer than this papersift"):
        Store(store_location)


def test_legacy_store_from_the_future_is_refused(tmp_path: Path) -> None:
    engine = engine_for(tmp_path / "s.db")
    with engine.begin() as conn:
        conn.execute(text("PRAGMA user_version = 99"))
    with pytest.raises(StoreError, match="newer than this papersift"):
        Store(tmp_path / "s.db")


def _open_new_store(location: str | Path, barrier: Any, results: Any) -> None:
    barrier.wait()
    try:
        with Store(location) as store:
            results.put(("ok", store.schema_version))
    except Exception as exc:  # noqa: BLE001 - the test reports any failure
        results.put(("failed", f"{type(exc).__name__}: {exc}"))


def test_processes_creating_a_new_store_at_once_all_succeed(new_store_location: NewLocation) -> None:
    context = multiprocessing.get_context("fork")
    n = 6
    for attempt in range(3):
        location = new_store_location(f"new{attempt}.db")
        barrier, results = context.Barrier(n), context.Queue()
        workers = [context.Process(target=_open_new_store, args=(location, barrier, results)) for _ in range(n)]
        for worker in workers:
            worker.start()
        outcomes = [results.get(timeout=60) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
        assert outcomes == [("ok", migrations.SCHEMA_VERSION)] * n
        assert versions_of(location) == sorted(migrations.KNOWN)


def test_every_migration_module_is_known_and_imported_only_when_needed() -> None:
    """Migrations are imported by name when a store needs them, so a module left out of NAMES would never run."""
    on_disk = sorted(p.stem for p in Path(migrations.__file__).parent.glob("m[0-9][0-9][0-9]_*.py"))
    assert list(migrations.NAMES) == on_disk
    assert [migrations.number(m) for m in migrations.MIGRATIONS] == sorted(migrations.NAME_OF)
    assert migrations.SCHEMA_VERSION == max(migrations.number(n) for n in on_disk)
