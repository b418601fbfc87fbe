"""Each service's fetcher against recorded responses: the right requests, every page, empty days."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx
import pytest

from papersift.fetch import (
    ArxivAuthor,
    ArxivDaily,
    DblpPerson,
    FileSource,
    HuggingFaceDaily,
    OpenReviewVenue,
    OrcidWorks,
    SemanticScholarAuthor,
    ZoteroLibrary,
    author_works,
    fetch_source,
    works_since,
)
from papersift.fetch.arxiv import oai_set
from papersift.store import Store
from tests.fetch.helpers import (
    OAI_NO_RECORDS,
    hf_entry,
    make_client,
    oai_page,
    openalex_by_doi,
    openalex_page,
    openreview_page,
    s2_page,
    text,
    zotero_items,
)
from tests.sources.services_helpers import fixture_text, shared_text


@pytest.fixture
def store(store_location: str | Path) -> Store:
    return Store(store_location)


def test_arxiv_latest_day_keeps_new_and_cross_lists(store: Store) -> None:
    client, log = make_client(lambda _: text(fixture_text("arxiv_rss2_daily_multi.xml")))
    report = fetch_source(store, ArxivDaily(("cs.LG", "stat.ML")), client)
    assert log.urls == ["https://rss.arxiv.org/rss/cs.LG+stat.ML"]
    assert report.ok and report.got == 12 and report.new == 12  # 8 new + 4 cross; 5 replacements left out
    assert report.describe() == "arXiv cs.LG stat.ML (latest day): got 12 (new 12)"
    assert len(store.candidate_papers()) == 12


def test_arxiv_day_without_announcements_is_reported_as_such(store: Store) -> None:
    client, _ = make_client(lambda _: text(fixture_text("arxiv_rss2_empty.xml")))
    report = fetch_source(store, ArxivDaily(("cs.LG",)), client)
    assert report.ok and report.got == 0
    assert report.empty_day == "2024-11-28"
    assert report.describe() == "arXiv cs.LG (latest day): no announcements on 2024-11-28 (holiday or no submissions)"


def test_arxiv_bad_archive_is_a_clear_failure(store: Store) -> None:
    client, _ = make_client(lambda _: text(fixture_text("arxiv_rss2_error_bad_archive.xml")))
    report = fetch_source(store, ArxivDaily(("astroph",)), client)
    assert not report.ok
    assert report.error is not None and report.error.startswith("arXiv: GET https://rss.arxiv.org/rss/astroph")
    assert "reports an error" in report.error


def test_oai_sets_of_categories() -> None:
    assert [oai_set(c) for c in ("cs.LG", "stat.ML", "hep-th", "astro-ph.GA", "q-bio.NC")] == [
        "cs",
        "stat",
        "physics:hep-th",
        "physics:astro-ph",
        "q-bio",
    ]


def test_arxiv_past_day_follows_resumption_tokens_and_keeps_first_versions(store: Store) -> None:
    pages = {
        None: oai_page(
            [
                {"id": "2605.00001", "categories": "cs.LG"},
                {"id": "2605.00002", "categories": "math.OC cs.LG"},  # a cross-list into cs.LG
                {"id": "2605.00003", "categories": "cs.CV"},  # not asked for
            ],
            token="tok-1",
        ),
        "tok-1": oai_page(
            [
                {"id": "2605.00004", "categories": "cs.LG"},
                {"id": "2401.00005", "categories": "cs.LG", "created": "2024-01-02", "updated": "2026-05-27"},
            ],
            token=None,
        ),
    }
    client, log = make_client(lambda r: text(pages[r.url.params.get("resumptionToken")]))
    report = fetch_source(store, ArxivDaily(("cs.LG",), dt.date(2026, 5, 27)), client)
    assert report.ok and report.pages == 2 and report.got == 3
    first = log.params(0)
    assert first == {
        "verb": "ListRecords",
        "metadataPrefix": "arXiv",
        "set": "cs",
        "from": "2026-05-27",
        "until": "2026-05-27",
    }
    assert log.params(1) == {"verb": "ListRecords", "resumptionToken": "tok-1"}
    assert log.urls[0].startswith("https://oaipmh.arxiv.org/oai?")
    assert sorted(p.ids["arxiv"] for p in store.candidate_papers()) == ["2605.00001", "2605.00002", "2605.00004"]


def test_arxiv_past_day_lists_each_set_once(store: Store) -> None:
    client, log = make_client(
        lambda r: text(oai_page([{"id": f"2605.1000{len(log.requests)}", "categories": "stat.ML cs.LG"}], None))
    )
    report = fetch_source(store, ArxivDaily(("cs.LG", "cs.AI", "stat.ML"), dt.date(2026, 5, 27)), client)
    assert [log.params(i)["set"] for i in range(len(log.requests))] == ["cs", "stat"]
    assert report.ok and report.pages == 2


def test_arxiv_past_weekend_is_an_empty_day(store: Store) -> None:
    client, _ = make_client(lambda _: text(OAI_NO_RECORDS))
    report = fetch_source(store, ArxivDaily(("cs.LG",), dt.date(2026, 5, 30)), client)
    assert report.ok and report.empty_day == "2026-05-30"
    assert report.describe().endswith("no announcements on 2026-05-30 (weekend)")


def test_arxiv_past_day_on_the_recorded_new_server_response(store: Store, shared_dir: Path) -> None:
    """The recorded oaipmh.arxiv.org page holds only replacements: nothing is new that day in that category."""
    body = shared_text(shared_dir, "arxiv_oai_listrecords_arXiv_2026.xml")
    client, _ = make_client(lambda _: text(body))
    report = fetch_source(store, ArxivDaily(("physics.plasm-ph",), dt.date(2026, 1, 5)), client)
    assert report.ok and report.got == 0 and report.empty_day == "2026-01-05"


def test_arxiv_author_pages_through_the_api(store: Store) -> None:
    body = fixture_text("arxiv_api_query_testing_m10.xml")
    client, log = make_client(
        lambda r: text(body if r.url.params["start"] == "0" else fixture_text("arxiv_api_query_empty.xml"))
    )
    report = fetch_source(store, ArxivAuthor("Cevher, V"), client, profile="me")
    assert report.ok and report.got == 10
    assert log.params(0)["search_query"] == 'au:"Cevher, V"'
    assert len(store.profile_papers("me")) == 10


def test_huggingface_daily_keeps_upvotes(store: Store) -> None:
    entries = [hf_entry("2411.17700", "A paper about widgets on a day", "We study widgets at length here.", 42)]
    client, log = make_client(lambda _: httpx.Response(200, json=entries))
    report = fetch_source(store, HuggingFaceDaily(dt.date(2024, 11, 27)), client)
    assert report.ok and report.got == 1
    assert log.params(0)["date"] == "2024-11-27"
    assert store.candidate_papers()[0].upvotes == 42


def test_huggingface_recorded_response(store: Store, shared_dir: Path) -> None:
    body = shared_text(shared_dir, "hf_daily_papers.json")
    client, _ = make_client(lambda _: text(body))
    report = fetch_source(store, HuggingFaceDaily(), client)
    assert report.ok and report.got == 5
    assert all(p.upvotes is not None for p in store.candidate_papers())


def test_huggingface_empty_day(store: Store) -> None:
    client, _ = make_client(lambda _: httpx.Response(200, json=[]))
    report = fetch_source(store, HuggingFaceDaily(dt.date(2026, 5, 31)), client)
    assert report.ok and report.empty_day == "2026-05-31"
    assert "no announcements on 2026-05-31 (weekend)" in report.describe()


def test_openalex_cursor_paging_to_the_end(store: Store) -> None:
    pages = {"*": openalex_page(1, "c2"), "c2": openalex_page(2, "c3"), "c3": openalex_page(3, None)}
    client, log = make_client(lambda r: text(pages[r.url.params["cursor"]]))
    report = fetch_source(store, author_works("https://openalex.org/A5023888391"), client, profile="me")
    assert report.ok and report.pages == 3 and report.got == 6
    assert [log.params(i)["cursor"] for i in range(3)] == ["*", "c2", "c3"]
    assert log.params(0)["filter"] == "author.id:A5023888391"
    assert log.params(0)["mailto"] == "me@example.org"


def test_openalex_query_since(store: Store) -> None:
    client, log = make_client(lambda _: text(openalex_page(1, None)))
    fetch_source(store, works_since("sharpness", None, dt.date(2026, 5, 1)), client)
    assert log.params(0)["search"] == "sharpness"
    assert log.params(0)["filter"] == "from_publication_date:2026-05-01"
    fetch_source(store, works_since(None, "T10320", None), client)
    assert log.params(1)["filter"] == "topics.id:T10320"


def test_semantic_scholar_offset_paging(store: Store) -> None:
    pages = {"0": s2_page(0, 3), "3": s2_page(3, 6), "6": s2_page(6, None)}
    client, log = make_client(lambda r: text(pages[r.url.params["offset"]]))
    report = fetch_source(store, SemanticScholarAuthor("1723755"), client, profile="me")
    assert report.ok and report.pages == 3 and report.got == 9
    assert log.urls[0].startswith("https://api.semanticscholar.org/graph/v1/author/1723755/papers?")


def test_openreview_offset_paging(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("papersift.fetch.openreview.PAGE_SIZE", 2)
    pages = {"0": openreview_page(0, 2, 5), "2": openreview_page(2, 2, 5), "4": openreview_page(4, 1, 5)}
    client, log = make_client(lambda r: text(pages[r.url.params["offset"]]))
    report = fetch_source(store, OpenReviewVenue("ICLR.cc/2026/Conference"), client)
    assert report.ok and report.pages == 3 and report.got == 5
    assert log.params(0)["content.venueid"] == "ICLR.cc/2026/Conference"
    assert log.urls[0].startswith("https://api2.openreview.net/notes?")


def test_zotero_start_paging_with_link_headers_and_key_in_a_header(store: Store) -> None:
    base = "https://api.zotero.org/users/475425/items/top?format=json&limit=2"

    def answer(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params["start"])
        links = f'<{base}&start={start + 2}>; rel="next"' if start < 4 else ""
        return text(zotero_items(start, 2), headers={"Link": links, "Total-Results": "6"} if links else {})

    import papersift.fetch.zotero as zotero

    zotero.PAGE_SIZE, old = 2, zotero.PAGE_SIZE
    try:
        client, log = make_client(answer)
        report = fetch_source(store, ZoteroLibrary("475425", "SECRET"), client, profile="me")
    finally:
        zotero.PAGE_SIZE = old
    assert report.ok and report.pages == 3 and report.got == 6
    assert [log.params(i)["start"] for i in range(3)] == ["0", "2", "4"]
    assert log.requests[0][1].headers["Zotero-API-Key"] == "SECRET"
    assert all("SECRET" not in url for url in log.urls)
    assert all("SECRET" not in s.origin for p in store.profile_papers("me") for s in p.sources)


def test_orcid_and_dblp_single_documents(store: Store) -> None:
    client, log = make_client(
        lambda r: text(fixture_text("orcid_works.json" if "orcid" in r.url.host else "dblp_person_built.xml"))
    )
    orcid = fetch_source(store, OrcidWorks("0000-0003-1444-9135", abstracts=False), client, profile="me")
    dblp = fetch_source(store, DblpPerson("00/0001", abstracts=False), client, profile="me")
    assert orcid.ok and orcid.got > 50 and dblp.ok and dblp.got == 4
    assert log.requests[0][1].headers["Accept"] == "application/json"
    assert log.urls == ["https://pub.orcid.org/v3.0/0000-0003-1444-9135/works", "https://dblp.org/pid/00/0001.xml"]


def _orcid_dois() -> list[str]:
    from papersift.sources import orcid

    papers = orcid.parse(fixture_text("orcid_works.json"), "orcid_works.json").papers
    return sorted({p.ids["doi"].lower() for p in papers if p.ids.get("doi") and not p.abstract})


def test_orcid_abstracts_are_looked_up_in_openalex_by_doi(store: Store) -> None:
    dois = _orcid_dois()
    assert len(dois) > 50  # so the lookup takes two batches

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.openalex.org":
            return text(openalex_by_doi(request))
        return text(fixture_text("orcid_works.json"))

    client, log = make_client(handler)
    report = fetch_source(store, OrcidWorks("0000-0003-1444-9135"), client, profile="me")
    assert report.ok and report.pages == 1
    lookups = [log.params(i)["filter"] for i in range(1, len(log.urls))]
    assert len(lookups) == 2 and [d for f in lookups for d in f.removeprefix("doi:").split("|")] == dois
    papers = store.profile_papers("me")
    # (An ORCID work group can carry several DOIs, versions of one work; the store holds it once.)
    looked_up = [p for p in papers if p.ids.get("doi", "").lower() in dois]
    assert len(looked_up) > 50
    for paper in looked_up:
        assert paper.abstract.startswith("Abstract of ") and paper.abstract.removeprefix("Abstract of ") in dois
        assert not paper.title.startswith("A title OpenAlex spells differently")  # ORCID's title kept
        assert "https://api.openalex.org/works" in {s.origin.split("?")[0] for s in paper.sources}
    assert all(p.abstract for p in papers if p.ids.get("doi"))
    assert len(papers) == report.got  # the lookup added abstracts, not papers
    assert any(f"{len(dois)} abstracts added from OpenAlex by DOI" in w for w in report.warnings)


def test_a_failing_abstract_lookup_keeps_the_papers_and_says_so(store: Store) -> None:
    dois = _orcid_dois()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.openalex.org":
            return text("<html>Service unavailable</html>", status=404)
        return text(fixture_text("orcid_works.json"))

    client, _ = make_client(handler)
    report = fetch_source(store, OrcidWorks("0000-0003-1444-9135"), client, profile="me")
    assert report.ok and report.got > 50
    assert any(f"{len(dois)} papers keep no abstract: looking them up in OpenAlex failed" in w for w in report.warnings)
    assert any("have no abstract; ranked on their titles alone" in w for w in report.warnings)


def test_file_source_from_a_url_detects_the_format(store: Store) -> None:
    client, _ = make_client(lambda _: text(fixture_text("crossref_works_query.json")))
    report = fetch_source(store, FileSource("https://example.org/works.json"), client)
    assert report.ok and report.got == 2
    assert store.candidate_papers()[0].sources[0].origin == "https://example.org/works.json"


def test_file_source_from_a_path(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "items.json"
    path.write_text(fixture_text("zotero_export_csl.json"), encoding="utf-8")
    client, log = make_client(lambda _: text(""))
    report = fetch_source(store, FileSource(str(path)), client)
    assert report.ok and report.got == 1 and log.requests == []


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("<!DOCTYPE html><html><body>Service unavailable</body></html>", "looks like an HTML page"),
        ('{"meta": {"count": 2}, "results": [{"id": "https://openalex.org/W1", "title": "Trunc', "truncated"),
        ("", "is empty"),
    ],
)
def test_bad_responses_fail_clearly_and_write_nothing(store: Store, body: str, needle: str) -> None:
    client, _ = make_client(lambda _: text(body))
    report = fetch_source(store, author_works("A5023888391"), client, profile="me")
    assert not report.ok and report.error is not None
    assert report.error.startswith("OpenAlex: GET https://api.openalex.org/works?filter=author.id:A5023888391")
    assert needle in report.error
    assert store.paper_count() == 0 and store.checkpoint(report.key) is None


def test_xml_entity_tricks_are_refused(store: Store) -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        '<rss version="2.0"><channel><title>cs.LG updates on arXiv.org</title><item><title>&lol2;</title></item>'
        "</channel></rss>"
    )
    client, _ = make_client(lambda _: text(bomb))
    report = fetch_source(store, ArxivDaily(("cs.LG",)), client)
    assert not report.ok and "refused" in (report.error or "")
    assert store.paper_count() == 0


def test_an_http_error_page_names_the_source(store: Store) -> None:
    client, _ = make_client(lambda _: text("<html>Not found</html>", 404))
    report = fetch_source(store, DblpPerson("99/9999"), client, profile="me")
    assert report.error == "DBLP: GET https://dblp.org/pid/99/9999.xml: HTTP 404"
    assert json.dumps(report.describe())  # printable


def test_dblp_abstracts_found_for_some_dois_only(store: Store) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.openalex.org":
            return text(openalex_by_doi(request, known=1))  # OpenAlex knows only the first DOI asked for
        return text(fixture_text("dblp_person_built.xml"))

    client, log = make_client(handler)
    report = fetch_source(store, DblpPerson("00/0001"), client, profile="me")
    assert report.ok and report.got == 4 and len(log.urls) == 2
    asked = log.params(1)["filter"].removeprefix("doi:").split("|")
    with_abstract = [p for p in store.profile_papers("me") if p.abstract]
    assert len(asked) >= 2 and [p.ids["doi"].lower() for p in with_abstract] == [asked[0]]
    assert any("1 abstracts added from OpenAlex by DOI; 3 of 4 records still have none" in w for w in report.warnings)
