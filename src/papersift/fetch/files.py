"""A file, a ``file://`` URL or an http(s) URL in any supported format (detected from its content)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from ..errors import InputError
from ..fileio import STDIN_ORIGIN, is_stdin
from ..sources import ParseResult, parse_text, read_papers
from .base import Page, State, parse_response
from .client import HttpClient


def is_url(value: str) -> bool:
    """Whether ``value`` is fetched over the network (an http(s) URL)."""
    return urlsplit(value).scheme in ("http", "https")


def local_path(location: str) -> Path:
    """The file ``location`` names: a path as given, or the path of a ``file://`` URL.

    Other URLs (``ftp://``, a ``file://`` URL on another host) are refused with a sentence rather
    than looked for as a file of that odd name.
    """
    parts = urlsplit(location)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise InputError(
                f"names a file on the host '{parts.netloc}'; papersift reads file:// URLs of this machine only "
                "(file:///path/to/file), else give an http(s) URL",
                location,
            )
        path = url2pathname(parts.path)
        if not path:
            raise InputError("is a file:// URL without a path (write file:///path/to/file)", location)
        return Path(path)
    if "://" in location and scheme:
        raise InputError(
            f"is a URL of scheme '{scheme}'; papersift reads files, file:// URLs and http(s) URLs only", location
        )
    return Path(location).expanduser()


@dataclass(frozen=True)
class FileSource:
    """``location`` is a path or a ``file://`` URL (read as ``papersift feed import`` would: the same
    bounded reader and size limit) or an http(s) URL (fetched politely)."""

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
        return STDIN_ORIGIN if is_stdin(self.location) else self.location

    def pages(self, client: HttpClient, state: State | None) -> Iterator[Page]:
        if not is_url(self.location):
            path = local_path(self.location)
            yield Page(read_papers(path, self.input_format), self.location, {}, done=True)
            return
        response = client.get(self.location, service=self.service)

        def parser(text: str, origin: str) -> ParseResult:
            return parse_text(text, origin, self.input_format)

        yield Page(parse_response(self.service, self.location, response.content, parser), self.location, {}, done=True)
