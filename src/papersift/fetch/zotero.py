"""Zotero Web API v3: a user's library (top-level items), paged with ``start``/``limit`` and ``Link`` headers.

The API key travels in the ``Zotero-API-Key`` header, never in a URL, so it is in no provenance or
message; papersift does not store it (see :func:`papersift.fetch.runner.refresh_profile`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from ..errors import ConfigError
from ..sources import zotero_api
from .base import Page, State, get_parsed
from .client import HttpClient

SERVICE = "Zotero"
URL = "https://api.zotero.org/users/{user}/items/top"
PAGE_SIZE = 100


def zotero_user(value: str) -> str:
    value = value.strip()
    if not value.isdigit():
        raise ConfigError(f"'{value}' is not a Zotero user id (the number shown at zotero.org/settings/keys)")
    return value


@dataclass(frozen=True)
class ZoteroLibrary:
    user: str
    api_key: str | None = field(default=None, repr=False, compare=False)
    service: str = SERVICE

    @property
    def key(self) -> str:
        return f"zotero:{self.user}"

    @property
    def label(self) -> str:
        return f"Zotero library {self.user}"

    def pages(self, client: HttpClient, state: State | None) -> Iterator[Page]:
        start = int((state or {}).get("start", 0))
        headers = {"Zotero-API-Version": "3"}
        if self.api_key:
            headers["Zotero-API-Key"] = self.api_key
        while True:
            params = {"format": "json", "limit": PAGE_SIZE, "start": start}
            result, response, url = get_parsed(
                client, SERVICE, URL.format(user=self.user), zotero_api.parse, params, headers
            )
            next_url = response.links.get("next", {}).get("url")
            if next_url:
                following = int(parse_qs(urlsplit(next_url).query).get("start", [start + PAGE_SIZE])[0])
            else:
                total = response.headers.get("Total-Results", "")
                following = start + PAGE_SIZE if total.isdigit() and start + PAGE_SIZE < int(total) else start
            done = following <= start
            start = max(start, following)
            yield Page(result, url, {"start": start}, done)
            if done:
                return
