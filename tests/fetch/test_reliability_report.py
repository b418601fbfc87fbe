"""benchmarks/reliability.py: the README section from the three parts' JSON, between its markers."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def reliability() -> ModuleType:
    spec = importlib.util.spec_from_file_location("reliability", REPO / "benchmarks" / "reliability.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["reliability"] = module
    spec.loader.exec_module(module)
    return module


NET = {
    "scenarios": 2,
    "rounds": 1,
    "runs": 2,
    "outcomes": {"clean error": 1, "imported": 1},
    "as_expected": 2,
    "max_seconds": 1.5,
    "peak_mib": 4.2,
    "body_limit_mib": 4,
    "bomb_gib": 1,
    "deadline_s": 0.8,
    "update": {"completed": True, "sources": 7, "failed": 5, "ok": 2, "stored_exact": True, "seconds": 2.0},
    "scenario_rows": {"ok": {"expect": "imported", "as_expected": 1, "runs": 1, "max_seconds": 0.2}},
}
FILES = {
    "corpus": {"files": 516, "runs": 1548, "outcomes": {"clean_error": 900, "imported": 648, "traceback": 0}},
    "hostile": [
        {"case": "100,000-deep JSON", "outcome": "clean_error", "seconds": 0.3, "peak_rss_mb": 160},
        {"case": "/dev/zero", "outcome": "clean_error", "seconds": 0.1, "peak_rss_mb": 150},
        {"case": "a long author", "outcome": "imported", "seconds": 0.5, "peak_rss_mb": 165},
    ],
}
STORE = {
    "concurrent_writers": {"runs": 31, "exact": 31, "duplicates": 0, "lost": 0, "errors": 0},
    "kill9": {"runs": 10, "intact": 10, "exact_after_rerun": 10},
}


def test_the_section_shows_every_part_and_replaces_only_its_block(reliability: ModuleType, tmp_path: Path) -> None:
    lines = reliability.section(NET, FILES, STORE)
    text = "\n".join(lines)
    assert "| hostile input files (fuzz) | 1548 | 900 | 648 | 0 | 0 | 0 | 0 |" in text
    assert "| the named hostile files of issue 11 | 3 | 2 | 1 | 0 | 0 | 0 | 0 |" in text
    assert "516 mutated fixtures" in text and "peak memory 165 MB" in text
    assert "| hostile servers (loopback, HTTP and TLS) | 2 | 1 | 1 | 0 | 0 | 0 | 0 |" in text
    assert "| concurrent writers | 31 | 31 | 0 | 0 | 0 |" in text
    assert "| kill -9 during an import, then rerun | 10 | 10 | 0 | 0 | 0 corrupt |" in text
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\nbefore\n{reliability.START}\nold\n{reliability.END}\nafter\n", encoding="utf-8")
    reliability.README = readme
    reliability.write_readme(lines)
    written = readme.read_text(encoding="utf-8")
    assert written.startswith("# x\n\nbefore\n<!-- reliability:start -->\n## Reliability")
    assert written.endswith("<!-- reliability:end -->\nafter\n") and "old" not in written


def test_missing_parts_are_said_not_invented(reliability: ModuleType) -> None:
    text = "\n".join(reliability.section(NET, None, None))
    assert "hostile input files (fuzz) | not measured yet" in text
    assert "Concurrent writers and kill -9: not measured yet" in text


def test_a_flat_files_result_is_read_too(reliability: ModuleType) -> None:
    flat = {"cases": 10, "outcomes": {"clean error": 4, "imported": 6}}
    assert "| hostile input files (fuzz) | 10 | 4 | 6 | 0 | 0 | 0 | 0 |" in "\n".join(
        reliability.section(None, flat, None)
    )
