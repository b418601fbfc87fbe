"""A stored profile: which one, its papers and exclusions, its ratings, and its interests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .encoders import Encoder, embed_papers, get_encoder
from .errors import ConfigError, StoreError
from .exclusions import excluded_papers
from .models import Paper
from .ranking.interests import MAX_INTERESTS, cluster, find_interests, label_groups
from .ranking.pipeline import BACKGROUND_SIZE
from .store import InterestRecord, Store, maintenance


def check_profile_name(name: str) -> str:
    """A profile name as given, stripped; an empty or blank name is refused (its papers would be unreachable)."""
    stripped = name.strip()
    if not stripped:
        raise ConfigError("a profile needs a name that is not empty (e.g. --profile me)")
    return stripped


def default_profile(store: Store, name: str | None) -> str:
    """``name``, or the store's only profile when none is given."""
    if name:
        return name
    known = [p.name for p in store.profiles()]
    if len(known) == 1:
        return known[0]
    if not known:
        raise StoreError("there are no profiles yet (import one with `papersift profile import FILE --name NAME`)")
    raise StoreError(f"the store has several profiles ({', '.join(known)}); choose one with --profile")


# -- ratings (written by :mod:`papersift.feedback`) ------------------------------------


def reset_feedback(store: Store, profile: str) -> int:
    """Forget every rating of ``profile``; returns how many were forgotten."""
    return store.reset_ratings(profile)


# -- the profile's papers ------------------------------------------------------------


def delete_profile(store: Store, profile: str) -> None:
    """Delete the profile with its ratings, interests, sources, exclusions and history (papers stay)."""
    maintenance.delete_profile(store, profile)


def rename_profile(store: Store, profile: str, new_name: str) -> str:
    new_name = check_profile_name(new_name)
    maintenance.rename_profile(store, profile, new_name)
    return new_name


# -- overview ------------------------------------------------------------------------


@dataclass
class RatedEntry:
    paper: Paper
    rating: str
    origin: str
    created_at: str


@dataclass
class InterestView:
    """An interest with its papers, as the CLI and the web app show it.

    ``budget``: the most picks a digest gives it (None: no limit of its own).
    """

    id: int
    name: str
    label: str
    muted: bool
    renamed: bool
    papers: list[Paper]
    budget: int | None = None


@dataclass
class ProfileOverview:
    """What drives a profile's ranking: its papers, interests, ratings and exclusions."""

    name: str
    papers: list[Paper]
    interests: list[InterestView]
    ratings: list[RatedEntry]
    excluded: list[Paper] | None = None


def _views(store: Store, profile: str, records: Sequence[InterestRecord]) -> list[InterestView]:
    papers = {p.store_id: p for p in store.profile_papers(profile)}
    return [
        InterestView(
            r.id,
            r.display_name,
            r.label,
            r.muted,
            r.name is not None,
            [papers[i] for i in r.paper_ids if i in papers],
            r.budget,
        )
        for r in records
    ]


def profile_overview(store: Store, profile: str) -> ProfileOverview:
    papers = store.profile_papers(profile)
    ratings = store.ratings(profile)
    rated = {p.store_id: p for p in store.papers_by_id([r.paper_id for r in ratings])}
    return ProfileOverview(
        name=profile,
        papers=papers,
        interests=_views(store, profile, store.interests(profile)),
        ratings=[
            RatedEntry(rated[r.paper_id], r.rating, r.origin, r.created_at) for r in ratings if r.paper_id in rated
        ],
        excluded=excluded_papers(store, profile),
    )


# -- interests -----------------------------------------------------------------------


def _reference_texts(store: Store, own: Sequence[Paper]) -> list[str]:
    ids = store.background_paper_ids(exclude=[p.store_id for p in own if p.store_id is not None], limit=BACKGROUND_SIZE)
    return [p.text() for p in store.papers_by_id(ids)]


