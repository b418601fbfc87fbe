"""Hugging Face, OpenAlex, Semantic Scholar, ORCID, Crossref, DBLP, OpenReview and Zotero responses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from papersift.errors import InputError
from papersift.sources import (
    crossref,
    csl_json,
    dblp,
    hf_api,
    openalex,
    openreview,
    orcid,
    ris,
    semantic_scholar,
    zotero_api,
)
from tests.sources.services_helpers import fixture_text, shared_text


def test_hugging_face_daily_papers(shared_dir: Path) -> None:
    result = hf_api.parse(shared_text(shared_dir, "hf_daily_papers.json"), "hf.json")
    assert len(result.papers) == 5 and result.warnings == []
    assert [p.upvotes for p in result.papers] == [0, 5, 3, 2, 2]
    assert [p.n_authors for p in result.papers] == [3, 8, 10, 11, 3]
    first = result.papers[0]
    assert first.ids == {"arxiv": "2606.00467"} and first.date == "2026-05-30"
    assert first.title.startswith("On the Limits of LLM Adaptability")
    assert first.authors[:2] == ["Etienne Casanova", "Rafal Kocielnik"]
    assert first.extra["ai_keywords"][:2] == ["zero-shot annotation", "LLM-as-a-judge"]
    assert first.extra["organization"] == "California institute of technology"
    assert (first.extra["listed_on"], first.extra["num_comments"]) == ("2026-06-12", 2)
    assert result.papers[1].links[2] == "https://github.com/psychology-of-AI/Rethinking-Pyschometric-Eval-LLMs"


def test_hugging_face_mutated_layout(shared_dir: Path) -> None:
    entries = json.loads(shared_text(shared_dir, "hf_daily_papers.json"))
    entries[0]["paper"].pop("summary"), entries[0].pop("summary")
    entries[0]["paper"]["brand_new_field"] = {"x": 1}
    for key in ("title", "summary"):
        entries[1].pop(key), entries[1]["paper"].pop(key)
    entries[2]["paper"].pop("authors"), entries[2]["paper"].pop("upvotes"), entries[2]["paper"].pop("publishedAt")
    entries[2].pop("publishedAt")
    result = hf_api.parse(json.dumps(entries), "hf.json")
    assert len(result.papers) == 4
    assert "hf.json, record 2: neither a title nor an abstract; skipped" in result.warnings
    assert result.papers[0].abstract == "" and result.papers[0].title
    third = result.papers[1]
    assert (third.authors, third.upvotes, third.date) == ([], None, None)


def test_openalex_single_work() -> None:
    result = openalex.parse(fixture_text("openalex_work.json"), "w.json")
    (work,) = result.papers
    assert work.title == "The state of OA: a large-scale analysis of the prevalence and impact of Open Access articles"
    assert work.ids == {
        "openalex": "W2741809807",
        "doi": "10.7717/peerj.4375",
        "mag": "2741809807",
        "pmid": "29456894",
        "pmcid": "5815332",
    }
    assert work.abstract.startswith("Despite growing interest in Open Access (OA) to scholarly literature, there is")
    assert work.abstract.endswith("as a way to inform OA policy and practice.")
    assert work.n_authors == 9 and work.authors[0] == "Heather Piwowar" and work.authors[-1] == "Stefanie Haustein"
    assert (work.date, work.venue) == ("2018-02-13", "PeerJ")
    assert work.extra["cited_by_count"] == 962 and work.extra["type"] == "article"
    assert work.links[0] == "https://doi.org/10.7717/peerj.4375"


def test_openalex_list_page_has_next_cursor() -> None:
    result = openalex.parse(fixture_text("openalex_works_list_built.json"), "list.json")
    assert len(result.papers) == 1 and result.papers[0].ids["openalex"] == "W2741809807"
    assert result.meta["count"] == 2
    assert result.meta["next_cursor"] == "IlsxNjA5MzcyODAwMDAwLCAnaHR0cHM6Ly9vcGVuYWxleC5vcmcvVzI3NDE4MDk4MDcnXSI="


def test_openalex_author_record_is_refused_with_its_works_url() -> None:
    text = fixture_text("openalex_author.json")
    with pytest.raises(InputError) as info:
        openalex.parse(text, "author.json")
    assert "is an OpenAlex author record (Jason Priem)" in str(info.value)
    assert "https://api.openalex.org/works?filter=author.id:A5023888391" in str(info.value)
    assert openalex.works_api_url(text) == "https://api.openalex.org/works?filter=author.id:A5023888391"


def test_openalex_work_without_abstract_or_title() -> None:
    work = json.loads(fixture_text("openalex_work.json"))
    bare = {k: v for k, v in work.items() if k not in ("abstract_inverted_index", "authorships", "primary_location")}
    empty = {**bare, "title": None, "display_name": None, "abstract_inverted_index": None}
    page = {"meta": {"count": 2, "per_page": 25, "next_cursor": None}, "results": [bare, empty], "group_by": []}
    result = openalex.parse(json.dumps(page), "p.json")
    assert len(result.papers) == 1 and result.papers[0].venue is None and result.papers[0].authors == []
    assert result.warnings == [
        "p.json, record 2: neither a title nor an abstract; skipped",
        "p.json: 1 of 1 records have no abstract; ranked on their titles alone",
    ]
    assert result.meta["next_cursor"] is None


def test_semantic_scholar_batch_skips_nulls() -> None:
    result = semantic_scholar.parse(fixture_text("s2_paper_batch.json"), "batch.json")
    assert len(result.papers) == 3
    assert result.warnings == ["batch.json, record 1: null (an id Semantic Scholar does not know); skipped"]
    first = result.papers[0]
    assert first.title == "How Much Should We Trust Differences-in-Differences Estimates?"
    assert first.ids == {
        "s2": "c31c87c591a25c64fbaa82e8ac6a81831b6ac7ce",
        "doi": "10.2139/ssrn.288970",
        "s2_corpus": "470667",
        "mag": "2096684396",
    }
    assert (first.date, first.venue) == ("2001-10-01", "Experimental & Empirical Studies eJournal")
    assert first.authors[:2] == ["Marianne Bertrand", "E. Duflo"]
    assert first.extra["citation_count"] == 10670
    assert "http://papers.nber.org/papers/w8841.pdf" in first.links
    assert result.papers[2].date == "2023" and result.papers[2].venue is None


def test_semantic_scholar_search_and_author_pages() -> None:
    search = semantic_scholar.parse(fixture_text("s2_paper_search.json"), "search.json")
    assert len(search.papers) == 100 and search.meta == {"total": 70499, "offset": 0, "next": 100}
    assert search.papers[0].title.startswith("Using DeepSpeed and Megatron to Train Megatron-Turing NLG 530B")
    assert search.warnings == ["search.json: 100 of 100 records have no abstract; ranked on their titles alone"]
    page = semantic_scholar.parse(fixture_text("s2_author_papers_page1.json"), "page.json")
    assert len(page.papers) == 100 and page.meta == {"offset": 0, "next": 100}
    author = semantic_scholar.parse(fixture_text("s2_author_with_papers.json"), "author.json")
    assert len(author.papers) == 60 and sum(bool(p.abstract) for p in author.papers) == 34
    assert author.meta == {"author_id": "2262347", "author_name": "A. Turing"}
    logic = next(p for p in author.papers if p.ids.get("dblp") == "phd/Turing38")
    assert (
        logic.title == "Systems of Logic Based on Ordinals" and logic.ids["doi"] == "10.1016/b978-044450423-4/50007-3"
    )


def test_orcid_works_summary() -> None:
    result = orcid.parse(fixture_text("orcid_works.json"), "works.json")
    assert len(result.papers) == 111 and result.meta == {"orcid": "0000-0003-1444-9135"}
    assert sum("doi" in p.ids for p in result.papers) == 97
    first = result.papers[0]
    assert first.title == "Phylogeny Based Biodiversity Data Queries"
    assert first.ids == {"doi": "10.3897/biss.2.25589", "orcid_put_code": "44924450"}
    assert (first.date, first.venue) == ("2018-05-21", "Biodiversity Information Science and Standards")
    assert first.extra["source"] == "Crossref" and first.extra["type"] == "journal-article"


def test_orcid_empty_works_is_zero_papers() -> None:
    result = orcid.parse(fixture_text("orcid_works_empty.json"), "empty.json")
    assert result.papers == [] and result.warnings == [] and result.meta["orcid"] == "0000-0003-1620-1408"


def test_orcid_single_work_with_bibtex_citation() -> None:
    (work,) = orcid.parse(fixture_text("orcid_work_single_with_citation.json"), "work.json").papers
    assert work.title == "Dose-Rate Estimation using α-Al2O3:C Chips: Aftermath"
    assert work.abstract.startswith("We present additional experiments for α-Al2O3:C chips used to estimate")
    assert "<sub>" not in work.abstract
    assert work.ids == {"orcid_put_code": "77226586"} and (work.date, work.venue) == ("2020-06-01", "Ancient TL")
    assert work.authors[0] == "Sebastian Kreutzer" and work.n_authors == 4
    assert work.extra["bibtex"].startswith("@article{241a9e613cea4173bafa23dbd14e5924")


def test_crossref_work_and_list() -> None:
    (work,) = crossref.parse(fixture_text("crossref_work.json"), "work.json").papers
    assert work.title.startswith("Methylphenidate Exposure Induces Dopamine Neuron Loss")
    assert work.ids == {"doi": "10.1371/journal.pone.0033693"}
    assert (work.date, work.venue, work.n_authors) == ("2012-03-21", "PLoS ONE", 6)
    assert work.authors[:2] == ["Shankar Sadasivan", "Brooks B. Pond"]
    listing = crossref.parse(fixture_text("crossref_works_query.json"), "list.json")
    assert [p.title for p in listing.papers] == ["Communicating Ecology", "Chemical Ecology"]
    assert listing.meta["total_results"] == 586628 and listing.meta["next_cursor"] is None
    for paper in listing.papers:
        assert paper.abstract and "<" not in paper.abstract
    assert listing.papers[0].abstract.startswith("Communication is perhaps the most important, but least formally")
    assert listing.papers[1].authors == ["André Kessler"] and listing.papers[1].date == "2012-05-23"


def test_crossref_jats_markup_is_text_and_errors_raise() -> None:
    doc = json.loads(fixture_text("crossref_work.json"))
    doc["message"]["abstract"] = (
        "<jats:title>Abstract</jats:title><jats:p>H<jats:sub>2</jats:sub>O &amp; <script>x()</script>ice</jats:p>"
    )
    doc["message"]["unknown"] = [1, 2]
    (paper,) = crossref.parse(json.dumps(doc), "w.json").papers
    assert paper.abstract == "H2O & ice"
    error = {"status": "failed", "message-type": "validation-failure", "message": [{"message": "bad filter"}]}
    with pytest.raises(InputError, match="Crossref answered with an error"):
        crossref.parse(json.dumps(error), "e.json")


def test_dblp_search_json() -> None:
    result = dblp.parse(fixture_text("dblp_publ_search.json"), "dblp.json")
    (hit,) = result.papers
    assert hit.title == "Attentional Transfer is All You Need: Technology-aware Layout Pattern Generation"
    assert hit.authors == ["Xiaopeng Zhang", "Haoyu Yang", "Evangeline F. Y. Young"]
    assert hit.ids == {"dblp": "conf/dac/ZhangYY21", "doi": "10.1109/dac18074.2021.9586227"}
    assert (hit.date, hit.venue) == ("2021", "DAC")
    assert hit.extra["author_pids"] == ["167/1261-9", "17/8386", "y/EFYYoung"]
    assert result.meta == {"total": 112, "first": 0, "sent": 1}


def test_dblp_single_author_object_and_person_xml() -> None:
    doc = json.loads(fixture_text("dblp_publ_search.json"))
    info = doc["result"]["hits"]["hit"][0]["info"]
    info["authors"]["author"] = {"@pid": "17/8386", "text": "Haoyu Yang"}
    doc["result"]["hits"]["hit"] = doc["result"]["hits"]["hit"][0]
    assert dblp.parse(json.dumps(doc), "d.json").papers[0].authors == ["Haoyu Yang"]
    person = dblp.parse(fixture_text("dblp_person_built.xml"), "person.xml")
    assert len(person.papers) == 4 and person.meta == {"person": "Alexander S. Szalay", "pid": "00/0001", "n": "4"}
    cacm, sky, corr, thesis = person.papers
    assert (cacm.title, cacm.venue, cacm.date) == ("Jim Gray, astronomer", "Commun. ACM", "2008")
    assert cacm.ids == {"dblp": "journals/cacm/Szalay08", "doi": "10.1145/1400214.1400231"}
    assert sky.title == "Sky Surveys at Petabyte Scale with SQL Only" and sky.authors[1] == "María Müller"
    assert corr.ids["arxiv"] == "2401.01234" and corr.extra["publtype"] == "informal"
    assert thesis.venue == "Eötvös Loránd University"


def test_openreview_v2_notes() -> None:
    result = openreview.parse(fixture_text("openreview_v2_notes_built.json"), "or.json")
    full, withdrawn = result.papers
    assert full.title == "Sharpness-Aware Pruning of Sparse Transformers" and full.ids == {"openreview": "aB3dE5fG7h"}
    assert full.abstract == (
        "We study pruning of transformer weights under a sharpness-aware objective. "
        "Our method keeps accuracy at high sparsity."
    )
    assert (full.authors, full.venue, full.date) == (
        ["Ada Example", "Grace Sample"],
        "ExampleConf 2025 Poster",
        "2025-01-22",
    )
    assert full.links == [
        "https://openreview.net/forum?id=aB3dE5fG7h",
        "https://openreview.net/pdf/0123456789abcdef0123456789abcdef01234567.pdf",
    ]
    assert full.extra["keywords"] == ["pruning", "sharpness-aware minimization", "sparsity"]
    assert full.extra["venueid"] == "Example.cc/2025/Conference" and full.extra["number"] == 1234
    assert withdrawn.date == "2024-10-01" and withdrawn.abstract == ""
    assert result.meta == {"count": 2}


def test_openreview_recorded_search_and_v1_layout() -> None:
    result = openreview.parse(fixture_text("openreview_notes_search_trimmed.json"), "s.json")
    assert [p.venue for p in result.papers] == ["CoRR 2021", "Interspeech 2021"]
    assert result.papers[0].n_authors == 5 and result.papers[0].date == "2024-10-18"
    v1 = {"notes": [{"id": "n1", "cdate": 1, "content": {"title": "Old", "abstract": "Text.", "authors": ["A B"]}}]}
    (old,) = openreview.parse(json.dumps(v1), "v1.json").papers
    assert (old.title, old.abstract, old.authors, old.date) == ("Old", "Text.", ["A B"], "1970-01-01")


def test_zotero_web_api_items_skip_attachments_and_notes() -> None:
    items = json.loads(fixture_text("zotero_webapi_items.json"))
    result = zotero_api.parse(json.dumps(items), "z.json")
    assert len(result.papers) == 20 and result.meta["skipped_children"] == 0
    holmes = result.papers[1]
    assert holmes.title == "Sherlock Holmes in Babylon" and holmes.ids == {
        "zotero": "PQKBRC33",
        "doi": "10.2307/2321200",
    }
    assert (holmes.date, holmes.venue) == ("1980-05-01", "The American Mathematical Monthly")
    assert holmes.authors == ["R. Creighton Buck"]
    assert result.papers[2].authors == ["Arthur Conan Doyle"] and result.papers[2].date == "1992"
    yarn = next(p for p in result.papers if p.ids.get("doi") == "10.1126/science.1195912")
    assert yarn.abstract and yarn.date == "2011-01-07" and yarn.venue == "Science"
    items.append({"key": "ATT1", "data": {"key": "ATT1", "itemType": "attachment", "title": "Full Text PDF"}})
    items.append({"key": "NOTE1", "data": {"key": "NOTE1", "itemType": "note", "note": "<p>hi</p>"}})
    assert zotero_api.parse(json.dumps(items), "z.json").meta["skipped_children"] == 2
    (single,) = zotero_api.parse(fixture_text("zotero_webapi_item.json"), "one.json").papers
    assert single.ids == {"zotero": "X42A7DEE"} and single.extra["isbn"] == "0750303212"


def test_csl_json_exports() -> None:
    (item,) = csl_json.parse(fixture_text("zotero_export_csl.json"), "csl.json").papers
    assert item.title == "Google Quantum AI's Quest for Error-Corrected Quantum Computers"
    assert item.ids == {"zotero": "JZC78ECC", "doi": "10.48550/arxiv.2410.00917", "arxiv": "2410.00917"}
    assert (item.authors, item.date) == (["M. AbuGhanem"], "2024")
    bbt = csl_json.parse(fixture_text("zotero_bbt_csl.json"), "bbt.json")
    assert len(bbt.papers) == 5
    assert bbt.papers[0].ids == {"bibtex": "Weiner2003", "doi": "10.2113/0540001"}
    assert (bbt.papers[0].venue, bbt.papers[0].date) == ("Rev. Mineral. Geochemistry", "2003")
    assert bbt.papers[1].ids["arxiv"] == "1906.01539" and bbt.papers[1].date == "2019-06-04"


def test_ris_zotero_export(shared_dir: Path) -> None:
    result = ris.parse(shared_text(shared_dir, "zotero_export_native.ris"), "lib.ris")
    assert len(result.papers) == 6 and result.warnings == []
    first = result.papers[0]
    assert first.title.startswith("Advanced Plasmonic Resonance-enhanced Biosensor")
    assert first.ids == {"doi": "10.1007/s11468-024-02407-0"} and first.n_authors == 10
    assert (first.authors[0], first.date, first.venue) == ("R. Uma Maheshwari", "2025", "Plasmonics")
    assert first.extra["keywords"][0] == "Biosensor" and first.sources[0].line == 1
    theses = ris.parse(shared_text(shared_dir, "zotero_export_theses.ris"), "theses.ris")
    assert len(theses.papers) == 8 and theses.papers[0].authors == ["Rosemary Hollow"]
    assert theses.papers[0].links == ["http://hdl.handle.net/1885/105353"] and theses.papers[0].date == "2010"


RIS_LINES = [
    "TY  - JOUR",
    "TI  - Pruning at scale",
    "AU  - Doe, Jane",
    "AB  - We prune.",
    "DA  - 2024/05/03/",
    "UR  - https://arxiv.org/abs/2401.01234v2",
    "ER  - ",
    "",
    "TY  - CONF",
    "AU  - Roe, Richard",
    "PY  - 2020",
    "ER  - ",
    "",
    "TY  - JOUR",
    "TI  - Cut off",
    "AU  - Poe, Ed",
]
RIS = "\n".join(RIS_LINES) + "\n"


def test_ris_skips_empty_records_and_refuses_truncation() -> None:
    complete = RIS[: RIS.index("TY  - JOUR\nTI  - Cut")]
    result = ris.parse(complete, "r.ris")
    (paper,) = result.papers
    assert paper.ids == {"arxiv": "2401.01234"} and paper.date == "2024-05-03" and paper.authors == ["Jane Doe"]
    assert result.warnings == ["r.ris, record 2: neither a title nor an abstract; skipped"]
    with pytest.raises(InputError) as info:
        ris.parse(RIS, "r.ris")
    assert "truncated RIS record" in str(info.value) and (info.value.record, info.value.line) == (3, 14)
