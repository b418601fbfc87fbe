"""OpenReview API v2: the notes of a venue (``content.venueid``), paged by offset to the end."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..sources import openreview
from .base import Page, State, get_parsed
from .client import HttpClient

SERVICE = "OpenReview"
URL = "https://api2.openreview.net/notes"
PAGE_SIZE = 1000


@dataclass(frozen=True)
class OpenReviewVenue:
    """Every note whose ``venueid`` is ``venue`` (``ICLR.cc/2026/Conference``: its accepted papers)."""

    venue: str
    service: str = SERVICE

    @property
    def key(self) -> str:
        return f"openreview:{self.venue}"

    @property
    def label(self) -> str:
        return f"OpenReview {self.venue}"

    def pages(self, client: HttpClient, state: State | None) -> Iterator[Page]:
        offset = int((state or {}).get("offset", 0))
        while True:
            params = {"content.venueid": self.venue, "limit": PAGE_SIZE, "offset": offset}
            result, response, url = get_parsed(client, SERVICE, URL, openreview.parse, params)
            notes = _note_count(response.json()) if result.papers or result.warnings else 0
            offset += notes
            count = result.meta.get("count")
            done = notes < PAGE_SIZE if count is None else (notes == 0 or offset >= count)
            yield Page(result, url, {"offset": offset}, done)
            if done:
                return


def _note_count(data: object) -> int:
    notes = data.get("notes") if isinstance(data, dict) else None
    return len(notes) if isinstance(notes, list) else 0
