"""arXiv: the day's announcements for some categories, and an author's papers.

The announcements come from the RSS feed (``rss.arxiv.org/rss/cs.LG+stat.ML``), which only
ever shows the latest announcement day. For an earlier day (``--date``) papersift lists the
category's OAI-PMH set for records stamped that day (``metadataPrefix=arXiv``, resumption
tokens followed to the end), and keeps those in the asked categories that are first versions:
the new submissions and their cross-lists, as the feed would have shown them (a record's OAI
datestamp is the day arXiv last changed it, which for a first version is its announcement).
Replacements are left out of both.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .. import clock
from ..errors import ConfigError
from ..sources import arxiv_api, arxiv_oai, arxiv_rss
from ..sources.base import ParseResult
from .base import Page, State, get_parsed
from .client import HttpClient

SERVICE = "arXiv"
RSS_URL = "https://rss.arxiv.org/rss/"
OAI_URL = "https://oaipmh.arxiv.org/oai"
API_URL = "https://export.arxiv.org/api/query"
API_PAGE = 200
ANNOUNCED = ("new", "cross")

_CATEGORY = re.compile(r"^[a-z\-]+(\.[A-Za-z\-]+)?$")
# Archives that are OAI-PMH sets of their own; every other archive is in the physics set.
_TOP_SETS = {"cs", "math", "stat", "q-bio", "q-fin", "eess", "econ", "physics"}


def check_categories(categories: Sequence[str]) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(c.strip() for c in categories if c.strip()))
    if not cleaned:
        raise ConfigError("name at least one arXiv category (e.g. --category cs.LG)")
    for category in cleaned:
        if not _CATEGORY.match(category):
            raise ConfigError(f"'{category}' is not an arXiv category (e.g. cs.LG, stat.ML, hep-th)")
    return cleaned


def oai_set(category: str) -> str:
    """``cs.LG`` -> ``cs``; ``hep-th`` -> ``physics:hep-th``; ``astro-ph.GA`` -> ``physics:astro-ph``."""
    archive = category.split(".")[0]
    return archive if archive in _TOP_SETS else f"physics:{archive}"


def _announced(result: ParseResult) -> ParseResult:
    kept = [p for p in result.papers if p.extra.get("announce_type") in ANNOUNCED]
    return ParseResult(kept, result.warnings, result.meta)


def _new_in(result: ParseResult, categories: Sequence[str]) -> ParseResult:
    """First versions listed in one of ``categories`` (primary or cross-list)."""
    wanted = set(categories)
    kept = [p for p in result.papers if not p.extra.get("updated") and wanted & set(p.extra.get("categories", []))]
    return ParseResult(kept, result.warnings, result.meta)


@dataclass(frozen=True)
class ArxivDaily:
    """The announcements of one day (``date`` None: the latest) in ``categories``."""

    categories: tuple[str, ...]
    date: dt.date | None = None
    service: str = SERVICE

    @property
    def key(self) -> str:
        return f"arxiv:{'+'.join(self.categories)}:{self.date.isoformat() if self.date else 'latest'}"

    @property
    def label(self) -> str:
        return f"arXiv {' '.join(self.categories)} ({self.date.isoformat() if self.date else 'latest day'})"

    def pages(self, client: HttpClient, state: State | None) -> Iterator[Page]:
        if self.date is None:
            yield self._latest(client)
        else:
            yield from self._listed(client, state or {})

    def _latest(self, client: HttpClient) -> Page:
        result, _, url = get_parsed(client, SERVICE, RSS_URL + "+".join(self.categories), arxiv_rss.parse)
        day = result.meta.get("pub_date") or clock.today().isoformat()
        return Page(_announced(result), url, {}, done=True, empty_day=day if result.meta.get("empty_day") else None)

    def _listed(self, client: HttpClient, state: State) -> Iterator[Page]:
        assert self.date is not None
        sets = list(dict.fromkeys(oai_set(c) for c in self.categories))
        index, token = int(state.get("set_index", 0)), state.get("token")
        while index < len(sets):
            if token:
                params = {"verb": "ListRecords", "resumptionToken": token}
            else:
                day = self.date.isoformat()
                params = {
                    "verb": "ListRecords",
                    "metadataPrefix": "arXiv",
                    "set": sets[index],
                    "from": day,
                    "until": day,
                }
            result, _, url = get_parsed(client, SERVICE, OAI_URL, arxiv_oai.parse, params)
            token = result.meta.get("resumption_token")
            if not token:
                index += 1
            done = index >= len(sets)
            kept = _new_in(result, self.categories)
            yield Page(kept, url, {"set_index": index, "token": token}, done, self.date.isoformat() if done else None)


@dataclass(frozen=True)
class ArxivAuthor:
    """An author's papers from the arXiv API (``au:`` search), newest first, paged to the end."""

    name: str
    service: str = SERVICE

    @property
    def key(self) -> str:
        return f"arxiv-author:{self.name}"

    @property
    def label(self) -> str:
        return f"arXiv author {self.name}"

    def pages(self, client: HttpClient, state: State | None) -> Iterator[Page]:
        start = int((state or {}).get("start", 0))
        query = f'au:"{self.name}"'
        while True:
            params = {
                "search_query": query,
                "start": start,
                "max_results": API_PAGE,
                "sortBy": "submittedDate",
                "sortOrder": "descending",
            }
            result, _, url = get_parsed(client, SERVICE, API_URL, arxiv_api.parse, params)
            start += API_PAGE
            total = result.meta.get("total_results", 0)
            done = not result.papers or start >= total
            yield Page(result, url, {"start": start}, done)
            if done:
                return
