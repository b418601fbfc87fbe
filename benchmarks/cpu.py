"""The CPU the benchmarks ran on: model name and the SIMD features that decide fp32 and int8 speed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")


def cpu_info() -> dict[str, Any]:
    model, flags = "unknown", set[str]()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and model == "unknown":
                model = value.strip()
            elif key.strip() == "flags" and not flags:
                flags = set(value.split())
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {
        "model": model,
        "cpus": os.cpu_count(),
        "flags": {flag: flag in flags for flag in FLAGS},
        "load_average_1min": load,
    }


def describe(info: dict[str, Any]) -> str:
    present = [f for f, ok in info["flags"].items() if ok] or ["none of " + ", ".join(FLAGS)]
    load = f"; load average {info['load_average_1min']:.1f}" if info.get("load_average_1min") is not None else ""
    return f"{info['model']}, {info['cpus']} CPUs, {' '.join(present)}{load}"
