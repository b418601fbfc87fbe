"""An author's recent works on OpenAlex and DBLP, each author asked for once per run.

OpenAlex is asked in batches: one ``/works`` query filters on up to :data:`OPENALEX_BATCH` author ids
at once (``author.id:A1|A2|...``, OpenAlex's OR syntax) and on the window's first day, returning only
the fields a conflict needs (``select``), cursor-paged; a work comes back once and counts for every
batch author on it. DBLP has no such query: one person document (``/pid/XX/YYYY.xml``) per person,
filtered to the window here. Every request goes through the project's polite :class:`HttpClient`
(OpenAlex 10 requests/s, DBLP one per second, retries on 429/5xx).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import SourceError
from ..fetch import dblp as dblp_fetch
from ..fetch import openalex as openalex_fetch
from ..fetch.base import get_parsed
from ..fetch.client import HttpClient, full_url
from ..sources import ParseResult
from ..sources import dblp as dblp_source
from .conflicts import name_key

OPENALEX = "openalex"
DBLP = "dblp"
SERVICE_NAMES = {OPENALEX: openalex_fetch.SERVICE, DBLP: dblp_fetch.SERVICE}
OPENALEX_BATCH = 50  # OpenAlex takes up to 100 values in one OR filter; 50 keeps URLs short
OPENALEX_FIELDS = "id,title,publication_year,authorships"


@dataclass(frozen=True)
class Coauthor:
    name: str
    ident: str | None  # "openalex:A123" or "dblp:12/3456" when the service names the person

    @property
    def keys(self) -> set[str]:
        return ({self.ident} if self.ident else set()) | ({name_key(self.name)} if self.name else set())


@dataclass(frozen=True)
class Work:
    title: str
    year: int | None
    authors: tuple[Coauthor, ...]


@dataclass
class Lookups:
    """Works by person id (``openalex:A...``, ``dblp:...``), and the ids that could not be looked up."""

    works: dict[str, list[Work]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    requests: int = 0


def openalex_works(text: str, origin: str) -> tuple[list[Work], str | None]:
    """A ``/works`` list page -> its works (authors with their OpenAlex ids) and the next cursor."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"OpenAlex: GET {origin}: the response is not JSON ({exc.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise SourceError(f"OpenAlex: GET {origin}: the response is not a list of works")
    works = []
    for item in data["results"]:
        if not isinstance(item, dict):
            continue
        authors = []
        for authorship in item.get("authorships") or []:
            person = authorship.get("author") if isinstance(authorship, dict) else None
            if isinstance(person, dict):
                short = str(person.get("id") or "").rsplit("/", 1)[-1].upper()
                ident = f"{OPENALEX}:{short}" if short else None
                authors.append(Coauthor(str(person.get("display_name") or ""), ident))
        year = item.get("publication_year")
        title = str(item.get("title") or item.get("display_name") or "")
        works.append(Work(title, year if isinstance(year, int) else None, tuple(authors)))
    meta = data.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    cursor = meta.get("next_cursor") if data["results"] else None
    return works, cursor if isinstance(cursor, str) and cursor else None


def dblp_works(result: ParseResult) -> list[Work]:
    """A parsed DBLP person document -> works, authors with their DBLP pids where every author has one."""
    works = []
    for paper in result.papers:
        pids = paper.extra.get("author_pids") or []
        if len(pids) == len(paper.authors):
            authors = tuple(Coauthor(n, f"{DBLP}:{p}") for n, p in zip(paper.authors, pids, strict=True))
        else:  # a record with an author DBLP has no pid for: names only, never a pid on the wrong person
            authors = tuple(Coauthor(n, None) for n in paper.authors)
        works.append(Work(paper.title, paper.year, authors))
    return works


class WorkLookup:
    """Looks people up (``openalex:A...``/``dblp:PID``), each once: a second ask is answered from memory."""

    def __init__(self, client: HttpClient, first_year: int) -> None:
        self.client = client
        self.first_year = first_year
        self.result = Lookups()

    def known(self, ident: str) -> bool:
        return ident in self.result.works or ident in self.result.failed

    def look_up(self, idents: Iterable[str], on_done: Callable[[int], None] | None = None) -> Lookups:
        pending = list(dict.fromkeys(i for i in idents if not self.known(i)))
        openalex_ids = [i for i in pending if i.startswith(f"{OPENALEX}:")]
        for start in range(0, len(openalex_ids), OPENALEX_BATCH):
            batch = openalex_ids[start : start + OPENALEX_BATCH]
            self._openalex(batch)
            if on_done:
                on_done(len(batch))
        for ident in (i for i in pending if i.startswith(f"{DBLP}:")):
            self._dblp(ident)
            if on_done:
                on_done(1)
        return self.result

    def _openalex(self, batch: list[str]) -> None:
        short = [i.split(":", 1)[1] for i in batch]
        found: dict[str, list[Work]] = {i: [] for i in batch}
        params: dict[str, Any] = {
            "filter": f"author.id:{'|'.join(short)},from_publication_date:{self.first_year}-01-01",
            "select": OPENALEX_FIELDS,
            "per-page": openalex_fetch.PAGE_SIZE,
            "cursor": "*",
        }
        try:
            while True:
                self.result.requests += 1
                response = self.client.get(openalex_fetch.URL, params, service=openalex_fetch.SERVICE)
                works, cursor = openalex_works(response.text, full_url(openalex_fetch.URL, params))
                for work in works:
                    if work.year is not None and work.year < self.first_year:
                        continue  # the filter asked for none, but a mirror may not apply it
                    for author in work.authors:
                        if author.ident in found:
                            found[author.ident].append(work)
                if not cursor:
                    break
                params["cursor"] = cursor
        except SourceError as exc:
            for ident in batch:
                self.result.failed[ident] = str(exc)
            return
        self.result.works.update(found)

    def _dblp(self, ident: str) -> None:
        pid = ident.split(":", 1)[1]
        self.result.requests += 1
        try:
            parsed, _, _ = get_parsed(
                self.client, dblp_fetch.SERVICE, dblp_fetch.URL.format(pid=pid), dblp_source.parse
            )
        except SourceError as exc:
            self.result.failed[ident] = str(exc)
            return
        recent = [w for w in dblp_works(parsed) if w.year is None or w.year >= self.first_year]
        self.result.works[ident] = recent
