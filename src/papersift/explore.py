"""What the web app shows beyond the CLI: stored digests, search, similar papers, the map, lab routing.

Library functions over a :class:`Store` and an :class:`Encoder`; the web routes only call these
(and :mod:`papersift.api`). Rankings come from :func:`papersift.api.digest_from_store` and the
ranking package, never from here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import api, clock
from .digests import scoring_inputs
from .encoders import Encoder, embed_papers, normalize_rows
from .errors import InputError, StoreError
from .models import Paper, Recommendation
from .ranking import RankOptions
from .ranking.personal import DigestOptions
from .ranking.pipeline import InputVectors, embed_groups, profile_scorer
from .store import Store
from .store.digest_record import DigestSummary

# Semantic search, "more like this" and the lab look at this many of the newest candidates.
SEARCH_POOL = 5000


# -- digests ----------------------------------------------------------------------------


@dataclass
class DigestView:
    """A stored digest: its run, its picks (as the CLI's JSON has them) and the profile's ratings of them."""

    run: DigestSummary | None
    recommendations: list[Recommendation]
    ratings: dict[int, str] = field(default_factory=dict)

    def groups(self) -> list[tuple[str, list[Recommendation]]]:
        """The picks grouped by interest, interests in order of their best pick."""
        grouped: dict[str, list[Recommendation]] = {}
        for rec in self.recommendations:
            grouped.setdefault(rec.interest or "Your picks", []).append(rec)
        return list(grouped.items())


def make_digest(
    store: Store,
    profile: str,
    encoder: Encoder,
    top: int = 20,
    min_relevance: float = 0.0,
    include_seen: bool = False,
) -> int | None:
    """Rank and record a new digest for ``profile`` (what ``papersift digest`` does); its run id.

    The picks' interests, relevances and rating reasons are kept beside the run (by
    :func:`papersift.api.digest_from_store`, as for every recorded run), so the stored digest can be
    shown again exactly.
    """
    return api.digest_from_store(
        store,
        profile,
        encoder=encoder,
        options=RankOptions(top=top),
        settings=DigestOptions(min_relevance=min_relevance, include_seen=include_seen),
    ).run_id


def digest_view(store: Store, profile: str, run_id: int | None = None) -> DigestView:
    """The profile's latest stored digest (or run ``run_id``), without ranking anything."""
    found = store.digest(profile, run_id)
    if found is None:
        if run_id is not None:
            raise StoreError(f"profile '{profile}' has no digest {run_id}")
        return DigestView(None, [])
    ratings = store.ratings_for(profile, [r.paper.store_id for r in found.picks if r.paper.store_id])
    return DigestView(found.summary, found.picks, ratings)


def past_picks(store: Store, profile: str, digest_id: int) -> list[Recommendation]:
    found = store.digest(profile, digest_id)
    return found.picks if found is not None else []


def digest_history(store: Store, profile: str, limit: int = 30) -> list[DigestSummary]:
    return store.digest_summaries(profile, limit)


# -- results kept while the store is unchanged ------------------------------------------------


class ResultCache:
    """Results computed from the store, each kept under a key naming every input it was computed from
    (ids and ratings, read cheaply), so an unchanged store answers from memory and any change misses."""

    def __init__(self, size: int = 64) -> None:
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()  # outside the lock: two requests may both compute, neither waits
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


# -- search and similarity ----------------------------------------------------------------------


# A search is a sentence or an abstract; a word longer than this is no word of any record.
MAX_QUERY_CHARS = 5000
MAX_WORD_CHARS = 200


def _checked_query(query: str) -> str:
    if len(query) > MAX_QUERY_CHARS:
        raise InputError(f"a search is at most {MAX_QUERY_CHARS:,} characters; this one has {len(query):,}")
    return query


def search_papers(store: Store, query: str, limit: int = 50) -> list[Paper]:
    """Stored papers whose title, abstract or authors contain every word of ``query`` (its first 8 words)."""
    words = [w for w in _checked_query(query).split() if w][:8]
    long = next((w for w in words if len(w) > MAX_WORD_CHARS), None)
    if long is not None:
        raise InputError(f"a search word is at most {MAX_WORD_CHARS} characters; '{long[:40]}...' has {len(long):,}")
    return store.papers_by_id(store.search_paper_ids(words, limit))


