"""CSV exports of a library: Google Scholar and Zotero (issue 14, item 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from papersift.errors import InputError
from papersift.sources import detect_format, read_papers

# The column layout of Google Scholar's "Export -> CSV" of a profile's articles.
SCHOLAR = """Authors,Title,Publication,Volume,Number,Pages,Year,Publisher
"Rumelhart, David E; Hinton, Geoffrey E; Williams, Ronald J",Learning representations by back-propagating errors,Nature,323,6088,533-536,1986,Nature Publishing Group
"Foret, Pierre; Kleiner, Ariel; Mobahi, Hossein; Neyshabur, Behnam",Sharpness-aware minimization for efficient generalization,arXiv preprint arXiv:2010.01412,,,,2020,

"Hochreiter, Sepp; Schmidhuber, Jürgen","Long short-term memory",Neural computation,9,8,1735-1780,1997,MIT Press
"""

# The first columns of Zotero's "Export Collection... -> CSV" (it writes many more, all kept or ignored).
ZOTERO = (
    '\ufeff"Key","Item Type","Publication Year","Author","Title","Publication Title","ISBN","ISSN","DOI","Url",'
    '"Abstract Note","Date","Date Added","Extra","Manual Tags"\n'
    '"ABCD1234","journalArticle","2021","Kübler, Jonas M.; Wang, Yu-Xiang","A proximal operator for inducing 2:4-sparsity",'
    '"Transactions on Machine Learning Research","","","10.48550/arXiv.2501.18015","https://arxiv.org/abs/2501.18015",'
    '"We propose a proximal operator that,\nacross two lines, induces ""2:4"" sparsity.","2025-01-30","2025-02-01 10:00:00",'
    '"arXiv: 2501.18015","sparsity; pruning"\n'
    '"EFGH5678","preprint","2024","Ada Lovelace","","","","","","","","2024","","",""\n'
)


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
