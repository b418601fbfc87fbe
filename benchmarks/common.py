"""Helpers shared by the benchmarks: medians, child-process peak memory, the data they run on."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PAPERSIFT_SHARED", REPO.parent / "shared"))
GOLDSTANDARD = SHARED / "goldstandard"
RESULTS = REPO / "benchmarks" / "results"


def median_time(func: Callable[[], Any], repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def run_child(args: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process, which must succeed."""
    start = time.perf_counter()
    proc = subprocess.Popen(list(args), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {stderr[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def machine() -> dict[str, Any]:
    """The machine a result was measured on, with the CPU's model and SIMD flags (speed depends on them)."""
    from cpu import cpu_info

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu": cpu_info(),
    }


def goldstandard_texts() -> list[dict[str, str]]:
    """Every distinct paper of the gold standard (archives and submissions), sorted by id."""
    root = GOLDSTANDARD / "evaluation_datasets"
    if not root.is_dir():
        return []
    seen: dict[str, dict[str, str]] = {}
    for split in sorted(root.glob("d_20_*")):
        for archive in sorted((split / "archives").glob("*.jsonl")):
            for line in archive.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    obj = json.loads(line)
                    seen.setdefault(obj["id"], obj["content"])
        for obj in json.loads((split / "submissions.json").read_text(encoding="utf-8")).values():
            seen.setdefault(obj["id"], obj["content"])
    return [
        {"id": key, "title": (c.get("title") or "").strip(), "abstract": (c.get("abstract") or "").strip()}
        for key, c in sorted(seen.items())
    ]


def save(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **data}, indent=2) + "\n", encoding="utf-8")
    return path


def replace_section(readme: Path, start: str, end: str, body: str) -> bool:
    """Put ``body`` between the ``start`` and ``end`` markers of ``readme``; False (nothing written) if
    the file or its start marker is missing."""
    if not readme.is_file():
        return False
    text = readme.read_text(encoding="utf-8")
    if start not in text:
        return False
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(f"{head}{start}\n{body}{end}{tail}", encoding="utf-8")
    return True


def python() -> str:
    return sys.executable
