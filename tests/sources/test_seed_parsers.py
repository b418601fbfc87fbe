"""Every parser on the seed files, with exact counts and the fields it must keep."""

from __future__ import annotations

import pytest

from papersift.identity import deduplicate
from papersift.sources import detect_format, read_papers
from tests.conftest import FEED_FILES, PAGE_DAY, PROFILE_FILES, SAMPLE


def test_publication_list() -> None:
    result = read_papers(SAMPLE / "profile_publications.txt")
    assert [p.sources[0].format for p in result.papers] == ["publist"] * 10
    first = result.papers[0]
    assert first.title == "Addressing Label Shift in Distributed Learning via Entropy Regularization"
    assert first.authors == ["Zhiyuan Wu", "Changkyu Choi", "Xiangcheng Cao", "Volkan Cevher", "Ali Ramezani-Kebrya"]
    assert first.abstract.startswith("We address the challenge of minimizing true risk")
    assert first.extra["listed_for"] == "Cevher, Volkan"
    assert first.sources[0].line == 2
    assert result.papers[1].authors[0] == "Jonas M Kübler"
    assert result.warnings == []


def test_arxiv_listing() -> None:
    result = read_papers(SAMPLE / "profile_arxiv.txt")
    papers = result.papers
    assert len(papers) == 10
    assert [p.ids["arxiv"] for p in papers][:3] == ["2501.13676", "2411.18728", "2411.02902"]
    assert papers[0].date == "2025-01-23"
    assert papers[0].comments == "Accepted in ICLR 2025"
    assert papers[0].title == ""  # the listing has no titles
    assert papers[0].links == ["https://arxiv.org/abs/2501.13676"]
    engineering = next(p for p in papers if p.ids["arxiv"] == "2408.11841")
    assert engineering.title.startswith("Could ChatGPT get an Engineering Degree?")
    assert engineering.authors[:2] == ["Beatriz Borges", "Negar Foroutan"]
    assert engineering.comments == "20 pages, 8 figures"
    assert sum(p.comments is not None for p in papers) == 7


@pytest.mark.parametrize(
    ("name", "records", "with_author_count", "with_upvotes"),
    [("feed_hf_nov20.txt", 77, 75, None), ("feed_hf_nov14.txt", 61, 59, None), ("feed_hf_oct17.txt", 55, 55, None)],
)
def test_hugging_face_pages(name: str, records: int, with_author_count: int, with_upvotes: None) -> None:
    result = read_papers(SAMPLE / name, today=PAGE_DAY)
    assert len(result.papers) == records
    assert sum(p.n_authors is not None for p in result.papers) == with_author_count
    # The page shows no author count under a few papers: they are kept, and that is not damage.
    assert result.warnings == []


def test_sample_feeds_parse_without_warnings() -> None:
    """`make demo` printed three "no author count or date" warnings for records the page itself shows bare."""
    for path in FEED_FILES:
        assert read_papers(path, today=PAGE_DAY).warnings == [], path.name


def test_hugging_face_fields() -> None:
    papers = read_papers(SAMPLE / "feed_hf_nov20.txt", today=PAGE_DAY).papers
    first = papers[0]
    assert first.title == "Dual-Encoders for Extreme Multi-Label Classification"
    assert first.n_authors == 6
    assert first.date == "2023-10-16"
    assert first.extra["listed_on"] == "2026-11-20"
    spark = papers[2]
    assert spark.date == "2026-06-06"  # shown without a year: this year
    sherl = next(p for p in papers if p.title.startswith("SHERL"))
    assert (sherl.date, sherl.upvotes) == ("2024-07-10", 2)
    org = next(p for p in papers if p.title.startswith("Optimizing What Matters"))
    assert org.extra["organization"] == "ServiceNow-AI ServiceNow-AI"
    assert (org.date, org.upvotes, org.n_authors) == ("2026-09-30", 2, None)
    bare = next(p for p in papers if p.title.startswith("Joint Modeling of Feature"))
    assert bare.abstract.startswith("Current prevailing Video Object Segmentation")
    assert bare.n_authors is None and bare.date is None


def test_profile_files_hold_twelve_distinct_papers() -> None:
    papers = [p for f in PROFILE_FILES for p in read_papers(f).papers]
    merged = deduplicate(papers)
    assert len(papers) == 20
    assert len(merged) == 12
    both = [p for p in merged if {s.format for s in p.sources} == {"publist", "arxiv-listing"}]
    assert len(both) == 8
    sampa = next(p for p in merged if p.title.startswith("SAMPa"))
    assert sampa.ids["arxiv"] == "2410.10683" and sampa.date == "2024-10-14"
    assert sampa.comments == "Advances in Neural Information Processing Systems (NeurIPS), 2024"


def test_feed_pages_hold_179_distinct_of_189_listed_entries() -> None:
    papers = [p for f in FEED_FILES for p in read_papers(f, today=PAGE_DAY).papers]
    listed = [p for p in papers if p.n_authors is not None]
    assert len(listed) == 189
    assert len(deduplicate(listed)) == 179
    # With the four records that have no author count (kept), 193 records, 183 papers.
    assert len(papers) == 193
    assert len(deduplicate(papers)) == 183


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("profile_publications.txt", "publist"),
        ("profile_arxiv.txt", "arxiv-listing"),
        ("feed_hf_nov20.txt", "hf-page"),
        ("feed_hf_nov14.txt", "hf-page"),
        ("feed_hf_oct17.txt", "hf-page"),
    ],
)
def test_detection(name: str, expected: str) -> None:
    assert detect_format((SAMPLE / name).read_text(encoding="utf-8")) == expected
