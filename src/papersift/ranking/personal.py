"""A profile's digest: similarity, feedback, calibration, interests, recency, and the day's selection.

:class:`ProfileScorer` turns vectors into scores and relevances for one profile (similarity,
with the profile updated by ratings when there are any); :func:`select` picks the day's papers
with a per-interest budget and a relevance threshold; :func:`personal_rank` does both and
explains each pick. Pure functions of papers and vectors: the store is the caller's business.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..config import DEFAULT_CANDIDATE_WINDOW_DAYS
from ..identity import identity_keys
from ..models import Paper, RatingMatch, Recommendation
from .affinity import DEFAULT_AGGREGATION, get_aggregation
from .calibration import Calibration, fit_calibration
from .explain import TermExplainer
from .feedback import RATING_SIGN, FeedbackOptions, split_ratings
from .interests import interest_scores
from .rank import RankOptions, closest_matches

# A rated paper is cited as a reason only when the candidate is at least this close to it (cosine).
RATING_REASON_MIN = 0.45


@dataclass(frozen=True)
class DigestOptions:
    """How many papers and which.

    ``min_relevance``: calibrated threshold (0 keeps all); ``per_interest``: slots each interest is
    guaranteed (None: top // interests; 0: a plain ranking); ``half_life_years``: weight profile
    papers by age (None: no weighting); ``max_age_days``: leave out older candidates (undated kept);
    ``candidate_window_days``: a stored candidate never shown leaves the pool this many days after it
    was last fetched or imported (config ``[store] candidate_window_days``).
    """

    min_relevance: float = 0.0
    include_seen: bool = False
    per_interest: int | None = None
    by_interest: bool = True
    half_life_years: float | None = None
    max_age_days: int | None = None
    candidate_window_days: int = DEFAULT_CANDIDATE_WINDOW_DAYS
    today: dt.date | None = None
    feedback: FeedbackOptions = field(default_factory=FeedbackOptions)


@dataclass
class InterestGroup:
    """An interest as ranking sees it: a name, profile indices, muted or not, its number, and its budget
    (the most picks a digest gives it; None: no limit of its own)."""

    name: str
    members: list[int]
    muted: bool = False
    number: int | None = None
    budget: int | None = None


@dataclass
class RatedPaper:
    paper: Paper
    rating: str
    vector: np.ndarray


def paper_day(paper: Paper, year_only: str = "mid") -> dt.date | None:
    """The paper's date; a bare year counts as its middle (``mid``) or its last day (``end``)."""
    date = paper.date or ""
    try:
        if len(date) >= 10:
            return dt.date.fromisoformat(date[:10])
        if len(date) >= 7 and date[4] == "-":
            return dt.date(int(date[:4]), int(date[5:7]), 15)
    except ValueError:
        pass
    if date[:4].isdigit():
        return dt.date(int(date[:4]), 7, 1) if year_only == "mid" else dt.date(int(date[:4]), 12, 31)
    return None


def recency_weights(papers: Sequence[Paper], half_life_years: float | None, today: dt.date) -> np.ndarray | None:
    """0.5 ** (age / half-life) per paper (undated papers weigh as the median dated one); None when off."""
    if not half_life_years:
        return None
    ages = [(today - day).days / 365.25 if (day := paper_day(p)) else None for p in papers]
    known = [max(a, 0.0) for a in ages if a is not None]
    fill = float(np.median(known)) if known else 0.0
    return np.asarray([0.5 ** ((fill if a is None else max(a, 0.0)) / half_life_years) for a in ages])


def within_age(papers: Sequence[Paper], max_age_days: int | None, today: dt.date) -> list[bool]:
    """Whether each paper is recent enough (undated papers always are)."""
    if max_age_days is None:
        return [True] * len(papers)
    oldest = today - dt.timedelta(days=max_age_days)
    return [(day := paper_day(p, "end")) is None or day >= oldest for p in papers]


class ProfileScorer:
    """Scores for one profile: the smooth-max similarity, changed by ratings when there are any.

    Ratings update the profile (weights in :class:`FeedbackOptions`): up-voted and saved papers join
    the profile's papers in the smooth maximum, and the cosine to the closest down-voted paper is
    subtracted. ``background`` is a sample of the store's papers: the reference that calibrates
    scores into relevance (fitted on first use).
    """

    def __init__(
        self,
        profile_vectors: np.ndarray,
        background_vectors: np.ndarray,
        ratings: Sequence[tuple[np.ndarray, str]] = (),
        aggregation: str = DEFAULT_AGGREGATION,
        own_weights: np.ndarray | None = None,
        feedback: FeedbackOptions | None = None,
    ) -> None:
        self.profile = np.asarray(profile_vectors, dtype=np.float32)
        self.weights = None if own_weights is None else np.asarray(own_weights, dtype=np.float32)
        self.aggregate = get_aggregation(aggregation)
        self.options = feedback or FeedbackOptions()
        dim = self.profile.shape[1]
        self.reference = np.asarray(background_vectors, dtype=np.float32).reshape(-1, dim)
        positives, negatives = split_ratings([(v, r) for v, r in ratings if r in RATING_SIGN], dim)
        self.n_ratings = len(positives) + len(negatives)
        self.up = positives if self.options.up_weight > 0 else np.zeros((0, dim), np.float32)
        self.down = negatives if self.options.down_weight > 0 else np.zeros((0, dim), np.float32)

    def similarity(self, vectors: np.ndarray, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(cosines to each profile paper, the score).

        The score is the smooth maximum over the profile's papers (cosines scaled by recency weights)
        and the up-voted ones (scaled by ``up_weight``), less ``down_weight`` times the cosine to the
        closest down-voted paper. ``mask`` (n, profile papers) leaves profile papers out.
        """
        vectors = np.asarray(vectors, dtype=np.float32)
        cosines = np.asarray(vectors @ self.profile.T, dtype=np.float32)
        if not len(cosines):
            return cosines, np.zeros(0, dtype=np.float32)
        weighted = cosines * self.weights if self.weights is not None else cosines
        if len(self.up):
            weighted = np.concatenate([weighted, self.options.up_weight * (vectors @ self.up.T)], axis=1)
            if mask is not None:
                mask = np.concatenate(
                    [np.broadcast_to(mask, cosines.shape), np.ones((len(cosines), len(self.up)), dtype=bool)], axis=1
                )
        score = self.aggregate(weighted, mask)
        if len(self.down):
            score = score - np.float32(self.options.down_weight) * (vectors @ self.down.T).max(axis=1)
        return cosines, score

    def score(self, vectors: np.ndarray) -> np.ndarray:
        return np.asarray(self.similarity(vectors)[1], dtype=np.float64)

    @cached_property
    def calibration(self) -> Calibration:
        n = len(self.profile)
        own_scores = np.zeros(0)
        if n >= 2:
            # Each own paper against the rest of the profile: it is never its own nearest paper.
            own_scores = self.similarity(self.profile, mask=~np.eye(n, dtype=bool))[1]
        return fit_calibration(own_scores, self.score(self.reference) if len(self.reference) else np.zeros(0))

    def relevance(self, scores: np.ndarray) -> np.ndarray:
        return self.calibration.relevance(scores)


@dataclass
class Selection:
    """The day's picks (indices into the pool, in display order) and what was left out.

    ``over_budget``: papers over the threshold left out because their interest had had its budget.
    """

    order: list[int]
    below_threshold: int
    muted: int
    over_budget: int = 0


def select(
    scores: np.ndarray,
    relevance: np.ndarray,
    interest_of: Sequence[int],
    muted: set[int],
    top: int,
    min_relevance: float = 0.0,
    per_interest: int | None = None,
    by_interest: bool = True,
    budgets: Mapping[int, int] | None = None,
) -> Selection:
    """Pick at most ``top`` papers over the threshold, each unmuted interest guaranteed its share.

    Each interest first gets up to ``per_interest`` of its best papers (default: ``top`` divided
    by the interests that have any), taken round-robin so that a small interest is never drowned
    by a large one; the slots left go to the best remaining papers. With ``by_interest`` the picks
    are grouped by interest (interests ordered by their best pick), else ordered by score.

    ``budgets`` caps interests (interest -> most picks): a budgeted interest gives at most its
    best N papers, and the slots it leaves go to the next best papers of the other interests.
    A budget of 0 is a mute: its papers count as muted.
    """
    budgets = dict(budgets or {})
    muted = set(muted) | {j for j, cap in budgets.items() if cap <= 0}
    n = len(scores)
    order = [int(i) for i in np.lexsort((np.arange(n), -np.asarray(scores)))]
    is_muted = [interest_of[i] in muted for i in order]
    eligible = [i for i, m in zip(order, is_muted, strict=True) if not m and relevance[i] >= min_relevance]
    n_muted = sum(is_muted)
    below = n - n_muted - len(eligible)
    eligible, over_budget = _within_budgets(eligible, interest_of, budgets)
    if top and len(eligible) > top:
        groups: dict[int, list[int]] = {}
        for i in eligible:
            groups.setdefault(interest_of[i], []).append(i)
        quota = per_interest if per_interest is not None else (top // len(groups) if len(groups) > 1 else 0)
        place = {i: r for r, i in enumerate(eligible)}
        # Round-robin: every interest's best paper, then every interest's second best, ...
        guaranteed = sorted((depth, place[i], i) for g in groups.values() for depth, i in enumerate(g[:quota]))
        chosen = [i for *_, i in guaranteed][:top]
        taken = set(chosen)
        chosen += [i for i in eligible if i not in taken][: top - len(chosen)]
    else:
        chosen = eligible
    rank_of = {i: r for r, i in enumerate(order)}
    chosen.sort(key=lambda i: rank_of[i])
    if by_interest:
        first: dict[int, int] = {}
        for i in chosen:
            first.setdefault(interest_of[i], rank_of[i])
        chosen.sort(key=lambda i: (first[interest_of[i]], rank_of[i]))
    return Selection(order=chosen, below_threshold=below, muted=n_muted, over_budget=over_budget)


def _within_budgets(
    eligible: Sequence[int], interest_of: Sequence[int], budgets: Mapping[int, int]
) -> tuple[list[int], int]:
    """The papers (best first) that fit their interest's budget, and how many did not."""
    if not budgets:
        return list(eligible), 0
    taken: dict[int, int] = {}
    kept = []
    for i in eligible:
        interest = interest_of[i]
        cap = budgets.get(interest)
        if cap is not None and taken.get(interest, 0) >= cap:
            continue
        taken[interest] = taken.get(interest, 0) + 1
        kept.append(i)
    return kept, len(eligible) - len(kept)


@dataclass
class PersonalRanking:
    recommendations: list[Recommendation]
    below_threshold: int
    muted: int
    n_ratings: int
    over_budget: int = 0


def personal_rank(
    profile: Sequence[Paper],
    pool: Sequence[Paper],
    scorer: ProfileScorer,
    pool_vectors: np.ndarray,
    interests: Sequence[InterestGroup],
    rated: Sequence[RatedPaper] = (),
    options: RankOptions | None = None,
    digest: DigestOptions | None = None,
    reference: Sequence[str] = (),
) -> PersonalRanking:
    """Score, select and explain the pool's papers for one profile.

    Shared terms are weighed against the profile and ``reference`` (the background texts), so a
    pick's explanation never depends on which other papers were picked.
    """
    options = options or RankOptions()
    digest = digest or DigestOptions()
    if not len(pool):
        return PersonalRanking([], 0, 0, scorer.n_ratings)
    cosines, similarity = scorer.similarity(pool_vectors)
    scores = np.asarray(similarity, dtype=np.float64)
    relevance = scorer.relevance(scores)
    groups = list(interests) or [InterestGroup("all", list(range(len(profile))))]
    interest_of = np.argmax(interest_scores(cosines, [g.members for g in groups]), axis=1).tolist()
    muted = {j for j, g in enumerate(groups) if g.muted}
    budgets = {j: g.budget for j, g in enumerate(groups) if g.budget is not None}
    picked = select(
        scores,
        relevance,
        interest_of,
        muted,
        options.top,
        digest.min_relevance,
        digest.per_interest,
        digest.by_interest and len(groups) > 1,
        budgets,
    )
    explainer = TermExplainer([p.text() for p in profile], reference)
    rated_cosines = None
    if rated:
        rated_vectors = np.stack([np.asarray(r.vector, dtype=np.float32) for r in rated])
        rated_cosines = pool_vectors[picked.order] @ rated_vectors.T
    recommendations = []
    for position, index in enumerate(picked.order):
        why = closest_matches(profile, cosines[index], explainer, pool[index], options)
        moved: list[RatingMatch] = []
        if rated_cosines is not None:
            nearest = np.argsort(-rated_cosines[position], kind="stable")
            others = [j for j in nearest if not _same(rated[j].paper, pool[index])]
            for j in others[:2]:
                if rated_cosines[position, j] >= RATING_REASON_MIN and rated[j].rating in RATING_SIGN:
                    r = rated[j]
                    moved.append(
                        RatingMatch(
                            r.paper.display_title, r.rating, float(rated_cosines[position, j]), dict(r.paper.ids)
                        )
                    )
        recommendations.append(
            Recommendation(
                rank=position + 1,
                score=float(scores[index]),
                paper=pool[index],
                why=why,
                interest=groups[interest_of[index]].name if interests else None,
                interest_id=groups[interest_of[index]].number if interests else None,
                relevance=float(relevance[index]),
                ratings=moved,
            )
        )
    return PersonalRanking(recommendations, picked.below_threshold, picked.muted, scorer.n_ratings, picked.over_budget)


def _same(a: Paper, b: Paper) -> bool:
    """One paper twice (a rated paper shown again must not explain itself)."""
    if a.store_id is not None and b.store_id is not None:
        return a.store_id == b.store_id
    return a is b or bool(set(identity_keys(a)) & set(identity_keys(b)))
