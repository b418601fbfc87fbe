"""Publication lists as people paste them (issue 14, item 10): nothing merged, nothing dropped silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from papersift.errors import InputError
from papersift.sources import detect_format, read_papers

ABSTRACT = "We study how sharpness of minima relates to generalization in deep networks. " * 3


def _read(tmp_path: Path, text: str, **kwargs: str) -> list:
    path = tmp_path / "list.txt"
    path.write_text(text, encoding="utf-8")
    return read_papers(path, **kwargs)  # type: ignore[arg-type,return-value]


def test_blank_lines_between_records(tmp_path: Path) -> None:
    text = (
        f"Doe, Jane\n\nSharpness and Generalization\nLovelace, Ada, Turing, Alan\n{ABSTRACT}\n\n"
        "Pruning at Initialization\nAda Lovelace and Alan Turing\nA short abstract.\n\n"
        "A Third Paper Without Abstract\nDoe, Jane, Roe, Richard\n"
    )
    assert detect_format(text) == "publist"
    result = _read(tmp_path, text)
    assert [p.title for p in result.papers] == [
        "Sharpness and Generalization",
        "Pruning at Initialization",
        "A Third Paper Without Abstract",
    ]
    assert [p.authors for p in result.papers] == [
        ["Ada Lovelace", "Alan Turing"],
        ["Ada Lovelace", "Alan Turing"],
        ["Jane Doe", "Richard Roe"],
    ]
    assert result.papers[1].abstract == "A short abstract." and result.papers[2].abstract == ""
    assert [p.sources[0].line for p in result.papers] == [3, 7, 11]
    assert result.papers[0].extra["listed_for"] == "Doe, Jane"
    assert any("1 of 3 records have no abstract (line 11)" in w for w in result.warnings)


def test_one_record(tmp_path: Path) -> None:
    assert len(_read(tmp_path, f"Sharpness and Generalization\nLovelace, Ada\n{ABSTRACT}\n").papers) == 1
    short = _read(tmp_path, "Sharpness and Generalization\nLovelace, Ada, Turing, Alan\nShort.\n")
    assert [(p.title, p.abstract) for p in short.papers] == [("Sharpness and Generalization", "Short.")]


def test_four_titles_are_four_papers(tmp_path: Path) -> None:
    text = (
        "Sharpness-Aware Minimization\nDeep Residual Learning for Image Recognition\n"
        "Attention Is All You Need\nLearning representations by back-propagating errors\n"
    )
    with pytest.raises(InputError, match="--input-format publist for a plain list of titles"):
        _read(tmp_path, text)
    result = _read(tmp_path, text, input_format="publist")
    assert len(result.papers) == 4 and [p.sources[0].line for p in result.papers] == [1, 2, 3, 4]
    assert any("read as 4 separate titles" in w for w in result.warnings)


def test_a_list_of_ids_becomes_records_to_look_up(tmp_path: Path) -> None:
    """Read as one id-only record per line (profile import looks them up: tests/fetch/test_bare_ids.py)."""
    text = "arXiv:2010.01412\n10.1038/323533a0\nhttps://arxiv.org/abs/1706.03762v5\n"
    assert detect_format(text) == "publist"
    papers = _read(tmp_path, text).papers  # type: ignore[attr-defined]
    assert [p.ids for p in papers] == [{"arxiv": "2010.01412"}, {"doi": "10.1038/323533a0"}, {"arxiv": "1706.03762"}]
    assert all(p.untitled and not p.abstract for p in papers)


def test_notes_are_still_no_known_format(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no known format"):
        _read(tmp_path, "just some notes\nnothing like a paper list\n")