def _pool_ids(store: Store, profile: str | None) -> list[int]:
    ids = store.recent_candidate_ids(SEARCH_POOL)
    if profile:
        ids = list(dict.fromkeys([*ids, *store.profile_paper_ids(profile)]))
    return ids


def _pool(store: Store, profile: str | None) -> list[Paper]:
    return store.papers_by_id(_pool_ids(store, profile))


def _pool_vectors(
    store: Store, ids: Sequence[int], encoder: Encoder, cache: ResultCache | None
) -> tuple[list[int], np.ndarray]:
    """The ids of the pool's papers and their (cached) vectors; with ``cache``, kept in memory under the
    ids and their texts' last change, so a request that searches an unchanged pool neither loads its
    papers nor reads their vectors."""

    def compute() -> tuple[list[int], np.ndarray]:
        papers = store.papers_by_id(ids)
        return [p.store_id or 0 for p in papers], _vectors(store, papers, encoder)

    if cache is None:
        return compute()
    key = ("pool", encoder.model_id, tuple(ids), store.last_updated(ids))
    found: tuple[list[int], np.ndarray] = cache.get(key, compute)
    return found


def _vectors(store: Store, papers: Sequence[Paper], encoder: Encoder) -> np.ndarray:
    if encoder.cacheable:
        return embed_papers(papers, encoder, store=store)
    return normalize_rows(encoder.encode([p.text() for p in papers]))


def _nearest(query: np.ndarray, papers: Sequence[Paper], vectors: np.ndarray, k: int) -> list[tuple[Paper, float]]:
    if not len(papers):
        return []
    similarities = vectors @ query
    order = np.argsort(-similarities, kind="stable")[:k]
    return [(papers[i], float(similarities[i])) for i in order]


def _nearest_ids(
    store: Store, query: np.ndarray, ids: Sequence[int], vectors: np.ndarray, k: int
) -> list[tuple[Paper, float]]:
    """Like :func:`_nearest` over ids: only the ``k`` nearest papers are loaded."""
    if not len(ids):
        return []
    similarities = vectors @ query
    order = np.argsort(-similarities, kind="stable")[:k]
    found = {p.store_id: p for p in store.papers_by_id([ids[i] for i in order])}
    return [(found[ids[i]], float(similarities[i])) for i in order if ids[i] in found]


def semantic_search(
    store: Store,
    text: str,
    encoder: Encoder,
    profile: str | None = None,
    limit: int = 20,
    cache: ResultCache | None = None,
) -> list[tuple[Paper, float]]:
    """Papers like ``text`` (a sentence or an abstract) among the newest candidates and the profile's papers.

    With ``cache`` (and an encoder whose vectors are cached), the pool's vectors stay in memory while
    the pool's papers are the same."""
    text = _checked_query(text).strip()
    if not text:
        return []
    ids = _pool_ids(store, profile)
    if not ids:
        return []
    if encoder.cacheable:
        ids, vectors = _pool_vectors(store, ids, encoder, cache)
        query = normalize_rows(encoder.encode([text]))[0]
        return _nearest_ids(store, query, ids, vectors, limit)
    # A corpus-dependent encoder needs the query in the same fit.
    papers = store.papers_by_id(ids)
    both = normalize_rows(encoder.encode([text, *(p.text() for p in papers)]))
    return _nearest(both[0], papers, both[1:], limit)


def more_like_this(
    store: Store,
    paper_id: int,
    encoder: Encoder,
    profile: str | None = None,
    limit: int = 8,
    cache: ResultCache | None = None,
) -> list[tuple[Paper, float]]:
    """The stored papers most similar to paper ``paper_id`` (itself left out)."""
    paper = _paper(store, paper_id)
    if encoder.cacheable:
        ids, vectors = _pool_vectors(store, _pool_ids(store, profile), encoder, cache)
        keep = [i for i, found in enumerate(ids) if found != paper_id]
        query = _vectors(store, [paper], encoder)[0]
        return _nearest_ids(store, query, [ids[i] for i in keep], vectors[keep], limit)
    pool = [p for p in _pool(store, profile) if p.store_id != paper_id]
    vectors = _vectors(store, [paper, *pool], encoder)
    return _nearest(vectors[0], pool, vectors[1:], limit)


