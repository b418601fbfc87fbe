"""Loading the reviewer-expertise gold standard (Stelmakh et al., 2023) and scoring it with papersift."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..encoders import Encoder, embed_papers
from ..errors import InputError
from ..expertise.openreview import read_archives
from ..models import Paper
from ..ranking.affinity import get_aggregation
from ..sources.jsonfmt import paper_from_object
from .metrics import Predictions, Ratings

if TYPE_CHECKING:
    from ..store import Store

SPLITS = tuple(range(1, 11))
PUBLISHED = {"tpms": 0.28, "specter": 0.27, "specter_mfr": 0.24}


@dataclass
class Split:
    """One resampling d_20_N: each researcher's profile papers, and the rated papers."""

    number: int
    archives: dict[str, list[Paper]]
    submissions: dict[str, Paper]


def load_ratings(root: Path) -> dict[str, dict[str, int]]:
    path = root / "data" / "evaluations.csv"
    if not path.is_file():
        raise InputError("not found: is this the gold-standard directory?", path)
    ratings: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for line_no, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
            rated = {}
            for i in range(1, 11):
                paper, value = (row.get(f"Paper{i}") or "").strip(), (row.get(f"Expertise{i}") or "").strip()
                if paper and value:
                    try:
                        rated[paper] = int(float(value))
                    except ValueError:
                        raise InputError(f"expertise '{value}' is not a number", path, line=line_no) from None
            ratings[row["ParticipantID"].strip()] = rated
    return ratings


def load_split(root: Path, number: int) -> Split:
    folder = root / "evaluation_datasets" / f"d_20_{number}"
    archives = {a.reviewer_id.lstrip("~"): a.papers for a in read_archives(folder / "archives")}
    path = folder / "submissions.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read submissions ({exc})", path) from None
    submissions = {
        key: paper_from_object(obj, str(path), "json", i, None) for i, (key, obj) in enumerate(raw.items(), 1)
    }
    return Split(number=number, archives=archives, submissions=submissions)


def load_predictions(root: Path, algorithm: str, number: int) -> dict[str, dict[str, float]]:
    path = root / "predictions" / f"{algorithm}_d_20_{number}_ta.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read predictions ({exc})", path) from None
    return {reviewer.lstrip("~"): scores for reviewer, scores in data.items()}


def parse_splits(text: str) -> list[int]:
    """``1-10``, ``3``, ``1,4,7`` -> split numbers."""
    numbers: list[int] = []
    try:
        for part in text.split(","):
            part = part.strip()
            if "-" in part:
                low, high = part.split("-", 1)
                numbers.extend(range(int(low), int(high) + 1))
            elif part:
                numbers.append(int(part))
    except ValueError:
        raise InputError(f"splits are numbers 1-10 such as 1-10, 3 or 1,4,7; got '{text}'") from None
    bad = [n for n in numbers if n not in SPLITS]
    if bad or not numbers:
        raise InputError(f"splits must be within 1-10, got '{text}'")
    return numbers


def predict_split(
    split: Split,
    ratings: Ratings,
    encoder: Encoder,
    aggregation: str,
    store: Store | None = None,
    show_progress: bool = False,
) -> Predictions:
    """papersift's score for every rated (researcher, paper) pair of one split."""
    aggregate = get_aggregation(aggregation)
    reviewers = [r for r in sorted(ratings) if r in split.archives]
    profile_papers = [p for r in reviewers for p in split.archives[r]]
    rated_ids = sorted({p for r in reviewers for p in ratings[r]})
    missing = [p for p in rated_ids if p not in split.submissions]
    if missing:
        raise InputError(f"rated paper {missing[0]} is not among the submissions", f"d_20_{split.number}")
    papers: list[Paper] = profile_papers + [split.submissions[p] for p in rated_ids]
    vectors = embed_papers(papers, encoder, store=store, show_progress=show_progress)
    submission_row = {p: len(profile_papers) + i for i, p in enumerate(rated_ids)}
    predictions: dict[str, dict[str, float]] = {}
    start = 0
    for reviewer in reviewers:
        own = vectors[start : start + len(split.archives[reviewer])]
        start += len(split.archives[reviewer])
        rated = list(ratings[reviewer])
        sims = vectors[[submission_row[p] for p in rated]] @ own.T
        predictions[reviewer] = dict(zip(rated, (float(x) for x in aggregate(np.asarray(sims))), strict=True))
    return predictions


def predict(
    root: Path,
    splits: Sequence[int],
    encoder: Encoder,
    aggregation: str,
    store: Store | None = None,
    show_progress: bool = False,
) -> list[Predictions]:
    ratings = load_ratings(root)
    return [predict_split(load_split(root, n), ratings, encoder, aggregation, store, show_progress) for n in splits]
