"""Papers from files: read them all (before anything is written), merge duplicates, import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import clock
from .fetch.arxiv_titles import add_missing_titles
from .fetch.client import HttpClient
from .identity import deduplicate
from .models import Paper
from .sources import read_papers
from .store import ImportSummary, Store, maintenance


@dataclass
class LoadedPapers:
    """Papers read from several files, de-duplicated, with the parsers' warnings."""

    papers: list[Paper]
    entries: int
    warnings: list[str] = field(default_factory=list)


def load_papers(
    paths: Sequence[str | Path], input_format: str | None = None, today: dt.date | None = None
) -> LoadedPapers:
    """Read every file (all of them before anything else happens) and merge duplicates."""
    everything: list[Paper] = []
    warnings: list[str] = []
    for path in paths:
        result = read_papers(path, input_format=input_format, today=today)
        everything.extend(result.papers)
        warnings.extend(result.warnings)
    return LoadedPapers(papers=deduplicate(everything), entries=len(everything), warnings=warnings)


def import_profile(
    store: Store,
    name: str,
    paths: Sequence[str | Path],
    input_format: str | None = None,
    *,
    client: HttpClient | None = None,
    offline_hint: str = "import the same files again when online",
    on_lookup: Callable[[int], None] | None = None,
) -> tuple[ImportSummary, list[str]]:
    """Every file is parsed before the one transaction that writes them.

    Records without a title but with an arXiv id (an arXiv listing copied without titles) get
    their titles from one batched arXiv API request through ``client``; without a client
    (offline), or when arXiv fails, they are imported untitled and a warning says how many and
    how to fill them in (``offline_hint``). Re-importing online fills them: a stored paper takes
    the title it lacked. ``on_lookup`` is told how many titles are about to be asked for.
    """
    loaded = load_papers(paths, input_format)
    lookup = add_missing_titles(client, loaded.papers, on_lookup)
    note = lookup.message(offline_hint)
    warnings = [*loaded.warnings, note] if note else loaded.warnings
    return store.import_papers(loaded.papers, profile=name), warnings


def import_feed(
    store: Store, paths: Sequence[str | Path], input_format: str | None = None
) -> tuple[ImportSummary, list[str]]:
    loaded = load_papers(paths, input_format)
    return store.import_papers(loaded.papers, as_candidates=True), loaded.warnings


def feed_days(store: Store) -> list[maintenance.FeedDay]:
    """The store's candidates counted by the day they were first seen."""
    return maintenance.feed_days(store)


def clear_feed(store: Store, older_than_days: int | None, today: dt.date | None = None) -> int:
    """Forget candidates last seen more than ``older_than_days`` ago (None: all); their papers stay."""
    return maintenance.clear_feed(store, older_than_days, today or clock.today())