def closest_own(
    store: Store, profile: str, paper_id: int, encoder: Encoder, limit: int = 5
) -> list[tuple[Paper, float]]:
    """The profile's own papers closest to paper ``paper_id``."""
    paper = _paper(store, paper_id)
    own = [p for p in store.profile_papers(profile) if p.store_id != paper_id]
    vectors = _vectors(store, [paper, *own], encoder)
    return _nearest(vectors[0], own, vectors[1:], limit)


def _paper(store: Store, paper_id: int) -> Paper:
    found = store.papers_by_id([paper_id])
    if not found:
        raise StoreError(f"there is no paper with store id {paper_id}")
    return found[0]


def get_paper(store: Store, paper_id: int) -> Paper:
    return _paper(store, paper_id)


# -- the map ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    paper: Paper
    kind: str  # "own" or "pick"
    interest: str


@dataclass
class MapData:
    points: list[MapPoint]
    interests: list[str]
    explained: float  # share of the variance the two axes show


def project_2d(vectors: np.ndarray) -> tuple[np.ndarray, float]:
    """PCA to two dimensions (numpy SVD, signs fixed so the picture is stable); coordinates in [-1, 1]."""
    n = len(vectors)
    if n == 0:
        return np.zeros((0, 2)), 0.0
    centred = np.asarray(vectors, dtype=np.float64) - np.asarray(vectors, dtype=np.float64).mean(axis=0)
    if n == 1:
        return np.zeros((1, 2)), 0.0
    u, singular, vt = np.linalg.svd(centred, full_matrices=False)
    k = min(2, len(singular))
    coords = centred @ vt[:k].T
    for j in range(k):  # the largest loading positive: the same data always gives the same picture
        if vt[j][np.argmax(np.abs(vt[j]))] < 0:
            coords[:, j] = -coords[:, j]
    if k < 2:
        coords = np.hstack([coords, np.zeros((n, 2 - k))])
    scale = np.abs(coords).max(axis=0)
    scale[scale == 0] = 1.0
    total = float((singular**2).sum())
    return coords / scale, float((singular[:k] ** 2).sum() / total) if total else 0.0


def profile_map(store: Store, profile: str, encoder: Encoder, runs: int = 5) -> MapData:
    """The profile's papers and its recent digests' picks in two dimensions, each with its interest."""
    own = store.profile_papers(profile)
    interest_of: dict[int, str] = {}
    for interest in store.interests(profile):
        for paper_id in interest.paper_ids:
            interest_of[paper_id] = interest.display_name
    own_ids = {p.store_id for p in own}
    pick_ids = [i for i in store.recent_pick_ids(profile, runs) if i not in own_ids]
    picks = store.papers_by_id(pick_ids)
    for summary in reversed(store.digest_summaries(profile, limit=runs)):
        for pick in past_picks(store, profile, summary.id):
            if pick.interest and pick.paper.store_id is not None:
                interest_of[pick.paper.store_id] = pick.interest
    papers = [*own, *picks]
    if not papers:
        return MapData([], [], 0.0)
    coords, explained = project_2d(_vectors(store, papers, encoder))
    order = {name: i for i, name in enumerate(interest_names(store, profile))}
    points = [
        MapPoint(float(x), float(y), p, "own" if i < len(own) else "pick", interest_of.get(p.store_id or -1, "other"))
        for i, (p, (x, y)) in enumerate(zip(papers, coords, strict=True))
    ]
    return MapData(points, sorted({p.interest for p in points}, key=lambda n: (order.get(n, len(order)), n)), explained)


def interest_names(store: Store, profile: str) -> list[str]:
    """The profile's interests in their stored order (which fixes each interest's colour on every page)."""
    return [i.display_name for i in store.interests(profile)]


# -- the lab: which members a new paper matters to most -------------------------------------------


@dataclass
class LabRow:
    paper: Paper
    members: list[tuple[str, float]]  # (profile, calibrated relevance), most relevant first


