"""The assignment's CSV files, read a line at a time and written as ``papersift affinity`` writes them.

Scores (``submission_id,reviewer_id,score``), conflicts (``submission_id,reviewer_id[,reason]``),
loads (``reviewer_id,max[,min]``) and demands (``submission_id,k``) have no header (one is skipped
if its first and last fields are column names). Ids are read back exactly as written: CSV quoting undone, and
the apostrophe ``affinity`` puts before an id starting with ``=``, ``+``, ``-`` or ``@`` removed.
A score file is held as three compact arrays (about 16 bytes a line), never as a list of rows.
"""

from __future__ import annotations

import csv
import io
import json
import math
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from ..errors import InputError
from ..expertise.scoring import _csv_field as csv_field
from ..expertise.scoring import original_id

__all__ = ["ScoreTable", "csv_field", "iter_rows", "read_scores", "write_assignment"]

# A first line is a header only when its first and last fields are both column names.
_HEADER_FIRST = {"submission_id", "submission", "paper_id", "paper", "reviewer_id", "reviewer", "person_id", "id"}
_HEADER_LAST = {"score", "reason", "max", "min", "k", "demand", "reviewer_id", "reviewer", "value"}


def iter_rows(
    path: str | Path, fields: tuple[int, int], on_bytes: Callable[[int], None] | None = None
) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each non-blank line; ``fields`` is the (min, max) number of fields."""
    path = Path(path)
    try:
        raw = open(path, "rb")  # noqa: SIM115 (closed with the text stream wrapping it)
        stream = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or exc})", path) from None
    low, high = fields
    with stream:
        reader = csv.reader(stream)
        first = True
        read_so_far = 0
        try:
            for row in reader:
                if on_bytes is not None and reader.line_num % 65536 == 0:
                    position = raw.tell()
                    on_bytes(position - read_so_far)
                    read_so_far = position
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if first:
                    first = False
                    if row[0].strip().lower() in _HEADER_FIRST and row[-1].strip().lower() in _HEADER_LAST:
                        continue
                if not low <= len(row) <= high:
                    expected = str(low) if low == high else f"{low} to {high}"
                    raise InputError(f"expected {expected} fields, found {len(row)}", path, line=reader.line_num)
                yield reader.line_num, row
        except csv.Error as exc:
            raise InputError(f"is not valid CSV ({exc})", path, line=reader.line_num) from None
        except UnicodeDecodeError:
            raise InputError("is not UTF-8 text", path, line=reader.line_num + 1) from None


def parse_number(text: str, path: Path, line: int, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{what} {text!r} is not a number", path, line=line) from None
    if not math.isfinite(value):
        raise InputError(f"{what} {text!r} is not a finite number", path, line=line)
    return value


def parse_count(text: str, path: Path, line: int, what: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise InputError(f"{what} {text!r} is not a whole number", path, line=line) from None
    if value < 0:
        raise InputError(f"{what} {value} is negative", path, line=line)
    return value


@dataclass
class ScoreTable:
    """Pairs as arrays of indices into ``paper_ids`` and ``reviewer_ids``, with their scores."""

    paper_ids: list[str]
    reviewer_ids: list[str]
    paper: np.ndarray  # int32, one per pair
    reviewer: np.ndarray  # int32
    score: np.ndarray  # float64

    def __len__(self) -> int:
        return len(self.score)


def read_scores(path: str | Path, on_bytes: Callable[[int], None] | None = None) -> ScoreTable:
    """A score file, streamed; a pair given twice is an error (naming both lines)."""
    path = Path(path)
    papers: dict[str, int] = {}
    reviewers: dict[str, int] = {}
    paper_index, reviewer_index, scores = array("i"), array("i"), array("d")
    for line, (sub, rev, value) in iter_rows(path, (3, 3), on_bytes):
        sub, rev = original_id(sub), original_id(rev)
        p = papers.setdefault(sub, len(papers))
        r = reviewers.setdefault(rev, len(reviewers))
        paper_index.append(p)
        reviewer_index.append(r)
        scores.append(parse_number(value, path, line, "score"))
    table = ScoreTable(
        list(papers),
        list(reviewers),
        np.frombuffer(paper_index, dtype=np.int32),
        np.frombuffer(reviewer_index, dtype=np.int32),
        np.frombuffer(scores, dtype=np.float64),
    )
    _refuse_duplicates(table, path)
    return table


def _refuse_duplicates(table: ScoreTable, path: Path) -> None:
    """Sorted keys in place (8 bytes a pair); only when a pair repeats is the file read again for its lines."""
    if not len(table):
        return
    keys = table.paper.astype(np.int64)
    keys *= max(len(table.reviewer_ids), 1)
    keys += table.reviewer
    keys.sort()
    repeated = np.flatnonzero(keys[1:] == keys[:-1])
    if not len(repeated):
        return
    key = int(keys[repeated[0]])
    sub = table.paper_ids[key // max(len(table.reviewer_ids), 1)]
    rev = table.reviewer_ids[key % max(len(table.reviewer_ids), 1)]
    lines = [line for line, row in iter_rows(path, (3, 3)) if (original_id(row[0]), original_id(row[1])) == (sub, rev)]
    raise InputError(f"the pair ({sub}, {rev}) is scored twice (lines {lines[0]} and {lines[1]})", path, line=lines[1])


def write_assignment(out: IO[str], rows: Sequence[tuple[str, Sequence[tuple[str, float]]]], fmt: str = "csv") -> None:
    """``rows``: (submission id, [(reviewer id, score)]); csv lines as ``affinity`` writes them, or the
    matcher's JSON (``{paper: [{"user": ..., "aggregate_score": ...}]}``)."""
    if fmt == "matcher-json":
        data = {sub: [{"user": rev, "aggregate_score": round(score, 6)} for rev, score in pairs] for sub, pairs in rows}
        json.dump(data, out, indent=1, ensure_ascii=False)
        out.write("\n")
        return
    for sub, pairs in rows:
        prefix = csv_field(sub)
        out.write("".join(f"{prefix},{csv_field(rev)},{score:.6f}\n" for rev, score in pairs))


FORMATS = ("csv", "matcher-json")
