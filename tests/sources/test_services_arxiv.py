"""arXiv's API, daily feeds and OAI-PMH, on recorded responses."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from papersift.errors import InputError
from papersift.sources import arxiv_api, arxiv_oai, arxiv_rss
from tests.sources.services_helpers import fixture_text, shared_text


def test_arxiv_api_query_page() -> None:
    text = fixture_text("arxiv_api_query_testing_m10.xml")
    result = arxiv_api.parse(text, "q.xml")
    # The recorder stored one author name double-encoded ("RamÃ­rez"): repaired, and said so.
    assert len(result.papers) == 10
    assert result.warnings == [
        "q.xml: mis-decoded UTF-8 (mojibake such as 'Ã©') repaired in the author names: record 2"
    ]
    assert any("Ramírez" in name for name in result.papers[1].authors)
    assert result.meta == {"total_results": 214881, "start_index": 0, "per_page": 10}
    assert (arxiv_api.total_results(text), arxiv_api.start_index(text)) == (214881, 0)
    first = result.papers[0]
    assert first.title == "Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques"
    assert first.ids == {"arxiv": "2202.12139", "doi": "10.1109/icstw55395.2022.00035"}
    assert first.authors == ["Mohit Kumar Ahuja", "Arnaud Gotlieb", "Helge Spieker"] and first.n_authors == 3
    assert first.date == "2022-02-24"
    assert first.comments == "Artificial Intelligence in Software Testing 2022 workshop @ ICST 2022"
    assert first.venue is not None and first.venue.startswith("Artificial Intelligence in Software Testing @ 2022 IEEE")
    assert first.extra["primary_category"] == "cs.SE" and first.extra["categories"] == ["cs.SE", "cs.LG"]
    assert first.extra["version"] == 1
    assert first.abstract.startswith("Deep Learning (DL) has revolutionized")
    assert "https://arxiv.org/pdf/2202.12139v1" in first.links
    assert [p.ids["arxiv"] for p in result.papers][5:] == [
        "1202.4527",
        "2503.05378",
        "1205.1866",
        "2502.07719",
        "1812.11470",
    ]
    assert sum("doi" in p.ids for p in result.papers) == 6
    assert first.sources[0].format == "arxiv-api" and first.sources[0].record == 1


def test_arxiv_api_empty_feed_is_an_empty_result() -> None:
    result = arxiv_api.parse(fixture_text("arxiv_api_query_empty.xml"), "empty.xml")
    assert result.papers == [] and result.warnings == []
    assert result.meta["total_results"] == 0


def test_arxiv_api_error_feed_quotes_arxiv() -> None:
    with pytest.raises(InputError) as info:
        arxiv_api.parse(fixture_text("arxiv_api_query_error_bad_id.xml"), "bad.xml")
    assert str(info.value) == "bad.xml: the arXiv API answered with an error: incorrect id format for abc"


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">
<entry><id>http://arxiv.org/abs/2202.12139v1</id><title>&lol3;</title></entry></feed>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2202.12139v1</id>
<title>&secret;</title></entry></feed>"""


