"""What every fetcher is: a named, resumable generator of parsed pages.

A fetcher never writes anything: it yields :class:`Page` objects, each with the state to
resume from after it, and the caller (:mod:`papersift.fetch.runner`) stores each page and
its checkpoint in one transaction as it arrives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from ..errors import ConfigError, InputError, SourceError
from ..sources import ParseResult, decode
from .client import HttpClient, full_url

Parser = Callable[[str, str], ParseResult]
State = dict[str, Any]


@dataclass
class Page:
    """One parsed response, where to go on from it (``state``), and whether it was the last.

    ``empty_day`` is the date (ISO) when a daily feed answered that it announced nothing that day.
    """

    result: ParseResult
    url: str
    state: State = field(default_factory=dict)
    done: bool = False
    empty_day: str | None = None


class Fetcher(Protocol):
    """A source of papers. ``key`` names its checkpoint, so it must be stable for the same request."""

    @property
    def service(self) -> str:
        """The service's name, as the HTTP client's policies know it."""
        ...

    @property
    def key(self) -> str:
        """Names the fetch's checkpoint."""
        ...

    @property
    def label(self) -> str:
        """How reports name the source."""
        ...

    def pages(self, client: HttpClient, state: State | None) -> Iterator[Page]:
        """Pages from the start (``state`` None) or from a checkpoint's state."""
        ...


def get_parsed(
    client: HttpClient,
    service: str,
    url: str,
    parser: Parser,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> tuple[ParseResult, httpx.Response, str]:
    """GET and parse one response; a bad body is a :class:`SourceError` naming the service and the request."""
    origin = full_url(url, {k: v for k, v in (params or {}).items() if v is not None})
    response = client.get(url, params, headers, service)
    return parse_response(service, origin, response.content, parser), response, origin


def parse_response(service: str, origin: str, content: bytes, parser: Parser) -> ParseResult:
    """Parse one response body; whatever the body does to the parser is a :class:`SourceError` naming the request.
    (Text no database can hold, such as lone UTF-16 surrogates, is repaired by the parsers themselves,
    with a warning: see ``sources/sanitize.py``.)
    """
    try:
        result = parser(decode(content, origin), origin)
    except InputError as exc:
        raise SourceError(f"{service}: GET {exc}") from None
    except RecursionError:
        raise SourceError(f"{service}: GET {origin}: the response is nested too deeply to read") from None
    except MemoryError:
        raise SourceError(f"{service}: GET {origin}: the response needs more memory than there is to read") from None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as exc:
        # A parser tripping over a shape it did not expect: the service's fault, reported, not a traceback.
        reason = " ".join(str(exc).split())[:200]
        raise SourceError(
            f"{service}: GET {origin}: the response could not be read ({type(exc).__name__}: {reason})"
        ) from None
    return result


def parse_date(value: str | dt.date | None, what: str = "date") -> dt.date | None:
    """``YYYY-MM-DD`` -> date; anything else is a :class:`ConfigError` naming ``what``."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{what} must be a date written YYYY-MM-DD, not '{value}'") from None
