"""The public, typed entry points; the CLI and the web app are thin skins over these.

This module is a facade: the work is done in focused modules, re-exported here under the names
programs have always used.

- :mod:`papersift.loading`: read files (all before anything is written), import profiles and feeds;
- :mod:`papersift.digests`: the stateless ``rank`` and the stored ``digest``, one pipeline, one :class:`Digest`;
- :mod:`papersift.profiles`: which profile, ratings, the profile overview and its interests;
- :mod:`papersift.exclusions`: keeping a paper out of a profile and bringing it back;
- :mod:`papersift.reviewers`: reviewer-submission affinity;
- :mod:`papersift.fetch.runner`: the network half (fetch, update, profile sources);
- :mod:`papersift.backup`: a whole store exported to or imported from JSON lines.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .digests import (
    Digest,
    DigestInputs,
    digest_from_store,
    digest_history,
    past_digest,
    rank_papers,
    read_digest_inputs,
    reset_shown,
)
from .exclusions import exclude_from_profile, excluded_papers, include_in_profile
from .feedback import RatingChange, rate, unrate
from .loading import (
    LoadedPapers,
    UploadedFile,
    clear_feed,
    feed_days,
    import_feed,
    import_profile,
    load_papers,
    refuse_stdin_twice,
)
from .profiles import (
    InterestView,
    ProfileOverview,
    RatedEntry,
    check_profile_name,
    default_profile,
    delete_profile,
    list_interests,
    merge_interests,
    mute_interest,
    profile_overview,
    rename_interest,
    rename_profile,
    reset_feedback,
    set_interest_budget,
    split_interest,
)
from .profiles import find_profile_interests as find_interests
from .ranking.pipeline import BACKGROUND_SIZE

__all__ = [
    "ExchangeSummary",
    "export_store",
    "import_store",
    "BACKGROUND_SIZE",
    "AffinityResult",
    "Digest",
    "DigestInputs",
    "FetchReport",
    "InterestView",
    "LoadedPapers",
    "UploadedFile",
    "ProfileOverview",
    "RatedEntry",
    "RatingChange",
    "check_profile_name",
    "clear_feed",
    "delete_profile",
    "digest_history",
    "feed_days",
    "past_digest",
    "rename_profile",
    "reset_shown",
    "compute_affinity",
    "default_profile",
    "digest_from_store",
    "exclude_from_profile",
    "excluded_papers",
    "fetch_source",
    "find_interests",
    "import_feed",
    "import_profile",
    "import_profile_from",
    "include_in_profile",
    "list_interests",
    "load_papers",
    "merge_interests",
    "mute_interest",
    "set_interest_budget",
    "profile_overview",
    "rank_papers",
    "rate",
    "refuse_stdin_twice",
    "read_digest_inputs",
    "refresh_profile",
    "remember_sources",
    "rename_interest",
    "reset_feedback",
    "unrate",
    "split_interest",
    "update",
]


# The network half, backups and reviewer affinity are imported when first used: a digest or a
# rating does not pay for the HTTP stack, the exchange format or the reviewer files' readers.
_LAZY = {
    **{
        name: "papersift.fetch.runner"
        for name in (
            "FetchReport",
            "fetch_source",
            "import_profile_from",
            "refresh_profile",
            "remember_sources",
            "update",
        )
    },
    **{name: "papersift.backup" for name in ("ExchangeSummary", "export_store", "import_store")},
    **{name: "papersift.reviewers" for name in ("AffinityResult", "compute_affinity")},
}

if TYPE_CHECKING:
    from .backup import ExchangeSummary, export_store, import_store
    from .fetch.runner import (
        FetchReport,
        fetch_source,
        import_profile_from,
        refresh_profile,
        remember_sources,
        update,
    )
    from .reviewers import AffinityResult, compute_affinity


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'papersift.api' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
