"""papersift: sift the daily flood of research papers down to the ones that matter to you."""

from .api import (
    Digest,
    LoadedPapers,
    digest_from_store,
    import_feed,
    import_profile,
    load_papers,
    rank_files,
    rank_papers,
)
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
    "rank_files",
    "rank_papers",
]
