"""The project's JSON/JSONL format and BibTeX."""

from __future__ import annotations

import json
from pathlib import Path

from papersift.identity import deduplicate
from papersift.sources import detect_format, parse_text, read_papers
from tests.conftest import SAMPLE

BIB = r"""
@string{nips = {Advances in Neural Information Processing Systems}}
@inproceedings{xie2024sampa,
  title     = {{SAMPa}: Sharpness-aware Minimization Parallelized},
  author    = {Xie, Wanyun and Pethick, Thomas and Cevher, Volkan},
  booktitle = nips,
  year      = {2024},
  eprint    = {2410.10683v2},
  archivePrefix = {arXiv},
  abstract  = {Sharpness-aware minimization (SAM) has been shown to improve the generalization of neural networks.}
}

@article{kubler2025,
  title = {A Proximal Operator for Inducing 2:4-Sparsity},
  author = {K{\"u}bler, Jonas M. and Cevher, Volkan},
  journal = {Transactions on Machine Learning Research},
  doi = {https://doi.org/10.48550/ARXIV.2501.18015},
  year = {2025}
}
"""


def test_bibtex_fields() -> None:
    assert detect_format(BIB) == "bibtex"
    result = parse_text(BIB, "lib.bib")
    sampa, prox = result.papers
    assert sampa.title == "SAMPa: Sharpness-aware Minimization Parallelized"
    assert sampa.authors == ["Wanyun Xie", "Thomas Pethick", "Volkan Cevher"]
    assert sampa.ids["arxiv"] == "2410.10683" and sampa.ids["bibtex"] == "xie2024sampa"
    assert sampa.venue == "Advances in Neural Information Processing Systems"
    assert sampa.date == "2024"
    assert prox.ids["doi"] == "10.48550/arxiv.2501.18015"
    assert prox.authors[0] == "Jonas M. Kübler"  # {\"u} decoded, not stripped (issue 14 item 9)
    assert any("kubler2025" in w and "no abstract" in w for w in result.warnings)


def test_bibtex_merges_with_arxiv_listing(tmp_path: Path) -> None:
    path = tmp_path / "lib.bib"
    path.write_text(BIB, encoding="utf-8")
    papers = read_papers(path).papers + read_papers(SAMPLE / "profile_arxiv.txt").papers
    merged = deduplicate(papers)
    assert len(merged) == 11
    sampa = next(p for p in merged if p.ids.get("arxiv") == "2410.10683")
    assert sampa.title.startswith("SAMPa") and {s.format for s in sampa.sources} == {"bibtex", "arxiv-listing"}


def test_json_round_trip(tmp_path: Path) -> None:
    papers = read_papers(SAMPLE / "profile_arxiv.txt").papers
    path = tmp_path / "papers.json"
    path.write_text(json.dumps([p.to_dict() for p in papers]), encoding="utf-8")
    again = read_papers(path).papers
    assert [p.ids for p in again] == [p.ids for p in papers]
    assert [p.abstract for p in again] == [p.abstract for p in papers]
    assert again[0].sources[0].format == "json"


def test_jsonl_and_openreview_notes(tmp_path: Path) -> None:
    path = tmp_path / "notes.jsonl"
    rows = [
        {"id": "abc", "content": {"title": {"value": "Pruning at scale"}, "abstract": {"value": "We prune."}}},
        {"title": "Plain paper", "abstract": "Text.", "ids": {"arxiv": "arXiv:2501.13676v3"}, "upvotes": 4},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    assert detect_format(path.read_text()) == "jsonl"
    first, second = read_papers(path).papers
    assert first.title == "Pruning at scale" and first.ids == {"openreview": "abc"}
    assert second.ids == {"arxiv": "2501.13676"} and second.upvotes == 4
    assert second.sources[0].line == 2


def test_submissions_mapping_keeps_its_keys(tmp_path: Path) -> None:
    """Issue 11 item 16: a ``{id: paper}`` submissions.json gives its keys as the CSV ids, not 1, 2, 3."""
    from papersift.expertise import read_submissions

    path = tmp_path / "submissions.json"
    path.write_text(
        json.dumps(
            {
                "Hyx4KjRqtQ": {"title": "First submitted paper", "abstract": "About sharpness."},
                "B1xSperKvH": {"title": "Second submitted paper", "abstract": "About pruning."},
                "ZZ-plain": {"content": {"title": {"value": "Third one"}}, "id": "otherid"},
            }
        ),
        encoding="utf-8",
    )
    assert [sid for sid, _ in read_submissions(path)] == ["Hyx4KjRqtQ", "B1xSperKvH", "ZZ-plain"]


LATEX_BIB = r"""@article{schr2024,
  title = {Schr{\"o}dinger {B}ridges for $\ell_1$ Models \& {\'E}cole Methods},
  author = {M{\"u}ller, J{\"o}rg and Stra{\ss}e, Anna and Ca{\c{c}}a, Jo{\~a}o},
  abstract = {We study na{\"\i}ve bounds at 100\% of the {\AA}ngstr{\"o}m scale.},
  year = {2024}
}
"""


def test_bibtex_latex_is_decoded_not_stripped(tmp_path: Path) -> None:
    """Issue 14 item 9: accents become letters, math and escapes readable text."""
    path = tmp_path / "latex.bib"
    path.write_text(LATEX_BIB, encoding="utf-8")
    paper = read_papers(path).papers[0]
    assert paper.title == "Schrödinger Bridges for ℓ_1 Models & École Methods"
    assert paper.authors == ["Jörg Müller", "Anna Straße", "João Caça"]
    assert paper.abstract == "We study naïve bounds at 100% of the Ångström scale."


def test_latex_title_merges_with_its_unicode_twin(tmp_path: Path) -> None:
    bib = tmp_path / "latex.bib"
    bib.write_text(LATEX_BIB, encoding="utf-8")
    twin = tmp_path / "twin.jsonl"
    rows = [
        {"title": "Schrödinger Bridges for ℓ_1 Models & École Methods", "abstract": "Another copy."},
        {"title": r"Caf\'{e} Society of Schr\"odinger Cats", "abstract": "LaTeX from an arXiv title."},
        {"title": "Café Society of Schrödinger Cats", "abstract": "Its Unicode twin."},
    ]
    twin.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    papers = read_papers(bib).papers + read_papers(twin).papers
    assert len(deduplicate(papers)) == 2
