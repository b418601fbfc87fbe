"""Profile affinity, explanations and ranking."""

from .affinity import DEFAULT_AGGREGATION, get_aggregation, plain_max, plain_mean, softmax_pool, top_k_mean
from .explain import TermExplainer
from .rank import RankOptions, encode_both, exclude_own_papers, rank

__all__ = [
    "DEFAULT_AGGREGATION",
    "RankOptions",
    "TermExplainer",
    "encode_both",
    "exclude_own_papers",
    "get_aggregation",
    "plain_max",
    "plain_mean",
    "rank",
    "softmax_pool",
    "top_k_mean",
]
