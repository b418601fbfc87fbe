"""Migration 10 moves the three copies of a digest (runs + run_items, run_picks, digests.items) into one
record, and loses no fact: a store built with the schema of version 8 (its own frozen DDL), filled
with the rows papersift 8 wrote, is migrated and read back through today's code. On SQLite and (with
--postgres) PostgreSQL."""

from __future__ import annotations

import base64
import io
import json
import warnings
from pathlib import Path

from sqlalchemy import MetaData, insert, select, text

from papersift.models import Recommendation
from papersift.store import Store, migrations
from papersift.store import schema as s
from papersift.store.deliveries import NewDelivery
from papersift.store.exchange import import_store
from papersift.store.migrations import m001_initial as m1
from papersift.store.migrations import m002_learning as m2
from papersift.store.migrations import m004_accounts as m4
from papersift.store.migrations import m005_deliveries as m5
from tests.conftest import engine_for
from tests.store.test_migrations import NewLocation

WHY = [{"paper": "My paper on SAM", "similarity": 0.81, "shared_terms": ["sharpness"], "ids": {"arxiv": "2010.01412"}}]
RATED = [{"paper": "A paper I liked", "rating": "up", "similarity": 0.7, "ids": {}}]
DETAILS = {"interest": "sharp minima", "interest_id": 2, "relevance": 0.83, "ratings": RATED}


def _item(paper_id: int, rank: int, score: float, **extra: object) -> dict[str, object]:
    # A pick as Recommendation.to_dict() wrote it into digests.items.
    return {"id": paper_id, "rank": rank, "score": score, "title": f"paper {paper_id}", "why": WHY, **extra}


def build_version_8(location: str | Path) -> dict[str, int]:
    """A store at schema version 8 with two profiles, three runs and three daily digests."""
    engine = engine_for(location)
    with engine.begin() as conn:
        for migration in migrations.MIGRATIONS:
            if migrations.number(migration) <= 8:
                migration.upgrade(conn)
        migrations.schema_version.create(conn)
        for number in range(1, 9):
            conn.execute(
                insert(migrations.schema_version).values(
                    version=number, name=migrations.NAME_OF[number], applied_at="then"
                )
            )
        ids = {}
        for n in range(1, 6):
            ids[f"p{n}"] = conn.execute(
                insert(m1.papers)
                .values(title=f"paper {n}", ids=json.dumps({"arxiv": f"2401.0000{n}"}), created_at="t", updated_at="t")
                .returning(m1.papers.c.id)
            ).scalar_one()
        for name in ("me", "other"):
            ids[name] = conn.execute(
                insert(m1.profiles).values(name=name, created_at="t").returning(m1.profiles.c.id)
            ).scalar_one()
        me, other = ids["me"], ids["other"]
        # Run 1: `papersift digest` (40 candidates), its first pick with details in run_picks.
        params = json.dumps({"top": 2, "min_relevance": 0.0})
        conn.execute(insert(m1.runs).values(id=1, profile_id=me, model_id="minilm", created_at="2026-11-30T08:00:00",
                                            n_candidates=40, params=params))  # fmt: skip
        conn.execute(insert(m1.run_items), [
            {"run_id": 1, "rank": 1, "paper_id": ids["p1"], "score": 0.91, "why": json.dumps(WHY)},
            {"run_id": 1, "rank": 2, "paper_id": ids["p2"], "score": 0.55, "why": "[]"},
        ])  # fmt: skip
        conn.execute(insert(m4.run_picks).values(run_id=1, rank=1, details=json.dumps(DETAILS)))
        # Run 2: the daily run's record of its digest of 1 December (n_candidates counted the picks).
        conn.execute(insert(m1.runs).values(id=2, profile_id=me, model_id="minilm", created_at="2026-12-01T06:00:05",
                                            n_candidates=2, params=json.dumps({"delivery": "2026-12-01"})))  # fmt: skip
        conn.execute(insert(m1.run_items), [
            {"run_id": 2, "rank": 1, "paper_id": ids["p3"], "score": 0.7, "why": json.dumps(WHY)},
            {"run_id": 2, "rank": 2, "paper_id": ids["p4"], "score": 0.6, "why": "[]"},
        ])  # fmt: skip
        conn.execute(insert(m4.run_picks).values(run_id=2, rank=2, details=json.dumps({"relevance": 0.4})))
        # Digest of 1 December (its run recorded), of 2 December (made, not yet recorded nor shown), and
        # one of "other" whose only pick's paper was deleted since.
        items_1 = [_item(ids["p3"], 1, 0.7), _item(ids["p4"], 2, 0.6, relevance=0.4)]
        items_2 = [_item(ids["p5"], 1, 0.66, **DETAILS), _item(ids["p2"], 2, 0.5)]
        conn.execute(insert(m5.digests), [
            {"id": 1, "profile_id": me, "day": "2026-12-01", "paper_ids": "[]", "items": json.dumps(items_1),
             "run_id": 2, "created_at": "2026-12-01T06:00:00"},
            {"id": 2, "profile_id": me, "day": "2026-12-02", "paper_ids": "[]", "items": json.dumps(items_2),
             "run_id": None, "created_at": "2026-12-02T06:00:00"},
            {"id": 3, "profile_id": other, "day": "2026-12-01", "paper_ids": "[]",
             "items": json.dumps([_item(9999, 1, 0.5)]), "run_id": None, "created_at": "2026-12-01T06:01:00"},
        ])  # fmt: skip
        delivery = {"attempts": 1, "created_at": "c", "updated_at": "u", "last_error": None, "sent_at": None}
        conn.execute(insert(m5.deliveries), [
            {**delivery, "id": 1, "digest_id": 1, "channel": "email", "address": "me@uni.edu",
             "message_id": "<a@uni.edu>", "status": "sent", "payload": b"mail 1\r\n", "sent_at": "s"},
            {**delivery, "id": 2, "digest_id": 1, "channel": "webhook", "address": "https://hook.example/x",
             "message_id": "<b@papersift.invalid>", "status": "failed", "payload": b"{}", "last_error": "HTTP 500"},
            {**delivery, "id": 3, "digest_id": 2, "channel": "email", "address": "me@uni.edu",
             "message_id": "<c@uni.edu>", "status": "pending", "attempts": 0, "payload": b"mail 2\r\n"},
        ])  # fmt: skip
        conn.execute(insert(m2.shown), [
            {"profile_id": me, "paper_id": ids["p1"], "run_id": 1, "shown_at": "2026-11-30T08:00:00"},
            {"profile_id": me, "paper_id": ids["p3"], "run_id": 2, "shown_at": "2026-12-01T06:00:05"},
            {"profile_id": other, "paper_id": ids["p2"], "run_id": None, "shown_at": "2026-11-01T00:00:00"},
        ])  # fmt: skip
    engine.dispose()
    return ids


