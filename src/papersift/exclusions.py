"""Keeping a paper out of a profile, and bringing it back: one service for the CLI, the web pages and the API.

An exclusion holds under every identity key of the paper, so a refresh that brings it back (from
another service, as a new version) keeps it out. Both directions check the same things wherever
they are asked from: the paper must be one of the profile's papers, and only an excluded paper
can be included again.
"""

from __future__ import annotations

from .errors import StoreError
from .models import Paper
from .store import Store


class NotInProfile(StoreError):
    """The paper named is not one of the profile's papers (excluded ones included)."""

    def __init__(self, profile: str, paper: Paper) -> None:
        self.profile, self.paper_id = profile, paper.store_id
        super().__init__(f"'{paper.display_title}' (paper {paper.store_id}) is not one of profile '{profile}''s papers")


def _profile_paper(store: Store, profile: str, paper: str | int) -> Paper:
    """The profile's paper called ``paper`` (store id, arXiv id, DOI or exact title), excluded or not."""
    paper_id = store.resolve_paper(str(paper))
    found = store.papers_by_id([paper_id])[0]
    if paper_id not in {p.store_id for p in store.profile_papers(profile, include_excluded=True)}:
        raise NotInProfile(profile, found)
    return found


def exclude_from_profile(store: Store, profile: str, paper: str | int) -> Paper:
    """Keep ``paper`` (store id, arXiv id, DOI or exact title) out of ``profile``, for good (until included)."""
    found = _profile_paper(store, profile, paper)
    assert found.store_id is not None
    store.exclude_profile_paper(profile, found.store_id)
    return found


def include_in_profile(store: Store, profile: str, paper: str | int) -> Paper:
    """Undo an exclusion: ``paper`` counts for ``profile`` again; a paper not excluded is a StoreError."""
    found = _profile_paper(store, profile, paper)
    if found.store_id not in {p.store_id for p in excluded_papers(store, profile)}:
        raise StoreError(f"'{found.display_title}' is not excluded from profile '{profile}'")
    assert found.store_id is not None
    store.include_profile_paper(profile, found.store_id)
    return found


def excluded_papers(store: Store, profile: str) -> list[Paper]:
    """The papers kept out of ``profile`` (``profile include`` brings one back)."""
    kept = {p.store_id for p in store.profile_papers(profile)}
    return [p for p in store.profile_papers(profile, include_excluded=True) if p.store_id not in kept]
