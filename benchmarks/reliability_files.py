"""Hostile files, measured: the mutation corpus through the import commands, and the named hostile cases.

Writes benchmarks/results/reliability_files.json with
- ``corpus``: every real fixture x every mutation x ``--seeds`` seeds, each run through three commands
  (``feed import``, ``profile import`` into a store already holding papers, and ``rank``'s file
  reading); outcome counts: imported / clean_error / traceback / timeout / memory, plus
  ``partial_write`` (a refused import that changed the store; must be 0);
- ``hostile``: the cases of issue 11 (quadratic inputs, tracebacks, unbounded reads) with their
  time, outcome and the peak memory of a fresh process reading them.

Cases run in a worker process with a memory limit (``--memory-mb``) and a per-case alarm
(``--timeout``); a worker that dies is replaced and its case counted as ``memory``.
Runs by itself: ``python benchmarks/reliability_files.py [--seeds 1] [--src PATH]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results" / "reliability_files.json"
COMMANDS = ("feed-import", "profile-import", "rank-read")
SEED_PAPERS = [
    {"title": "Sharpness-aware minimization for efficient generalization", "abstract": "Flat minima."},
    {"title": "A paper already in the store before the import", "abstract": "Kept as it was."},
]


# -- the worker: runs cases in-process, one JSON line in, one JSON line out ----------------------


def _run_case(case: dict[str, Any], tmp: Path) -> dict[str, Any]:
    from tests.fuzz.corpus import mutate, store_dump, stored_text_problems

    from papersift import api
    from papersift.errors import PapersiftError
    from papersift.sources.sanitize import ReaderBug
    from papersift.store import Store

    source = Path(case["fixture"])
    path = tmp / source.name
    path.write_bytes(mutate(source.read_bytes(), case["mutation"], case["seed"]))
    store_path = tmp / "store.db"
    store_path.unlink(missing_ok=True)
    started = time.perf_counter()
    outcome, detail = "imported", ""
    try:
        if case["command"] == "rank-read":
            api.load_papers([path])
        else:
            existing = tmp / "existing.jsonl"
            existing.write_text("\n".join(json.dumps(p) for p in SEED_PAPERS) + "\n", encoding="utf-8")
            with Store(store_path) as store:
                api.import_profile(store, "me", [existing])
            before = store_dump(store_path)
            with Store(store_path) as store:
                try:
                    if case["command"] == "feed-import":
                        api.import_feed(store, [path])
                    else:
                        api.import_profile(store, "me", [path])
                except PapersiftError:
                    if store_dump(store_path) != before:
                        outcome = "partial_write"
                    raise
            problems = stored_text_problems(store_path)
            if problems:
                outcome, detail = "corrupt_text", problems[0]
    except ReaderBug as exc:
        outcome, detail = "traceback", str(exc)[:300]
    except PapersiftError as exc:
        if outcome != "partial_write":
            outcome, detail = "clean_error", str(exc)[:200]
    except TimeoutError:
        outcome = "timeout"
    except MemoryError:
        outcome = "memory"
    except Exception as exc:  # noqa: BLE001 - this is what is being counted
        outcome, detail = "traceback", f"{type(exc).__name__}: {str(exc)[:300]}"
    return {"outcome": outcome, "seconds": round(time.perf_counter() - started, 3), "detail": detail}


def worker(timeout: int, memory_mb: int) -> None:
    import resource
    import signal

    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024, memory_mb * 1024 * 1024))

    def alarm(signum: int, frame: object) -> None:
        raise TimeoutError

    signal.signal(signal.SIGALRM, alarm)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PAPERSIFT_HOME"] = tmp
        for line in sys.stdin:
            case = json.loads(line)
            signal.alarm(timeout)
            try:
                result = _run_case(case, Path(tmp))
            except TimeoutError:
                result = {"outcome": "timeout", "seconds": timeout, "detail": ""}
            finally:
                signal.alarm(0)
            print(json.dumps({**case, **result}), flush=True)


class Pool:
    """One worker process at a time, replaced when it dies (counted as ``memory``)."""

    def __init__(self, src: Path, timeout: int, memory_mb: int) -> None:
        self.args = [sys.executable, __file__, "--worker", "--timeout", str(timeout), "--memory-mb", str(memory_mb)]
        self.env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{REPO}"}
        self.process: subprocess.Popen[str] | None = None

    def run(self, case: dict[str, Any]) -> dict[str, Any]:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=self.env, cwd=REPO
            )
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(case) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            self.process.wait()
            self.process = None
            return {**case, "outcome": "memory", "seconds": None, "detail": "the worker died"}
        return json.loads(answer)

    def close(self) -> None:
        if self.process and self.process.stdin:
            self.process.stdin.close()
            self.process.wait()


# -- the named hostile cases -------------------------------------------------------------------


def _hostile_files(root: Path) -> list[tuple[str, Path]]:
    def write(name: str, content: str | bytes) -> Path:
        path = root / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    paper = {
        "title": "A paper with a reasonable title",
        "abstract": "An abstract " * 30,
        "ids": {"arxiv": "2501.00001"},
    }
    big_abstract = "lorem ipsum dolor sit amet " * (50 * 1024 * 1024 // 27)
    fifo = root / "fifo"
    os.mkfifo(fifo)
    cases = [
        (
            "40 KB JSON paper, 40,000-letter arXiv id",
            write("id40.json", json.dumps([{**paper, "ids": {"arxiv": "a" * 40_000}}])),
        ),
        (
            "60 KB JSON paper, 60,000-letter arXiv id",
            write("id60.json", json.dumps([{**paper, "ids": {"arxiv": "a" * 60_000}}])),
        ),
        (
            "author string of 400,000 spaces",
            write("spaces.json", json.dumps([{**paper, "authors": "A" + " " * 400_000 + "B"}])),
        ),
        (
            "Crossref abstract of 200,000 '<'",
            write(
                "crossref.json",
                json.dumps(
                    {"status": "ok", "message-type": "work", "message": {"title": ["T"], "abstract": "<" * 200_000}}
                ),
            ),
        ),
        (
            "20,000 copies of one paper (JSONL)",
            write("copies.jsonl", "\n".join(json.dumps(paper) for _ in range(20_000))),
        ),
        ("100,000-deep JSON", write("deep.json", "[" * 100_000 + "]" * 100_000)),
        ("lone surrogate \\ud800", write("surrogate.json", '[{"title": "Bad \\ud800 title", "abstract": "x"}]')),
        ("integer over 2^63", write("bigint.json", f'[{{"title": "T", "abstract": "x", "upvotes": {2**64}}}]')),
        (
            "5,000-digit integer",
            write("digits.json", '[{"title": "T", "abstract": "x", "upvotes": %s}]' % ("9" * 5000)),
        ),
        ("/dev/zero", Path("/dev/zero")),
        ("a FIFO with no writer", fifo),
        ("the data directory itself", root),
        ("50 MiB one-paper JSON", write("big.json", json.dumps([{"title": "A big paper", "abstract": big_abstract}]))),
        (
            "50 MiB one-paper JSONL",
            write("big.jsonl", json.dumps({"title": "A big paper", "abstract": big_abstract}) + "\n"),
        ),
        (
            "50 MiB one-paper arXiv API XML",
            write(
                "big.xml",
                '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" '
                'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"><entry><id>http://arxiv.org/abs/2501.00001v1'
                f"</id><title>A big paper</title><summary>{big_abstract}</summary></entry></feed>",
            ),
        ),
    ]
    return cases


_MEASURE = """
import json, resource, sys, time, os
from papersift import api
from papersift.errors import PapersiftError
from papersift.store import Store
started = time.perf_counter()
try:
    with Store(sys.argv[2]) as store:
        summary, warnings = api.import_feed(store, [sys.argv[1]])
    outcome, detail = "imported", f"{summary.read} read, {summary.new} new, {len(warnings)} warnings"
