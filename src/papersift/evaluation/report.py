"""Gold-standard results as table rows: papersift beside the published algorithms."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..encoders import Encoder
from ..ranking.affinity import DEFAULT_AGGREGATION
from .goldstandard import PUBLISHED, SPLITS, load_predictions, load_ratings, parse_splits, predict
from .metrics import Evaluation, evaluate, split_reviewers

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["ResultRow", "evaluate_goldstandard", "format_table", "parse_splits"]


@dataclass
class ResultRow:
    name: str
    evaluation: Evaluation
    published: float | None = None


def reviewers_for(ratings: dict[str, dict[str, int]], half: str) -> list[str]:
    choose, confirm = split_reviewers(ratings)
    return {"all": sorted(ratings), "choose": choose, "confirm": confirm}[half]


def evaluate_goldstandard(
    root: str | Path,
    splits: Sequence[int] = SPLITS,
    encoder: Encoder | None = None,
    aggregation: str = DEFAULT_AGGREGATION,
    half: str = "all",
    include_published: bool = True,
    store: Store | None = None,
    show_progress: bool = False,
) -> list[ResultRow]:
    root = Path(root)
    ratings = load_ratings(root)
    reviewers = reviewers_for(ratings, half)
    rows = []
    if include_published:
        for algorithm, number in PUBLISHED.items():
            published = [load_predictions(root, algorithm, n) for n in splits]
            rows.append(ResultRow(algorithm, evaluate(published, ratings, reviewers), number))
    if encoder is not None:
        predictions = predict(root, splits, encoder, aggregation, store=store, show_progress=show_progress)
        rows.append(
            ResultRow(f"papersift ({encoder.model_id}, {aggregation})", evaluate(predictions, ratings, reviewers))
        )
    return rows


def format_table(rows: Sequence[ResultRow]) -> str:
    lines = [
        "| method | loss | 95% CI | easy acc. | hard acc. | published | per split |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        e = row.evaluation
        published = f"{row.published:.2f}" if row.published is not None else ""
        splits = " ".join(f"{x:.3f}" for x in e.split_losses)
        lines.append(
            f"| {row.name} | {e.loss:.3f} | [{e.ci_low:.3f}, {e.ci_high:.3f}] | {e.easy:.3f} | {e.hard:.3f} "
            f"| {published} | {splits} |"
        )
    return "\n".join(lines)
