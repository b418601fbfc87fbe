"""Every service response is recognised by read_papers, and broken responses fail with one clear sentence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from papersift.errors import InputError
from papersift.sources import FORMATS, detect_format, read_papers
from tests.conftest import SAMPLE
from tests.sources.services_helpers import SERVICES, fixture_text

COPIED = {
    "arxiv_api_query_testing_m10.xml": "arxiv-api",
    "arxiv_api_query_empty.xml": "arxiv-api",
    "arxiv_rss2_daily_multi.xml": "arxiv-rss",
    "arxiv_rss2_empty.xml": "arxiv-rss",
    "arxiv_oai_listrecords_oai_dc.xml": "arxiv-oai",
    "openalex_work.json": "openalex",
    "openalex_works_list_built.json": "openalex",
    "openalex_author.json": "openalex",
    "s2_paper_batch.json": "s2",
    "s2_paper_search.json": "s2",
    "s2_author_papers_page1.json": "s2",
    "s2_author_with_papers.json": "s2",
    "orcid_works.json": "orcid",
    "orcid_works_empty.json": "orcid",
    "orcid_work_single_with_citation.json": "orcid",
    "crossref_work.json": "crossref",
    "crossref_works_query.json": "crossref",
    "dblp_publ_search.json": "dblp",
    "dblp_person_built.xml": "dblp",
    "openreview_notes_search_trimmed.json": "openreview",
    "openreview_v2_notes_built.json": "openreview",
    "zotero_webapi_items.json": "zotero-api",
    "zotero_webapi_item.json": "zotero-api",
    "zotero_export_csl.json": "csl-json",
    "zotero_bbt_csl.json": "csl-json",
    "zotero_export_native_bibtex_arxiv.bib": "bibtex",
}
SHARED_ONLY = {
    "arxiv_rss_atom_daily_cs.AI.xml": "arxiv-rss",
    "arxiv_oai_listrecords_arXiv_2026.xml": "arxiv-oai",
    "hf_daily_papers.json": "hf-api",
    "zotero_export_native.ris": "ris",
    "zotero_export_theses.ris": "ris",
    "zotero_export_native_bibtex.bib": "bibtex",
    "zotero_bbt_biblatex_theses.bib": "bibtex",
}
JSON_FIXTURES = {name: fmt for name, fmt in COPIED.items() if name.endswith(".json")}
PAPER_COUNTS = {"arxiv_api_query_testing_m10.xml": 10, "s2_paper_batch.json": 3, "orcid_works.json": 111}


@pytest.mark.parametrize(("name", "expected"), sorted(COPIED.items()))
def test_copied_fixture_detection(name: str, expected: str) -> None:
    assert detect_format(fixture_text(name)) == expected


@pytest.mark.parametrize(("name", "expected"), sorted(SHARED_ONLY.items()))
def test_shared_fixture_detection(shared_dir: Path, name: str, expected: str) -> None:
    assert detect_format((shared_dir / "fixtures" / name).read_text(encoding="utf-8")) == expected
    assert read_papers(shared_dir / "fixtures" / name).papers


@pytest.mark.parametrize(("name", "count"), sorted(PAPER_COUNTS.items()))
def test_read_papers_reads_service_files(name: str, count: int) -> None:
    result = read_papers(SERVICES / name)
    assert len(result.papers) == count
    assert result.papers[0].sources[0].origin == str(SERVICES / name)
    assert result.papers[0].sources[0].format == COPIED[name]


def test_papersift_json_and_jsonl_still_detected(tmp_path: Path) -> None:
    papers = read_papers(SAMPLE / "profile_arxiv.txt").papers
    as_list = json.dumps([p.to_dict() for p in papers])
    assert detect_format(as_list) == "json"
    assert detect_format(json.dumps({"papers": [p.to_dict() for p in papers]})) == "json"
    assert detect_format("\n".join(json.dumps(p.to_dict()) for p in papers)) == "jsonl"
    assert detect_format(json.dumps([{"title": "T", "abstract": "A", "upvotes": 3, "id": "x"}])) == "json"
    assert detect_format(json.dumps({"abc": {"id": "abc", "content": {"title": "T"}}})) == "json"


def test_every_service_format_is_registered() -> None:
    expected = {"arxiv-api", "arxiv-rss", "arxiv-oai", "hf-api", "openalex", "s2", "orcid", "crossref", "dblp"}
    expected |= {"openreview", "ris", "csl-json", "zotero-api"}
    assert expected <= set(FORMATS)


@pytest.mark.parametrize(("name", "fmt"), sorted(JSON_FIXTURES.items()))
def test_truncated_json_names_origin_and_line(name: str, fmt: str) -> None:
    text = fixture_text(name)
    with pytest.raises(InputError) as info:
        FORMATS[fmt](text[: len(text) * 2 // 3], "cut.json")
    assert str(info.value).startswith("cut.json, line ") and "truncated" in str(info.value)


@pytest.mark.parametrize("fmt", sorted({*JSON_FIXTURES.values(), "ris", "arxiv-oai", "dblp"}))
def test_html_page_instead_of_a_response(fmt: str) -> None:
    page = "<!doctype html>\n<html><body><h1>429 Too Many Requests</h1></body></html>\n"
    with pytest.raises(InputError) as info:
        FORMATS[fmt](page, "answer")
    assert str(info.value).startswith("answer: looks like an HTML page, not a ")


def _add_unknown_keys(value: object) -> object:
    if isinstance(value, dict):
        return {**{k: _add_unknown_keys(v) for k, v in value.items()}, "zz_future_field": {"nested": [1, None]}}
    if isinstance(value, list):
        return [_add_unknown_keys(v) for v in value]
    return value


@pytest.mark.parametrize(("name", "fmt"), sorted(JSON_FIXTURES.items()))
def test_unknown_keys_everywhere_change_nothing(name: str, fmt: str) -> None:
    text = fixture_text(name)
    if fmt == "openalex" and "author" in name:
        pytest.skip("an author record is refused either way")
    before = FORMATS[fmt](text, "f.json")
    mutated = json.dumps(_add_unknown_keys(json.loads(text)))
    assert detect_format(mutated) == fmt
    after = FORMATS[fmt](mutated, "f.json")
    assert [p.to_dict() for p in after.papers] == [p.to_dict() for p in before.papers]


OPTIONAL_KEYS = {
    "abstract",
    "abstract_inverted_index",
    "abstractNote",
    "summary",
    "short-description",
    "authors",
    "author",
    "authorships",
    "creators",
    "contributors",
    "externalIds",
    "external-ids",
    "ids",
    "doi",
    "DOI",
    "year",
    "publicationDate",
    "publication_date",
    "publication-date",
    "publishedAt",
    "issued",
    "published",
    "venue",
    "journal",
    "journal-title",
    "container-title",
    "primary_location",
    "locations",
    "url",
    "URL",
    "upvotes",
    "cdate",
    "tcdate",
    "mdate",
    "pdate",
    "citation",
    "openAccessPdf",
    "ee",
    "parsedDate",
    "date",
}


def _drop_optional(value: object) -> object:
    if isinstance(value, dict):
        return {k: _drop_optional(v) for k, v in value.items() if k not in OPTIONAL_KEYS}
    if isinstance(value, list):
        return [_drop_optional(v) for v in value]
    return value


@pytest.mark.parametrize(("name", "fmt"), sorted(JSON_FIXTURES.items()))
def test_missing_optional_fields_keep_every_titled_record(name: str, fmt: str) -> None:
    if fmt == "openalex" and "author" in name:
        pytest.skip("an author record is refused either way")
    before = FORMATS[fmt](fixture_text(name), "f.json")
    mutated = json.dumps(_drop_optional(json.loads(fixture_text(name))))
    assert detect_format(mutated) == fmt
    after = FORMATS[fmt](mutated, "f.json")
    assert [p.title for p in after.papers] == [p.title for p in before.papers if p.title]
    assert all(p.abstract == "" and p.authors == [] for p in after.papers)


CASSETTES = sorted(p.name for p in SERVICES.glob("*.cassette.y*ml"))


@pytest.mark.parametrize("name", CASSETTES)
def test_recorded_cassettes_are_refused_not_misread(name: str) -> None:
    """A YAML recording is no paper list: the strict detectors refuse it (a loose one took one for 171 papers)."""
    assert detect_format(fixture_text(name)) is None
    with pytest.raises(InputError, match="no known format"):
        read_papers(SERVICES / name)


def test_arxiv_recording_holds_the_copied_body() -> None:
    recording = json.loads(fixture_text("arxiv_api_query_testing_m10.fixture.json"))
    assert recording["body"] == fixture_text("arxiv_api_query_testing_m10.xml")