except PapersiftError as exc:
    outcome, detail = "clean_error", str(exc)[:200]
except Exception as exc:
    outcome, detail = "traceback", f"{type(exc).__name__}: {str(exc)[:200]}"
print(json.dumps({"outcome": outcome, "detail": detail, "seconds": round(time.perf_counter() - started, 2),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def hostile(src: Path, timeout: int) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{REPO}", "PAPERSIFT_HOME": str(root / "home")}
        for name, path in _hostile_files(root):
            store = root / "store.db"
            store.unlink(missing_ok=True)
            try:
                done = subprocess.run(
                    [sys.executable, "-c", _MEASURE, str(path), str(store)],
                    capture_output=True,
                    text=True,
                    timeout=timeout,
                    env=env,
                )
                row = (
                    json.loads(done.stdout)
                    if done.stdout.strip()
                    else {"outcome": "traceback", "detail": done.stderr[-300:]}
                )
            except subprocess.TimeoutExpired:
                row = {"outcome": "timeout", "seconds": timeout, "detail": f"killed after {timeout} s"}
            rows.append({"case": name, **row})
            print(f"{name:45} {row['outcome']:12} {row.get('seconds')} s  {row.get('peak_rss_mb', '-')} MB", flush=True)
    return rows


def corpus(src: Path, seeds: int, timeout: int, memory_mb: int) -> dict[str, Any]:
    sys.path.insert(0, str(REPO))
    from tests.fuzz.corpus import MUTATIONS, fixture_files

    cases = [
        {"fixture": str(path), "mutation": mutation, "seed": seed, "command": command}
        for path in fixture_files()
        for mutation in sorted(MUTATIONS)
        for seed in range(seeds)
        for command in COMMANDS
    ]
    pool = Pool(src, timeout, memory_mb)
    results = []
    started = time.perf_counter()
    try:
        for number, case in enumerate(cases, start=1):
            results.append(pool.run(case))
            if number % 100 == 0:
                print(f"{number}/{len(cases)} cases, {time.perf_counter() - started:.0f} s", flush=True)
    finally:
        pool.close()
    outcomes = Counter(r["outcome"] for r in results)
    by_command = {c: dict(Counter(r["outcome"] for r in results if r["command"] == c)) for c in COMMANDS}
    by_mutation = {m: dict(Counter(r["outcome"] for r in results if r["mutation"] == m)) for m in sorted(MUTATIONS)}
    failures = [r for r in results if r["outcome"] not in ("imported", "clean_error")]
    slowest = max((r["seconds"] or 0 for r in results), default=0)
    return {
        "files": len({(r["fixture"], r["mutation"], r["seed"]) for r in results}),
        "runs": len(results),
        "outcomes": {k: outcomes.get(k, 0) for k in ("imported", "clean_error", "traceback", "timeout", "memory")}
        | {k: v for k, v in outcomes.items() if k not in ("imported", "clean_error", "traceback", "timeout", "memory")},
        "by_command": by_command,
        "by_mutation": by_mutation,
        "slowest_run_seconds": slowest,
        "seconds": round(time.perf_counter() - started, 1),
        "failures": [
            {k: r[k] for k in ("fixture", "mutation", "seed", "command", "outcome", "detail")} for r in failures[:50]
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seeds", type=int, default=1, help="seeds per fixture and mutation (default 1)")
    parser.add_argument("--timeout", type=int, default=60, help="seconds per case before it counts as a timeout")
    parser.add_argument("--memory-mb", type=int, default=2048, help="address-space limit of the worker")
    parser.add_argument("--src", type=Path, default=REPO / "src", help="the papersift sources to test")
    parser.add_argument("--skip-hostile", action="store_true", help="only the mutation corpus")
    parser.add_argument(
        "--only-hostile", type=Path, default=None, help="only the hostile cases, their results written to this file"
    )
    args = parser.parse_args()
    if args.worker:
        worker(args.timeout, args.memory_mb)
        return
    report: dict[str, Any] = {"generated": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    if args.only_hostile:  # e.g. against an older checkout: --src OLD/src --only-hostile before.json
        report["hostile"] = hostile(args.src.resolve(), args.timeout)
        args.only_hostile.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        return
    if not args.skip_hostile:
        report["hostile"] = hostile(args.src.resolve(), args.timeout)
    report["corpus"] = corpus(args.src.resolve(), args.seeds, args.timeout, args.memory_mb)
    print(json.dumps(report["corpus"]["outcomes"]))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
