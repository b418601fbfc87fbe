"""Subcommands imported when first used: the command table of a click group, loaded lazily.

click looks commands up in ``group.commands`` (``get``, iteration, ``sorted``); this mapping holds
either a command or ``"module:attribute"`` and imports the module the first time the command is
looked up, listed with its value, or iterated over. Listing names (``papersift --help``) still
imports them all, as click needs their short help; running one command imports only that one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping

import click


class LazyCommands(dict[str, click.Command]):
    def __init__(
        self,
        loaded: Mapping[str, click.Command],
        lazy: Mapping[str, str],
        on_load: Callable[[click.Command], None] | None = None,
    ) -> None:
        super().__init__(loaded)
        self._lazy = dict(lazy)
        self._on_load = on_load

    def _load(self, name: str) -> click.Command:
        module, _, attribute = self._lazy.pop(name).partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if self._on_load is not None:
            self._on_load(command)
        super().__setitem__(name, command)
        return command

    def loaded(self) -> list[click.Command]:
        """The commands imported so far (without importing the others)."""
        return list(super().values())

    def __getitem__(self, name: str) -> click.Command:
        if name in self._lazy:
            return self._load(name)
        return super().__getitem__(name)

    def get(self, name: str, default: click.Command | None = None) -> click.Command | None:  # type: ignore[override]
        return self[name] if name in self else default

    def __contains__(self, name: object) -> bool:
        return name in self._lazy or super().__contains__(name)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({*super().keys(), *self._lazy}))

    def __len__(self) -> int:
        return super().__len__() + len(self._lazy)

    def keys(self):  # type: ignore[no-untyped-def,override]
        return list(self)

    def values(self):  # type: ignore[no-untyped-def,override]
        return [self[name] for name in self]

    def items(self):  # type: ignore[no-untyped-def,override]
        return [(name, self[name]) for name in self]