def test_migration_10_keeps_every_fact_of_every_digest(new_store_location: NewLocation) -> None:
    location = new_store_location("v8.db")
    ids = build_version_8(location)
    with Store(location) as store:
        assert store.schema_version == migrations.SCHEMA_VERSION
        assert_every_fact_kept(store, ids)
    engine = engine_for(location)
    with engine.connect() as conn:
        tables = set(conn.dialect.get_table_names(conn))
        if conn.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    engine.dispose()
    assert not {"runs", "run_items", "run_picks"} & tables


def legacy_export(location: str | Path) -> bytes:
    """What `papersift export` of papersift 8 wrote for the store at ``location``: its tables in
    foreign-key order, less the embeddings cache and the sessions."""
    engine = engine_for(location)
    tables = MetaData()
    with warnings.catch_warnings():  # the expression index of migration 7 is not reflected: not needed here
        warnings.simplefilter("ignore")
        tables.reflect(engine)
    wanted = [t for t in tables.sorted_tables if t.name not in ("embeddings", "sessions", "schema_version")]
    lines = []
    with engine.connect() as conn:
        counts = {}
        for table in wanted:
            rows = [dict(r._mapping) for r in conn.execute(select(table))]
            counts[table.name] = len(rows)
            for row in rows:
                if isinstance(row.get("payload"), bytes):
                    row["payload"] = base64.b64encode(row["payload"]).decode("ascii")
                lines.append(json.dumps({"t": table.name, "r": row}))
    engine.dispose()
    header = {"format": "papersift-store", "version": 1, "schema": 8, "exported_at": "then", "tables": counts}
    return "\n".join([json.dumps(header), *lines, ""]).encode()


def test_an_export_made_before_migration_10_imports_into_one_record(new_store_location: NewLocation) -> None:
    old = new_store_location("v8.db")
    ids = build_version_8(old)
    with Store(new_store_location("new.db")) as store:
        summary = import_store(store, io.BytesIO(legacy_export(old)), "v8.jsonl")
        assert summary.tables["runs"] == 2 and summary.tables["digests"] == 3
        assert_every_fact_kept(store, ids)


