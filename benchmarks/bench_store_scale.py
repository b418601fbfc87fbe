"""How Store.digest_inputs scales with the store's history: it must follow the new work.

A store with ``N`` papers from earlier days (candidates first seen 1-400 days ago; those within the
candidate window were shown by an earlier digest), 1,000 new candidates and a 100-paper profile,
against the same store without the earlier papers. Each new and profile paper has a cached
embedding (a fake 384-dimensional vector), and the pool's vectors are read too, as a digest would.
Times are the median of warm runs; peak memory is what Python allocated during one call.

    python benchmarks/bench_store_scale.py                     # 0, 2k, 20k, 200k earlier papers
    python benchmarks/bench_store_scale.py --sizes 0,20000 --url postgresql://...   # on PostgreSQL
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from papersift.encoders.base import content_hash  # noqa: E402
from papersift.models import Paper  # noqa: E402
from papersift.store import Store  # noqa: E402
from papersift.store import schema as s  # noqa: E402

WINDOW = 30
WORDS = "sparse attention pruning robust training graph diffusion protein causal kernel bandit".split()
DIM = 384
MODEL = "bench:fake-384"


def synthetic(i: int, kind: str) -> Paper:
    w = WORDS
    return Paper(
        title=f"{kind} paper {i} on {w[i % len(w)]} {w[(i * 7) % len(w)]} and {w[(i * 3) % len(w)]}",
        abstract=f"We study {w[(i * 3) % len(w)]} for {w[(i * 5) % len(w)]} in setting {i}. " * 8,
        ids={"arxiv": f"{2500 + i // 99999:04d}.{i % 99999:05d}"} if kind == "new" else {},
        date=dt.date.today().isoformat(),
    )


def fake_vector(text: str) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
    vector = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


def build(location: str | Path, earlier: int, today: dt.date) -> Store:
    store = Store(location)
    store.import_papers([synthetic(i, "Profile") for i in range(100)], profile="bench")
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with store.transaction() as conn:
        profile_id = conn.execute(select(s.profiles.c.id).where(s.profiles.c.name == "bench")).scalar_one()
        for start in range(0, earlier, 20_000):
            count = min(20_000, earlier - start)
            rows = []
            for i in range(start, start + count):
                age = 1 + i % 400
                day = today - dt.timedelta(days=age)
                rows.append({"i": i, "day": day.isoformat(), "seen": f"{day.isoformat()}T06:00:00+00:00", "age": age})
            ids = (
                conn.execute(
                    insert(s.papers).returning(s.papers.c.id, sort_by_parameter_order=True),
                    [
                        {
                            "title": f"Earlier paper {r['i']} on {WORDS[r['i'] % len(WORDS)]}",
                            "abstract": f"We study {WORDS[(r['i'] * 3) % len(WORDS)]}, case {r['i']}.",
                            "authors": "[]",
                            "ids": "{}",
                            "date": r["day"],
                            "links": "[]",
                            "extra": "{}",
                            "created_at": now,
                            "updated_at": now,
                        }
                        for r in rows
                    ],  # fmt: skip
                )
                .scalars()
                .all()
            )
            keys = [{"key": f"title:earlier paper {r['i']}", "paper_id": i} for r, i in zip(rows, ids, strict=True)]
            conn.execute(insert(s.paper_keys), keys)
            conn.execute(
                insert(s.candidates),
                [
                    {"paper_id": i, "first_seen": r["seen"], "last_seen": r["seen"]}
                    for r, i in zip(rows, ids, strict=True)
                ],
            )
            shown = [
                {"profile_id": profile_id, "paper_id": i, "run_id": None, "shown_at": r["seen"]}
                for r, i in zip(rows, ids, strict=True)
                if r["age"] <= WINDOW
            ]
            if shown:
                conn.execute(insert(s.shown), shown)
    new = [synthetic(i, "new") for i in range(1000, 2000)]
    store.import_papers(new, as_candidates=True)
    known = [*new, *store.profile_papers("bench")]
    store.put_embeddings(MODEL, {content_hash(p.text()): fake_vector(p.text()) for p in known})
    return store


def one_digest_read(store: Store, today: dt.date) -> int:
    inputs = store.digest_inputs("bench", today=today, max_age_days=None, include_seen=False,
                                 candidate_window_days=WINDOW)  # fmt: skip
    vectors = store.get_embeddings(MODEL, [content_hash(p.text()) for p in [*inputs.own, *inputs.pool]])
    assert len(vectors) == len(inputs.own) + len(inputs.pool)
    return len(inputs.pool)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="0,2000,20000,200000", help="earlier papers per store")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--url", help="a PostgreSQL database (each size gets its own schema) instead of SQLite files")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "store_scale.json")
    args = parser.parse_args()
    today = dt.date.today()
    results: dict[str, Any] = {"backend": "postgresql" if args.url else "sqlite", "new": 1000, "profile": 100,
                               "window_days": WINDOW, "stores": {}}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        for size in [int(x) for x in args.sizes.split(",")]:
            location: str | Path = Path(tmp) / f"store{size}.db"
            if args.url:
                sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
                from tests.conftest import new_postgres_schema

                location = new_postgres_schema(args.url)
            started = time.perf_counter()
            store = build(location, size, today)
            built = time.perf_counter() - started
            pool = one_digest_read(store, today)  # warm-up
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                one_digest_read(store, today)
                times.append(time.perf_counter() - started)
            tracemalloc.start()
            one_digest_read(store, today)
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            store.close()
            median = float(np.median(times))
            results["stores"][str(size)] = {
                "stored_papers": size + 1100,
                "pool": pool,
                "median_seconds": median,
                "all_seconds": times,
                "peak_traced_mib": peak,
                "build_seconds": built,
            }
            print(f"{size:>7} earlier papers: digest_inputs + pool vectors {median * 1000:.0f} ms, "
                  f"peak {peak:.1f} MiB, pool {pool} (built in {built:.0f} s)", flush=True)  # fmt: skip
    stores = results["stores"]
    if "0" in stores and len(stores) > 1:
        largest = max(stores, key=int)
        results["ratio_largest_to_new_only"] = stores[largest]["median_seconds"] / stores["0"]["median_seconds"]
        print(f"ratio {largest} / new only: {results['ratio_largest_to_new_only']:.2f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
