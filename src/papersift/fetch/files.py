"""A file or a URL in any supported format (detected from its content)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..sources import ParseResult, parse_text, read_papers
from .base import Page, State, parse_response
from .client import HttpClient


def is_url(value: str) -> bool:
    return urlsplit(value).scheme in ("http", "https")


@dataclass(frozen=True)
class FileSource:
    """``location`` is a path (read as ``papersift feed import`` would) or an http(s) URL (fetched politely)."""

    location: str
    input_format: str | None = None

    @property
    def service(self) -> str:
        if is_url(self.location):
            return urlsplit(self.location).hostname or "URL"
        return "file"

    @property
    def key(self) -> str:
        return f"file:{self.location}"

    @property
    def label(self) -> str:
        return self.location

    def pages(self, client: HttpClient, state: State | None) -> Iterator[Page]:
        if not is_url(self.location):
            yield Page(read_papers(Path(self.location), self.input_format), self.location, {}, done=True)
            return
        response = client.get(self.location, service=self.service)

        def parser(text: str, origin: str) -> ParseResult:
            return parse_text(text, origin, self.input_format)

        yield Page(parse_response(self.service, self.location, response.content, parser), self.location, {}, done=True)
