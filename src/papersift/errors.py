"""The typed errors of papersift.

Every error a user can cause is a :class:`PapersiftError`; the CLI prints its
message as one sentence and exits non-zero, so messages must name the file,
line or record the user has to look at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .textsafe import clip_quoted


class PapersiftError(Exception):
    """Base of every error papersift raises on purpose.

    A message quotes at most ~80 characters of any value it repeats (:func:`~papersift.textsafe.clip_quoted`):
    an error about a 60,000-character token says how long it was instead of printing it.
    """

    def __init__(self, *args: Any) -> None:
        if args and isinstance(args[0], str):
            args = (clip_quoted(args[0]), *args[1:])
        super().__init__(*args)


class InputError(PapersiftError):
    """A file or record could not be read; says which file and where."""

    def __init__(
        self,
        message: str,
        path: str | Path | None = None,
        line: int | None = None,
        record: int | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.record = record
        self.reason = clip_quoted(message)
        where = ""
        if self.path is not None:
            where = self.path
            if line is not None:
                where += f", line {line}"
            if record is not None:
                where += f", record {record}"
            where += ": "
        super().__init__(f"{where}{message}")


class SourceError(PapersiftError):
    """A remote source answered badly or not at all."""


class StoreError(PapersiftError):
    """The local store is missing something or refused a write."""


class ModelError(PapersiftError):
    """An encoder could not be loaded or run."""


class ConfigError(PapersiftError):
    """The configuration or a command-line choice is invalid."""


class AssignmentError(PapersiftError):
    """A reviewer assignment cannot be made as asked: names the binding constraint, the papers or
    reviewers it binds and what to change (raised before any output is written)."""
