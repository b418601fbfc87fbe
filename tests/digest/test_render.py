"""Every output format carries rank, score, title, authors, abstract, ids, sources and why; markup stays text."""

from __future__ import annotations

import json

import pytest

from papersift.digest import FORMATS, render
from papersift.models import Match, Paper, Provenance, Recommendation

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _recs() -> list[Recommendation]:
    paper = Paper(
        title=f"Sharp minima {HOSTILE}",
        abstract=f"We study *sharpness* {HOSTILE} [link](javascript:alert(1))",
        authors=["Ada Lovelace", "Alan Turing"],
        ids={"arxiv": "2401.00001"},
        links=["javascript:alert(1)"],
        sources=[Provenance("feed.txt", "hf-page", record=3, line=10)],
    )
    why = [Match(paper_title=f"My SAM paper {HOSTILE}", similarity=0.8123, shared_terms=("sharpness", "minima"))]
    return [Recommendation(rank=1, score=0.71234, paper=paper, why=why)]


def test_json_fields() -> None:
    (obj,) = json.loads(render(_recs(), "json"))
    for key in ("rank", "score", "title", "authors", "abstract", "ids", "sources", "why"):
        assert key in obj
    assert obj["why"][0] == {
        "paper": f"My SAM paper {HOSTILE}",
        "similarity": 0.8123,
        "shared_terms": ["sharpness", "minima"],
        "ids": {},
    }
    assert obj["sources"] == [{"origin": "feed.txt", "format": "hf-page", "record": 3, "line": 10}]
    lines = render(_recs(), "jsonl").splitlines()
    assert json.loads(lines[0]) == obj


def test_html_escapes_markup_and_refuses_script_links() -> None:
    html = render(_recs(), "html")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript:' not in html
    assert "sharpness" in html and "My SAM paper" in html and "0.81" in html


def test_markdown_escapes_markup() -> None:
    md = render(_recs(), "markdown")
    assert "<script>" not in md and "[link](javascript:" not in md and "\\[link\\]" in md
    assert "My SAM paper" in md and "`sharpness`" in md


def test_table_shows_text_not_markup() -> None:
    table = render(_recs(), "table", width=200)
    assert "<script>" in table  # shown literally, never interpreted
    assert "sharpness" in table and "0.81" in table and "id 2401.00001" in table  # the raw score is JSON-only


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_names_the_reason(fmt: str) -> None:
    assert "My SAM paper" in render(_recs(), fmt, width=200)
