"""ORCID public API v3.0: a researcher's works (one response holds all of them)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import ConfigError
from ..sources import orcid
from .base import Page, State, get_parsed
from .client import HttpClient
from .enrich import add_missing_abstracts

SERVICE = "ORCID"
URL = "https://pub.orcid.org/v3.0/{orcid}/works"
_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])/?$", re.IGNORECASE)


def orcid_id(value: str) -> str:
    match = _ORCID.search(value.strip())
    if not match:
        raise ConfigError(f"'{value}' is not an ORCID iD (like 0000-0002-1825-0097)")
    return match.group(1).upper()


@dataclass(frozen=True)
class OrcidWorks:
    orcid: str
    abstracts: bool = True  # look up missing abstracts in OpenAlex by DOI (ORCID keeps few)
    service: str = SERVICE

    @property
    def key(self) -> str:
        return f"orcid:{self.orcid}"

    @property
    def label(self) -> str:
        return f"ORCID {self.orcid}"

    def pages(self, client: HttpClient, state: State | None) -> Iterator[Page]:
        url = URL.format(orcid=self.orcid)
        result, _, origin = get_parsed(client, SERVICE, url, orcid.parse, headers={"Accept": "application/json"})
        if self.abstracts:
            add_missing_abstracts(client, result, origin)
        yield Page(result, origin, {}, done=True)
