"""Where the service fixtures live: permissively licensed copies in tests/fixtures/services, the rest in ../shared."""

from __future__ import annotations

from pathlib import Path

SERVICES = Path(__file__).resolve().parents[1] / "fixtures" / "services"


def fixture_text(name: str) -> str:
    return (SERVICES / name).read_text(encoding="utf-8")


def shared_text(shared_dir: Path, name: str) -> str:
    """A fixture that may not be copied here (its licence forbids it); read from the shared directory."""
    return (shared_dir / "fixtures" / name).read_text(encoding="utf-8").replace("\r\n", "\n")
