"""Semantic Scholar Graph API: an author's papers, offset-paged to the end."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import ConfigError
from ..sources import semantic_scholar
from .base import Page, State, get_parsed
from .client import HttpClient

SERVICE = "Semantic Scholar"
URL = "https://api.semanticscholar.org/graph/v1/author/{author}/papers"
FIELDS = "title,abstract,authors,externalIds,year,publicationDate,venue,journal,url"
PAGE_SIZE = 100


def author_id(value: str) -> str:
    match = re.search(r"(\d+)/?$", value.strip())
    if not match:
        raise ConfigError(f"'{value}' is not a Semantic Scholar author id (the number in its author page's URL)")
    return match.group(1)


@dataclass(frozen=True)
class SemanticScholarAuthor:
    author: str
    service: str = SERVICE

    @property
    def key(self) -> str:
        return f"s2-author:{self.author}"

    @property
    def label(self) -> str:
        return f"Semantic Scholar author {self.author}"

    def pages(self, client: HttpClient, state: State | None) -> Iterator[Page]:
        offset = int((state or {}).get("offset", 0))
        while True:
            params = {"fields": FIELDS, "limit": PAGE_SIZE, "offset": offset}
            result, _, url = get_parsed(client, SERVICE, URL.format(author=self.author), semantic_scholar.parse, params)
            following = result.meta.get("next")
            done = not isinstance(following, int) or following <= offset
            offset = following if isinstance(following, int) else offset
            yield Page(result, url, {"offset": offset}, done)
            if done:
                return
