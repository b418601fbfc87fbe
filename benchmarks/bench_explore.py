"""Latency of the pages that compute in the request: Lab, Map and semantic search.

A store of five members (five gold-standard researchers' papers) and 2,000 candidates (the other
gold-standard papers, then recombinations of their titles and abstracts), each member with a digest made
by the real encoder, so every embedding is cached before timing. Each page is requested through the
app (FastAPI's test client, single-user mode) once cold and then ``--repeat`` times warm.

    python benchmarks/bench_explore.py            # needs the gold standard beside the clone
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "src"), str(REPO / "benchmarks")]

from common import GOLDSTANDARD, goldstandard_texts, save  # noqa: E402

from papersift import explore  # noqa: E402
from papersift.encoders import get_encoder  # noqa: E402
from papersift.models import Paper  # noqa: E402
from papersift.store import Store  # noqa: E402

CACHE = REPO / "benchmarks" / ".cache"
MEMBERS = 5
CANDIDATES = 2000


def build(path: Path, model: str) -> None:
    archives = sorted((GOLDSTANDARD / "evaluation_datasets" / "d_20_1" / "archives").glob("*.jsonl"))[:MEMBERS]
    own_titles: set[str] = set()
    with Store(path) as store:
        for i, archive in enumerate(archives):
            papers = []
            for line in archive.read_text(encoding="utf-8").splitlines():
                c = json.loads(line)["content"]
                if c.get("title"):
                    papers.append(
                        Paper(title=c["title"], abstract=c.get("abstract") or "", date=str(c.get("year") or ""))
                    )
                    own_titles.add(c["title"].strip())
            store.import_papers(papers, profile=f"member{i + 1}")
        texts = [t for t in goldstandard_texts() if t["title"] and t["title"] not in own_titles]
        rng = random.Random(3)
        candidates = [
            Paper(title=t["title"], abstract=t["abstract"], ids={"s2": t["id"]}, date="2026-11-27") for t in texts
        ]
        while len(candidates) < CANDIDATES:
            # A title and two half abstracts of three papers: distinct texts (the store merges equal abstracts).
            a, b, c = rng.sample(texts, 3)
            n = len(candidates)
            abstract = b["abstract"][: len(b["abstract"]) // 2] + " " + c["abstract"][len(c["abstract"]) // 2 :]
            candidates.append(
                Paper(title=f"{a['title']} ({n})", abstract=abstract, ids={"s2": f"remix{n}"}, date="2026-11-28")
            )
        store.import_papers(candidates[:CANDIDATES], as_candidates=True)
        encoder = get_encoder(model)
        for i in range(MEMBERS):
            explore.make_digest(store, f"member{i + 1}", encoder, top=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--model", default="minilm")
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached store")
    args = parser.parse_args()
    if not GOLDSTANDARD.is_dir():
        sys.exit(f"the gold standard ({GOLDSTANDARD}) is not beside this clone")
    from fastapi.testclient import TestClient

    from papersift.web import WebSettings, create_app

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"explore-{args.model}.db"
    if args.fresh or not path.exists():
        path.unlink(missing_ok=True)
        started = time.perf_counter()
        build(path, args.model)
        print(f"built {path} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    pages = {
        "lab": "/lab",
        "map": "/p/member1/map",
        "semantic_search": "/p/member1/search?q=learning+from+few+labelled+examples&mode=semantic",
        "today": "/p/member1/today",
    }
    results: dict[str, dict[str, float]] = {}
    with TestClient(create_app(WebSettings(store=str(path), model=args.model))) as client:
        for name, url in pages.items():
            started = time.perf_counter()
            assert client.get(url).status_code == 200, url
            cold = time.perf_counter() - started
            warm = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                response = client.get(url)
                warm.append(time.perf_counter() - started)
                assert response.status_code == 200, url
            results[name] = {
                "cold_ms": round(cold * 1000, 1),
                "warm_median_ms": round(statistics.median(warm) * 1000, 1),
            }
            print(f"{name:16s} cold {cold * 1000:8.1f} ms   warm median {statistics.median(warm) * 1000:8.1f} ms")
    with Store(path) as store:
        candidates = len(store.candidate_papers())
    save("explore", {"members": MEMBERS, "candidates": candidates, "model": args.model, "pages": results})


if __name__ == "__main__":
    main()
