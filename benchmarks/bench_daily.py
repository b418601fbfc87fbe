"""The daily job: 50 profiles over 2,000 new candidates, every digest mailed to a loopback SMTP server.

Profiles are the gold standard's researchers (their archive papers, d_20_1); candidates are distinct
real-text papers made by pairing one gold-standard title with another paper's abstract (the gold
standard has 1,311 distinct papers, fewer than 2,000). The encoder is wrapped to time every call:
the share of the run spent embedding is the number to watch (target: everything else < 10%).
Embeddings are shared: each distinct text is embedded once, whatever the number of profiles.
The SMTP server runs in a process of its own (a mail provider is another machine; in this process
it would share the interpreter lock with the run being timed).

    python benchmarks/bench_daily.py            # 50 profiles, 2,000 candidates
    python benchmarks/bench_daily.py --quick    # 8 profiles, 300 candidates (about a minute)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import random
import socket
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from common import GOLDSTANDARD, goldstandard_texts, save

from papersift.config import Config, DeliverConfig, SmtpConfig, WebConfig
from papersift.delivery.daily import run_daily
from papersift.encoders import Encoder, get_encoder
from papersift.models import Paper
from papersift.store import Store

EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class TimedEncoder:
    """The real encoder, with the seconds and texts of every call counted."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.cacheable = inner.cacheable
        self.seconds = 0.0
        self.texts = 0
        self.calls = 0

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        start = time.perf_counter()
        vectors = self.inner.encode(texts, show_progress)
        self.seconds += time.perf_counter() - start
        self.texts += len(texts)
        self.calls += 1
        return vectors


class Inbox:
    def __init__(self, count: Any) -> None:
        self.count = count  # a multiprocessing.Value, read by the benchmark's process

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        with self.count.get_lock():
            self.count.value += 1
        return "250 OK"


