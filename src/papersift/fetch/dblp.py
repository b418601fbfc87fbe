"""DBLP: a person's publication list (``dblp.org/pid/XX/YYYY.xml``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import ConfigError
from ..sources import dblp
from .base import Page, State, get_parsed
from .client import HttpClient
from .enrich import add_missing_abstracts

SERVICE = "DBLP"
URL = "https://dblp.org/pid/{pid}.xml"
_PID = re.compile(r"^(?:https?://dblp\.org/pid/)?([\w\-]+/[\w\-]+)(?:\.\w+)?$")


def dblp_pid(value: str) -> str:
    """``73/6258``, ``c/VolkanCevher`` or the person page's URL -> the pid."""
    match = _PID.match(value.strip())
    if not match:
        raise ConfigError(f"'{value}' is not a DBLP person id (like 73/6258, from dblp.org/pid/73/6258.html)")
    return match.group(1)


@dataclass(frozen=True)
class DblpPerson:
    pid: str
    abstracts: bool = True  # look up missing abstracts in OpenAlex by DOI (DBLP keeps none)
    service: str = SERVICE

    @property
    def key(self) -> str:
        return f"dblp:{self.pid}"

    @property
    def label(self) -> str:
        return f"DBLP {self.pid}"

    def pages(self, client: HttpClient, state: State | None) -> Iterator[Page]:
        result, _, url = get_parsed(client, SERVICE, URL.format(pid=self.pid), dblp.parse)
        if self.abstracts:
            add_missing_abstracts(client, result, url)
        yield Page(result, url, {}, done=True)
