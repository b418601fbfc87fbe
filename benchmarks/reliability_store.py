"""The store under stress, as `make reliability` reports it: concurrent writers and kill -9.

* Concurrent writers: ``--rounds`` rounds, each on a new store holding the profile and one feed:
  five ``papersift feed import`` processes of overlapping sample feeds and one process rating 20
  papers, all started at once. Checked: the exact set of papers a sequential import gives, every
  identity key naming one paper, all 20 ratings kept, no process failing or printing a traceback.
* kill -9: a ``papersift feed import`` of ``--kill-papers`` synthetic papers is killed at
  ``--moments`` moments spread over its uninterrupted duration. Checked: the store is intact
  (integrity check) and holds either none or all of the import (one transaction per import), and
  a rerun completes with the exact count and no duplicates.
* A long import: how long it holds the write lock, and the slowest read another process made
  meanwhile (readers never wait for writers under WAL).

Writes ``benchmarks/results/reliability_store.json``; with ``--url postgresql://...`` the
concurrent writers run on PostgreSQL (kill -9 stays on SQLite files, whose integrity it checks).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(1, str(REPO / "src"))

from sqlalchemy import select, text  # noqa: E402

from papersift.identity import identity_keys  # noqa: E402
from papersift.store import Store  # noqa: E402
from papersift.store import schema as s  # noqa: E402

SAMPLE = REPO / "data" / "sample"
FEEDS = [SAMPLE / "feed_hf_nov20.txt", SAMPLE / "feed_hf_nov14.txt", SAMPLE / "feed_hf_oct17.txt"]
PROFILE = [SAMPLE / "profile_publications.txt", SAMPLE / "profile_arxiv.txt"]
CLI = [sys.executable, "-c", "from papersift.cli import main; main()"]
WORDS = "sparse attention pruning robust training graph diffusion protein causal kernel bandit".split()


def env_for(location: str | Path, home: Path) -> dict[str, str]:
    env = {**os.environ, "PAPERSIFT_HOME": str(home), "PYTHONPATH": str(REPO / "src")}
    env["PAPERSIFT_DATABASE_URL"] = str(location)
    return env


def papersift(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([*CLI, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def audit(location: str | Path) -> dict[str, Any]:
    """Papers, duplicates (titles stored twice, keys not naming their paper) and ratings of a store."""
    with Store(location) as store, store.snapshot() as conn:
        ids = list(conn.execute(select(s.papers.c.id)).scalars())
        stored_keys = {row.key: row.paper_id for row in conn.execute(select(s.paper_keys))}
        papers = store.papers_by_id(ids)
        ratings = len(store.ratings("me")) if store.profiles() else 0
    titles = Counter(p.title for p in papers)
    bad_keys = sum(1 for p in papers for k in identity_keys(p) if stored_keys.get(k) != p.store_id)
    return {
        "titles": set(titles),
        "papers": len(papers),
        "duplicates": sum(n - 1 for n in titles.values() if n > 1) + bad_keys,
        "ratings": ratings,
    }


RATER = """
import sys, time
from papersift.store import Store
location, start = sys.argv[1], float(sys.argv[2])
with Store(location) as store:
    ids = [p.store_id for p in store.candidate_papers()[:20]]
    while time.time() < start:
        time.sleep(0.01)
    for i, paper_id in enumerate(ids):
        store.rate("me", paper_id, ("up", "down", "save")[i % 3])
"""


def concurrent_writers(rounds: int, tmp: Path, url: str | None) -> dict[str, Any]:
    def new_location(name: str) -> str | Path:
        if url:
            from tests.conftest import new_postgres_schema

            return new_postgres_schema(url)
        return tmp / name

    reference = new_location("reference.db")
    with Store(reference) as store:
        from papersift import api

        api.import_profile(store, "me", PROFILE)
        api.import_feed(store, FEEDS)
    expected = audit(reference)["titles"]
    subsets = [FEEDS, FEEDS[:2], FEEDS[1:], [FEEDS[0], FEEDS[2]], FEEDS[::-1]]
    processes = exact = duplicates = lost = errors = 0
    failures: list[str] = []
    for round_ in range(rounds):
        location = new_location(f"writers{round_}.db")
        with Store(location) as store:
            api.import_profile(store, "me", PROFILE)
            api.import_feed(store, FEEDS[2:])
        env = env_for(location, tmp / f"home{round_}")
        start = time.time() + 3.0  # every process is up by then
        rater = subprocess.Popen(
            [sys.executable, "-c", RATER, str(location), str(start)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        importers = [papersift(["feed", "import", *map(str, files)], env) for files in subsets]
        for process in [rater, *importers]:
            _, stderr = process.communicate(timeout=300)
            processes += 1
            if process.returncode != 0 or "Traceback" in stderr:
                errors += 1
                failures.append(stderr.strip().splitlines()[-1] if stderr.strip() else f"exit {process.returncode}")
        found = audit(location)
        duplicates += found["duplicates"]
        lost += len(expected - found["titles"]) + (20 - found["ratings"])
        exact += found["titles"] == expected and found["ratings"] == 20 and found["papers"] == len(expected)
    note = (
        f"Concurrent writers: {rounds} rounds of five `papersift feed import` processes of overlapping sample "
        f"feeds and one process rating 20 papers, started at once on "
        f"{'PostgreSQL' if url else 'one SQLite file'}; a run is exact when the store holds exactly the papers "
        "of a sequential import, each identity key names one paper and all ratings are kept."
    )
    return {
        "runs": rounds,
        "processes": processes,
        "exact": exact,
        "duplicates": duplicates,
        "lost": lost,
        "errors": errors,
        "failures": failures[:5],
        "backend": "postgresql" if url else "sqlite",
        "note": note,
    }


def big_feed(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            paper = {
                "title": f"Synthetic paper {i} on {WORDS[i % 11]} and {WORDS[(i * 7) % 11]}",
                "abstract": f"We study {WORDS[(i * 3) % 11]} in case {i}. " * 5,
                "ids": {"arxiv": f"2601.{i:05d}"},
                "date": "2026-11-20",
            }
            out.write(json.dumps(paper) + "\n")
    return path


def integrity(path: Path) -> bool:
    with Store(path) as store, store.snapshot() as conn:
        return conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"


WRITER = """
import sys, time
from papersift.loading import load_papers
from papersift.store import Store
loaded = load_papers([sys.argv[2]])
with Store(sys.argv[1]) as store:
    started = time.perf_counter()
    store.import_papers(loaded.papers, as_candidates=True)
    print(time.perf_counter() - started)
