"""Profile affinity, interests, feedback, explanations, and the one ranking pipeline."""

from .affinity import DEFAULT_AGGREGATION, get_aggregation, plain_max, plain_mean, softmax_pool, top_k_mean
from .explain import TermExplainer
from .personal import DigestOptions, InterestGroup
from .pipeline import Ranking, RankingInputs, rank_profile
from .rank import RankOptions, exclude_own_papers

__all__ = [
    "DEFAULT_AGGREGATION",
    "DigestOptions",
    "InterestGroup",
    "RankOptions",
    "Ranking",
    "RankingInputs",
    "TermExplainer",
    "exclude_own_papers",
    "get_aggregation",
    "plain_max",
    "plain_mean",
    "rank_profile",
    "softmax_pool",
    "top_k_mean",
]
