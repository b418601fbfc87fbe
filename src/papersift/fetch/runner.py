"""Running fetchers into the store: page by page, resumable, one report per source.

Every page is stored with its checkpoint in one transaction as it arrives. A fetch that stops
half-way (a crash, a dead service) keeps what it stored; run again, it resumes after the last
stored page. A fetch that finished starts afresh next time (de-duplication makes that cheap).
One source failing never touches another's results: each gets its own :class:`FetchReport`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..config import Config, SourceSpec
from ..errors import ConfigError, PapersiftError, StoreError
from ..models import Paper
from ..store import Store
from ..textsafe import clip_quoted
from .arxiv_titles import add_missing_titles, untitled_with_arxiv_id
from .base import Fetcher, Page
from .client import HttpClient, SourceDeferred, SourceUnavailable
from .followed import follow_fetchers
from .registry import declared_sources, normalize_source, profile_fetcher
from .registry import zotero_key as resolve_zotero_key

MAX_WARNINGS = 50


@dataclass
class FetchReport:
    """What one source gave: papers read and new (totals over a resumed fetch too), or why it failed.

    ``retry`` says whether a rerun may succeed (the service was unreachable or asked to wait); any
    other failure (a file in no known format, a 404, a bad certificate) comes back the same until
    what its error names is fixed, so nothing suggests a rerun for it.
    """

    label: str
    key: str
    got: int = 0
    new: int = 0
    pages: int = 0
    resumed: bool = False
    empty_day: str | None = None
    error: str | None = None
    deferred: bool = False
    retry: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    def describe(self) -> str:
        """One line for the user: ``got N (new M)``, ``failed: reason`` or ``no announcements on DATE``
        (a label repeating a huge value the user gave is cut, as errors are: ``clip_quoted``)."""
        return clip_quoted(self._line())

    def _line(self) -> str:
        resumed = " (resumed)" if self.resumed else ""
        if self.error is not None:
            kept = f"; {self.got} papers from {self.pages} earlier pages kept" if self.pages else ""
            if kept and self.retry:
                kept += ", rerun to resume"
            outcome = "deferred" if self.deferred else "failed"
            return f"{self.label}: {outcome}: {self.error}{kept}"
        if self.empty_day is not None:
            return f"{self.label}: no announcements on {self.empty_day} ({_why_empty(self.empty_day)})"
        return f"{self.label}: got {self.got} (new {self.new}){resumed}"


def _why_empty(day: str) -> str:
    try:
        weekend = dt.date.fromisoformat(day[:10]).weekday() >= 5
    except ValueError:
        weekend = False
    return "weekend" if weekend else "holiday or no submissions"


def fetch_source(
    store: Store,
    fetcher: Fetcher,
    client: HttpClient,
    profile: str | None = None,
    on_page: Callable[[FetchReport, Page], None] | None = None,
    before_store: Callable[[list[Paper]], list[str]] | None = None,
) -> FetchReport:
    """Fetch every page of ``fetcher`` into the store (as candidates, or into ``profile``).

    ``before_store`` may complete each page's papers before they are stored; what it returns is
    added to the report's warnings. Library errors (a bad response, a service that gave up, the
    store refusing a write) end up in the report, never raised: pages stored before them stay
    stored. So does any other exception (a bug met on a hostile response): it costs this source,
    never the sources after it.
    """
    checkpoint = store.checkpoint(fetcher.key)
    resume = checkpoint is not None and not checkpoint.done and bool(checkpoint.state)
    report = FetchReport(fetcher.label, fetcher.key, resumed=resume)
    if resume and checkpoint is not None:
        report.got, report.new, report.pages = checkpoint.papers, checkpoint.new, checkpoint.pages
    try:
        for page in fetcher.pages(client, checkpoint.state if resume and checkpoint else None):
            notes = before_store(page.result.papers) if before_store is not None else []
            stored = store.store_page(
                page.result.papers,
                fetcher.key,
                fetcher.label,
                page.state,
                page.done,
                restart=report.pages == 0,
                profile=profile,
                as_candidates=profile is None,
            )
            report.got, report.new, report.pages = (
                stored.checkpoint.papers,
                stored.checkpoint.new,
                stored.checkpoint.pages,
            )
            report.warnings.extend(page.result.warnings[: max(0, MAX_WARNINGS - len(report.warnings))])
            report.warnings.extend(notes)
            if page.empty_day and page.done and report.got == 0:
                report.empty_day = page.empty_day
            report.warnings.extend(_drain(client))
            if on_page is not None:
                on_page(report, page)
    except SourceDeferred as exc:
        report.error, report.deferred, report.retry = str(exc), True, True
    except SourceUnavailable as exc:
        report.error, report.retry = str(exc), True
    except PapersiftError as exc:
        report.error = str(exc)
    except Exception as exc:  # noqa: BLE001 - one source's failure, whatever it is, must not end the run
        reason = " ".join(str(exc).split())[:300]
        report.error = f"unexpected {type(exc).__name__} ({reason}); please report this as a bug"
    report.warnings.extend(_drain(client))
    return report


def _drain(client: HttpClient) -> list[str]:
    """The client's notices (long waits it made or refused) since last asked."""
    notices = getattr(client, "notices", None)
    if not notices:
        return []
    taken = list(notices)
    notices.clear()
    return taken