"""


def timed_import(feed: Path, location: Path, home: Path) -> tuple[float, float, float]:
    """An uninterrupted import: its wall time as a command, how long it held the write lock, and the
    slowest read another process made meanwhile."""
    env = env_for(location, home)
    Store(location).close()
    reader_script = (
        "import sys, time\nfrom papersift.store import Store\nworst = 0.0\n"
        "with Store(sys.argv[1]) as store:\n"
        "    while True:\n"
        "        t = time.perf_counter(); store.paper_count(); worst = max(worst, time.perf_counter() - t)\n"
        "        print(worst, flush=True); time.sleep(0.05)\n"
    )
    reader = subprocess.Popen(
        [sys.executable, "-c", reader_script, str(location)], env=env, stdout=subprocess.PIPE, text=True
    )
    started = time.perf_counter()
    importer = papersift(["feed", "import", str(feed)], env)
    _, stderr = importer.communicate(timeout=900)
    seconds = time.perf_counter() - started
    if importer.returncode != 0:
        raise RuntimeError(f"the import failed: {stderr[-500:]}")
    # The same import into a new store, timing only the one write transaction.
    writer_location = location.with_name("timed-writer.db")
    writer = subprocess.run(
        [sys.executable, "-c", WRITER, str(writer_location), str(feed)],
        env=env_for(writer_location, home),
        capture_output=True,
        text=True,
        check=True,
    )
    reader.send_signal(signal.SIGKILL)
    lines = (reader.communicate()[0] or "0").split()
    return seconds, float(writer.stdout.split()[-1]), float(lines[-1]) if lines else 0.0


def kill9(n_papers: int, moments: int, tmp: Path) -> dict[str, Any]:
    feed = big_feed(tmp / "big.jsonl", n_papers)
    duration, locked, worst_read = timed_import(feed, tmp / "timed.db", tmp / "home-timed")
    runs = intact = exact = duplicates = lost = 0
    outcomes: list[str] = []
    for k in range(moments):
        delay = duration * (k + 0.5) / moments
        location = tmp / f"kill{k}.db"
        env = env_for(location, tmp / f"home-kill{k}")
        Store(location).close()
        process = papersift(["feed", "import", str(feed)], env)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.communicate()
        runs += 1
        count = audit(location)["papers"]
        whole = count in (0, n_papers)
        intact += integrity(location) and whole
        outcomes.append("all" if count == n_papers else "none" if count == 0 else f"partial {count}")
        rerun = papersift(["feed", "import", str(feed)], env)
        _, stderr = rerun.communicate(timeout=900)
        after = audit(location)
        duplicates += after["duplicates"]
        lost += max(0, n_papers - after["papers"])
        exact += rerun.returncode == 0 and "Traceback" not in stderr and after["papers"] == n_papers
    note = (
        f"kill -9: a `papersift feed import` of {n_papers:,} papers ({duration:.0f} s uninterrupted) killed at "
        f"{moments} moments spread over its run; each time the store passed SQLite's integrity check and held "
        f"{'none or all' if intact == runs else 'not always none or all'} of the import "
        f"({', '.join(outcomes)}), and a rerun completed. An import is one transaction, so it stays all-or-nothing; "
        f"it holds the write lock only while it writes ({locked:.1f} s for {n_papers:,} papers, after parsing), "
        f"other writers wait and say for whom, and readers never wait (the slowest read during an import took "
        f"{worst_read * 1000:.0f} ms)."
    )
    return {
        "runs": runs,
        "intact": intact,
        "exact_after_rerun": exact,
        "duplicates": duplicates,
        "lost": lost,
        "papers": n_papers,
        "import_seconds": duration,
        "write_lock_seconds": locked,
        "slowest_read_during_import_seconds": worst_read,
        "after_kill": outcomes,
        "note": note,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--kill-papers", type=int, default=5000)
    parser.add_argument("--moments", type=int, default=6)
    parser.add_argument("--url", help="run the concurrent writers on this PostgreSQL database")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "reliability_store.json")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        writers = concurrent_writers(args.rounds, tmp, args.url)
        print(f"concurrent writers: {writers['exact']}/{writers['rounds']} rounds exact, {writers['errors']} errors")
        killed = kill9(args.kill_papers, args.moments, tmp)
        print(f"kill -9: {killed['intact']}/{killed['runs']} intact, {killed['exact_after_rerun']} exact after rerun")
    result = {"concurrent_writers": writers, "kill9": killed, "seconds": time.perf_counter() - started}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
