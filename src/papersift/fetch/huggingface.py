"""Hugging Face Daily Papers (``huggingface.co/api/daily_papers``), upvotes kept as a signal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from .. import clock
from ..sources import hf_api
from .base import Page, State, get_parsed
from .client import HttpClient

SERVICE = "Hugging Face"
URL = "https://huggingface.co/api/daily_papers"
PAGE_SIZE = 100


@dataclass(frozen=True)
class HuggingFaceDaily:
    """The Daily Papers of one day (``date`` None: the latest list)."""

    date: dt.date | None = None
    service: str = SERVICE

    @property
    def key(self) -> str:
        return f"huggingface:{self.date.isoformat() if self.date else 'latest'}"

    @property
    def label(self) -> str:
        return f"Hugging Face Daily Papers ({self.date.isoformat() if self.date else 'latest'})"

    def pages(self, client: HttpClient, state: State | None) -> Iterator[Page]:
        number = int((state or {}).get("page", 0))
        seen: set[str] = set()
        while True:
            params = {"date": self.date.isoformat() if self.date else None, "limit": PAGE_SIZE, "p": number or None}
            result, _, url = get_parsed(client, SERVICE, URL, hf_api.parse, params)
            ids = {p.ids.get("arxiv", p.title) for p in result.papers}
            number += 1
            # A short page is the last; a page of papers already seen means the service ignores paging.
            done = len(result.papers) < PAGE_SIZE or ids <= seen
            seen |= ids
            empty = (self.date or clock.today()).isoformat() if done and not result.papers and number == 1 else None
            yield Page(result, url, {"page": number}, done, empty)
            if done:
                return
