"""What pages and the JSON API both do: start jobs, gather a paper's page, search, the lab, settings."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from .. import api, explore
from ..config import SourceSpec, load_config
from ..delivery.targets import WEEKDAYS, read_profile_settings
from ..models import Paper
from ..store import Store
from .deps import Viewer, visible_profiles
from .jobs import Job, Progress
from .state import state

DAYS = list(WEEKDAYS)
AUTHOR_KINDS = {
    "openalex": "OpenAlex author id",
    "orcid": "ORCID iD",
    "s2-author": "Semantic Scholar author id",
    "dblp": "DBLP person id",
    "arxiv-author": "arXiv author name",
}


def start_digest_job(request: Request, profile: str) -> Job:
    app_state = state(request)
    running = [j for j in app_state.jobs.active(profile) if j.kind == "digest"]
    if running:
        return running[0]
    settings = read_profile_settings(app_state.store, profile)

    def work(progress: Progress) -> dict[str, Any]:
        progress(message="ranking the stored candidates")
        run_id = explore.make_digest(
            app_state.store,
            profile,
            app_state.encoder,
            top=settings.top,
            min_relevance=settings.min_relevance,
        )
        progress(message="the new digest is ready")
        return {"run": run_id}

    return app_state.jobs.submit("digest", profile, work)


def start_author_import(request: Request, profile: str, kind: str, value: str) -> Job:
    app_state = state(request)
    factory = app_state.settings.client_factory

    def work(progress: Progress) -> dict[str, Any]:
        from ..fetch.client import HttpClient

        config = load_config()
        client = factory(config.contact) if factory else HttpClient.from_config(config)
        progress(message=f"asking {AUTHOR_KINDS.get(kind, kind)} {value}")

        def on_page(report: Any, _page: Any) -> None:
            progress(done=report.got, message=f"{report.got} papers so far ({report.new} new)")

        try:
            reports = api.import_profile_from(
                app_state.store, profile, [SourceSpec(kind, value)], client, on_page=on_page
            )
        finally:
            client.close()
        failed = [r for r in reports if not r.ok]
        if failed:
            from ..errors import SourceError

            raise SourceError("; ".join(r.describe() for r in failed))
        progress(message="; ".join(r.describe() for r in reports))
        return {"got": sum(r.got for r in reports), "new": sum(r.new for r in reports)}

    return app_state.jobs.submit("import", profile, work)


def paper_detail(request: Request, store: Store, profile: str, viewer: Viewer, paper_id: int) -> dict[str, Any]:
    encoder = state(request).encoder
    return {
        "paper": explore.get_paper(store, paper_id),
        "rating": store.ratings_for(profile, [paper_id]).get(paper_id),
        "why": explore.why_recommended(store, profile, paper_id),
        "similar": explore.more_like_this(store, paper_id, encoder, profile, cache=state(request).vectors),
        "own": explore.closest_own(store, profile, paper_id, encoder),
    }


def search(
    request: Request, store: Store, profile: str, viewer: Viewer, query: str, semantic: bool
) -> list[tuple[Paper, float | None]]:
    hits: list[tuple[Paper, float | None]]
    if semantic:
        hits = list(
            explore.semantic_search(store, query, state(request).encoder, profile, cache=state(request).vectors)
        )
    else:
        hits = [(p, None) for p in explore.search_papers(store, query)]
    if viewer.multi_user:
        visible = store.visible_paper_ids(profile, [p.store_id for p, _ in hits if p.store_id is not None])
        hits = [(p, s) for p, s in hits if p.store_id in visible]
    return hits


def lab_rows(request: Request, store: Store, viewer: Viewer) -> list[explore.LabRow]:
    """In multi-user mode the lab is the profiles shared with it, plus the viewer's own."""
    members = visible_profiles(store, viewer)
    if viewer.multi_user:
        members = sorted({*store.lab_profiles(), *members})
    return explore.lab_routing(store, members, state(request).encoder, cache=state(request).results)
