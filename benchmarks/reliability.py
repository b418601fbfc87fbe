"""`make reliability`: papersift under fault and abuse, measured, and the README's "Reliability" section.

Three parts, each writing ``benchmarks/results/reliability_<part>.json``:

* ``net`` (this script): every hostile-server scenario of ``tests/fetch/faultserver.py`` (redirect
  loops, corrupt gzip, gzip bombs, endless and trickling bodies, stalls, resets, 5xx, long
  Retry-After, lone surrogates, huge numbers, deep JSON, an untrusted and a silent TLS server...)
  through the whole fetch path against a loopback server, ``--rounds`` times; then one ``update``
  of seven sources of which five meet a fault, checking the other two are stored exactly.
* ``files`` (``benchmarks/reliability_files.py``, files helper) and ``store``
  (``benchmarks/reliability_store.py``, store helper): run when present, then read. Their JSON:

  ``reliability_files.json``: ``{"corpus": {"runs": N, "outcomes": {"clean_error": n, "imported": n,
  "traceback": n, "timeout": n, "memory": n}, "partial_write": n, "seconds": s}, "hostile": [{"case":
  "...", "outcome": "imported" | "clean_error" | ..., "seconds": s, "peak_rss_mb": m}, ...]}``
  (a flat ``{"cases": N, "outcomes": {...}}`` is read too)

  ``reliability_store.json``: ``{"concurrent_writers": {"runs": n, "exact": n, "duplicates": n,
  "lost": n, "errors": n, "note": "..."}, "kill9": {"runs": n, "intact": n, "exact_after_rerun": n,
  "note": "..."}}``

The section goes between ``<!-- reliability:start -->`` and ``<!-- reliability:end -->`` in
README.md. Bounded: the network part takes well under a minute; each other part gets
``--part-timeout`` seconds. ``--aggregate-only`` rewrites the README from the JSON files as they are.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results"
README = REPO / "docs" / "benchmarks.md"  # the results page (the README links it)
START, END = "<!-- reliability:start -->", "<!-- reliability:end -->"
COLUMNS = ("clean error", "imported", "unexpected", "traceback", "timeout", "memory")

sys.path.insert(0, str(REPO))
sys.path.insert(1, str(REPO / "src"))


def run_network(rounds: int) -> dict[str, Any]:
    from tests.fetch.faultserver import SCENARIOS, fault_client_options, run_scenario
    from tests.fetch.hostile import fault_servers

    limit = fault_client_options()["max_body_bytes"]
    outcomes = dict.fromkeys(COLUMNS, 0)
    rows: dict[str, dict[str, Any]] = {}
    unexpected: list[str] = []
    started = time.perf_counter()
    with fault_servers(bomb_bytes=1024 * 1024 * 1024) as (plain, _, tls):
        with tempfile.TemporaryDirectory() as tmp:
            for round_ in range(rounds):
                for scenario in SCENARIOS:
                    tracemalloc.start()
                    outcome = run_scenario(scenario, plain, tls, Path(tmp) / f"r{round_}")
                    _, peak = tracemalloc.get_traced_memory()
                    tracemalloc.stop()
                    kind = {"error": "clean error", "hang": "timeout"}.get(outcome.kind, outcome.kind)
                    if peak > 3 * limit:
                        kind = "memory"
                    outcomes[kind] += 1
                    name = scenario.fault + (" (TLS)" if scenario.tls else "")
                    row = rows.setdefault(
                        name,
                        {"expect": scenario.expect, "as_expected": 0, "runs": 0, "max_seconds": 0.0, "peak_mib": 0.0},
                    )
                    row["runs"] += 1
                    row["as_expected"] += int(outcome.as_expected and kind != "memory")
                    row["max_seconds"] = round(max(row["max_seconds"], outcome.seconds), 2)
                    row["peak_mib"] = round(max(row["peak_mib"], peak / 2**20), 1)
                    row["message"] = outcome.message[:160]
                    if not outcome.as_expected:
                        unexpected.append(f"{name}: {outcome.kind}: {outcome.message[:200]}")
            update = run_update(plain, Path(tmp))
    return {
        "scenarios": len(SCENARIOS),
        "rounds": rounds,
        "runs": len(SCENARIOS) * rounds,
        "outcomes": outcomes,
        "as_expected": sum(r["as_expected"] for r in rows.values()),
        "not_as_expected": unexpected,
        "max_seconds": max(r["max_seconds"] for r in rows.values()),
        "peak_mib": max(r["peak_mib"] for r in rows.values()),
        "body_limit_mib": limit / 2**20,
        "bomb_gib": 1,
        "deadline_s": fault_client_options()["deadline"],
        "attempts": fault_client_options()["max_attempts"],
        "update": update,
        "seconds": round(time.perf_counter() - started, 1),
        "scenario_rows": rows,
        "machine": {"python": platform.python_version(), "machine": platform.machine()},
    }


def run_update(plain: Any, tmp: Path) -> dict[str, Any]:
    """One ``update``: five sources meet a fault, two are fine; the fine ones must be stored exactly."""
    from tests.fetch.faultserver import fault_client_options
    from tests.fetch.hostile import GOOD_CANDIDATES, GOOD_PROFILE_PAPERS, update_config

    from papersift.fetch import HttpClient, update
    from papersift.store import Store

    config = update_config(plain, dblp_fault="slow-body")
    store = Store(tmp / "update.db")
    started = time.perf_counter()
    try:
        with HttpClient.from_config(config, **fault_client_options()) as client:
            reports = update(store, config, client)
    except BaseException as exc:  # noqa: BLE001 - the measurement is whether this happens
        return {"completed": False, "error": f"{type(exc).__name__}: {exc}"}
    stored_profile = len(store.profile_papers("me"))
    stored_candidates = len(store.candidate_papers())
    return {
        "completed": True,
        "sources": len(reports),
        "failed": sum(not r.ok for r in reports),
        "ok": sum(r.ok for r in reports),
        "stored_exact": stored_profile == GOOD_PROFILE_PAPERS and stored_candidates == GOOD_CANDIDATES,
        "seconds": round(time.perf_counter() - started, 2),
        "lines": [r.describe()[:200] for r in reports],
    }


def run_part(name: str, timeout: float) -> str:
    """Run ``reliability_<name>.py`` if it exists; a sentence on what happened."""
    script = HERE / f"reliability_{name}.py"
    if not script.is_file():
        return f"{script.name} not present"
    try:
        proc = subprocess.run([sys.executable, str(script)], timeout=timeout, capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        return f"{script.name} did not finish within {timeout:.0f} s"
    if proc.returncode != 0:
        return f"{script.name} failed: {proc.stderr.strip().splitlines()[-1:] or proc.returncode}"
    return "ran"


def load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"reliability_{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _counts(outcomes: dict[str, int]) -> str:
    """Outcome counts in column order; keys may be spelt ``clean_error`` or ``Clean error`` too."""
    normal = {str(key).lower().replace("_", " ").replace("-", " "): value for key, value in outcomes.items()}
    if "hang" in normal and "timeout" not in normal:
        normal["timeout"] = normal["hang"]
    return " | ".join(str(normal.get(column, 0)) for column in COLUMNS)


def _first(data: dict[str, Any], *keys: str) -> Any:
    return next((data[k] for k in keys if k in data), None)


def section(
    net: dict[str, Any] | None,
    files: dict[str, Any] | None,
    store: dict[str, Any] | None,
    stale: dict[str, str] | None = None,
) -> list[str]:
    out = [
        "## Reliability",
        "",
        "papersift run as a hostile user and a hostile server would, regenerated by `make reliability`",
        "(`benchmarks/reliability.py`). Targets: zero tracebacks, zero hangs, zero duplicates, zero lost records.",
        "",
        "| what | cases run | " + " | ".join(COLUMNS) + " |",
        "|---|---|" + "---|" * len(COLUMNS),
    ]
    if files:
        corpus = files.get("corpus", files)
        cases = _first(corpus, "runs", "cases") or "?"
        out.append(f"| hostile input files (fuzz) | {cases} | {_counts(corpus.get('outcomes', {}))} |")
        named = files.get("hostile") or []
        if named:
            counts: dict[str, int] = {}
            for case in named:
                counts[case.get("outcome", "?")] = counts.get(case.get("outcome", "?"), 0) + 1
            out.append(f"| the named hostile files of issue 11 | {len(named)} | {_counts(counts)} |")
    else:
        out.append("| hostile input files (fuzz) | not measured yet | " + " | ".join([""] * len(COLUMNS)) + " |")
    if net:
        out.append(f"| hostile servers (loopback, HTTP and TLS) | {net['runs']} | {_counts(net['outcomes'])} |")
    out.append("")
    if store:
        writers = _first(store, "concurrent_writers", "concurrent") or {}
        kill9 = _first(store, "kill9", "kill_9") or {}
        out += [
            "| store under stress | runs | exact counts | duplicates | lost records | errors |",
            "|---|---|---|---|---|---|",
        ]
        if writers:
            out.append(
                f"| concurrent writers | {writers.get('runs', '?')} | {writers.get('exact', '?')} | "
                f"{writers.get('duplicates', '?')} | {writers.get('lost', '?')} | {writers.get('errors', '?')} |"
            )
        if kill9:
            corrupt = kill9.get("runs", 0) - kill9.get("intact", 0)
            out.append(
                f"| kill -9 during an import, then rerun | {kill9.get('runs', '?')} | "
                f"{kill9.get('exact_after_rerun', '?')} | {kill9.get('duplicates', 0)} | {kill9.get('lost', 0)} | "
                f"{corrupt} corrupt |"
            )
        notes = [n for n in (writers.get("note"), kill9.get("note")) if n]
        out += ["", *notes, ""] if notes else [""]
    else:
        out += ["Concurrent writers and kill -9: not measured yet (`benchmarks/reliability_store.py`).", ""]
    if files:
        out += files_notes(files)
    for part, why in (stale or {}).items():
        shown = {"files": files, "store": store}.get(part)
        if shown is not None:
            when = shown.get("generated", "an earlier run")
            out += [f"The {part} part was not rerun this time ({why}); its results above are from {when}.", ""]
    if net:
        update = net["update"]
        out += [
            f"Hostile servers: {net['scenarios']} scenarios x {net['rounds']} rounds through the whole fetch path "
            f"(fetcher, client, parser, store) against a fault-injecting server on loopback; "
            f"{net['as_expected']} of {net['runs']} ended exactly as specified (a clean error naming the source, or "
            f"a correct import). Slowest case {net['max_seconds']:.1f} s (a total deadline of {net['deadline_s']:g} s "
            f"per attempt, {net.get('attempts', 2)} attempts); peak memory of any case {net['peak_mib']:.1f} MiB "
            f"with a {net['body_limit_mib']:.0f} MiB body "
            f"limit, the {net['bomb_gib']} GiB gzip bomb included.",
            "",
        ]
        if update.get("completed"):
            out += [
                f"One `update` of {update['sources']} sources, {update['failed']} of them meeting a fault "
                "(redirect loop, gzip bomb, trickling body, 5,000-digit number, corrupt gzip): "
                f"it finished in {update['seconds']:.1f} s, "
                f"the other {update['ok']} were stored {'exactly' if update['stored_exact'] else 'NOT exactly'}, "
                "and each failure was one line naming the source and the reason.",
                "",
            ]
        else:
            out += [f"One `update` with faulty sources did not complete: {update.get('error')}", ""]
        out += ["| server fault | expected | as expected / runs | slowest (s) |", "|---|---|---|---|"]
        for name, row in net["scenario_rows"].items():
            out.append(f"| {name} | {row['expect']} | {row['as_expected']}/{row['runs']} | {row['max_seconds']:.2f} |")
        out.append("")
    return out


def files_notes(files: dict[str, Any]) -> list[str]:
    """Sentences under the table about the hostile-file runs (from the files part's JSON)."""
    corpus = files.get("corpus", files)
    notes = []
    if "runs" in corpus and "files" in corpus:
        partial = corpus.get("partial_write")
        notes.append(
            f"Hostile files: {corpus['files']} mutated fixtures (truncation, bit flips, re-encodings, huge lines, "
            f"NUL bytes, deep nesting...) through three commands, {corpus['runs']} runs"
            + (f", slowest {corpus['slowest_run_seconds']:.1f} s" if "slowest_run_seconds" in corpus else "")
            + (f"; refused imports that changed the store: {partial}" if partial is not None else "")
            + "."
        )
    named = files.get("hostile") or []
    if named:
        slowest = max(named, key=lambda c: c.get("seconds", 0))
        peak = max(c.get("peak_rss_mb", 0) for c in named)
        notes.append(
            f"The named hostile files (quadratic inputs, 100,000-deep JSON, lone surrogates, huge integers, "
            f"/dev/zero, a FIFO, 50 MiB one-paper files): slowest {slowest.get('seconds', 0):.1f} s "
            f"({slowest.get('case', '?')}), peak memory {peak} MB."
        )
    if files.get("note"):
        notes.append(files["note"])
    return [*notes, ""] if notes else []


def write_readme(lines: list[str]) -> None:
    text = README.read_text(encoding="utf-8")
    block = START + "\n" + "\n".join(lines).rstrip() + "\n" + END
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        anchor = "\n## Layout"
        head, tail = text.split(anchor, 1) if anchor in text else (text.rstrip() + "\n", "")
        text = head.rstrip() + "\n\n" + block + "\n" + (anchor + tail if tail else "")
    README.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=2, help="Times each network scenario is run.")
    parser.add_argument("--part-timeout", type=float, default=300.0, help="Seconds for each other part.")
    parser.add_argument("--aggregate-only", action="store_true", help="Only rewrite the README from the JSON files.")
    args = parser.parse_args()
    from tests.fetch.hostile import drop_proxies

    drop_proxies(os.environ)  # the loopback fault servers are reached directly
    RESULTS.mkdir(exist_ok=True)
    stale: dict[str, str] = {}
    if not args.aggregate_only:
        for part in ("files", "store"):
            status = run_part(part, args.part_timeout)
            print(f"{part}: {status}", file=sys.stderr)
            if status != "ran":
                stale[part] = status
        net = run_network(args.rounds)
        net["rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        (RESULTS / "reliability_net.json").write_text(json.dumps(net, indent=2) + "\n", encoding="utf-8")
        print(f"net: {net['as_expected']}/{net['runs']} as expected in {net['seconds']} s", file=sys.stderr)
        for line in net["not_as_expected"]:
            print(f"  not as expected: {line}", file=sys.stderr)
    write_readme(section(load("net"), load("files"), load("store"), stale))


if __name__ == "__main__":
    main()
