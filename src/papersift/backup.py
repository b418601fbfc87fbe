"""Back up or move a whole store: :func:`export_store` and :func:`import_store` over a file or ``-``.

The format and what it holds are described in :mod:`papersift.store.exchange`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from . import fileio
from .errors import InputError
from .store import Store
from .store.exchange import NOT_EXPORTED, ExchangeSummary
from .store.exchange import export_store as _export
from .store.exchange import import_store as _import

__all__ = ["NOT_EXPORTED", "ExchangeSummary", "export_store", "import_store"]


def export_store(store: Store, target: str | Path) -> ExchangeSummary:
    """Write ``store`` as JSON lines to ``target`` (``-``: stdout), atomically: a failed export
    leaves no half-written file in its place."""
    if str(target) == "-":
        summary = _export(store, sys.stdout)
        sys.stdout.flush()
        return summary
    with fileio.open_output(target) as stream:
        return _export(store, stream)


def import_store(store: Store, source: str | Path) -> ExchangeSummary:
    """Load an export (``-``: stdin) into ``store``, which must be empty; all of it or nothing."""
    stdin = fileio.stdin_or_none(source)
    if stdin is not None:
        return _import(store, stdin, fileio.STDIN_ORIGIN)
    path = Path(source)
    try:
        stream = path.open("rb")
    except FileNotFoundError:
        raise InputError("does not exist", path) from None
    except IsADirectoryError:
        raise InputError("is a directory; name an export file", path) from None
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or exc})", path) from None
    with stream:
        return _import(store, stream, str(path))
