"""A per-interest budget in the day's selection: at most N picks for an interest, its slots to the others."""

from __future__ import annotations

from collections import Counter

import numpy as np

from papersift.ranking.personal import select

# Interest 0: ten strong papers; interest 1: five middling; interest 2: five weak ones.
SCORES = np.array(
    [0.9 - 0.01 * i for i in range(10)] + [0.6 - 0.01 * i for i in range(5)] + [0.4 - 0.01 * i for i in range(5)]
)
INTEREST_OF = [0] * 10 + [1] * 5 + [2] * 5
RELEVANCE = np.full(len(SCORES), 0.9)


def per_interest(order: list[int]) -> dict[int, int]:
    return dict(sorted(Counter(INTEREST_OF[i] for i in order).items()))


def test_a_budgeted_interest_gives_at_most_its_budget_and_its_slots_go_to_the_next_best() -> None:
    unbudgeted = select(SCORES, RELEVANCE, INTEREST_OF, set(), top=8)
    assert per_interest(unbudgeted.order) == {0: 4, 1: 2, 2: 2}
    budgeted = select(SCORES, RELEVANCE, INTEREST_OF, set(), top=8, budgets={0: 1})
    # Still eight picks: the seven freed by interest 0 go to the best papers of the others.
    assert per_interest(budgeted.order) == {0: 1, 1: 5, 2: 2}
    assert [i for i in budgeted.order if INTEREST_OF[i] == 0] == [0]  # its best paper
    assert budgeted.over_budget == 9 and budgeted.muted == 0


def test_a_plain_ranking_honours_budgets_too() -> None:
    plain = select(SCORES, RELEVANCE, INTEREST_OF, set(), top=4, per_interest=0, budgets={0: 2})
    assert [INTEREST_OF[i] for i in plain.order] == [0, 0, 1, 1]


def test_a_budget_above_the_interests_share_changes_nothing() -> None:
    unbudgeted = select(SCORES, RELEVANCE, INTEREST_OF, set(), top=8)
    generous = select(SCORES, RELEVANCE, INTEREST_OF, set(), top=8, budgets={0: 5, 2: 3})
    assert generous.order == unbudgeted.order
    # Counted like the papers below the threshold: every paper the budget kept out, picked or not otherwise.
    assert generous.over_budget == (10 - 5) + (5 - 3)


def test_a_budget_of_zero_is_a_mute() -> None:
    zero = select(SCORES, RELEVANCE, INTEREST_OF, set(), top=8, budgets={1: 0})
    muted = select(SCORES, RELEVANCE, INTEREST_OF, {1}, top=8)
    assert zero.order == muted.order and zero.muted == muted.muted == 5
    assert 1 not in per_interest(zero.order)


def test_a_budget_applies_under_a_relevance_threshold_and_without_a_top() -> None:
    relevance = np.array([0.9] * 10 + [0.1] * 10)
    picked = select(SCORES, relevance, INTEREST_OF, set(), top=0, min_relevance=0.5, budgets={0: 3})
    assert picked.order == [0, 1, 2] and picked.below_threshold == 10 and picked.over_budget == 7
