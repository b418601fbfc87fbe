"""Offline HTTP for the fetch tests: a fake clock, a mock transport that logs requests, the CLI's client
factory over them, built pages.

Pages are the recorded fixtures of tests/fixtures/services where they exist; where a test needs
several distinct pages (paging, resumption) they are built from a fixture by renaming its records,
or (arXiv OAI-PMH in the ``arXiv`` metadata format, of which no redistributable recording exists)
written here after arXiv's documented format.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from papersift.config import Config
from papersift.fetch import HttpClient
from tests.sources.services_helpers import fixture_text

Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class FakeClock:
    """Monotonic time that only moves when the client sleeps."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def wall(self) -> float:
        return 1_780_000_000.0 + self.now


@dataclass
class Recorder:
    """A MockTransport handler that logs (time, request) and answers with ``handler``."""

    handler: Handler
    clock: FakeClock
    requests: list[tuple[float, httpx.Request]] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((self.clock.now, request))
        return self.handler(request)

    @property
    def urls(self) -> list[str]:
        return [str(r.url) for _, r in self.requests]

    def params(self, index: int) -> dict[str, str]:
        return dict(self.requests[index][1].url.params)


def make_client(handler: Handler, clock: FakeClock | None = None, **options: Any) -> tuple[HttpClient, Recorder]:
    clock = clock or FakeClock()
    recorder = Recorder(handler, clock)
    client = HttpClient(
        "me@example.org",
        transport=httpx.MockTransport(recorder),
        clock=clock.clock,
        sleep=clock.sleep,
        wall_clock=clock.wall,
        jitter=lambda: 1.0,
        **options,
    )
    return client, recorder


def cli_client_factory(recorder: Recorder) -> Callable[[Config], HttpClient]:
    """A client factory for the CLI (``Resources(client_factory=...)``): each client has the config's
    contact, answers through ``recorder`` on its fake clock and tries a request twice."""
    clock = recorder.clock

    def factory(config: Config) -> HttpClient:
        return HttpClient(
            config.contact,
            transport=httpx.MockTransport(recorder),
            clock=clock.clock,
            sleep=clock.sleep,
            wall_clock=clock.wall,
            max_attempts=2,
        )

    return factory


def text(body: str, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=body.encode("utf-8"), headers=headers)


def openalex_page(number: int, next_cursor: str | None, per_page: int = 2) -> str:
    """The recorded OpenAlex list envelope with ``per_page`` renamed copies of its work."""
    data = json.loads(fixture_text("openalex_works_list_built.json"))
    work = data["results"][0]
    results = []
    for index in range(per_page):
        copy_ = copy.deepcopy(work)
        tag = f"{number}-{index}"
        copy_["id"] = f"https://openalex.org/W9{number:03d}{index:03d}"
        copy_["doi"] = f"https://doi.org/10.9999/page.{tag}"
        copy_["title"] = copy_["display_name"] = f"{work['title']} (page {tag})"
        copy_["ids"] = {"openalex": copy_["id"], "doi": copy_["doi"]}
        copy_["abstract_inverted_index"] = {"Widgets,": [0], f"number {tag},": [1], "studied.": [2]}
        results.append(copy_)
    data["results"] = results
    data["meta"]["next_cursor"] = next_cursor
    return json.dumps(data)


def s2_page(offset: int, following: int | None, size: int = 3) -> str:
    data = json.loads(fixture_text("s2_author_papers_page1.json"))
    page = []
    for index in range(size):
        paper = copy.deepcopy(data["data"][index])
        paper["paperId"] = f"{offset + index:040d}"
        paper["title"] = f"{paper['title']} (number {offset + index})"
        page.append(paper)
    body: dict[str, Any] = {"offset": offset, "data": page}
    if following is not None:
        body["next"] = following
    return json.dumps(body)


def openreview_page(start: int, size: int, count: int) -> str:
    data = json.loads(fixture_text("openreview_v2_notes_built.json"))
    note = data["notes"][0]
    notes = []
    for index in range(start, start + size):
        copy_ = copy.deepcopy(note)
        copy_["id"] = f"note{index:05d}"
        copy_["forum"] = copy_["id"]
        copy_["content"]["title"] = {"value": f"{note['content']['title']['value']} (number {index})"}
        notes.append(copy_)
    return json.dumps({"notes": notes, "count": count})