def _vectors(store: Store, papers: Sequence[Paper], encoder: Encoder) -> np.ndarray:
    return embed_papers(papers, encoder, store=store)


def _ids(own: Sequence[Paper], members: Sequence[int]) -> list[int]:
    return [i for i in (own[m].store_id for m in members) if i is not None]


def find_profile_interests(
    store: Store, profile: str, encoder: Encoder | None = None, max_k: int = MAX_INTERESTS
) -> list[InterestView]:
    """Group the profile's papers into interests afresh (names, merges, mutes and budgets are forgotten)."""
    encoder = encoder or get_encoder()
    own = store.profile_papers(profile)
    if not own:
        raise StoreError(f"profile '{profile}' has no papers to find interests in")
    found = find_interests(
        [p.text() for p in own],
        [p.display_title for p in own],
        _vectors(store, own, encoder),
        _reference_texts(store, own),
        max_k,
    )
    store.save_interests(profile, [(label, _ids(own, members)) for label, members in found], encoder.model_id)
    return _views(store, profile, store.interests(profile))


def list_interests(store: Store, profile: str, encoder: Encoder | None = None) -> list[InterestView]:
    """The profile's interests (found now, with ``encoder``, if it has none yet)."""
    records = store.interests(profile)
    if not records:
        return find_profile_interests(store, profile, encoder)
    return _views(store, profile, records)


def rename_interest(store: Store, profile: str, interest: str, name: str) -> InterestView:
    record = store.rename_interest(profile, interest, name)
    return _views(store, profile, [record])[0]


def mute_interest(store: Store, profile: str, interest: str, muted: bool = True) -> InterestView:
    """A muted interest keeps its papers but sends no recommendations."""
    record = store.set_interest_muted(profile, interest, muted)
    return _views(store, profile, [record])[0]


def set_interest_budget(store: Store, profile: str, interest: str, budget: int | None) -> InterestView:
    """At most ``budget`` picks per digest for an interest; its unused slots go to the other interests.

    None clears the budget (the interest gets its usual share); 0 sends nothing, as a mute does.
    """
    record = store.set_interest_budget(profile, interest, budget)
    return _views(store, profile, [record])[0]


def merge_interests(store: Store, profile: str, interests: Sequence[str]) -> InterestView:
    """Fold the second and later interests into the first; the merged interest is labelled afresh."""
    record = store.merge_interests(profile, interests)
    own = store.profile_papers(profile)
    index = {p.store_id: i for i, p in enumerate(own)}
    members = [index[i] for i in record.paper_ids if i in index]
    label = label_groups(
        [p.text() for p in own],
        [members],
        reference=_reference_texts(store, own),
        titles=[p.display_title for p in own],
    )[0]
    record = store.relabel_interest(profile, str(record.id), label)
    return _views(store, profile, [record])[0]


def split_interest(
    store: Store, profile: str, interest: str, parts: int = 2, encoder: Encoder | None = None
) -> list[InterestView]:
    """Split one interest into ``parts`` by clustering its papers."""
    encoder = encoder or get_encoder()
    record = store.find_interest(profile, interest)
    own = store.profile_papers(profile)
    index = {p.store_id: i for i, p in enumerate(own)}
    members = [index[i] for i in record.paper_ids if i in index]
    if len(members) < parts:
        raise StoreError(f"interest '{record.display_name}' has {len(members)} papers, too few to split in {parts}")
    vectors = _vectors(store, [own[i] for i in members], encoder)
    groups = [[members[i] for i in g] for g in cluster(vectors, k=parts)]
    if len(groups) < 2:
        raise StoreError(f"the papers of interest '{record.display_name}' are too alike to split")
    labels = label_groups(
        [p.text() for p in own], groups, reference=_reference_texts(store, own), titles=[p.display_title for p in own]
    )
    records = store.replace_interest(
        profile,
        str(record.id),
        [(label, _ids(own, g)) for label, g in zip(labels, groups, strict=True)],
        encoder.model_id,
    )
    return _views(store, profile, records)