@pytest.mark.parametrize("text", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
@pytest.mark.parametrize("parser", [arxiv_api.parse, arxiv_rss.parse, arxiv_oai.parse])
def test_entity_tricks_are_refused_cleanly(text: str, parser: object) -> None:
    with pytest.raises(InputError) as info:
        parser(text, "evil.xml")  # type: ignore[operator]
    assert str(info.value).startswith("evil.xml: refused: ")
    assert "entities" in str(info.value)


def test_truncated_xml_names_origin_and_line() -> None:
    text = fixture_text("arxiv_api_query_testing_m10.xml")
    with pytest.raises(InputError) as info:
        arxiv_api.parse(text[: len(text) // 2], "cut.xml")
    assert "cut.xml" in str(info.value) and "truncated" in str(info.value)
    assert info.value.line is not None and info.value.line > 10


@pytest.mark.parametrize("parser", [arxiv_api.parse, arxiv_rss.parse, arxiv_oai.parse])
def test_html_error_page_is_named(parser: object) -> None:
    page = "<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head><body>busy</body></html>"
    with pytest.raises(InputError) as info:
        parser(page, "page.xml")  # type: ignore[operator]
    assert "looks like an HTML page, not a" in str(info.value)


def test_arxiv_api_survives_missing_and_unknown_fields() -> None:
    text = fixture_text("arxiv_api_query_testing_m10.xml")
    text = text.replace(
        "<arxiv:primary_category", "<arxiv:unknown_field>x</arxiv:unknown_field><arxiv:primary_category"
    )
    text = text.replace("<published>2022-02-24T15:05:19Z</published>", "")
    text = text.replace(
        "<title>Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques</title>", ""
    )
    result = arxiv_api.parse(text, "mutated.xml")
    assert len(result.papers) == 10
    assert result.papers[0].title == "" and result.papers[0].date is None
    assert result.papers[0].display_title.startswith("Deep Learning (DL) has revolutionized")


def test_daily_rss_items_and_announce_types() -> None:
    result = arxiv_rss.parse(fixture_text("arxiv_rss2_daily_multi.xml"), "rss.xml")
    assert len(result.papers) == 17 and result.warnings == []
    assert Counter(p.extra["announce_type"] for p in result.papers) == {"new": 8, "cross": 4, "replace": 5}
    assert result.meta["empty_day"] is False
    assert result.meta["pub_date"] == "2024-11-28" and result.meta["skip_days"] == ["Saturday", "Sunday"]
    first = result.papers[0]
    assert first.ids == {"arxiv": "2411.17700"} and first.authors == ["Jun Cui"]
    assert first.date == "2024-11-28" and first.extra["version"] == 1 and first.extra["categories"] == ["cs.CY"]
    assert first.abstract.startswith("This study investigates the influence of generative artificial intelligence")
    assert "Announce Type" not in first.abstract
    cross = next(p for p in result.papers if p.ids["arxiv"] == "2202.06515")
    assert cross.ids["doi"] == "10.1063/5.0236964" and cross.venue == "Physics of Fluids 36, 117158 (2024)"
    assert cross.date is None and cross.extra["announced"] == "2024-11-28" and cross.extra["version"] == 3
    ecg = next(p for p in result.papers if p.ids["arxiv"] == "2411.17702")
    assert ecg.authors == ["Hyewon Jeong", "Suyeol Yun", "Hammaad Adam"]


def test_daily_rss_empty_day_is_distinguishable() -> None:
    result = arxiv_rss.parse(fixture_text("arxiv_rss2_empty.xml"), "empty.xml")
    assert result.papers == [] and result.warnings == []
    assert result.meta["empty_day"] is True and result.meta["channel"] == "test updates on arXiv.org"


def test_daily_rss_bad_archive_is_an_error() -> None:
    with pytest.raises(InputError) as info:
        arxiv_rss.parse(fixture_text("arxiv_rss2_error_bad_archive.xml"), "bad.xml")
    assert "Bad archive 'astroph'" in str(info.value) and str(info.value).startswith("bad.xml: ")


def test_daily_atom_variant(shared_dir: Path) -> None:
    result = arxiv_rss.parse(shared_text(shared_dir, "arxiv_rss_atom_daily_cs.AI.xml"), "atom.xml")
    assert len(result.papers) == 12
    assert Counter(p.extra["announce_type"] for p in result.papers) == {"new": 6, "cross": 6}
    first = result.papers[0]
    assert first.ids == {"arxiv": "2508.13167"} and first.n_authors == 30 and first.authors[0] == "Weizhen Li"
    assert first.date == "2025-08-20" and first.extra["categories"] == ["cs.AI", "cs.CL"]
    assert first.abstract.startswith("Recent advances in large language models (LLMs)")
    assert any(p.ids.get("doi") == "10.7249/pea3971-1" for p in result.papers)


def test_oai_dc_page_with_resumption_token() -> None:
    result = arxiv_oai.parse(fixture_text("arxiv_oai_listrecords_oai_dc.xml"), "oai.xml")
    assert len(result.papers) == 5 and result.warnings == []
    assert result.meta == {"resumption_token": "6960524|1001", "cursor": 0, "complete_list_size": 1162}
    first = result.papers[0]
    assert first.title == "Extended Fourier analysis of signals" and first.authors == ["Vilnis Liepins"]
    assert first.ids == {"arxiv": "1303.2033"} and first.date == "2013-03-08"
    assert first.comments == "32 pages, 9 figures" and first.extra["updated"] == "2024-01-23"
    assert first.abstract.startswith("This summary of the doctoral thesis")
    assert result.papers[1].authors[:2] == ["Chuankun Li", "Shuai Li"] and result.papers[1].n_authors == 6


def test_oai_arxiv_metadata_prefix(shared_dir: Path) -> None:
    result = arxiv_oai.parse(shared_text(shared_dir, "arxiv_oai_listrecords_arXiv_2026.xml"), "oai.xml")
    assert len(result.papers) == 3 and result.meta["resumption_token"] is None
    first = result.papers[0]
    assert first.title == "Periodic table for highly charged ions"
    assert first.authors == ["Chunhai Lyu", "Christoph H. Keitel", "Zoltán Harman"]
    assert first.ids == {"arxiv": "2504.11237", "doi": "10.1103/bppp-53g1"}
    assert (first.date, first.comments) == ("2025-04-15", "5 pages")
    assert first.venue == "Phys. Rev. Research 7, L042071 (2025)"
    assert first.extra["categories"] == ["physics.atom-ph", "physics.optics", "physics.plasm-ph", "quant-ph"]
    assert first.abstract.startswith("Mendeleev's periodic table")


OAI_HEAD = '<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>x</responseDate>'


def test_oai_no_records_match_is_empty_and_other_errors_raise() -> None:
    empty = arxiv_oai.parse(OAI_HEAD + '<error code="noRecordsMatch">none</error></OAI-PMH>', "o.xml")
    assert empty.papers == [] and empty.meta["no_records"] is True
    with pytest.raises(InputError) as info:
        arxiv_oai.parse(OAI_HEAD + '<error code="badResumptionToken">expired</error></OAI-PMH>', "o.xml")
    assert "badResumptionToken" in str(info.value) and "expired" in str(info.value)


def test_oai_deleted_and_empty_records_are_skipped_with_warnings() -> None:
    text = fixture_text("arxiv_oai_listrecords_oai_dc.xml")
    text = text.replace("<header>", '<header status="deleted">', 1)
    text = text.replace("<dc:title>Unsupervised Spatial-Temporal", "<dc:ignored>Unsupervised Spatial-Temporal", 1)
    text = text.replace(
        "Skeleton based Action Recognition</dc:title>", "Skeleton based Action Recognition</dc:ignored>", 1
    )
    result = arxiv_oai.parse(text, "oai.xml")
    assert len(result.papers) == 4
    assert result.warnings[0] == "oai.xml, record 1: deleted from arXiv; skipped"
    assert result.papers[0].title == "" and result.papers[0].abstract