def zotero_items(start: int, size: int) -> str:
    items = json.loads(fixture_text("zotero_webapi_items.json"))
    chosen = [i for i in items if i["data"].get("title") and i["data"].get("itemType") not in ("note", "attachment")]
    page = []
    for index in range(start, start + size):
        item = copy.deepcopy(chosen[index % len(chosen)])
        item["key"] = f"K{index:07d}"
        item["data"]["key"] = item["key"]
        item["data"]["title"] = f"{item['data']['title']} (copy {index})"
        item["data"].pop("DOI", None)
        page.append(item)
    return json.dumps(page)


OAI_RECORD = """<record><header><identifier>oai:arXiv.org:{id}</identifier><datestamp>{day}</datestamp>
<setSpec>{set}</setSpec></header><metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>{id}</id>
<created>{created}</created>{updated}<authors><author><keyname>Doe</keyname><forenames>Jane</forenames></author></authors>
<title>{title}</title><categories>{categories}</categories><abstract>{abstract}</abstract></arXiv></metadata></record>"""


def oai_page(records: list[dict[str, str]], token: str | None, day: str = "2026-05-27") -> str:
    """An OAI-PMH ListRecords page in the ``arXiv`` metadata format (arXiv's documented schema)."""
    body = "".join(
        OAI_RECORD.format(
            id=r["id"],
            day=day,
            set=r.get("set", "cs"),
            created=r.get("created", day),
            updated=f"<updated>{r['updated']}</updated>" if r.get("updated") else "",
            title=r.get("title", f"A study of widget number {r['id']}"),
            categories=r.get("categories", "cs.LG"),
            abstract=r.get("abstract", f"We study widgets, in particular widget {r['id']}, at length."),
        )
        for r in records
    )
    resumption = f'<resumptionToken cursor="0" completeListSize="9">{token}</resumptionToken>' if token else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        f'<responseDate>{day}T12:00:00Z</responseDate><request verb="ListRecords">https://oaipmh.arxiv.org/oai</request>'
        f"<ListRecords>{body}{resumption}</ListRecords></OAI-PMH>"
    )


OAI_NO_RECORDS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
    '<responseDate>2026-05-30T12:00:00Z</responseDate><request verb="ListRecords">https://oaipmh.arxiv.org/oai</request>'
    '<error code="noRecordsMatch">No records match</error></OAI-PMH>'
)


def hf_entry(arxiv_id: str, title: str, abstract: str, upvotes: int) -> dict[str, Any]:
    """One Daily Papers entry with the fields of the recorded response (paper.id, title, summary, upvotes)."""
    return {
        "paper": {
            "id": arxiv_id,
            "title": title,
            "summary": abstract,
            "upvotes": upvotes,
            "authors": [{"name": "Jane Doe"}],
            "publishedAt": "2024-11-26T18:59:59.000Z",
        },
        "title": title,
        "numComments": 0,
    }


def openalex_by_doi(request: httpx.Request, known: int | None = None) -> str:
    """OpenAlex's answer to ``filter=doi:a|b|...``: the recorded envelope with one work per asked DOI
    (the first ``known`` DOIs only, when given), each with an abstract naming its DOI."""
    data = json.loads(fixture_text("openalex_works_list_built.json"))
    work = data["results"][0]
    dois = request.url.params["filter"].removeprefix("doi:").split("|")
    results = []
    for index, doi in enumerate(dois[:known] if known is not None else dois):
        copy_ = copy.deepcopy(work)
        copy_["id"] = f"https://openalex.org/W8{index:05d}"
        copy_["doi"] = f"https://doi.org/{doi}"
        copy_["title"] = copy_["display_name"] = f"A title OpenAlex spells differently {index}"
        copy_["ids"] = {"openalex": copy_["id"], "doi": copy_["doi"]}
        copy_["abstract_inverted_index"] = {"Abstract": [0], "of": [1], doi: [2]}
        results.append(copy_)
    data["results"] = results
    data["meta"]["count"] = len(results)
    data["meta"]["next_cursor"] = None
    return json.dumps(data)
