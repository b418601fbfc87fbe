"""The assignment problem, built once: candidate pairs (conflicts removed), demands and load bounds.

Every solver reads the same :class:`Problem`: papers and reviewers numbered once, the candidate
pairs as numpy arrays sorted by paper, and per-paper demands and per-reviewer loads as arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from ..errors import ConfigError, InputError
from .csvio import ScoreTable, iter_rows, original_id, parse_count, read_scores


@dataclass
class Problem:
    paper_ids: list[str]
    reviewer_ids: list[str]
    pair_paper: np.ndarray  # int32, sorted
    pair_reviewer: np.ndarray  # int32
    pair_score: np.ndarray  # float64
    demand: np.ndarray  # int64 per paper
    max_load: np.ndarray  # int64 per reviewer
    min_load: np.ndarray  # int64 per reviewer
    probability_limit: float | None = None
    # Scored pairs left out because of a conflict: (paper, reviewer) -> the rule that made it.
    conflicts: dict[tuple[int, int], str] = field(default_factory=dict)

    @property
    def n_papers(self) -> int:
        return len(self.paper_ids)

    @property
    def n_reviewers(self) -> int:
        return len(self.reviewer_ids)

    @property
    def n_pairs(self) -> int:
        return len(self.pair_score)

    def candidates_per_paper(self) -> np.ndarray:
        return np.bincount(self.pair_paper, minlength=self.n_papers)

    def candidates_per_reviewer(self) -> np.ndarray:
        return np.bincount(self.pair_reviewer, minlength=self.n_reviewers)

    def limit_fraction(self) -> Fraction | None:
        """The probability limit as an exact fraction a/b (b at most 1000), or None for no limit."""
        if self.probability_limit is None or self.probability_limit >= 1:
            return None
        return Fraction(self.probability_limit).limit_denominator(1000)

    def paper_slices(self) -> np.ndarray:
        """Start offsets of each paper's pairs (pairs are sorted by paper), length n_papers + 1."""
        return np.concatenate([[0], np.cumsum(self.candidates_per_paper())])


@dataclass(frozen=True)
class Settings:
    reviewers_per_paper: int
    max_load: int
    min_load: int = 0
    probability_limit: float | None = None

    def __post_init__(self) -> None:
        if self.reviewers_per_paper < 1:
            raise ConfigError("--reviewers-per-paper must be at least 1")
        if self.min_load > self.max_load:
            raise ConfigError(f"--min-load {self.min_load} is above --max-load {self.max_load}")
        if self.probability_limit is not None and not 0 < self.probability_limit <= 1:
            raise ConfigError("--probability-limit must be in (0, 1]")


def read_pair_reasons(path: str | Path) -> dict[tuple[str, str], str]:
    """A conflicts file: ``submission_id,reviewer_id[,reason]`` (reason defaults to the file's name)."""
    path = Path(path)
    found: dict[tuple[str, str], str] = {}
    for _, row in iter_rows(path, (2, 3)):
        key = (original_id(row[0]), original_id(row[1]))
        reason = row[2].strip() if len(row) > 2 and row[2].strip() else f"listed in {path.name}"
        found[key] = f"{found[key]}; {reason}" if key in found and reason not in found[key] else reason
    return found


def read_loads(path: str | Path) -> dict[str, tuple[int, int | None]]:
    """``reviewer_id,max[,min]`` lines."""
    path = Path(path)
    loads: dict[str, tuple[int, int | None]] = {}
    for line, row in iter_rows(path, (2, 3)):
        top = parse_count(row[1], path, line, "maximum load")
        low = parse_count(row[2], path, line, "minimum load") if len(row) > 2 and row[2].strip() else None
        if low is not None and low > top:
            raise InputError(f"minimum load {low} is above the maximum {top}", path, line=line)
        loads[original_id(row[0])] = (top, low)
    return loads


def read_demands(path: str | Path) -> dict[str, int]:
    """``submission_id,k`` lines."""
    path = Path(path)
    return {original_id(row[0]): parse_count(row[1], path, line, "demand") for line, row in iter_rows(path, (2, 2))}


def build_problem(
    scores: ScoreTable,
    settings: Settings,
    loads: Mapping[str, tuple[int, int | None]] | None = None,
    demands: Mapping[str, int] | None = None,
    conflicts: Mapping[tuple[str, str], str] | None = None,
) -> Problem:
    """The problem from the arrays of a score file and the optional per-reviewer/per-paper files.

    A paper named only in the demands file, or a reviewer only in the loads file, takes part with
    no candidates (so that the feasibility check can name it).
    """
    paper_ids, reviewer_ids = list(scores.paper_ids), list(scores.reviewer_ids)
    paper_index = {p: i for i, p in enumerate(paper_ids)}
    reviewer_index = {r: i for i, r in enumerate(reviewer_ids)}
    for sub in demands or {}:
        if sub not in paper_index:
            paper_index[sub] = len(paper_ids)
            paper_ids.append(sub)
    for rev in loads or {}:
        if rev not in reviewer_index:
            reviewer_index[rev] = len(reviewer_ids)
            reviewer_ids.append(rev)
    demand = np.full(len(paper_ids), settings.reviewers_per_paper, dtype=np.int64)
    for sub, k in (demands or {}).items():
        demand[paper_index[sub]] = k
    max_load = np.full(len(reviewer_ids), settings.max_load, dtype=np.int64)
    min_load = np.full(len(reviewer_ids), settings.min_load, dtype=np.int64)
    for rev, (top, low) in (loads or {}).items():
        max_load[reviewer_index[rev]] = top
        min_load[reviewer_index[rev]] = min(top, settings.min_load) if low is None else low

    keep = np.ones(len(scores), dtype=bool)
    removed: dict[tuple[int, int], str] = {}
    if conflicts:
        n_rev = max(len(reviewer_ids), 1)
        keys = scores.paper.astype(np.int64) * n_rev + scores.reviewer
        wanted = {}
        for (sub, rev), reason in conflicts.items():
            p, r = paper_index.get(sub), reviewer_index.get(rev)
            if p is not None and r is not None:
                wanted[p * n_rev + r] = reason
        if wanted:
            hits = np.isin(keys, np.fromiter(wanted, dtype=np.int64, count=len(wanted)))
            keep &= ~hits
            for key in keys[hits].tolist():
                removed[(key // n_rev, key % n_rev)] = wanted[key]
    order = np.argsort(scores.paper[keep], kind="stable")
    return Problem(
        paper_ids=paper_ids,
        reviewer_ids=reviewer_ids,
        pair_paper=scores.paper[keep][order].astype(np.int32),
        pair_reviewer=scores.reviewer[keep][order].astype(np.int32),
        pair_score=scores.score[keep][order].astype(np.float64),
        demand=demand,
        max_load=max_load,
        min_load=min_load,
        probability_limit=settings.probability_limit,
        conflicts=removed,
    )


def load_problem(
    scores_path: str | Path,
    settings: Settings,
    loads_path: str | Path | None = None,
    demands_path: str | Path | None = None,
    conflicts_path: str | Path | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> Problem:
    """Read every input file and build the problem (no check of feasibility yet)."""
    return build_problem(
        read_scores(scores_path, on_bytes),
        settings,
        loads=read_loads(loads_path) if loads_path else None,
        demands=read_demands(demands_path) if demands_path else None,
        conflicts=read_pair_reasons(conflicts_path) if conflicts_path else None,
    )
