"""What every parser returns, and the helpers they share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..models import Paper


@dataclass
class ParseResult:
    """Papers read from one text, plus warnings about records kept despite missing optional fields.

    ``meta`` carries what a service response says about itself rather than about
    papers: paging (``next_cursor``, ``resumption_token``, ``total_results``), or
    that a valid daily feed announced nothing (``empty_day``).
    """

    papers: list[Paper] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


_AUTHOR_PAIR = re.compile(r"^[^,]+$")


def split_inverted_authors(line: str) -> list[str]:
    """``"Wu, Zhiyuan, Choi, Changkyu"`` -> ``["Zhiyuan Wu", "Changkyu Choi"]``.

    Publication lists write each name as "Last, First" and separate names with
    the same comma, so names are taken two parts at a time; an odd number of
    parts means the list is not inverted and each part is a whole name.
    """
    parts = [p.strip() for p in line.split(",") if p.strip()]
    if len(parts) % 2 == 0 and parts:
        return [f"{first} {last}" for last, first in zip(parts[0::2], parts[1::2], strict=True)]
    return parts


def split_plain_authors(line: str) -> list[str]:
    """``"Ada Lovelace, Alan Turing and Grace Hopper"`` -> three names."""
    line = re.sub(r"\s+and\s+", ", ", line.strip())
    return [p.strip() for p in line.split(",") if p.strip()]