# -- profiles ----------------------------------------------------------------------


def import_profile_from(
    store: Store,
    name: str,
    sources: Sequence[SourceSpec],
    client: HttpClient,
    zotero_key: str | None = None,
    on_page: Callable[[FetchReport, Page], None] | None = None,
) -> list[FetchReport]:
    """Pull each source into profile ``name``; each source that worked is remembered for ``refresh_profile``.

    Every id is checked before anything is fetched.
    """
    planned = [(normalize_source(s), profile_fetcher(s, zotero_key)) for s in sources]
    reports = []
    for source, fetcher in planned:
        report = fetch_source(store, fetcher, client, profile=name, on_page=on_page)
        if report.ok:
            store.add_profile_source(name, source.kind, source.value)
        reports.append(report)
    return reports


def remember_sources(store: Store, name: str, sources: Sequence[SourceSpec]) -> None:
    """Remember sources of ``name`` without fetching (files already imported, sources from the config)."""
    for source in sources:
        normalized = normalize_source(source)
        store.add_profile_source(name, normalized.kind, normalized.value)


def refresh_profile(
    store: Store,
    name: str,
    client: HttpClient,
    zotero_key: str | None = None,
    on_page: Callable[[FetchReport, Page], None] | None = None,
    *,
    look_up_titles: bool = True,
    offline_hint: str = "refresh the profile again when online",
    on_lookup: Callable[[int], None] | None = None,
) -> list[FetchReport]:
    """Re-pull every source of ``name``: new papers join, excluded ones stay out.

    Untitled records with an arXiv id (an arXiv listing without title lines, as a file source)
    get their titles from arXiv as in :func:`papersift.loading.import_profile`, except those whose
    stored paper has a title already; with ``look_up_titles`` False (offline) they are kept
    untitled and the source's report says how many and how to fill them (``offline_hint``).
    ``on_lookup`` is told how many titles are about to be asked for.

    The Zotero API key is never stored; give it here (resolved by
    :func:`papersift.fetch.registry.zotero_key`), or a private library answers 403.
    """
    sources = store.profile_sources(name)
    if not sources:
        raise StoreError(
            f"profile '{name}' has no sources to refresh from "
            "(add some with `papersift profile import --name NAME --openalex ID` or files)"
        )
    lookup_client = client if look_up_titles else None

    def titles(papers: list[Paper]) -> list[str]:
        return missing_titles(store, lookup_client, papers, offline_hint, on_lookup)

    reports = []
    for record in sources:
        try:
            fetcher = profile_fetcher(SourceSpec(record.kind, record.value), zotero_key)
        except ConfigError as exc:
            reports.append(FetchReport(f"{record.kind} {record.value}", "", error=str(exc)))
            continue
        report = fetch_source(store, fetcher, client, profile=name, on_page=on_page, before_store=titles)
        if report.ok:
            store.add_profile_source(name, record.kind, record.value)
        reports.append(report)
    return reports


def missing_titles(
    store: Store,
    client: HttpClient | None,
    papers: Sequence[Paper],
    offline_hint: str,
    on_lookup: Callable[[int], None] | None = None,
) -> list[str]:
    """Look up on arXiv (``client`` None: offline) the titles of ``papers`` that lack one and have an
    arXiv id, except those the store already has titled (a refresh asks arXiv once, not every day);
    the lookup's note for the user, if any."""
    untitled = untitled_with_arxiv_id(papers)
    if not untitled:
        return []
    titled = store.titled_arxiv_ids([p.ids["arxiv"] for p in untitled])
    lookup = add_missing_titles(client, [p for p in untitled if p.ids["arxiv"] not in titled], on_lookup)
    note = lookup.message(offline_hint)
    return [note] if note else []


# -- candidates --------------------------------------------------------------------


def update(
    store: Store,
    config: Config,
    client: HttpClient,
    zotero_key: str | None = None,
    on_page: Callable[[FetchReport, Page], None] | None = None,
    today: dt.date | None = None,
    look_up_titles: bool = True,
) -> list[FetchReport]:
    """Every configured profile refresh and candidate fetch, once; a failing source never stops the others.

    ``zotero_key`` (``--zotero-key``) goes before each profile's ``zotero_key`` and ``$PAPERSIFT_ZOTERO_KEY``.
    ``look_up_titles``: as for :func:`refresh_profile` (False with ``--offline`` or ``$PAPERSIFT_OFFLINE``).
    """
    reports: list[FetchReport] = []
    for profile in config.profiles:
        try:
            remember_sources(store, profile.name, declared_sources(profile))
            key = resolve_zotero_key(zotero_key, profile.zotero_key)
            reports += refresh_profile(store, profile.name, client, key, on_page, look_up_titles=look_up_titles)
        except PapersiftError as exc:
            reports.append(FetchReport(f"profile {profile.name}", "", error=str(exc)))
    for follow in config.follow:
        try:
            fetchers = follow_fetchers(follow, today)
        except PapersiftError as exc:
            reports.append(FetchReport(f"{follow.source}", "", error=str(exc)))
            continue
        reports += [fetch_source(store, fetcher, client, on_page=on_page) for fetcher in fetchers]
    return reports
