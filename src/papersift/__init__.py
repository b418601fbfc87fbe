"""papersift: sift the daily flood of research papers down to the ones that matter to you."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, InputError, ModelError, PapersiftError, SourceError, StoreError
from .models import Match, Paper, Provenance, Recommendation

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "Digest",
    "InputError",
    "LoadedPapers",
    "Match",
    "ModelError",
    "Paper",
    "PapersiftError",
    "Provenance",
    "Recommendation",
    "SourceError",
    "StoreError",
    "digest_from_store",
    "import_feed",
    "import_profile",
    "load_papers",
    "rank_papers",
]

# The library's entry points come from papersift.api when first used: importing any part of the
# package (papersift.errors, papersift.cli...) does not import the store, numpy and the ranking.
_FROM_API = {
    "Digest",
    "LoadedPapers",
    "digest_from_store",
    "import_feed",
    "import_profile",
    "load_papers",
    "rank_papers",
}

if TYPE_CHECKING:
    from .api import (
        Digest,
        LoadedPapers,
        digest_from_store,
        import_feed,
        import_profile,
        load_papers,
        rank_papers,
    )


def __getattr__(name: str) -> Any:
    if name not in _FROM_API:
        raise AttributeError(f"module 'papersift' has no attribute '{name}'")
    value = getattr(importlib.import_module("papersift.api"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_FROM_API})
