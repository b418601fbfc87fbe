"""OpenAlex works (``api.openalex.org/works``): a filter or a search, cursor-paged to the end.

Requests carry ``mailto`` (the contact address from the config) to join OpenAlex's polite pool.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import ConfigError
from ..sources import openalex
from .base import Page, State, get_parsed
from .client import HttpClient

SERVICE = "OpenAlex"
URL = "https://api.openalex.org/works"
PAGE_SIZE = 200

_ENTITY = re.compile(r"(?:https?://openalex\.org/)?([AWCTISP]\d+)$", re.IGNORECASE)


def openalex_id(value: str, kinds: str, what: str) -> str:
    """``https://openalex.org/A5023888391`` or ``A5023888391`` -> ``A5023888391``; anything else is refused."""
    match = _ENTITY.match(value.strip())
    if not match or match.group(1)[0].upper() not in kinds:
        raise ConfigError(f"'{value}' is not an OpenAlex {what} id (like {kinds[0]}1234567890)")
    return match.group(1).upper()


@dataclass(frozen=True)
class OpenAlexWorks:
    """Works matching ``filter`` (OpenAlex filter syntax) and/or the full-text ``search``."""

    filter: str | None = None
    search: str | None = None
    description: str = ""
    service: str = SERVICE

    @property
    def key(self) -> str:
        return f"openalex:filter={self.filter or ''}&search={self.search or ''}"

    @property
    def label(self) -> str:
        return f"OpenAlex {self.description or self.filter or self.search}"

    def pages(self, client: HttpClient, state: State | None) -> Iterator[Page]:
        cursor = (state or {}).get("cursor") or "*"
        while True:
            params = {"filter": self.filter, "search": self.search, "per-page": PAGE_SIZE, "cursor": cursor}
            result, _, url = get_parsed(client, SERVICE, URL, openalex.parse, params)
            cursor = result.meta.get("next_cursor")
            done = not cursor or not result.papers
            yield Page(result, url, {"cursor": cursor}, done)
            if done:
                return


def author_works(author: str) -> OpenAlexWorks:
    author_id = openalex_id(author, "A", "author")
    return OpenAlexWorks(filter=f"author.id:{author_id}", description=f"author {author_id}")


def works_since(query: str | None, concept: str | None, since: dt.date | None) -> OpenAlexWorks:
    """Works matching a search or in a concept (``C...``) or topic (``T...``), published on or after ``since``."""
    if bool(query) == bool(concept):
        raise ConfigError("give OpenAlex either --query or --concept (one of them)")
    filters = []
    described = []
    if concept:
        entity = openalex_id(concept, "CT", "concept or topic")
        filters.append(f"{'concepts' if entity[0] == 'C' else 'topics'}.id:{entity}")
        described.append(f"{'concept' if entity[0] == 'C' else 'topic'} {entity}")
    else:
        described.append(f"search '{query}'")
    if since:
        filters.append(f"from_publication_date:{since.isoformat()}")
        described.append(f"since {since.isoformat()}")
    return OpenAlexWorks(filter=",".join(filters) or None, search=query or None, description=" ".join(described))
