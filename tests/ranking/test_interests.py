"""Interests: clustering a hand-made two-topic profile, labels, and the per-interest budget of a digest."""

from __future__ import annotations

import datetime as dt

import numpy as np

from papersift.models import Paper
from papersift.ranking.interests import assign, cluster, interest_scores, label_groups
from papersift.ranking.personal import paper_day, recency_weights, select, within_age


def two_topics(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = np.array([1.0, 0, 0, 0]) + rng.normal(0, 0.05, (6, 4))
    b = np.array([0, 1.0, 0, 0]) + rng.normal(0, 0.05, (6, 4))
    both = np.vstack([a, b])
    return both / np.linalg.norm(both, axis=1, keepdims=True)


def test_two_clusters_are_found() -> None:
    groups = cluster(two_topics())
    assert sorted(map(sorted, groups)) == [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]]


def test_few_papers_are_one_interest_and_k_can_be_forced() -> None:
    assert cluster(two_topics()[:5]) == [[0, 1, 2, 3, 4]]
    assert len(cluster(two_topics(), k=3)) == 3
    assert cluster(np.zeros((0, 4))) == []


def test_labels_are_the_characteristic_terms() -> None:
    texts = [
        "Sharpness-aware minimization finds flat minima",
        "Sharpness and flat minima in deep networks",
        "Machine unlearning removes training examples",
        "Certified unlearning of training examples",
    ]
    labels = label_groups(texts, [[0, 1], [2, 3]], n_terms=2)
    assert "minima" in labels[0] or "sharpness" in labels[0]
    assert "unlearning" in labels[1]


def test_candidates_and_new_papers_join_the_nearest_interest() -> None:
    profile = two_topics()
    members = [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]]
    candidates = np.array([[0.0, 1, 0, 0], [1.0, 0, 0, 0]])
    assert np.argmax(interest_scores(candidates @ profile.T, members), axis=1).tolist() == [1, 0]
    assert assign(candidates, members, profile) == [1, 0]


def test_budget_keeps_a_minority_interest() -> None:
    # Interest 0 has ten strong papers, interest 1 three weaker ones.
    scores = np.array([0.9 - 0.01 * i for i in range(10)] + [0.5, 0.45, 0.4])
    interest_of = [0] * 10 + [1] * 3
    relevance = np.full(13, 0.9)
    picked = select(scores, relevance, interest_of, set(), top=4)
    assert sorted(interest_of[i] for i in picked.order) == [0, 0, 1, 1]
    plain = select(scores, relevance, interest_of, set(), top=4, per_interest=0)
    assert [interest_of[i] for i in plain.order] == [0, 0, 0, 0]
    muted = select(scores, relevance, interest_of, {0}, top=4)
    assert [interest_of[i] for i in muted.order] == [1, 1, 1] and muted.muted == 10


def test_threshold_makes_quiet_days_short() -> None:
    scores = np.linspace(1, 0, 10)
    relevance = np.linspace(0.95, 0.05, 10)
    quiet = select(scores, relevance, [0] * 10, set(), top=5, min_relevance=0.8)
    assert quiet.order == [0, 1] and quiet.below_threshold == 8
    busy = select(scores, relevance, [0] * 10, set(), top=5, min_relevance=0.0)
    assert len(busy.order) == 5


def test_recency_weights_and_age_window() -> None:
    today = dt.date(2025, 1, 1)
    papers = [Paper(title="a", date="2025-01-01"), Paper(title="b", date="2023-01-01"), Paper(title="c")]
    assert recency_weights(papers, None, today) is None
    weights = recency_weights(papers, 2.0, today)
    assert weights[0] == 1.0 and abs(weights[1] - 0.5) < 0.01 and weights[1] <= weights[2] <= weights[0]
    assert within_age(papers, 30, today) == [True, False, True]
    assert paper_day(Paper(date="2024")) == dt.date(2024, 7, 1)


def test_labels_name_what_the_group_shares_not_one_papers_acronym() -> None:
    texts = [
        "Sharp minima generalize: sharpness of the loss landscape",
        "VRLSX: sharpness-aware minima for vision transformers, VRLSX VRLSX",
        "Flat minima and sharpness in deep networks",
    ]
    (label,) = label_groups(texts, [[0, 1, 2]], n_terms=3, reference=["robot locomotion", "plasma waves"])
    assert "vrlsx" not in label
    assert "minima" in label and "sharpness" in label