def smtp_server(port: int, count: Any, ready: Any, stop: Any) -> None:
    """The loopback mail server, in a process of its own: a user's mail provider is another machine,
    and in this process it would take the interpreter lock from the run it is timing."""
    from aiosmtpd.controller import Controller

    controller = Controller(Inbox(count), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


def profiles(n: int) -> list[list[Paper]]:
    archives = sorted((GOLDSTANDARD / "evaluation_datasets" / "d_20_1" / "archives").glob("*.jsonl"))
    found = []
    for archive in archives[:n]:
        papers = []
        for line in archive.read_text(encoding="utf-8").splitlines():
            if line.strip():
                content = json.loads(line)["content"]
                papers.append(Paper(title=content.get("title") or "", abstract=content.get("abstract") or ""))
        found.append(papers)
    return found


def candidates(n: int, seed: int = 7) -> list[Paper]:
    """Distinct papers of real words: one paper's title and first half of its abstract, another's second half.

    Titles and abstracts must both be new, or the store's de-duplication (by title and by abstract) merges them.
    """
    texts = [t for t in goldstandard_texts() if t["title"] and len(t["abstract"]) > 200]
    rng = random.Random(seed)
    made: list[Paper] = []
    seen: set[tuple[int, int]] = set()
    while len(made) < n:
        i, j = rng.randrange(len(texts)), rng.randrange(len(texts))
        if i == j or (i, j) in seen:
            continue
        seen.add((i, j))
        first, second = texts[i]["abstract"], texts[j]["abstract"]
        hint = " ".join(texts[j]["title"].split()[:4])
        made.append(
            Paper(
                title=f"{texts[i]['title']} ({hint})",
                abstract=first[: len(first) // 2] + " " + second[len(second) // 2 :],
                ids={"s2": f"bench-{i}-{j}"},
            )
        )
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, default=50)
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--model", default="minilm")
    parser.add_argument("--quick", action="store_true", help="8 profiles over 300 candidates")
    args = parser.parse_args()
    if args.quick:
        args.profiles, args.candidates = 8, 300
    if not GOLDSTANDARD.is_dir():
        raise SystemExit("bench_daily needs the gold standard (../shared/goldstandard) for real paper texts")

    people = profiles(args.profiles)
    pool = candidates(args.candidates)
    encoder = TimedEncoder(get_encoder(args.model))
    encoder.inner.encode(["warm the model up"])  # loading the model is not part of a daily run
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    received, ready, stop = multiprocessing.Value("i", 0), multiprocessing.Event(), multiprocessing.Event()
    mail_server = multiprocessing.Process(target=smtp_server, args=(port, received, ready, stop), daemon=True)
    mail_server.start()
    if not ready.wait(30):
        raise SystemExit("the loopback SMTP server did not start")
    try:
        with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.db") as store:
            for index, papers in enumerate(people):
                store.import_papers(papers, profile=f"r{index:02d}")
            store.import_papers(pool, as_candidates=True)
            config = Config(
                web=WebConfig(secret_key="bench-secret-key-of-enough-length"),
                smtp=SmtpConfig(url=f"smtp://127.0.0.1:{port}", sender="papersift <papersift@lab.example>"),
                deliver=tuple(
                    DeliverConfig(f"r{i:02d}", (f"r{i:02d}@lab.example",), EVERY_DAY, args.top, 0.0)
                    for i in range(len(people))
                ),
            )
            clock = dt.datetime(2026, 11, 24, 7, 30, tzinfo=dt.UTC)
            start = time.perf_counter()

            def progress(line: str) -> None:  # one line per profile: a run cut short still tells the split
                elapsed = time.perf_counter() - start
                print(f"{elapsed:8.1f} s, embedding {encoder.seconds:8.1f} s: {line[:80]}", file=sys.stderr, flush=True)

            report = run_daily(store, config, lambda: clock, encoder=encoder, log=progress)
            wall = time.perf_counter() - start
            rerun_start = time.perf_counter()
            run_daily(store, config, lambda: clock, encoder=encoder)  # the same day again: nothing to send
            rerun = time.perf_counter() - rerun_start
            distinct = store.paper_count()
    finally:
        stop.set()
        mail_server.join(timeout=30)
    profile_papers = sum(len(p) for p in people)
    other = wall - encoder.seconds
    result = {
        "profiles": len(people),
        "profile_papers": profile_papers,
        "candidates": len(pool),
        "model": encoder.model_id,
        "wall_seconds": round(wall, 2),
        "embedding_seconds": round(encoder.seconds, 2),
        "embedding_share": round(encoder.seconds / wall, 3),
        "other_share": round(other / wall, 3),
        "other_seconds_per_profile": round(other / len(people), 3),
        "texts_embedded": encoder.texts,
        "distinct_papers_in_store": distinct,
        "encode_calls": encoder.calls,
        "mails_received": received.value,
        "mails_failed": sum(p.failed for p in report.profiles),
        "same_day_rerun_seconds": round(rerun, 2),
        "quick": args.quick,
    }
    print(json.dumps(result, indent=2))
    if not args.quick:
        save("daily", result)


if __name__ == "__main__":
    main()


def readme_section(r: dict[str, Any]) -> list[str]:
    """The README's paragraph for this benchmark (``run_all.py`` calls it)."""
    met = "met" if r["other_share"] < 0.10 else "**not met**"
    return [
        "### Daily run",
        "",
        f"`papersift run` for {r['profiles']} profiles ({r['profile_papers']} profile papers) over "
        f"{r['candidates']:,} new candidates, every digest ({r['mails_received']} mails) sent to a loopback SMTP "
        f"server, model {r['model']}: {r['wall_seconds']:.0f} s wall, of which {r['embedding_share']:.0%} embedding "
        f"({r['texts_embedded']:,} texts, each distinct paper once: {r['distinct_papers_in_store']:,} in the store). "
        f"Everything else (ranking, interests, mail, bookkeeping) is {r['other_share']:.1%} of the run, "
        f"{r['other_seconds_per_profile']:.2f} s per profile; target < 10%: {met}. The same day again sends "
        f"nothing and takes {r['same_day_rerun_seconds']:.1f} s.",
    ]
