"""The daily digest: 1,000 new candidates against a 100-paper profile.

Default: through the real CLI.
cold: a fresh store, nothing cached, the model loaded in the process;
warm: the same digest again with the embeddings in the store;
peer: the zotero-arxiv-daily approach (peer_baseline.py), which re-embeds everything every run.
Also the embedding bound (the encoder alone on the same 1,100 texts, model already loaded).
Each is a separate process; wall time and peak RSS are medians over --repeat runs, interleaved.
The processes run with Python's bytecode cache, compiled once before the first run, as an installed
package has it (pip compiles on install; a source checkout writes it on its first run). A shell with
PYTHONDONTWRITEBYTECODE set would otherwise compile papersift from source in every run (about 50 ms).

``--scale``: does the digest's cost follow the day's work or the store's history? The same 1,000 new
candidates and 100-paper profile in stores that also hold 0, 2,000, 20,000 and 200,000 papers from
earlier days (already shown, or never shown and past the candidate window). A warm digest (the
library call, embeddings cached) is timed in this one process, median of --repeat, and its peak
traced memory measured in a separate run. Vectors come from a fast hashing encoder (the ranking
does not care where vectors come from; only the papers a digest reads are ever embedded), so the
whole run takes a few minutes and needs no model.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import statistics
import subprocess
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from common import goldstandard_texts, python, run_child, save
from sqlalchemy import text

from papersift import api
from papersift.encoders import get_encoder
from papersift.ranking import RankOptions
from papersift.ranking.personal import DigestOptions
from papersift.store import Store

OLD_SIZES = (0, 2_000, 20_000, 200_000)


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", type=int, default=100)
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--model", default=None, help="papersift encoder name (default: papersift's default)")
    parser.add_argument("--scale", action="store_true", help="time warm digests against stores of growing history")
    parser.add_argument(
        "--old", type=int, nargs="*", default=list(OLD_SIZES), help="papers from earlier days (with --scale)"
    )
    args = parser.parse_args()
    if args.scale:
        save("digest_scale", run_scale(args.profile, args.candidates, args.old, args.repeat))
        return

    texts = goldstandard_texts()
    if len(texts) < args.profile + args.candidates:
        raise SystemExit("bench_digest needs the gold-standard texts (../shared/goldstandard) for 1,100 real papers")
    rows = [{"title": t["title"], "abstract": t["abstract"], "ids": {"s2": t["id"]}} for t in texts]
    profile_rows, candidate_rows = rows[: args.profile], rows[args.profile : args.profile + args.candidates]
    papersift = [python(), "-m", "papersift"]
    model_args = ["--model", args.model] if args.model else []

    src = Path(__file__).resolve().parents[1] / "src"
    subprocess.run([python(), "-m", "compileall", "-q", str(src)], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        profile_file, candidates_file = tmp_path / "profile.jsonl", tmp_path / "candidates.jsonl"
        _write(profile_file, profile_rows)
        _write(candidates_file, candidate_rows)
        runs: dict[str, list[tuple[float, float]]] = {"cold": [], "warm": [], "peer": []}
        for rep in range(args.repeat):
            home = tmp_path / f"home{rep}"
            env = {**os.environ, "PAPERSIFT_HOME": str(home)}
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            run_child([*papersift, "profile", "import", str(profile_file), "--name", "bench", "-q"], env)
            run_child([*papersift, "feed", "import", str(candidates_file), "-q"], env)
            digest = [*papersift, "digest", "--profile", "bench", "--top", "20", "--format", "json", "-q", *model_args]
            runs["cold"].append(run_child(digest, env))
            runs["warm"].append(run_child(digest, env))
            runs["warm"].append(run_child(digest, env))
            runs["peer"].append(
                run_child(
                    [
                        python(),
                        str(Path(__file__).with_name("peer_baseline.py")),
                        str(profile_file),
                        str(candidates_file),
                    ],
                    env,
                )
            )

    encoder = get_encoder(args.model)
    all_texts = [f"{r['title']}. {r['abstract']}" for r in profile_rows + candidate_rows]
    encoder.encode(all_texts[:8])  # load the model outside the timing
    start = time.perf_counter()
    encoder.encode(all_texts)
    embed_seconds = time.perf_counter() - start

    def med(name: str, index: int) -> float:
        return statistics.median(r[index] for r in runs[name])

    data = {
        "profile": args.profile,
        "candidates": args.candidates,
        "model": encoder.model_id,
        "seconds": {name: med(name, 0) for name in runs},
        "peak_rss_mib": {name: med(name, 1) for name in runs},
        "all_seconds": {name: [r[0] for r in values] for name, values in runs.items()},
        "embedding_bound_seconds": embed_seconds,
    }
    data["speedup_vs_peer"] = {
        "cold": data["seconds"]["peer"] / data["seconds"]["cold"],
        "warm": data["seconds"]["peer"] / data["seconds"]["warm"],
    }
    save("digest", data)
    s = data["seconds"]
    print(
        f"cold {s['cold']:.1f}s (embedding bound {embed_seconds:.1f}s) | warm {s['warm']:.2f}s"
        f" | peer {s['peer']:.1f}s | "
        f"peak RSS cold {data['peak_rss_mib']['cold']:.0f} MiB, warm {data['peak_rss_mib']['warm']:.0f} MiB"
    )


# -- --scale: a digest's cost against the store's history ------------------------------------------


class HashingEncoder:
    """Fast stand-in vectors: hashed word counts, 384 dimensions, normalised (cacheable like a model's)."""

    model_id = "bench:hashing-384"
    cacheable = True
    dim = 384

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        matrix = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, sentence in enumerate(texts):
            for word in sentence.lower().split():
                digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
                matrix[i, int.from_bytes(digest, "little") % self.dim] += 1.0
        matrix[:, 0] += 0.01
        return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def _old_rows(n: int, today: dt.date, window: int) -> list[dict[str, Any]]:
    words = "sparse attention pruning robust training graph diffusion protein causal kernel bandit".split()
    rows = []
    for i in range(n):
        age = 1 + i % 400  # first seen 1 to 400 days ago
        first_seen = (today - dt.timedelta(days=age)).isoformat() + "T06:00:00+00:00"
        rows.append(
            {
                "title": f"Earlier paper {i} on {words[i % len(words)]} {words[(i * 7) % len(words)]}",
                "abstract": f"We study {words[(i * 3) % len(words)]} for {words[(i * 5) % len(words)]}, case {i}.",
                "date": (today - dt.timedelta(days=age)).isoformat(),
                "first_seen": first_seen,
                "shown": age <= window,  # within the window: a past digest showed it
            }
        )
    return rows


def build_scale_store(path: Path, profile: list[dict[str, Any]], new: list[dict[str, Any]], old: int) -> Store:
    """A store with ``profile``, today's ``new`` candidates and ``old`` candidates from earlier days.

    Old papers are bulk-inserted (the import path would take minutes at 200,000): those first seen
    within the candidate window were shown by an earlier digest, the rest are past the window.
    """
    today = dt.date.today()
    store = Store(path)
    api.import_profile(store, "bench", [_jsonl(path.with_suffix(".profile.jsonl"), profile)])
    rows = _old_rows(old, today, getattr(DigestOptions(), "candidate_window_days", 30))
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with store.transaction() as conn:
        profile_id = conn.execute(text("SELECT id FROM profiles WHERE name = 'bench'")).scalar_one()
        first = int(conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM papers")).scalar_one()) + 1
        for start in range(0, len(rows), 20_000):
            chunk = rows[start : start + 20_000]
            ids = range(first + start, first + start + len(chunk))
            conn.execute(
                text(
                    "INSERT INTO papers (id, title, abstract, authors, ids, date, links, extra, created_at, updated_at)"
                    " VALUES (:id, :title, :abstract, '[]', '{}', :date, '[]', '{}', :now, :now)"
                ),
                [
                    {"id": i, "title": r["title"], "abstract": r["abstract"], "date": r["date"], "now": now}
                    for i, r in zip(ids, chunk, strict=True)
                ],
            )
            conn.execute(
                text("INSERT INTO paper_keys (key, paper_id) VALUES (:key, :id)"),
                [{"key": f"title:earlier paper {i}", "id": i} for i in ids],
            )
            conn.execute(
                text("INSERT INTO candidates (paper_id, first_seen, last_seen) VALUES (:id, :seen, :seen)"),
                [{"id": i, "seen": r["first_seen"]} for i, r in zip(ids, chunk, strict=True)],
            )
            conn.execute(
                text("INSERT INTO shown (profile_id, paper_id, run_id, shown_at) VALUES (:p, :id, NULL, :seen)"),
                [
                    {"p": profile_id, "id": i, "seen": r["first_seen"]}
                    for i, r in zip(ids, chunk, strict=True)
                    if r["shown"]
                ],
            )
    api.import_feed(store, [_jsonl(path.with_suffix(".new.jsonl"), new)])
    return store


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    _write(path, rows)
    return path


def _warm_digest(store: Store, encoder: HashingEncoder) -> api.Digest:
    return api.digest_from_store(store, "bench", encoder, RankOptions(top=20), record=False)


def run_scale(n_profile: int, n_new: int, old_sizes: Sequence[int], repeat: int) -> dict[str, Any]:
    texts = goldstandard_texts()
    if len(texts) >= n_profile + n_new:
        rows = [{"title": t["title"], "abstract": t["abstract"], "ids": {"s2": t["id"]}} for t in texts]
    else:  # no gold standard beside this clone: synthetic papers of the same sizes
        rows = [
            {"title": f"Paper {i}", "abstract": f"Abstract of paper {i} about topic {i % 17}."} for i in range(1100)
        ]
    profile, new = rows[:n_profile], rows[n_profile : n_profile + n_new]
    encoder = HashingEncoder()
    results: dict[str, Any] = {"profile": n_profile, "new_candidates": n_new, "encoder": encoder.model_id, "stores": {}}
    results["load_average"] = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        built: dict[int, tuple[Store, float, api.Digest]] = {}
        for old in old_sizes:
            start = time.perf_counter()
            store = build_scale_store(Path(tmp) / f"store{old}.db", profile, new, old)
            seconds = time.perf_counter() - start
            api.list_interests(store, "bench", encoder)  # found and stored once, as the first digest does
            first = _warm_digest(store, encoder)  # embeds the pool, the profile and the background once
            built[old] = (store, seconds, first)
            print(f"{old:>7} earlier papers: store built in {seconds:.0f}s (pool {first.candidates})")
        # Measured side by side: each round times one warm digest on every store, so a noisy moment
        # of the machine (or a garbage collection) falls on all sizes alike; medians over the rounds.
        wall: dict[int, list[float]] = {old: [] for old in old_sizes}
        cpu: dict[int, list[float]] = {old: [] for old in old_sizes}
        for _ in range(repeat):
            for old in old_sizes:
                store = built[old][0]
                start, start_cpu = time.perf_counter(), time.process_time()
                _warm_digest(store, encoder)
                wall[old].append(time.perf_counter() - start)
                cpu[old].append(time.process_time() - start_cpu)
        for old in old_sizes:
            store, seconds, first = built[old]
            tracemalloc.start()
            _warm_digest(store, encoder)
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            store.close()
            results["stores"][str(old)] = {
                "stored_papers": old + n_new + n_profile,
                "pool": first.candidates,
                "picks": [r.paper.display_title for r in first.recommendations],
                "warm_seconds": statistics.median(wall[old]),
                "all_seconds": wall[old],
                "warm_cpu_seconds": statistics.median(cpu[old]),
                "peak_traced_mib": peak,
                "build_seconds": seconds,
            }
            print(
                f"{old:>7} earlier papers: warm digest {statistics.median(wall[old]):.3f}s wall, "
                f"{statistics.median(cpu[old]):.3f}s CPU, peak {peak:.0f} MiB"
            )
    stores = results["stores"]
    if "0" in stores and "200000" in stores:
        base, big = stores["0"], stores["200000"]
        results["ratio_200k_to_new_only"] = big["warm_seconds"] / base["warm_seconds"]
        results["cpu_ratio_200k_to_new_only"] = big["warm_cpu_seconds"] / base["warm_cpu_seconds"]
        results["same_picks"] = big["picks"] == base["picks"]
        print(
            f"200k / new only: {results['ratio_200k_to_new_only']:.2f}x wall, "
            f"{results['cpu_ratio_200k_to_new_only']:.2f}x CPU, same picks: {results['same_picks']}"
        )
    return results


if __name__ == "__main__":
    main()
