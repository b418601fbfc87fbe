"""CSV exports of a library: Google Scholar and Zotero (issue 14, item 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from papersift.errors import InputError
from papersift.sources import detect_format, read_papers

EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
SCHOLAR = (EXPORTS / "google_scholar.csv").read_text(encoding="utf-8")
ZOTERO = (EXPORTS / "zotero.csv").read_text(encoding="utf-8")


def test_google_scholar_csv(tmp_path: Path) -> None:
    path = tmp_path / "citations.csv"
    path.write_text(SCHOLAR, encoding="utf-8")
    assert detect_format(SCHOLAR) == "csv"
    result = read_papers(path)
    assert [p.title for p in result.papers] == [
        "Learning representations by back-propagating errors",
        "Sharpness-aware minimization for efficient generalization",
        "Long short-term memory",
    ]
    first = result.papers[0]
    assert first.authors == ["David E Rumelhart", "Geoffrey E Hinton", "Ronald J Williams"]
    assert (first.venue, first.date, first.extra["pages"]) == ("Nature", "1986", "533-536")
    assert result.papers[2].sources[0].line == 5  # the blank line is no record, and lines stay right
    assert result.warnings == [f"{path}: 3 of 3 rows have no abstract; ranked on their titles alone"]


def test_zotero_csv(tmp_path: Path) -> None:
    path = tmp_path / "library.csv"
    path.write_text(ZOTERO, encoding="utf-8")
    result = read_papers(path)
    assert len(result.papers) == 1
    paper = result.papers[0]
    assert paper.authors == ["Jonas M. Kübler", "Yu-Xiang Wang"]
    assert paper.ids == {"doi": "10.48550/arxiv.2501.18015", "arxiv": "2501.18015", "zotero": "ABCD1234"}
    assert paper.abstract == 'We propose a proximal operator that, across two lines, induces "2:4" sparsity.'
    assert paper.date == "2025-01-30" and paper.extra["tags"] == ["sparsity", "pruning"]
    assert any("line 4" in w and "neither a title nor an abstract; skipped" in w for w in result.warnings)


def test_csv_without_titles_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "numbers.csv"
    path.write_text("Name,Year\nAda,1843\n", encoding="utf-8")
    with pytest.raises(InputError, match="no known format"):
        read_papers(path)
    with pytest.raises(InputError, match="without a Title column"):
        read_papers(path, input_format="csv")
