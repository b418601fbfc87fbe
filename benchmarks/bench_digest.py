"""The daily digest: 1,000 new candidates against a 100-paper profile, through the real CLI.

cold: a fresh store, nothing cached, the model loaded in the process;
warm: the same digest again with the embeddings in the store;
peer: the zotero-arxiv-daily approach (peer_baseline.py), which re-embeds everything every run.
Also the embedding bound (the encoder alone on the same 1,100 texts, model already loaded).
Each is a separate process; wall time and peak RSS are medians over --repeat runs, interleaved.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from common import goldstandard_texts, python, run_child, save

from papersift.encoders import get_encoder


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", type=int, default=100)
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--model", default=None, help="papersift encoder name (default: papersift's default)")
    args = parser.parse_args()

    texts = goldstandard_texts()
    if len(texts) < args.profile + args.candidates:
        raise SystemExit("bench_digest needs the gold-standard texts (../shared/goldstandard) for 1,100 real papers")
    rows = [{"title": t["title"], "abstract": t["abstract"], "ids": {"s2": t["id"]}} for t in texts]
    profile_rows, candidate_rows = rows[: args.profile], rows[args.profile : args.profile + args.candidates]
    papersift = [python(), "-m", "papersift"]
    model_args = ["--model", args.model] if args.model else []

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        profile_file, candidates_file = tmp_path / "profile.jsonl", tmp_path / "candidates.jsonl"
        _write(profile_file, profile_rows)
        _write(candidates_file, candidate_rows)
        runs: dict[str, list[tuple[float, float]]] = {"cold": [], "warm": [], "peer": []}
        for rep in range(args.repeat):
            home = tmp_path / f"home{rep}"
            env = {**os.environ, "PAPERSIFT_HOME": str(home)}
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


if __name__ == "__main__":
    main()
