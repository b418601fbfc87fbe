"""The progress bar: rate and time left on a terminal, nothing on a pipe or when quiet."""

from __future__ import annotations

import io
import sys

import pytest

from papersift import progress as progress_module
from papersift.progress import progress, set_quiet


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def not_quiet() -> None:
    set_quiet(False)
    yield
    set_quiet(False)


def run(total: int = 50, **kwargs: object) -> int:
    with progress(total, "embedding", **kwargs) as bar:  # type: ignore[arg-type]
        for _ in range(total // 10):
            bar.advance(10)
    return bar.done


def test_terminal_shows_rate_and_time_left(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setenv("COLUMNS", "120")
    assert run() == 50
    shown = terminal.getvalue()
    assert "embedding" in shown and "texts/s" in shown and "50/50" in shown and "left" in shown


def test_pipe_shows_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    pipe = io.StringIO()
    monkeypatch.setattr(sys, "stderr", pipe)
    assert run() == 50
    assert pipe.getvalue() == ""


@pytest.mark.parametrize("how", ["quiet", "disabled"])
def test_quiet_shows_nothing(monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    if how == "quiet":
        set_quiet(True)
        run()
    else:
        run(enabled=False)
    assert terminal.getvalue() == ""


def test_nested_bar_joins_the_one_on_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress(2, "affinity", unit="chunks") as outer:
        assert run(20) == 20  # a second live display would raise rich's LiveError
        outer.advance(2)
    assert progress_module._active is None
    assert "chunks" in terminal.getvalue()
