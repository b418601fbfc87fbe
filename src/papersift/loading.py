"""Papers from files: read them all (before anything is written), merge duplicates, import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import clock, fileio
from .errors import InputError
from .identity import deduplicate
from .models import Paper
from .store import ImportSummary, Store, maintenance

if TYPE_CHECKING:
    from .fetch.client import HttpClient


@dataclass(frozen=True)
class UploadedFile:
    """A file given as its bytes (a web upload), read by the same readers as a path, named ``upload:NAME``."""

    name: str
    data: bytes

    @property
    def origin(self) -> str:
        return f"upload:{self.name}"


PaperFile = str | Path | UploadedFile
"""A file to read papers from: a path, ``-`` for standard input, or an upload's bytes."""


@dataclass
class LoadedPapers:
    """Papers read from several files, de-duplicated, with the parsers' warnings."""

    papers: list[Paper]
    entries: int
    warnings: list[str] = field(default_factory=list)


def refuse_stdin_twice(paths: Sequence[PaperFile]) -> None:
    """Standard input (``-``) can be read once: refused when ``paths`` (all of one command's) name it twice."""
    if sum(not isinstance(p, UploadedFile) and fileio.is_stdin(p) for p in paths) > 1:
        raise InputError("standard input ('-') can be read only once; give '-' once", fileio.STDIN_ORIGIN)


def load_papers(
    paths: Sequence[PaperFile], input_format: str | None = None, today: dt.date | None = None
) -> LoadedPapers:
    """Read every file (all of them before anything else happens) and merge duplicates; ``-`` is
    standard input, which can be read once; an :class:`UploadedFile` is read from its bytes."""
    from .sources import decode, parse_text, read_papers  # the parsers only when files are read

    refuse_stdin_twice(paths)
    everything: list[Paper] = []
    warnings: list[str] = []
    for path in paths:
        if isinstance(path, UploadedFile):
            result = parse_text(decode(path.data, path.origin), path.origin, input_format)
            if not result.papers:
                raise InputError("holds no papers", path.origin)
        else:
            result = read_papers(path, input_format=input_format, today=today)
        everything.extend(result.papers)
        warnings.extend(result.warnings)
    return LoadedPapers(papers=deduplicate(everything), entries=len(everything), warnings=warnings)


def import_profile(
    store: Store,
    name: str,
    paths: Sequence[PaperFile],
    input_format: str | None = None,
    *,
    client: HttpClient | None = None,
    offline_hint: str = "import the same files again when online",
    on_lookup: Callable[[int], None] | None = None,
) -> tuple[ImportSummary, list[str]]:
    """The one profile import (``profile import`` FILES, web uploads): every file is parsed before the
    one transaction that writes them.

    Records without a title but with an arXiv id (an arXiv listing copied without titles) get
    their titles from one batched arXiv API request through ``client``; without a client
    (offline), or when arXiv fails, they are imported untitled and a warning says how many and
    how to fill them in (``offline_hint``). Re-importing online fills them: a stored paper takes
    the title it lacked. ``on_lookup`` is told how many titles are about to be asked for.
    Records with nothing to rank on (a bare id or DOI no lookup filled) are refused, naming their lines.
    """
    from .fetch.arxiv_titles import add_missing_titles  # the HTTP stack only when importing a profile
    from .fetch.enrich import fill_bare_dois

    loaded = load_papers(paths, input_format)
    lookup = add_missing_titles(client, loaded.papers, on_lookup)
    doi_problem = fill_bare_dois(client, loaded.papers)
    refuse_textless(loaded.papers, lookup.error or doi_problem or ("papersift is offline" if client is None else None))
    note = lookup.message(offline_hint)
    warnings = [*loaded.warnings, note] if note else loaded.warnings
    return store.import_papers(loaded.papers, profile=name), warnings


def refuse_textless(papers: Sequence[Paper], why: str | None = None) -> None:
    """Refuse records with nothing to rank on (a bare arXiv id or DOI that was not, or could not be,
    looked up), naming their files and lines; ``why`` says why a lookup did not fill them."""
    textless = [p for p in papers if p.untitled and not p.abstract.strip()]
    if not textless:
        return
    first = textless[0].sources[0] if textless[0].sources else None
    shown = ", ".join(
        f"line {p.sources[0].line} ({next(iter(p.ids.values()), '?')})"
        if p.sources
        else next(iter(p.ids.values()), "?")
        for p in textless[:5]
    )
    more = f" and {len(textless) - 5} more" if len(textless) > 5 else ""
    if why:
        fix = f"looking them up did not work: {why}; import them again when online (without --offline)"
    else:
        fix = "they were not looked up (only `profile import` looks ids up) or arXiv and OpenAlex do not know them"
    raise InputError(
        f"{shown}{more}: an arXiv id or DOI alone gives nothing to rank on, and {fix}; or give the papers' "
        "titles and abstracts (a BibTeX, RIS or CSV export, or a publication list)",
        first.origin if first else None,
        line=first.line if first else None,
    )


def import_feed(
    store: Store, paths: Sequence[str | Path], input_format: str | None = None
) -> tuple[ImportSummary, list[str]]:
    loaded = load_papers(paths, input_format)
    refuse_textless(loaded.papers)
    return store.import_papers(loaded.papers, as_candidates=True), loaded.warnings


def feed_days(store: Store) -> list[maintenance.FeedDay]:
    """The store's candidates counted by the day they were first seen."""
    return maintenance.feed_days(store)


def clear_feed(store: Store, older_than_days: int | None, today: dt.date | None = None) -> int:
    """Forget candidates last seen more than ``older_than_days`` ago (None: all); their papers stay."""
    return maintenance.clear_feed(store, older_than_days, today or clock.today())
