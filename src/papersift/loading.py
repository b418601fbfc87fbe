"""Papers from files: read them all (before anything is written), merge duplicates, import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import clock
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
    store: Store, name: str, paths: Sequence[str | Path], input_format: str | None = None
) -> tuple[ImportSummary, list[str]]:
    """Every file is parsed before the one transaction that writes them."""
    loaded = load_papers(paths, input_format)
    return store.import_papers(loaded.papers, profile=name), loaded.warnings


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