def _lab_key(store: Store, members: Sequence[str], encoder: Encoder, candidate_ids: Sequence[int]) -> Hashable:
    """What a lab routing is computed from: the candidates, each member's papers, ratings and background
    sample (ids, and when any of those papers' texts last changed), the encoder, and the day (own papers
    are weighted by their age)."""
    parts = []
    every_paper: list[int] = list(candidate_ids)
    for member in members:
        own = store.profile_paper_ids(member)
        rated = tuple((r.paper_id, r.rating) for r in store.ratings(member))
        background = store.background_paper_ids(
            exclude=sorted({*own, *(i for i, _ in rated)}), limit=api.BACKGROUND_SIZE
        )
        parts.append((member, tuple(own), rated, tuple(background)))
        every_paper += [*own, *background]
    texts = store.last_updated(every_paper)
    return ("lab", encoder.model_id, clock.today(), tuple(candidate_ids), tuple(parts), texts)


def lab_routing(
    store: Store,
    profiles: Sequence[str],
    encoder: Encoder,
    papers: int = 30,
    per_paper: int = 3,
    pool: int = 200,
    cache: ResultCache | None = None,
) -> list[LabRow]:
    """The ``papers`` of the newest ``pool`` candidates that matter most to someone, each with the
    ``per_paper`` profiles it is most relevant to.

    The digest's scorer turned around: each profile scores every paper with the scorer its digest
    ranks with (own papers by recency, ratings, calibrated against the store's background sample, so
    a member's relevance here is the one their Today page shows), then each paper keeps its best profiles.
    With ``cache``, an unchanged store (same candidates, members' papers, ratings, day) is not scored again.
    """
    candidate_ids = store.recent_candidate_ids(pool)
    members = [p for p in profiles if store.profile_paper_ids(p)]
    if not candidate_ids or not members:
        return []
    if cache is None:
        return _lab_routing(store, candidate_ids, members, encoder, papers, per_paper)
    key = (_lab_key(store, members, encoder, candidate_ids), papers, per_paper)
    rows: list[LabRow] = cache.get(key, lambda: _lab_routing(store, candidate_ids, members, encoder, papers, per_paper))
    return rows


def _lab_routing(
    store: Store, candidate_ids: Sequence[int], members: Sequence[str], encoder: Encoder, papers: int, per_paper: int
) -> list[LabRow]:
    candidates = store.papers_by_id(candidate_ids)
    inputs = [scoring_inputs(store, member) for member in members]
    # One call for every text: a corpus-dependent encoder (TF-IDF) gives comparable vectors only so.
    groups = [candidates, *(g for i in inputs for g in (i.own, i.background, [p for p, _ in i.rated]))]
    vectors = embed_groups(groups, encoder, store)
    candidate_vectors = vectors[0]
    relevance = np.zeros((len(candidates), len(members)))
    for j, member in enumerate(inputs):
        own, background, rated = vectors[1 + 3 * j : 4 + 3 * j]
        no_pool = np.zeros((0, candidate_vectors.shape[1]), dtype=np.float32)
        scorer = profile_scorer(member, InputVectors(own, no_pool, background, rated), RankOptions(), DigestOptions())
        relevance[:, j] = scorer.relevance(scorer.score(candidate_vectors))
        own_ids = {p.store_id for p in member.own}
        for i, c in enumerate(candidates):
            if c.store_id in own_ids:  # a member's own paper is no news to them
                relevance[i, j] = -1.0
    rows = []
    for i, paper in enumerate(candidates):
        order = [j for j in np.argsort(-relevance[i], kind="stable")[:per_paper] if relevance[i, j] >= 0]
        rows.append(LabRow(paper, [(members[j], float(relevance[i, j])) for j in order]))
    rows.sort(key=lambda r: -(r.members[0][1] if r.members else 0.0))
    return rows[:papers]


def why_recommended(store: Store, profile: str, paper_id: int, runs: int = 10) -> Recommendation | None:
    """The pick of ``paper_id`` in one of the profile's last ``runs`` digests (its reasons), if it was one."""
    for summary in store.digest_summaries(profile, limit=runs):
        for rec in past_picks(store, profile, summary.id):
            if rec.paper.store_id == paper_id:
                return rec
    return None
