"""One progress bar for everything long: embedding, affinity, large imports, fetches.

``with progress(total, "embedding") as bar: ... bar.advance(n)`` shows a rich
bar with the rate (texts/s) and the time left on stderr when stderr is a
terminal, and nothing at all on a pipe, in tests, or after :func:`set_quiet`
(the CLI's ``-q``). A bar opened while another is showing joins it as a second
line instead of fighting it for the terminal.

Work that is interrupted can say what it kept by raising :class:`Interrupted`
(a ``KeyboardInterrupt``): the CLI prints its message and exits with 130.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_quiet = False
_active: Any = None  # the rich Progress on screen, if any


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during long work; ``kept`` says, in one sentence, what was saved before it."""

    def __init__(self, kept: str) -> None:
        super().__init__(kept)
        self.kept = kept


def set_quiet(quiet: bool = True) -> None:
    """Silence every bar of this process (``-q``)."""
    global _quiet
    _quiet = quiet


def progress_enabled() -> bool:
    return not _quiet and sys.stderr.isatty()


class Tracker:
    """What ``progress`` yields: ``advance(n)`` after each finished piece of work."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0

    def advance(self, n: int = 1) -> None:
        self.done += n


class _BarTracker(Tracker):
    def __init__(self, total: int, bar: Any, task: Any) -> None:
        super().__init__(total)
        self._bar, self._task = bar, task

    def advance(self, n: int = 1) -> None:
        super().advance(n)
        self._bar.update(self._task, advance=n)


def _columns(unit: str) -> list[Any]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            return Text("" if speed is None else f"{speed:,.1f} {task.fields.get('unit', unit)}/s")

    return [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[unit]}"),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    ]


@contextmanager
def progress(total: int, description: str, unit: str = "texts", *, enabled: bool | None = None) -> Iterator[Tracker]:
    """A bar for ``total`` pieces of work; ``enabled=False`` (or a pipe, or quiet) shows nothing."""
    global _active
    show = progress_enabled() and (enabled is None or enabled) and total > 0
    if not show:
        yield Tracker(total)
        return
    if _active is not None:
        task = _active.add_task(description, total=total, unit=unit)
        try:
            yield _BarTracker(total, _active, task)
        finally:
            _active.remove_task(task)
        return
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(*_columns(unit), console=Console(stderr=True), transient=True)
    task = bar.add_task(description, total=total, unit=unit)
    _active = bar
    bar.start()
    try:
        yield _BarTracker(total, bar, task)
    finally:
        bar.stop()
        _active = None