def assert_every_fact_kept(store: Store, ids: dict[str, int]) -> None:
    summaries = store.digest_summaries("me")
    # Runs keep their ids (the numbers `history` showed); the unrecorded daily digest comes after them.
    assert [d.id for d in summaries] == [3, 2, 1]
    cli, daily, pending = store.digest("me", 1), store.digest("me", 2), store.digest("me", 3)
    assert cli is not None and daily is not None and pending is not None

    assert (cli.summary.n_candidates, cli.summary.model_id, cli.summary.day) == (40, "minilm", None)
    assert cli.summary.params == {"top": 2, "min_relevance": 0.0}
    assert cli.summary.created_at == cli.summary.shown_at == "2026-11-30T08:00:00"
    first, second = cli.picks
    assert (first.rank, first.paper.store_id, first.score) == (1, ids["p1"], 0.91)
    assert [m.to_dict() for m in first.why] == WHY
    assert (first.interest, first.interest_id, first.relevance) == ("sharp minima", 2, 0.83)
    assert [r.to_dict() for r in first.ratings] == RATED
    assert (second.rank, second.paper.store_id, second.score, second.why, second.interest) == (
        2, ids["p2"], 0.55, [], None
    )  # fmt: skip

    # The daily digest of 1 December and its run are one record: its day, when it was made, when shown.
    assert daily.day is not None and daily.day.isoformat() == "2026-12-01"
    assert daily.summary.created_at == "2026-12-01T06:00:00"
    assert daily.summary.shown_at == "2026-12-01T06:00:05"
    assert daily.summary.n_candidates is None  # the old number counted picks, not candidates
    assert [(p.rank, p.paper.store_id, p.relevance) for p in daily.picks] == [
        (1, ids["p3"], None), (2, ids["p4"], 0.4)
    ]  # fmt: skip

    # Made but never recorded as a run: its picks come from the JSON, its papers are not shown.
    assert pending.day is not None and pending.day.isoformat() == "2026-12-02" and not pending.shown
    top, other_pick = pending.picks
    assert (top.paper.store_id, top.score, top.interest, top.interest_id, top.relevance) == (
        ids["p5"], 0.66, "sharp minima", 2, 0.83
    )  # fmt: skip
    assert [m.to_dict() for m in top.why] == WHY and [r.to_dict() for r in top.ratings] == RATED
    assert other_pick.paper.store_id == ids["p2"]
    # The deleted paper's pick is gone, the digest (and its day) is not.
    (gone,) = store.digest_summaries("other")
    assert (gone.day, gone.n_picks) == ("2026-12-01", 0)

    deliveries = {(d.digest_id, d.channel): d for _, _, d in store.all_deliveries()}
    assert set(deliveries) == {(2, "email"), (2, "webhook"), (3, "email")}
    assert (deliveries[(2, "email")].status, deliveries[(2, "email")].sent_at) == ("sent", "s")
    assert deliveries[(2, "email")].payload == b"mail 1\r\n"
    assert (deliveries[(2, "webhook")].status, deliveries[(2, "webhook")].last_error) == ("failed", "HTTP 500")
    assert (deliveries[(3, "email")].message_id, deliveries[(3, "email")].payload) == ("<c@uni.edu>", b"mail 2\r\n")

    with store.snapshot() as conn:
        shown = {(r.profile_id, r.paper_id): (r.digest_id, r.shown_at) for r in conn.execute(select(s.shown))}
    assert shown == {
        (ids["me"], ids["p1"]): (1, "2026-11-30T08:00:00"),
        (ids["me"], ids["p3"]): (2, "2026-12-01T06:00:05"),
        (ids["other"], ids["p2"]): (None, "2026-11-01T00:00:00"),
    }
    assert store.shown_paper_ids("me") == {ids["p1"], ids["p3"]}

    # New rows get new ids (PostgreSQL's sequences were moved past the copied ones).
    paper = store.papers_by_id([ids["p4"]])[0]
    new_id = store.record_digest("me", [Recommendation(1, 0.5, paper)], model_id="m", n_candidates=9)
    assert new_id == 5  # after the four digests moved over (the "other" profile's is 4)
    store.add_deliveries(new_id, [NewDelivery("email", "x@uni.edu", "<d@uni.edu>", b"x")])
    assert len(store.deliveries_of(new_id)) == 1
